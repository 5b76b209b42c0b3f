"""Copies of the database, made with SQLite's online backup API.

A copy is made once a day (when the app opens) and before every risky write (an import; later
closing a payout session or importing a sync package). Copies live in ``backups/`` beside the
database (:func:`paths.backups_dir`), named ``<db>-YYYYMMDD-HHMMSS-<reason>.sqlite``; the last
:data:`KEEP` are kept. A copy is written as ``<name>.partial`` and renamed when whole; one that a
crash left behind is removed when the app next starts. Restoring first copies the current state,
so a restore can be undone.
"""

import datetime as dt
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from commune_payout import paths
from commune_payout.clock import Clock
from commune_payout.db import migrate
from commune_payout.errors import UserError

KEEP = 30
PARTIAL = ".partial"  # a copy being written; one left behind by a crash is removed at start-up
REASONS = {
    "daily": "Hằng ngày",
    "import": "Trước khi nhập tệp",
    "manual": "Sao lưu thủ công",
    "restore": "Trước khi khôi phục",
}
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:_(?P<n>\d+))?-(?P<reason>[a-z_]+)\.sqlite$")


@dataclass(frozen=True)
class Backup:
    """One backup file: where it is, when it was made and why (a key of :data:`REASONS`)."""

    path: Path
    made_at: dt.datetime
    reason: str
    size: int


def _db_file(db) -> Path:
    if getattr(db, "path", None) is None:
        raise UserError("Cơ sở dữ liệu trong bộ nhớ không sao lưu được.")
    return Path(db.path)


def list_backups(db_path) -> list[Backup]:
    """The backups of the database at ``db_path``, newest first."""
    folder = paths.backups_dir(db_path)
    stem = Path(db_path).stem
    found = []
    for file in folder.glob("*.sqlite") if folder.is_dir() else []:
        m = _NAME.match(file.name)
        if not m or m["stem"] != stem:
            continue
        made = dt.datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S")
        found.append(Backup(file, made, m["reason"], file.stat().st_size))
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def last_backup(db_path) -> Backup | None:
    found = list_backups(db_path)
    return found[0] if found else None


def make_backup(db, clock: Clock, reason: str = "manual", keep: int = KEEP) -> Backup:
    """Copy the live database (consistent even while in use) and keep only the newest ``keep``."""
    if not re.fullmatch(r"[a-z_]+", reason):
        raise ValueError(f"backup reason must be a slug: {reason!r}")
    source = _db_file(db)
    folder = paths.backups_dir(source)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{source.stem}-{stamp}-{reason}.sqlite"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{source.stem}-{stamp}_{n}-{reason}.sqlite"
    partial = target.with_name(target.name + PARTIAL)
    try:
        copy = sqlite3.connect(partial)
        try:
            copy.execute("PRAGMA journal_mode = OFF")  # a half-made copy is thrown away, never repaired
            db.conn.backup(copy)
        finally:
            copy.close()
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in list_backups(source)[keep:]:
        old.path.unlink()
    return next(b for b in list_backups(source) if b.path == target)


def remove_stale(db_path) -> None:
    """Delete what a backup interrupted by a crash left in ``backups/``: a ``*.sqlite.partial``
    copy (and the hidden ``.*.sqlite.*.tmp`` of earlier versions), with their journals."""
    folder = paths.backups_dir(db_path)
    stem = Path(db_path).stem
    for file in folder.iterdir() if folder.is_dir() else []:
        name = file.name.removesuffix("-journal")
        copy = _NAME.match(name.removesuffix(PARTIAL)) if name.endswith(PARTIAL) else None
        if (copy and copy["stem"] == stem) or (name.startswith(f".{stem}-") and ".sqlite." in name
                                                and name.endswith(".tmp")):
            file.unlink(missing_ok=True)


def ensure_daily(db, clock: Clock) -> Backup | None:
    """At start-up: clear what an interrupted backup left, then make today's backup unless one
    (of any kind) was already made today."""
    remove_stale(_db_file(db))
    last = last_backup(_db_file(db))
    if last is not None and last.made_at.date() == clock.today():
        return None
    return make_backup(db, clock, "daily")


def _commune_code(conn: sqlite3.Connection) -> str | None:
    import json

    row = conn.execute("SELECT value FROM settings WHERE key = 'commune'").fetchone()
    return json.loads(row[0])["code"] if row and row[0] else None


def restore(db, backup: Backup, clock: Clock) -> Backup:
    """Replace the live database's content with ``backup``; returns the copy made just before.

    Refuses a damaged file or one that belongs to another commune.
    """
    try:
        source = sqlite3.connect(f"file:{backup.path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise UserError(f"Không mở được bản sao lưu {backup.path.name}: {exc}") from exc
    try:
        try:
            ok = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            theirs = _commune_code(source)
        except sqlite3.Error:
            ok, theirs = False, None
        if not ok or theirs is None:
            raise UserError(f"Bản sao lưu {backup.path.name} bị hỏng hoặc không phải dữ liệu của phần mềm.")
        ours = _commune_code(db.conn)
        if ours is not None and theirs != ours:
            raise UserError(f"Bản sao lưu {backup.path.name} là dữ liệu của xã khác (mã {theirs}).")
        before = make_backup(db, clock, "restore")
        source.backup(db.conn)
    finally:
        source.close()
    migrate(db)
    return before
