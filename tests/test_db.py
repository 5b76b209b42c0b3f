import sqlite3

import pytest

from commune_payout import register
from commune_payout.db import current_version, latest_schema_version, open_db, schema_version, write_transaction
from commune_payout.errors import UserError


def test_file_database_uses_wal_foreign_keys_and_latest_schema(tmp_path):
    db = open_db(tmp_path / "x.sqlite")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema_version(db) == latest_schema_version() >= 1
    db.close()
    # Reopening does not re-run migrations.
    again = open_db(tmp_path / "x.sqlite")
    assert schema_version(again) == latest_schema_version()


def test_database_from_a_newer_app_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(UserError, match="phiên bản mới hơn"):
        open_db(path)


def test_garbage_file_is_a_clear_error(tmp_path):
    path = tmp_path / "bad.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(UserError, match="Không mở được"):
        open_db(path)


def test_every_change_takes_a_new_version(ctx):
    bid = register.create(ctx, {"full_name": "Lê Văn Bình", "birth_year": 1950})
    v1 = ctx.db.execute("SELECT version FROM beneficiaries WHERE id = ?", [bid]).fetchone()[0]
    register.update(ctx, bid, {"phone": "0912345678"})
    v2 = ctx.db.execute("SELECT version FROM beneficiaries WHERE id = ?", [bid]).fetchone()[0]
    assert v2 > v1
    assert current_version(ctx.db) >= v2
    hist_versions = [r[0] for r in ctx.db.execute("SELECT version FROM beneficiary_history")]
    assert all(v > 0 for v in hist_versions)


def test_write_transaction_rolls_back_everything(ctx):
    with pytest.raises(RuntimeError):
        with write_transaction(ctx.db):
            register.create(ctx, {"full_name": "Người Một", "birth_year": 1950})
            register.create(ctx, {"full_name": "Người Hai", "birth_year": 1951})
            raise RuntimeError("boom")
    assert register.count(ctx.db) == 0


def _triggers(db):
    return sorted(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())


def test_suspended_triggers_come_back_after_the_write_and_after_a_failed_one(db):
    from commune_payout.db import triggers_suspended

    before = _triggers(db)
    with write_transaction(db), triggers_suspended(db, "beneficiary_fts_ai", "beneficiaries_version_ins"):
        assert "beneficiary_fts_ai" not in {name for name, _ in _triggers(db)}
    assert _triggers(db) == before
    with pytest.raises(ZeroDivisionError), write_transaction(db), triggers_suspended(db, "beneficiary_fts_ai"):
        1 / 0
    assert _triggers(db) == before
    with pytest.raises(RuntimeError):       # outside a transaction nothing would bring them back
        with triggers_suspended(db, "beneficiary_fts_ai"):
            pass
    assert _triggers(db) == before


def test_bulk_insert_stamps_versions_as_the_trigger_would(ctx):
    from commune_payout.db import bulk_insert

    bid = register.create(ctx, {"full_name": "Phan Thu Lan", "birth_year": 1945})
    start = current_version(ctx.db)
    with write_transaction(ctx.db):
        bulk_insert(ctx.db, "beneficiary_history", ["id", "beneficiary_id", "changed_at", "changed_by", "field"],
                    [[f"h{n}", bid, "2026-01-15 09:00:00", "t", "note"] for n in range(5)])
    rows = ctx.db.execute("SELECT id, version FROM beneficiary_history WHERE id LIKE 'h_' ORDER BY rowid").fetchall()
    assert rows == [(f"h{n}", start + 1 + n) for n in range(5)]
    assert current_version(ctx.db) == start + 5
    assert "beneficiary_history_version_ins" in {name for name, _ in _triggers(ctx.db)}
    with pytest.raises(RuntimeError):       # outside a transaction: refused before anything is written
        bulk_insert(ctx.db, "beneficiary_history", ["id", "beneficiary_id", "changed_at", "changed_by", "field"],
                    [["h9", bid, "2026-01-15 09:00:00", "t", "note"]])
    assert current_version(ctx.db) == start + 5
