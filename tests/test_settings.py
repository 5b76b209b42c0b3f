"""Settings kept in the database: a damaged value is set aside, never fatal; a commune whose
setting was lost is bound again only to the commune its register belongs to."""

import pytest
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from commune_payout import cli, register, settings
from commune_payout.db import open_db
from commune_payout.errors import NotInitialised, UserError


def garble(db, key, raw):
    db.execute("UPDATE settings SET value = ? WHERE key = ?", [raw, key])


@pytest.mark.parametrize("raw", ['{"code": ', "NaN-ish", "[1, 2", '"05425"', "[]", '{"name": "Xã An Bình"}',
                                 '{"code": 5425, "name": "x"}', "[" * 100_000 + "]" * 100_000])
def test_a_damaged_commune_setting_is_set_aside_and_the_commune_set_up_again(db, raw):
    garble(db, "commune", raw)
    with pytest.raises(NotInitialised, match="Chưa khai báo xã"):
        settings.commune(db)
    assert db.execute("SELECT value FROM settings WHERE key = 'commune.hỏng.1'").fetchone()[0] == raw
    assert not settings.is_initialised(db)
    settings.init_commune(db, "05425", officer="Nguyễn Thị Lập")
    assert settings.commune(db)["name"] == "Xã An Bình"


def test_a_commune_set_up_again_after_a_damaged_setting_keeps_its_register(ctx):
    register.create(ctx, {"full_name": "Lê Thị Hoa", "birth_year": 1950})
    garble(ctx.db, "commune", "{")
    with pytest.raises(UserError, match="đã có danh sách của xã mã 05425"):
        settings.init_commune(ctx.db, "00004")
    settings.init_commune(ctx.db, "05425")
    assert register.count(ctx.db) == 1


def test_each_damage_is_kept_apart(db):
    settings.put_signers(db, {"chairman": "Trần Văn Chủ"})
    for _ in (1, 2):
        garble(db, "signers", "{oops")
        assert settings.signers(db)["chairman"] == ""
        settings.put_signers(db, {"chairman": "Trần Văn Chủ"})
    kept = [r[0] for r in db.execute("SELECT key FROM settings WHERE key LIKE 'signers.hỏng.%' ORDER BY key")]
    assert kept == ["signers.hỏng.1", "signers.hỏng.2"]
    assert settings.signers(db)["chairman"] == "Trần Văn Chủ"


@hypothesis_settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=50), st.binary(max_size=50)))
def test_any_stored_value_gives_a_value_or_the_default(raw):
    db = open_db(":memory:")
    db.execute("INSERT INTO settings (key, value) VALUES ('x', ?)", [raw])
    value = settings.get(db, "x", default="mặc định", kind=dict)
    assert value == "mặc định" or isinstance(value, dict)
    db.close()


def test_the_command_line_on_a_damaged_setting_says_what_to_do(tmp_path, capsys):
    path = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(path), "init", "--commune", "05425"]) == 0
    db = open_db(path)
    garble(db, "commune", "{")
    db.close()
    capsys.readouterr()
    assert cli.main(["--db", str(path), "list"]) == 1
    assert "commune-payout init --commune" in capsys.readouterr().err


def test_a_signer_or_officer_name_pasted_far_beyond_a_name_is_refused(db):
    from commune_payout.errors import ValidationError

    before = settings.signers(db), settings.commune(db)
    with pytest.raises(ValidationError) as refused:
        settings.put_signers(db, {"chairman": "Hoàng " * 100})
    assert set(refused.value.problems) == {"chairman"}
    with pytest.raises(ValidationError):
        settings.init_commune(db, "05425", officer="Nguyễn " * 100)
    with pytest.raises(ValidationError):
        settings.init_commune(db, "05425", offices={"ncc": "Sở " * 100})
    assert (settings.signers(db), settings.commune(db)) == before
