"""After the money: checking that payments arrived, and complaints followed until they are closed
(docs/domain.md, "Verification and grievances").

Synced tables (UUID keys, ``commune_code``, ``version`` stamped by trigger):

* ``verifications``: the draw of a session's verification: how its size was chosen (the formula
  with its confidence and margin, a count, a share, or everyone), the population it was drawn
  from, the size and the seed that repeats it. One per session; a draw nobody has been asked
  about yet may be replaced, so its rows can be deleted (tombstones).
* ``verification_items``: the payout lines drawn, numbered as on the printed sheet, with the
  village and channel (the stratum) each was drawn in.
* ``verification_answers``: append-only; each attempt to ask a person: the answer (received, not
  received, a different amount and how much, could not reach), who asked, on which day and how.
  A later answer supersedes an earlier one; nothing is edited.
* ``grievances``: a complaint (khiếu nại, phản ánh): the person (or a name, for someone not in
  the register), the programme (which decides the office that receives it), the session and
  payout line when there is one, the answer it came from, its kind, how it came in,
  the description, the day it was received and its due date, its state and its resolution with
  the fix it is linked to (a ledger entry, an account change in the person's history, a line of a
  later session). Numbered per year.
* ``grievance_events``: append-only; every change of state (and every note) with who and when,
  and the due date in force after it (a reopened ticket has a new one), so that the state of
  every ticket on any past day can be told (the monthly report).

The office's copies ``office_<table>`` of each (migration 8). Every step checks what is there,
so the migration completes a database that has part of it.
"""

from commune_payout.db import run_script, version_trigger_sql
from commune_payout.migrations.m003_sync import tombstone_trigger_sql
from commune_payout.migrations.m009_decisions import office_copies

VERSION = 13

