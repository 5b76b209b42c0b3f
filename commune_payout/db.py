"""Opening the local SQLite database, numbered migrations and transactions.

One file per commune laptop. WAL journal where the file system allows it (a rollback
journal otherwise), foreign keys on, a busy timeout so two processes queue instead of
failing. Schema changes live in ``commune_payout/migrations/mNNN_*.py``; each module has
a ``VERSION`` int and an ``apply(db)`` function, and they run in order inside one
transaction each.

sqlite-utils is imported when a database is opened, not with this module: the CLI's ``--help``
and ``--version`` import the modules that name their choices (register, payouts …) and should
not pay for it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import pkgutil
import sqlite3
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from commune_payout import migrations as _migrations_pkg
from commune_payout.errors import UserError

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 10_000


def new_id() -> str:
    """A new UUID key for a synced row (docs/sync.md rule 2)."""
    return str(uuid.uuid4())


def _migration_modules():
    mods = []
    for info in pkgutil.iter_modules(_migrations_pkg.__path__):
        if info.name.startswith("m") and info.name[1:4].isdigit():
            mods.append(importlib.import_module(f"{_migrations_pkg.__name__}.{info.name}"))
    mods.sort(key=lambda m: m.VERSION)
    versions = [m.VERSION for m in mods]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers: {versions}")
    return mods


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def latest_schema_version() -> int:
    mods = _migration_modules()
    return mods[-1].VERSION if mods else 0


def schema_of(conn: sqlite3.Connection) -> frozenset:
    """The tables, indexes, views and triggers of a database, with their SQL."""
    return frozenset(conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                  "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"))


@functools.lru_cache(maxsize=None)
def reference_schema(version: int) -> frozenset:
    """The schema the migrations make at ``version``: what any database of ours at that version
    has, whatever its history (a copy whose schema differs was damaged or made by something else)."""
    db = open_db(":memory:", migrate_schema=False)
    try:
        for mod in _migration_modules():
            if mod.VERSION <= version:
                with write_transaction(db):
                    mod.apply(db)
        return schema_of(db.conn)
    finally:
        db.close()


def migrate(db: sqlite_utils.Database) -> int:
    """Apply every migration newer than the database's ``user_version``; return the new version."""
    current = schema_version(db)
    latest = latest_schema_version()
    if current > latest:
        raise UserError(
            f"Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của phần mềm (lược đồ {current} > {latest}). "
            "Hãy cập nhật phần mềm."
        )
    for mod in _migration_modules():
        if mod.VERSION <= current:
            continue
        with write_transaction(db):
            mod.apply(db)
            db.execute(f"PRAGMA user_version = {int(mod.VERSION)}")
    return schema_version(db)


def _set_journal(conn: sqlite3.Connection, in_memory: bool) -> str:
    if in_memory:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    except sqlite3.OperationalError:
        mode = ""
    if mode.lower() != "wal":
        # Network shares and some USB file systems cannot hold WAL's shared memory.
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    return mode


def open_db(path=None, *, migrate_schema: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path``; ``None`` or ``":memory:"`` gives a memory DB."""
    import sqlite_utils

    in_memory = path is None or str(path) == ":memory:"
    if in_memory:
        conn = sqlite3.connect(":memory:", check_same_thread=False)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            conn.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise UserError(f"Không mở được tệp cơ sở dữ liệu {path}: {exc}") from exc
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    _set_journal(conn, in_memory)
    conn.execute("PRAGMA synchronous = NORMAL")
    db = sqlite_utils.Database(conn, recursive_triggers=False)
    db.path = None if in_memory else Path(path)
    if migrate_schema:
        migrate(db)
    return db


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database):
    """One all-or-nothing write. Outermost level takes the write lock at once (``BEGIN IMMEDIATE``)
    so two processes queue on the busy timeout instead of failing mid-way; nested levels use
    savepoints."""
    conn = db.conn
    if conn.in_transaction:
        name = f"sp_{uuid.uuid4().hex}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def version_trigger_sql(table: str, key: str = "id") -> str:
    """SQL for triggers that stamp a row's ``version`` from the database-wide change counter.

    Every synced table has ``version INTEGER NOT NULL DEFAULT 0``; inserting or changing a row
    takes the next counter value (docs/sync.md rule 3: versions, not clocks). The counter lives in
    ``change_counter`` (one row). Writing ``version`` alone does not fire the trigger again.
    """
    return f"""
CREATE TRIGGER IF NOT EXISTS {table}_version_ins AFTER INSERT ON {table}
BEGIN
    UPDATE change_counter SET value = value + 1;
    UPDATE {table} SET version = (SELECT value FROM change_counter) WHERE {key} = NEW.{key};
END;
CREATE TRIGGER IF NOT EXISTS {table}_version_upd AFTER UPDATE ON {table}
WHEN NEW.version = OLD.version
BEGIN
    UPDATE change_counter SET value = value + 1;
    UPDATE {table} SET version = (SELECT value FROM change_counter) WHERE {key} = NEW.{key};
END;
"""


def current_version(db: sqlite_utils.Database) -> int:
    """The highest change counter value handed out so far."""
    return db.execute("SELECT value FROM change_counter").fetchone()[0]


@contextlib.contextmanager
def triggers_suspended(db: sqlite_utils.Database, *names: str):
    """Drop the triggers ``names`` for a bulk write, and create them again from their own stored
    SQL after it: the caller does their work once for all rows instead of once per row.

    Only inside a write transaction: if the write fails, its rollback brings the triggers back."""
    if not db.conn.in_transaction:
        raise RuntimeError("triggers are suspended only inside a write transaction")
    marks = ", ".join("?" * len(names))
    stored = [sql for (sql,) in db.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", names)]
    if len(stored) != len(names):
        raise RuntimeError(f"no such trigger among {names}")
    for name in names:
        db.execute(f"DROP TRIGGER {name}")
    yield
    for sql in stored:
        db.execute(sql)


def bulk_insert(db: sqlite_utils.Database, table: str, columns: list[str], rows: list[list]) -> None:
    """Insert ``rows`` (values in ``columns`` order) into the synced ``table`` as one statement,
    inside a write transaction, without its version trigger firing once per row: the rows take the
    change counter's next values in order, as ``{table}_version_ins`` would stamp them one by one,
    and the counter moves once."""
    if not rows:
        return
    with triggers_suspended(db, f"{table}_version_ins"):
        first = current_version(db) + 1
        db.execute("UPDATE change_counter SET value = value + ?", [len(rows)])
        db.conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}, version) VALUES ({', '.join('?' * (len(columns) + 1))})",
            ([*row, version] for version, row in enumerate(rows, start=first)))


def run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run a multi-statement SQL script inside the current transaction.

    ``sqlite3.executescript`` would COMMIT first, breaking the one-transaction-per-migration rule.
    """
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                db.execute(buf.strip())
            buf = ""
    if buf.strip():
        db.execute(buf.strip())
