"""Backups: SQLite backup-API copies beside the database, daily and on demand, pruned, restorable."""

import datetime as dt
import sqlite3

import pytest

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