SCHEMA = """
CREATE TABLE IF NOT EXISTS verifications (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL UNIQUE REFERENCES payout_sessions(id),
    commune_code TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('formula', 'count', 'share', 'all')),
    confidence REAL CHECK (confidence IS NULL OR (confidence > 0 AND confidence < 1)),
    margin REAL CHECK (margin IS NULL OR (margin > 0 AND margin < 1)),
    share REAL CHECK (share IS NULL OR (share > 0 AND share <= 1)),
    population INTEGER NOT NULL CHECK (population > 0),
    size INTEGER NOT NULL CHECK (size > 0 AND size <= population),
    seed INTEGER NOT NULL CHECK (seed >= 0),
    population_sha256 TEXT NOT NULL,
    drawn_at TEXT NOT NULL,
    drawn_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    CHECK ((method = 'formula') = (confidence IS NOT NULL AND margin IS NOT NULL)),
    CHECK ((method = 'share') = (share IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS ix_verifications_version ON verifications(version);

CREATE TABLE IF NOT EXISTS verification_items (
    id TEXT PRIMARY KEY,
    verification_id TEXT NOT NULL REFERENCES verifications(id),
    session_id TEXT NOT NULL REFERENCES payout_sessions(id),
    line_id TEXT NOT NULL REFERENCES payout_lines(id),
    commune_code TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq > 0),
    village TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (verification_id, line_id),
    UNIQUE (verification_id, seq)
);
CREATE INDEX IF NOT EXISTS ix_verification_items_line ON verification_items(line_id);
CREATE INDEX IF NOT EXISTS ix_verification_items_version ON verification_items(version);

CREATE TABLE IF NOT EXISTS verification_answers (
    id TEXT PRIMARY KEY,
    item_id TEXT NOT NULL REFERENCES verification_items(id),
    commune_code TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('received', 'not_received', 'different_amount', 'unreachable')),
    amount_received INTEGER CHECK (amount_received IS NULL OR amount_received > 0),
    asked_by TEXT NOT NULL CHECK (length(asked_by) > 0),
    asked_on TEXT NOT NULL,
    asked_how TEXT NOT NULL CHECK (asked_how IN ('phone', 'visit', 'at_commune', 'meeting')),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    CHECK ((answer = 'different_amount') = (amount_received IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS ix_verification_answers_item ON verification_answers(item_id, asked_on);
CREATE INDEX IF NOT EXISTS ix_verification_answers_version ON verification_answers(version);

CREATE TRIGGER IF NOT EXISTS verification_answers_append_only BEFORE UPDATE ON verification_answers
WHEN NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'verification answers are append-only: record a new answer instead');
END;
CREATE TRIGGER IF NOT EXISTS verification_answers_no_delete BEFORE DELETE ON verification_answers
BEGIN
    SELECT RAISE(ABORT, 'verification answers are append-only: record a new answer instead');
END;

CREATE TABLE IF NOT EXISTS grievances (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL,
    year INTEGER NOT NULL,
    number INTEGER NOT NULL CHECK (number > 0),
    beneficiary_id TEXT REFERENCES beneficiaries(id),
    full_name TEXT NOT NULL CHECK (length(full_name) > 0),
    village TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    complainant TEXT NOT NULL DEFAULT '',
    program TEXT NOT NULL CHECK (program IN ('btxh', 'htxh', 'ncc', 'other')),
    session_id TEXT REFERENCES payout_sessions(id),
    line_id TEXT REFERENCES payout_lines(id),
    answer_id TEXT REFERENCES verification_answers(id),
    kind TEXT NOT NULL CHECK (kind IN ('not_received', 'wrong_amount', 'wrong_person', 'left_out', 'data_wrong',
                                       'other')),
    received_via TEXT NOT NULL CHECK (received_via IN ('in_person', 'phone', 'letter', 'village_head',
                                                       'verification', 'other')),
    description TEXT NOT NULL CHECK (length(description) > 0),
    received_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'in_progress', 'resolved', 'closed')),
    handled_by TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    fix_kind TEXT CHECK (fix_kind IS NULL OR fix_kind IN ('repayment', 'account', 'next_line')),
    fix_ref TEXT,
    resolved_on TEXT,
    closed_on TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (year, number),
    CHECK (state NOT IN ('resolved', 'closed') OR (length(resolution) > 0 AND resolved_on IS NOT NULL)),
    CHECK ((state = 'closed') = (closed_on IS NOT NULL)),
    CHECK ((fix_kind IS NULL) = (fix_ref IS NULL)),
    CHECK (line_id IS NULL OR session_id IS NOT NULL)
);
CREATE INDEX IF NOT EXISTS ix_grievances_state ON grievances(state, due_on);
CREATE INDEX IF NOT EXISTS ix_grievances_beneficiary ON grievances(beneficiary_id);
CREATE INDEX IF NOT EXISTS ix_grievances_session ON grievances(session_id);
CREATE INDEX IF NOT EXISTS ix_grievances_answer ON grievances(answer_id);
CREATE INDEX IF NOT EXISTS ix_grievances_version ON grievances(version);

CREATE TABLE IF NOT EXISTS grievance_events (
    id TEXT PRIMARY KEY,
    grievance_id TEXT NOT NULL REFERENCES grievances(id),
    commune_code TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL CHECK (to_state IN ('new', 'in_progress', 'resolved', 'closed')),
    due_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_grievance_events_grievance ON grievance_events(grievance_id, at);
CREATE INDEX IF NOT EXISTS ix_grievance_events_version ON grievance_events(version);

CREATE TRIGGER IF NOT EXISTS grievance_events_append_only BEFORE UPDATE ON grievance_events
WHEN NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'the history of a grievance is append-only');
END;
CREATE TRIGGER IF NOT EXISTS grievance_events_no_delete BEFORE DELETE ON grievance_events
BEGIN
    SELECT RAISE(ABORT, 'the history of a grievance is append-only');
END;
CREATE TRIGGER IF NOT EXISTS grievances_no_delete BEFORE DELETE ON grievances
BEGIN
    SELECT RAISE(ABORT, 'a grievance is never deleted: close it with its resolution');
END;
"""

SYNCED = ("verifications", "verification_items", "verification_answers", "grievances", "grievance_events")
# A draw nobody was asked about yet may be replaced by another.
DELETABLE = ("verifications", "verification_items")


def _trigger_exists(db, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", [name]).fetchone() is not None


def apply(db):
    run_script(db, SCHEMA)
    for table in SYNCED:
        run_script(db, version_trigger_sql(table))
    for table in DELETABLE:
        if not _trigger_exists(db, f"{table}_tombstone"):
            run_script(db, tombstone_trigger_sql(table))
    office_copies(db, SYNCED)
