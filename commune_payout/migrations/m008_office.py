"""One name for the office above the commune, and its consolidated copies as plain tables.

* The office's key pair is ``sync_keys`` role ``office`` (it was ``upstream``).
* Its tables are ``office_communes``, ``office_packages``, ``office_quarantine`` and
  ``office_down`` (they were ``up_*``).
* Its consolidated copy of each synced table is a table of its own, ``office_<table>``: the
  commune's code, then the commune's columns as plain SQLite values, keyed by commune and row
  key (:mod:`commune_payout.sync.consolidate`). Before, every row was one JSON object with its
  column names in ``up_rows``: 5.85 MB per commune of 3,000 people, 19 times its package, and
  every row was turned into JSON a second time after its checksum. A column a newer commune
  sends is added to the copy when it first arrives. ``office_beneficiaries.name_sort`` is the
  office's own sort key of the name (docs/sync.md, "The office's copies").

Rows already in ``up_rows`` move to the new tables. Every step is guarded, so the migration can
run again on a database set back to an older schema.
"""

import re

from commune_payout.db import run_script
from commune_payout.text import name_sort_key

VERSION = 8

RENAMED = {"up_communes": "office_communes", "up_packages": "office_packages",
           "up_quarantine": "office_quarantine", "up_down": "office_down"}

# The synced tables of this schema, with the columns each machine derives for itself.
COPIES = {
    "beneficiaries": ("name_fold", "name_sort", "village_fold", "search_numbers", "search_suffixes"),
    "memberships": (),
    "beneficiary_history": (),
    "payout_sessions": (),
    "payout_lines": ("name_fold", "name_sort", "village_fold"),
    "payout_carries": (),
    "payout_entries": (),
    "cash_movements": (),
}

INDEXES = """
CREATE INDEX IF NOT EXISTS ix_office_quarantine_commune ON office_quarantine(commune_code, fingerprint, seq);
CREATE INDEX IF NOT EXISTS ix_office_beneficiaries_sort ON office_beneficiaries(commune_code, name_sort);
CREATE INDEX IF NOT EXISTS ix_office_memberships_person ON office_memberships(commune_code, beneficiary_id);

"""

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,59}")


def _tables(db) -> dict[str, str]:
    return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())


def _office_role(db) -> None:
    sql = _tables(db).get("sync_keys") or ""
    if "'upstream'" not in sql:
        return
    db.execute("CREATE TABLE sync_keys_new (role TEXT PRIMARY KEY CHECK (role IN ('commune', 'office')), "
               "name TEXT NOT NULL, signing_private BLOB NOT NULL, signing_public TEXT NOT NULL, "
               "age_identity TEXT NOT NULL, age_recipient TEXT NOT NULL, fingerprint TEXT NOT NULL, "
               "created_at TEXT NOT NULL)")
    db.execute("INSERT INTO sync_keys_new SELECT CASE role WHEN 'upstream' THEN 'office' ELSE role END, name, "
               "signing_private, signing_public, age_identity, age_recipient, fingerprint, created_at FROM sync_keys")
    db.execute("DROP TABLE sync_keys")
    db.execute("ALTER TABLE sync_keys_new RENAME TO sync_keys")


def _rename(db) -> None:
    for old, new in RENAMED.items():
        existing = _tables(db)
        if old in existing and new not in existing:
            db.execute(f"ALTER TABLE {old} RENAME TO {new}")
        elif old in existing:  # made again by an older migration run a second time
            db.execute(f"INSERT OR IGNORE INTO {new} SELECT * FROM {old}")
            db.execute(f"DROP TABLE {old}")
    db.execute("DROP INDEX IF EXISTS ix_up_quarantine_commune")


def _columns(db, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def _create_copy(db, table: str, columns) -> None:
    copy = f"office_{table}"
    if copy not in _tables(db):
        db.execute(f"CREATE TABLE {copy} (commune_code NOT NULL, id NOT NULL, PRIMARY KEY (commune_code, id)) "
                   "WITHOUT ROWID")
    have = set(_columns(db, copy))
    for column in columns:
        if column not in have:
            db.execute(f"ALTER TABLE {copy} ADD COLUMN {column}")
            have.add(column)


def _copies(db) -> None:
    existing = _tables(db)
    for table, local in COPIES.items():
        columns = [c for c in _columns(db, table) if c not in local] if table in existing else []
        _create_copy(db, table, [*columns, *(("name_sort",) if table == "beneficiaries" else ())])
    if "up_rows" not in existing:
        return
    for (table,) in db.execute("SELECT DISTINCT table_name FROM up_rows").fetchall():
        if not _IDENTIFIER.fullmatch(table):
            continue
        keys = [k for (k,) in db.execute("SELECT DISTINCT j.key FROM up_rows r, json_each(r.data) j "
                                         "WHERE r.table_name = ?", [table]) if _IDENTIFIER.fullmatch(k)]
        keys = [k for k in keys if k not in ("commune_code", "id") and k not in COPIES.get(table, ())]
        _create_copy(db, table, keys)
        values = "".join(f", json_extract(data, '$.{k}')" for k in keys)
        db.execute(f"INSERT OR REPLACE INTO office_{table} (commune_code, id{''.join(', ' + k for k in keys)}) "
                   f"SELECT commune_code, row_id{values} FROM up_rows WHERE table_name = ?", [table])
    db.execute("DROP TABLE up_rows")
    people = db.execute("SELECT commune_code, id, full_name FROM office_beneficiaries").fetchall()
    db.conn.executemany("UPDATE office_beneficiaries SET name_sort = ? WHERE commune_code = ? AND id = ?",
                        [(name_sort_key(name), code, key) for code, key, name in people])


def apply(db):
    _office_role(db)
    _rename(db)
    _copies(db)
    run_script(db, INDEXES)
