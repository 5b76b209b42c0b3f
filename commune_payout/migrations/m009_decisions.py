"""The chairman's decisions behind every entitlement (docs/domain.md, "Decisions"), and who set
each base level.

* ``applications`` (synced): a file asking for a grant, a change of group or coefficient, a stop
  or funeral support, for a person in the register or a new one (whose details it holds until
  a decision grants and adds them); the day the file was complete, its due date (10 working
  days later), the check against the national population database (date, by whom, result).
* ``decisions`` (synced): the chairman's decision, numbered per year ("12/QĐ-UBND"), its date,
  signer and effective month; a draft until applied, never deleted once applied. A
  ``recorded`` decision is an earlier one (often the former district's) entered so that the
  people it covers can be traced to it; applying it changes no amount.
* ``decision_items`` (synced): one per person covered, with the change it makes.
* ``beneficiary_history.decision_id``: the decision a change was made under; a change to
  memberships, status or a person's own amount without one is a change "without decision".
* ``base_levels.source`` (``law`` shipped with the app, ``office`` from a package sent down,
  ``local`` set on this laptop) and ``base_level_history`` (local): every base level ever set,
  with who set it and when, including those later replaced.
* The office's copies ``office_decisions``, ``office_applications``, ``office_decision_items``
  (migration 8).

Every step checks what is already there, so the migration completes a database that has part
of it (a test sets the schema version back and migrates again).
"""

from commune_payout.db import run_script, version_trigger_sql
from commune_payout.migrations.m003_sync import tombstone_trigger_sql

VERSION = 9

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number > 0),
    year INTEGER NOT NULL,
    symbol TEXT NOT NULL DEFAULT 'QĐ-UBND',
    signed_on TEXT NOT NULL,
    signer TEXT NOT NULL DEFAULT '',
    deputy INTEGER NOT NULL DEFAULT 0 CHECK (deputy IN (0, 1)),
    effective_month TEXT NOT NULL CHECK (effective_month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    program TEXT NOT NULL DEFAULT 'btxh' CHECK (program IN ('btxh', 'ncc', 'htxh', 'other')),
    recorded INTEGER NOT NULL DEFAULT 0 CHECK (recorded IN (0, 1)),
    subject TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'applied')),
    applied_at TEXT,
    applied_by TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (year, number, symbol)
);
CREATE INDEX IF NOT EXISTS ix_decisions_version ON decisions(version);

CREATE TABLE IF NOT EXISTS applications (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL,
    beneficiary_id TEXT REFERENCES beneficiaries(id),
    full_name TEXT NOT NULL CHECK (length(full_name) > 0),
    birth_date TEXT,
    birth_year INTEGER,
    gender TEXT CHECK (gender IS NULL OR gender IN ('M', 'F')),
    id_number TEXT,
    village TEXT NOT NULL DEFAULT '',
    request TEXT NOT NULL CHECK (request IN ('grant', 'change', 'stop', 'funeral')),
    category TEXT,
    coefficient REAL,
    amount INTEGER CHECK (amount IS NULL OR amount >= 0),
    children INTEGER CHECK (children IS NULL OR children BETWEEN 1 AND 30),
    from_category TEXT,
    details TEXT NOT NULL DEFAULT '',
    receiver_name TEXT NOT NULL DEFAULT '',
    receiver_id_number TEXT NOT NULL DEFAULT '',
    receiver_relation TEXT NOT NULL DEFAULT '',
    completed_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    checked_on TEXT,
    checked_by TEXT NOT NULL DEFAULT '',
    check_result TEXT CHECK (check_result IS NULL OR check_result IN ('match', 'mismatch', 'not_found')),
    check_note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided', 'withdrawn')),
    status_reason TEXT NOT NULL DEFAULT '',
    decision_id TEXT REFERENCES decisions(id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    CHECK (beneficiary_id IS NOT NULL OR request = 'grant'),
    CHECK ((checked_on IS NULL) = (check_result IS NULL))
);
CREATE INDEX IF NOT EXISTS ix_applications_status ON applications(status, due_on);
CREATE INDEX IF NOT EXISTS ix_applications_beneficiary ON applications(beneficiary_id);
CREATE INDEX IF NOT EXISTS ix_applications_version ON applications(version);

CREATE TABLE IF NOT EXISTS decision_items (
    id TEXT PRIMARY KEY,
    decision_id TEXT NOT NULL REFERENCES decisions(id),
    commune_code TEXT NOT NULL,
    seq INTEGER NOT NULL,
    application_id TEXT REFERENCES applications(id),
    beneficiary_id TEXT REFERENCES beneficiaries(id),
    full_name TEXT NOT NULL,
    birth_year INTEGER,
    gender TEXT,
    id_number TEXT,
    village TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL CHECK (action IN ('grant', 'change', 'stop', 'funeral')),
    category TEXT,
    coefficient REAL,
    amount INTEGER CHECK (amount IS NULL OR amount >= 0),
    children INTEGER CHECK (children IS NULL OR children BETWEEN 1 AND 30),
    from_category TEXT,
    monthly_amount INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    receiver_name TEXT NOT NULL DEFAULT '',
    receiver_id_number TEXT NOT NULL DEFAULT '',
    receiver_relation TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (decision_id, seq),
    CHECK (beneficiary_id IS NOT NULL OR application_id IS NOT NULL),
    CHECK (action NOT IN ('grant', 'change') OR category IS NOT NULL),
    CHECK (action != 'change' OR from_category IS NOT NULL),
    CHECK (action != 'funeral' OR (length(receiver_name) > 0 AND amount > 0))
);
CREATE INDEX IF NOT EXISTS ix_decision_items_decision ON decision_items(decision_id);
CREATE INDEX IF NOT EXISTS ix_decision_items_beneficiary ON decision_items(beneficiary_id);
CREATE INDEX IF NOT EXISTS ix_decision_items_version ON decision_items(version);

CREATE TRIGGER IF NOT EXISTS decisions_applied BEFORE UPDATE ON decisions
WHEN OLD.status = 'applied' AND NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'an applied decision never changes: issue a later decision instead');
END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
WHEN OLD.status = 'applied'
BEGIN
    SELECT RAISE(ABORT, 'an applied decision is never deleted');
