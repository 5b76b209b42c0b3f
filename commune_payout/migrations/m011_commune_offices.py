"""A commune reports to several offices, each for its own programmes (docs/sync.md, "Offices and
their programmes").

* ``sync_offices`` replaces ``sync_upstream``: one row per office, with its key card, the
  programmes it receives (``btxh,htxh``) and ``resend_full``, set when its programmes changed so
  that its next package replaces its copy of the commune.
* ``sync_sent`` gets ``office_id``; sequence numbers are counted per office.
* ``sync_down`` gets ``office_id``: the office that sent a package down.
* ``sync_tombstones`` gets ``program`` and ``owner_id``: the programme of a deleted membership or
  payout line, and the person a deleted membership or history row belonged to. A deletion then
  goes only to the office of its programme, and a person whose last membership of an office's
  programmes went is deleted at that office.

The one office of an existing database becomes office 1 with every programme; its sequence and
acknowledgements stay as they were. Every step is guarded, so the migration can run again.
"""

from commune_payout.db import run_script

VERSION = 11

ALL_PROGRAMS = "btxh,htxh,ncc,other"

OFFICES = """
CREATE TABLE IF NOT EXISTS sync_offices (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    programs TEXT NOT NULL,
    signing_public TEXT NOT NULL,
    age_recipient TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    resend_full INTEGER NOT NULL DEFAULT 0,
    set_at TEXT NOT NULL
);
"""

SENT = """
CREATE TABLE sync_sent_new (
    id TEXT PRIMARY KEY,
    office_id INTEGER NOT NULL REFERENCES sync_offices(id),
    seq INTEGER NOT NULL,
    from_version INTEGER NOT NULL,
    to_version INTEGER NOT NULL,
    full INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    parts INTEGER NOT NULL DEFAULT 1,
    sha256 TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    acked_at TEXT,
    UNIQUE (office_id, seq)
);
INSERT INTO sync_sent_new (id, office_id, seq, from_version, to_version, full, rows, file_name, parts, sha256,
                           manifest_sha256, size, created_at, acked_at)
    SELECT id, 1, seq, from_version, to_version, full, rows, file_name, parts, sha256, manifest_sha256, size,
           created_at, acked_at FROM sync_sent;
CREATE TABLE sync_acks_new (
    package_id TEXT PRIMARY KEY REFERENCES sync_sent_new(id),
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    issued_at TEXT,
    received_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('file', 'code'))
);
INSERT INTO sync_acks_new SELECT package_id, seq, version, issued_at, received_at, source FROM sync_acks;
DROP TABLE sync_acks;
DROP TABLE sync_sent;
ALTER TABLE sync_sent_new RENAME TO sync_sent;
ALTER TABLE sync_acks_new RENAME TO sync_acks;
"""

# Deletions that say whose they were: the programme of a membership or a payout line, the person
# of a membership or a history row.
TOMBSTONES = {
    "memberships": ("OLD.program", "OLD.beneficiary_id"),
    "beneficiary_history": ("NULL", "OLD.beneficiary_id"),
    "payout_lines": ("OLD.program", "OLD.beneficiary_id"),
}


def _columns(db, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _tables(db) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def apply(db):
    run_script(db, OFFICES)
    if "sync_upstream" in _tables(db):
        db.execute("INSERT OR IGNORE INTO sync_offices (id, name, programs, signing_public, age_recipient, "
                   "fingerprint, set_at) SELECT id, name, ?, signing_public, age_recipient, fingerprint, set_at "
                   "FROM sync_upstream", [ALL_PROGRAMS])
        db.execute("DROP TABLE sync_upstream")
    if "office_id" not in _columns(db, "sync_sent"):
        run_script(db, SENT)
    if "office_id" not in _columns(db, "sync_down"):
        db.execute("ALTER TABLE sync_down ADD COLUMN office_id INTEGER")
        db.execute("UPDATE sync_down SET office_id = (SELECT min(id) FROM sync_offices)")
    tombstones = _columns(db, "sync_tombstones")
    for column in ("program", "owner_id"):
        if column not in tombstones:
            db.execute(f"ALTER TABLE sync_tombstones ADD COLUMN {column} TEXT")
    for table, (program, owner) in TOMBSTONES.items():
        db.execute(f"DROP TRIGGER IF EXISTS {table}_tombstone")
        run_script(db, f"""
CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table}
BEGIN
    UPDATE change_counter SET value = value + 1;
    INSERT OR REPLACE INTO sync_tombstones (table_name, row_id, version, program, owner_id)
    VALUES ('{table}', OLD.id, (SELECT value FROM change_counter), {program}, {owner});
END;
""")
