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
