"""File-based sync between a commune and its upstream office (docs/sync.md).

One schema serves both ends; which end a database is, is decided by the key pair it holds
(``sync_keys.role``). A commune database fills the ``sync_*`` tables; the upstream office runs
the same app on **its own, separate database file** and fills the ``up_*`` tables (its register
tables stay empty). Keeping the two apart means a commune's laptop never holds another
commune's rows, and the office's consolidated copies are never mistaken for a local register.

* ``sync_keys``: this database's own key pair(s): an Ed25519 signing key and an age (X25519)
  identity. Private keys live here, in the database they protect, not in a loose file: a
  restored backup keeps the same identity, so the office does not have to re-confirm the
  commune by phone, and the database already holds everything the keys guard. They are never
  printed; the office can write its age identity to a file for the ``age`` tool on demand.
* ``sync_tombstones``: deletions of synced rows (a membership replaced, a draft session
  dropped), stamped from the change counter like any other change, so they travel too.
* Commune side: ``sync_upstream`` (the office's public keys), ``sync_sent`` (packages built),
  ``sync_acks`` (receipts recorded), ``sync_down`` (packages received from the office).
* Office side: ``up_communes`` (registered communes and their confirmed keys), ``up_packages``
  (imported or waiting packages), ``up_rows`` (consolidated copies keyed by commune, table and
  row id; the row itself is JSON so a commune on a newer schema still imports), ``up_down``
  (packages sent down, and the commune's answer once its next package brings it).
"""

from commune_payout.db import run_script

VERSION = 3

SCHEMA = """
CREATE TABLE sync_keys (
    role TEXT PRIMARY KEY CHECK (role IN ('commune', 'upstream')),
    name TEXT NOT NULL,
    signing_private BLOB NOT NULL,
    signing_public TEXT NOT NULL,
    age_identity TEXT NOT NULL,
    age_recipient TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE sync_tombstones (
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (table_name, row_id)
);
CREATE INDEX ix_sync_tombstones_version ON sync_tombstones(version);

CREATE TABLE sync_upstream (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    signing_public TEXT NOT NULL,
    age_recipient TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    set_at TEXT NOT NULL
);

CREATE TABLE sync_sent (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
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
    acked_at TEXT
);

CREATE TABLE sync_acks (
    package_id TEXT PRIMARY KEY REFERENCES sync_sent(id),
    seq INTEGER NOT NULL,
    version INTEGER NOT NULL,
    issued_at TEXT,
    received_at TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('file', 'code'))
);

CREATE TABLE sync_down (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    payload TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'rejected')),
    decided_at TEXT,
    decided_by TEXT,
    reason TEXT NOT NULL DEFAULT '',
    reported_seq INTEGER
);

CREATE TABLE up_communes (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    province_name TEXT NOT NULL DEFAULT '',
    signing_public TEXT,
    age_recipient TEXT,
    fingerprint TEXT,
    confirmed_at TEXT,
    added_at TEXT NOT NULL
);

CREATE TABLE up_packages (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL REFERENCES up_communes(code),
    seq INTEGER NOT NULL,
    from_version INTEGER NOT NULL,
    to_version INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    manifest_sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('applied', 'waiting')),
    wait_reason TEXT NOT NULL DEFAULT '',
    data BLOB,
    received_at TEXT NOT NULL,
    applied_at TEXT,
    UNIQUE (commune_code, seq)
);

CREATE TABLE up_rows (
    commune_code TEXT NOT NULL,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (commune_code, table_name, row_id)
) WITHOUT ROWID;
CREATE INDEX ix_up_rows_table ON up_rows(table_name, commune_code);

CREATE TABLE up_down (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL REFERENCES up_communes(code),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    file_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'accepted', 'rejected')),
    decided_at TEXT,
    reason TEXT NOT NULL DEFAULT ''
);
"""

# Synced tables whose rows may be deleted (append-only payout tables refuse deletes themselves).
DELETABLE = ("beneficiaries", "memberships", "beneficiary_history", "payout_sessions", "payout_lines")


def tombstone_trigger_sql(table: str) -> str:
    return f"""
CREATE TRIGGER {table}_tombstone AFTER DELETE ON {table}
BEGIN
    UPDATE change_counter SET value = value + 1;
    INSERT OR REPLACE INTO sync_tombstones (table_name, row_id, version)
    VALUES ('{table}', OLD.id, (SELECT value FROM change_counter));
END;
"""


def apply(db):
    run_script(db, SCHEMA)
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in DELETABLE:
        if table in existing:
            run_script(db, tombstone_trigger_sql(table))