END;
CREATE TRIGGER IF NOT EXISTS decision_items_applied BEFORE UPDATE ON decision_items
WHEN (SELECT status FROM decisions WHERE id = OLD.decision_id) = 'applied' AND NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'an applied decision never changes: issue a later decision instead');
END;
CREATE TRIGGER IF NOT EXISTS decision_items_no_insert BEFORE INSERT ON decision_items
WHEN (SELECT status FROM decisions WHERE id = NEW.decision_id) IS NOT 'draft'
BEGIN
    SELECT RAISE(ABORT, 'people are added to a decision only while it is a draft');
END;
CREATE TRIGGER IF NOT EXISTS decision_items_no_delete BEFORE DELETE ON decision_items
WHEN (SELECT status FROM decisions WHERE id = OLD.decision_id) = 'applied'
BEGIN
    SELECT RAISE(ABORT, 'an applied decision is never deleted');
END;

CREATE TABLE IF NOT EXISTS base_level_history (
    id INTEGER PRIMARY KEY,
    program TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('law', 'office', 'local')),
    set_at TEXT,
    set_by TEXT NOT NULL DEFAULT '',
    replaced_at TEXT,
    replaced_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS ix_base_level_history ON base_level_history(program, valid_from);
"""

SYNCED = ("decisions", "applications", "decision_items")
DELETABLE = ("decisions", "applications", "decision_items")


def _columns(db, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _exists(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]).fetchone() is not None


def office_copies(db, names) -> None:
    """The office's consolidated copy of each new synced table, and of the new columns of one it
    has (migration 8, docs/sync.md): ``office_<table>``, keyed by commune and row key."""
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    for table in names:
        copy = f"office_{table}"
        if copy not in existing:
            db.execute(f"CREATE TABLE {copy} (commune_code NOT NULL, id NOT NULL, PRIMARY KEY (commune_code, id)) "
                       "WITHOUT ROWID")
        have = {r[1] for r in db.execute(f"PRAGMA table_info({copy})")}
        for column in (r[1] for r in db.execute(f"PRAGMA table_info({table})")):
            if column not in have and column not in ("name_fold", "name_sort", "village_fold"):
                db.execute(f"ALTER TABLE {copy} ADD COLUMN {column}")


def apply(db):
    run_script(db, SCHEMA)
    for table in SYNCED:
        run_script(db, version_trigger_sql(table))
    for table in DELETABLE:
        if not _exists(db, f"{table}_tombstone"):
            run_script(db, tombstone_trigger_sql(table))
    if "decision_id" not in _columns(db, "beneficiary_history"):
        db.execute("ALTER TABLE beneficiary_history ADD COLUMN decision_id TEXT REFERENCES decisions(id)")
    db.execute("CREATE INDEX IF NOT EXISTS ix_history_decision ON beneficiary_history(decision_id)")
    if "source" not in _columns(db, "base_levels"):
        db.execute("ALTER TABLE base_levels ADD COLUMN source TEXT NOT NULL DEFAULT 'law'")
        # A level accepted from an office package carries the package's title as its note.
        db.execute("UPDATE base_levels SET source = 'office' WHERE note IN (SELECT title FROM sync_down "
                   "WHERE kind = 'base_level' AND status = 'accepted')")
    if not db.execute("SELECT 1 FROM base_level_history LIMIT 1").fetchone():
        db.execute("INSERT INTO base_level_history (program, valid_from, amount, note, source) "
                   "SELECT program, valid_from, amount, coalesce(note, ''), source FROM base_levels "
                   "ORDER BY program, valid_from")
    office_copies(db, ("decisions", "applications", "decision_items"))
