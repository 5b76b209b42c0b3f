"""Copies of the database, made with SQLite's online backup API.

A copy is made once a day (when the app opens) and before every risky write (an import; later
closing a payout session or importing a sync package). Copies live in ``backups/`` beside the
database (:func:`paths.backups_dir`), named ``<db>-YYYYMMDD-HHMMSS-<reason>.sqlite``; the last
:data:`KEEP` are kept. A copy is written as ``<name>.partial`` and renamed when whole; one that a
crash left behind is removed when the app next starts. Restoring first copies the current state,
so a restore can be undone.
"""

import datetime as dt
import glob
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from commune_payout import paths, settings
from commune_payout.clock import Clock
from commune_payout.db import latest_schema_version, migrate, reference_schema, schema_of, schema_version
from commune_payout.errors import FileUnreadable, UserError, unreadable

KEEP = 30
PARTIAL = ".partial"  # a copy being written; one left behind by a crash is removed at start-up
REASONS = {
    "daily": "Hằng ngày",
    "import": "Trước khi nhập tệp",
    "manual": "Sao lưu thủ công",
    "restore": "Trước khi khôi phục",
    "file": "Tệp chọn từ máy",
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
        found.append((made, int(m["n"] or 1), file.name, Backup(file, made, m["reason"], file.stat().st_size)))
    return [b for *_, b in sorted(found, key=lambda f: f[:3], reverse=True)]


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
    # Copies made in one second are numbered _2, _3 … whatever their reasons, in the order made.
    taken = {m["n"] or "1" for f in folder.glob(f"{glob.escape(source.stem)}-{stamp}*.sqlite")
             if (m := _NAME.match(f.name.removesuffix(PARTIAL)))}
    n = next(n for n in range(1, len(taken) + 2) if str(n) not in taken)
    target = folder / (f"{source.stem}-{stamp}-{reason}.sqlite" if n == 1 else
                       f"{source.stem}-{stamp}_{n}-{reason}.sqlite")
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
    # The copy just made is never the one pruned, even among more than ``keep`` made in one second.
    for old in [b for b in list_backups(source) if b.path != target][keep - 1:]:
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


def copy_of(path) -> Backup:
    """A copy the officer chose (from a USB stick, another folder), to pass to :func:`restore`."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise FileUnreadable(f"Không thấy tệp {path}.") from exc
    except OSError as exc:
        raise unreadable(path, exc) from exc
    return Backup(path, dt.datetime.fromtimestamp(info.st_mtime), "file", info.st_size)


def _owner(conn: sqlite3.Connection, name: str) -> tuple[str, str]:
    """Whose data a database holds: ("commune", code), ("office", key fingerprint) or ("", "")
    for one not yet set up. Raises FileUnreadable for what is not one of ours or is damaged."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "settings" not in tables:
        raise FileUnreadable(f"Tệp {name} không phải dữ liệu của phần mềm chi trả.")
    row = conn.execute("SELECT value FROM settings WHERE key = 'commune'").fetchone()
    if row and row[0]:
        try:
            info = json.loads(row[0])
        except (ValueError, RecursionError) as exc:
            raise FileUnreadable(f"Tệp {name} bị hỏng: không đọc được thông tin xã.") from exc
        if not settings.is_commune_info(info):
            raise FileUnreadable(f"Tệp {name} bị hỏng: không đọc được thông tin xã.")
        return "commune", info["code"]
    if "sync_keys" in tables:
        office = conn.execute("SELECT fingerprint FROM sync_keys WHERE role = 'office'").fetchone()
        if office:
            return "office", office[0]
    return "", ""


# What SQLite and its text give on a file damaged in ways its header does not show.
_DAMAGED = (sqlite3.Error, UnicodeDecodeError, ValueError)


def _open_copy(backup: Backup) -> tuple[sqlite3.Connection, tuple[str, str]]:
    """The copy opened read-only, and whose data it holds, once it is known to be a whole SQLite
    file of this app (every page checked) and of a schema this version reads. FileUnreadable (or
    UserError for a newer schema) otherwise, before anything is written."""
    name = backup.path.name
    damaged = f"Bản sao lưu {name} bị hỏng hoặc không phải dữ liệu của phần mềm."
    try:
        with open(backup.path, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        raise unreadable(name, exc) from exc
    # A SQLite file in UTF-8 (text encoding 1 at offset 56), the only one the app writes.
    if header[:16] != b"SQLite format 3\x00" or header[56:60] != b"\x00\x00\x00\x01":
        raise FileUnreadable(f"Tệp {name} bị hỏng hoặc không phải dữ liệu của phần mềm chi trả.")
    source = sqlite3.connect(backup.path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check(1)").fetchone()[0] != "ok":
            raise FileUnreadable(f"Bản sao lưu {name} bị hỏng.")
        _read_every_row(source)
        version = source.execute("PRAGMA user_version").fetchone()[0]
        owner = _owner(source, name)
        if version > latest_schema_version():
            raise UserError(f"Bản sao lưu {name} do phiên bản mới hơn của phần mềm tạo (lược đồ {version} > "
                            f"{latest_schema_version()}): hãy cập nhật phần mềm rồi khôi phục.")
        if schema_of(source) != reference_schema(version):
            raise FileUnreadable(f"Bản sao lưu {name} bị hỏng: cấu trúc dữ liệu không còn như phần mềm tạo ra.")
    except _DAMAGED as exc:
        source.close()
        raise FileUnreadable(damaged) from exc
    except UserError:
        source.close()
        raise
    return source, owner


def restore(db, backup: Backup, clock: Clock) -> Backup:
    """Replace the live database's content with ``backup``; returns the copy made just before.

    Refuses, before anything is written, a file that is not one of our databases, a damaged
    one, one of a newer schema, the live database itself, and a copy of other data: another
    commune's, or an office's on a commune's laptop (or the other way round). Should the copy
    still fail while it is put in place, the copy made just before is put back.
    """
    if backup.path.exists() and _db_file(db).exists() and os.path.samefile(backup.path, _db_file(db)):
        raise UserError("Tệp đã chọn là chính cơ sở dữ liệu đang dùng, không phải một bản sao lưu.")
    source, theirs = _open_copy(backup)
    try:
        ours = _owner(db.conn, _db_file(db).name)
        if ours[0] and theirs != ours:
            whose = {"commune": f"của xã khác (mã {theirs[1]})", "office": "của đơn vị cấp trên",
                     "": "trống (chưa khai báo xã)"}[theirs[0]]
            raise UserError(f"Bản sao lưu {backup.path.name} là dữ liệu {whose}, không phải của cơ sở dữ liệu này.")
        before = make_backup(db, clock, "restore")
        try:
            source.backup(db.conn)
            if schema_of(db.conn) != reference_schema(schema_version(db)):     # the schema loads as checked
                raise sqlite3.DatabaseError("schema")
            migrate(db)
        except _DAMAGED as exc:
            _put_back(db, before)
            raise FileUnreadable(f"Không khôi phục được từ {backup.path.name} (tệp hỏng): dữ liệu vẫn như trước "
                                 "khi khôi phục.") from exc
    finally:
        source.close()
    return before


def _read_every_row(conn: sqlite3.Connection) -> None:
    """Read every row once, as the app will: text that is not UTF-8 (which the integrity check
    does not look at) raises here instead of in the middle of some later work."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in names:
        for _row in conn.execute(f'SELECT * FROM "{name}"'):
            pass


def _put_back(db, before: Backup) -> None:
    copy = sqlite3.connect(before.path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        copy.backup(db.conn)
    finally:
        copy.close()
