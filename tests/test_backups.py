"""Backups: SQLite backup-API copies beside the database, daily and on demand, pruned, restorable;
a copy chosen by the officer is checked whole before anything is written (``BACKUP_FUZZ_EXAMPLES``
runs more damaged copies than the suite's 25)."""

import datetime as dt
import os
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from hypothesis import strategies as st

from commune_payout import backups, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError


@pytest.fixture
def file_ctx(tmp_path):
    db = open_db(tmp_path / "register.sqlite")
    settings.init_commune(db, "05425", officer="Nguyễn Thị Lập")
    ctx = Context(db, clock=FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0)), user="test")
    yield ctx
    db.close()


def at(ctx, *when):
    ctx.clock.at = dt.datetime(*when)
    return ctx.clock


def test_backup_is_a_readable_copy_beside_the_database(file_ctx, tmp_path):
    register.create(file_ctx, {"full_name": "Đặng Văn Đạt", "birth_year": 1940})
    made = backups.make_backup(file_ctx.db, file_ctx.clock, "manual")
    assert made.path.parent == tmp_path / "backups"
    assert made.path.name == "register-20260115-090000-manual.sqlite"
    assert made.reason == "manual" and made.made_at == dt.datetime(2026, 1, 15, 9, 0, 0)
    copy = sqlite3.connect(made.path)
    assert copy.execute("SELECT full_name FROM beneficiaries").fetchall() == [("Đặng Văn Đạt",)]
    copy.close()


def test_two_backups_in_the_same_second_both_kept(file_ctx):
    first = backups.make_backup(file_ctx.db, file_ctx.clock, "import")
    second = backups.make_backup(file_ctx.db, file_ctx.clock, "import")
    assert first.path != second.path
    assert [b.path for b in backups.list_backups(file_ctx.db.path)] == [second.path, first.path]


def test_only_the_newest_are_kept(file_ctx):
    for day in range(1, 8):
        backups.make_backup(file_ctx.db, at(file_ctx, 2026, 1, day, 8, 0, 0), "daily", keep=5)
    kept = backups.list_backups(file_ctx.db.path)
    assert [b.made_at.day for b in kept] == [7, 6, 5, 4, 3]


def test_daily_backup_once_a_day(file_ctx):
    assert backups.ensure_daily(file_ctx.db, at(file_ctx, 2026, 1, 15, 8, 0, 0)) is not None
    assert backups.ensure_daily(file_ctx.db, at(file_ctx, 2026, 1, 15, 17, 0, 0)) is None
    assert backups.ensure_daily(file_ctx.db, at(file_ctx, 2026, 1, 16, 8, 0, 0)).reason == "daily"
    assert backups.last_backup(file_ctx.db.path).made_at.day == 16


def test_restore_brings_back_the_old_state_and_can_be_undone(file_ctx):
    bid = register.create(file_ctx, {"full_name": "Lê Thị Hoa", "birth_year": 1950})
    saved = backups.make_backup(file_ctx.db, file_ctx.clock, "manual")
    register.update(file_ctx, bid, {"full_name": "Lê Thị Hoà Bình"})
    register.create(file_ctx, {"full_name": "Người Mới", "birth_year": 1960})
    before = backups.restore(file_ctx.db, saved, at(file_ctx, 2026, 1, 15, 10, 0, 0))
    assert register.count(file_ctx.db) == 1
    assert register.get(file_ctx.db, bid)["full_name"] == "Lê Thị Hoa"
    assert before.reason == "restore"
    backups.restore(file_ctx.db, before, at(file_ctx, 2026, 1, 15, 11, 0, 0))
    assert register.count(file_ctx.db) == 2


def test_restore_refuses_a_damaged_file(file_ctx, tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    bad = folder / "register-20260101-080000-daily.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    backup = backups.list_backups(file_ctx.db.path)[0]
    with pytest.raises(UserError, match="hỏng"):
        backups.restore(file_ctx.db, backup, file_ctx.clock)


def test_restore_refuses_another_communes_data(file_ctx, tmp_path):
    other = open_db(tmp_path / "other" / "register.sqlite")
    settings.init_commune(other, "00004")
    made = backups.make_backup(other, file_ctx.clock, "manual")
    other.close()
    with pytest.raises(UserError, match="xã khác"):
        backups.restore(file_ctx.db, made, file_ctx.clock)


def test_memory_database_cannot_be_backed_up(ctx):
    with pytest.raises(UserError):
        backups.make_backup(ctx.db, ctx.clock)


def test_what_a_crashed_backup_left_is_removed_at_start_up(file_ctx, tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    folder.mkdir()
    left = ["register-20260114-090000-daily.sqlite.partial", "register-20260114-090000-daily.sqlite.partial-journal",
            ".register-20260113-090000-import.sqlite.k2j4h1x9.tmp",
            ".register-20260113-090000-import.sqlite.k2j4h1x9.tmp-journal"]
    kept = ["other-20260114-090000-daily.sqlite.partial", "notes.txt", "register-20260110-090000-manual.sqlite"]
    for name in left + kept:
        (folder / name).write_bytes(b"x" * 100)
    backups.ensure_daily(file_ctx.db, file_ctx.clock)
    assert sorted(p.name for p in folder.iterdir()) == sorted(kept + ["register-20260115-090000-daily.sqlite"])

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(backups.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        backups.make_backup(file_ctx.db, at(file_ctx, 2026, 1, 15, 10, 0, 0), "manual")
    assert not [p for p in folder.iterdir() if ".partial" in p.name and p.name.startswith("register")]


# ---------------------------------------------------------------- a copy the officer chose

def _copy(file_ctx, tmp_path, name="ban-sao.sqlite"):
    register.create(file_ctx, {"full_name": "Đặng Văn Đạt", "birth_year": 1940})
    made = backups.make_backup(file_ctx.db, file_ctx.clock, "manual")
    target = tmp_path / "usb" / name
    target.parent.mkdir(exist_ok=True)
    target.write_bytes(made.path.read_bytes())
    register.create(file_ctx, {"full_name": "Người Thêm Sau", "birth_year": 1970})
    return target


def test_a_copy_from_a_stick_restores_even_with_odd_characters_in_its_path(file_ctx, tmp_path):
    path = _copy(file_ctx, tmp_path, "bản sao #1 ?.sqlite")
    backups.restore(file_ctx.db, backups.copy_of(path), file_ctx.clock)
    assert [p["full_name"] for p in register.list_beneficiaries(file_ctx.db)] == ["Đặng Văn Đạt"]


def _office_database(path):
    from commune_payout.sync import office

    db = open_db(path)
    office.init_office(Context(db, clock=FixedClock(dt.datetime(2026, 1, 15))), "Sở Y tế tỉnh Phú Thọ")
    db.close()


def _newer(path):
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {backups.latest_schema_version() + 1}")
    db.close()


def _other_app(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE songs (title TEXT)")
    db.close()


def _settings_garbled(path):
    db = sqlite3.connect(path)
    db.execute("UPDATE settings SET value = '{\"code\": ' WHERE key = 'commune'")
    db.commit()
    db.close()


def _bytes(data):
    return lambda path: path.write_bytes(data)


@pytest.mark.parametrize("make, why", [
    (_bytes(b""), "không phải dữ liệu"),
    (_bytes("Họ tên,Ngày sinh\n".encode() * 50), "không phải dữ liệu"),
    (_bytes(b"PK\x03\x04" + b"\x00" * 200), "không phải dữ liệu"),
    (_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20), "hỏng"),
    (_office_database, "của đơn vị cấp trên"),
    (_newer, "phiên bản mới hơn"),
    (_other_app, "không phải dữ liệu"),
    (_settings_garbled, "hỏng"),
])
def test_a_chosen_file_that_is_not_a_copy_of_this_data_is_refused_before_anything_is_written(
        file_ctx, tmp_path, make, why):
    path = _copy(file_ctx, tmp_path)
    if make in (_newer, _settings_garbled):
        make(path)
    else:
        path.unlink()
        make(path)
    before = list(file_ctx.db.conn.iterdump())
    kept = backups.list_backups(file_ctx.db.path)
    with pytest.raises(UserError, match=why):
        backups.restore(file_ctx.db, backups.copy_of(path), file_ctx.clock)
    assert list(file_ctx.db.conn.iterdump()) == before
    assert backups.list_backups(file_ctx.db.path) == kept        # not even the copy made before a restore


def test_the_live_database_and_a_missing_file_are_refused(file_ctx, tmp_path):
    with pytest.raises(UserError, match="chính cơ sở dữ liệu đang dùng"):
        backups.restore(file_ctx.db, backups.copy_of(file_ctx.db.path), file_ctx.clock)
    with pytest.raises(UserError, match="Không thấy tệp"):
        backups.copy_of(tmp_path / "khong-co.sqlite")


@hypothesis_settings(max_examples=int(os.environ.get("BACKUP_FUZZ_EXAMPLES", 25)), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flips=st.lists(st.tuples(st.integers(0, 10 ** 9), st.integers(1, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.integers(0, 10 ** 9)))
def test_a_damaged_copy_restores_whole_or_not_at_all(file_ctx, tmp_path, flips, cut):
    path = tmp_path / "usb" / "hong.sqlite"
    if not path.exists():
        _copy(file_ctx, tmp_path, "goc.sqlite")
    data = bytearray((tmp_path / "usb" / "goc.sqlite").read_bytes())
    for offset, mask in flips:
        data[offset % len(data)] ^= mask
    path.write_bytes(bytes(data[:cut % len(data)] if cut is not None else data))
    before = list(file_ctx.db.conn.iterdump())
    try:
        backups.restore(file_ctx.db, backups.copy_of(path), file_ctx.clock)
    except UserError:
        assert list(file_ctx.db.conn.iterdump()) == before
        return
    assert file_ctx.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert settings.commune(file_ctx.db)["code"] == "05425"
    assert register.count(file_ctx.db) >= 1
