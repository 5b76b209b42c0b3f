"""Payout sessions: the session, its snapshot lines, the append-only payment ledger and the
cash book.

Synced tables (UUID keys, ``commune_code``, ``version`` stamped by trigger): ``payout_sessions``,
``payout_lines``, ``payout_entries``, ``cash_movements``. ``active_payments`` is local and
derived: it holds one row per line whose payment has not been reversed, and its primary key is
what makes the database itself refuse a second payment of the same line.

Rules the triggers enforce, whatever code writes:

* ``payout_entries`` and ``cash_movements`` are append-only: no UPDATE (except the version stamp),
  no DELETE. A mistake is corrected with a ``reversal`` entry that names the entry it undoes;
  an entry can be reversed once, and a reversal cannot be reversed.
* Entries go only into a ``locked`` session (not a draft under review, not a closed one).
* Lines are added only to a draft. Once a session is locked its lines keep their snapshot: only
  ``status`` and ``channel`` change, and only through entries. Once closed, nothing about the
  session changes.
* Session status only moves forward: draft → locked → closed.
"""

from commune_payout.db import run_script, version_trigger_sql

VERSION = 2

SCHEMA = """
CREATE TABLE payout_sessions (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL,
    name TEXT NOT NULL CHECK (length(name) > 0),
    kind TEXT NOT NULL CHECK (kind IN ('tet_gift', 'monthly', 'one_off')),
    period TEXT NOT NULL CHECK (period GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    funding_source TEXT NOT NULL DEFAULT '',
    session_date TEXT NOT NULL,
    pay_from TEXT,
    pay_to TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'locked', 'closed')),
    rules TEXT NOT NULL DEFAULT '{}',
    excluded TEXT NOT NULL DEFAULT '[]',
    carried_from_session_id TEXT REFERENCES payout_sessions(id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    locked_at TEXT,
    locked_by TEXT,
    closed_at TEXT,
    closed_by TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_payout_sessions_period ON payout_sessions(kind, period);
CREATE INDEX ix_payout_sessions_version ON payout_sessions(version);

CREATE TABLE payout_lines (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES payout_sessions(id),
    commune_code TEXT NOT NULL,
    seq INTEGER NOT NULL,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries(id),
    full_name TEXT NOT NULL,
    name_fold TEXT NOT NULL,
    name_sort TEXT NOT NULL,
    birth_year INTEGER,
    id_number TEXT,
    village TEXT NOT NULL DEFAULT '',
    village_fold TEXT NOT NULL DEFAULT '',
    program TEXT NOT NULL,
    group_code TEXT NOT NULL,
    group_label TEXT NOT NULL,
    group_public TEXT NOT NULL,
    other_groups TEXT NOT NULL DEFAULT '',
    sensitive INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
    coefficient REAL,
    base_amount INTEGER NOT NULL CHECK (base_amount >= 0),
    months INTEGER NOT NULL DEFAULT 1 CHECK (months >= 1),
    arrears_months INTEGER NOT NULL DEFAULT 0 CHECK (arrears_months >= 0),
    arrears_amount INTEGER NOT NULL DEFAULT 0 CHECK (arrears_amount >= 0),
    carried_forward INTEGER NOT NULL DEFAULT 0 CHECK (carried_forward >= 0),
    carried_from_line_id TEXT REFERENCES payout_lines(id),
    override_amount INTEGER CHECK (override_amount IS NULL OR override_amount >= 0),
    override_reason TEXT NOT NULL DEFAULT '',
    total INTEGER NOT NULL,
    planned_channel TEXT NOT NULL CHECK (planned_channel IN ('account', 'cash_commune', 'cash_home')),
    channel TEXT NOT NULL CHECK (channel IN ('account', 'cash_commune', 'cash_home')),
    bank_bin TEXT,
    account_number TEXT,
    account_holder TEXT NOT NULL DEFAULT '',
    receiver_name TEXT NOT NULL DEFAULT '',
    receiver_relation TEXT NOT NULL DEFAULT '',
    receiver_id_number TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'returned', 'cancelled')),
    version INTEGER NOT NULL DEFAULT 0,
    CHECK (total = coalesce(override_amount, base_amount * months + arrears_amount) + carried_forward),
    CHECK (override_amount IS NULL OR length(override_reason) > 0),
    CHECK (channel != 'account' OR (bank_bin IS NOT NULL AND account_number IS NOT NULL)),
    UNIQUE (session_id, beneficiary_id),
    UNIQUE (session_id, seq)
);
CREATE INDEX ix_payout_lines_status ON payout_lines(session_id, status);
CREATE INDEX ix_payout_lines_beneficiary ON payout_lines(beneficiary_id);
CREATE INDEX ix_payout_lines_account ON payout_lines(session_id, account_number);
CREATE UNIQUE INDEX ux_payout_lines_carried ON payout_lines(carried_from_line_id)
    WHERE carried_from_line_id IS NOT NULL;
CREATE INDEX ix_payout_lines_version ON payout_lines(version);

CREATE TABLE payout_entries (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES payout_sessions(id),
    line_id TEXT NOT NULL REFERENCES payout_lines(id),
    commune_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('paid', 'returned', 'cancelled', 'channel', 'reversal')),
    amount INTEGER NOT NULL,
    channel TEXT CHECK (channel IS NULL OR channel IN ('account', 'cash_commune', 'cash_home')),
    receipt_no INTEGER,
    received_by TEXT CHECK (received_by IS NULL OR received_by IN ('self', 'authorised')),
    receiver_name TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    reverses_entry_id TEXT REFERENCES payout_entries(id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'paid') = (receipt_no IS NOT NULL)),
    CHECK (kind != 'paid' OR (received_by IS NOT NULL AND channel IS NOT NULL AND amount >= 0)),
    CHECK (received_by IS NOT 'authorised' OR length(receiver_name) > 0),
    CHECK (kind != 'channel' OR channel IS NOT NULL),
    CHECK ((kind = 'reversal') = (reverses_entry_id IS NOT NULL)),
    CHECK (kind NOT IN ('reversal', 'returned', 'cancelled', 'channel') OR length(reason) > 0)
);
CREATE INDEX ix_payout_entries_line ON payout_entries(line_id);
CREATE INDEX ix_payout_entries_session ON payout_entries(session_id, kind);
CREATE UNIQUE INDEX ux_payout_entries_receipt ON payout_entries(session_id, receipt_no)
    WHERE receipt_no IS NOT NULL;
CREATE UNIQUE INDEX ux_payout_entries_reverses ON payout_entries(reverses_entry_id)
    WHERE reverses_entry_id IS NOT NULL;
CREATE INDEX ix_payout_entries_version ON payout_entries(version);

CREATE TABLE active_payments (
    line_id TEXT PRIMARY KEY REFERENCES payout_lines(id),
    entry_id TEXT NOT NULL UNIQUE REFERENCES payout_entries(id),
    session_id TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    receipt_no INTEGER NOT NULL,
    UNIQUE (session_id, beneficiary_id)
);

CREATE TABLE cash_movements (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES payout_sessions(id),
    commune_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('received', 'handed_back')),
    amount INTEGER NOT NULL CHECK (amount != 0),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    CHECK (amount > 0 OR length(note) > 0)
);
CREATE INDEX ix_cash_movements_session ON cash_movements(session_id);
CREATE INDEX ix_cash_movements_version ON cash_movements(version);

CREATE TRIGGER payout_sessions_forward BEFORE UPDATE OF status ON payout_sessions
WHEN NOT (NEW.status = OLD.status
          OR (OLD.status = 'draft' AND NEW.status = 'locked')
          OR (OLD.status = 'locked' AND NEW.status = 'closed'))
BEGIN
    SELECT RAISE(ABORT, 'payout session status only moves draft -> locked -> closed');
END;
CREATE TRIGGER payout_sessions_closed BEFORE UPDATE ON payout_sessions
WHEN OLD.status = 'closed' AND NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'payout session is closed');
END;
CREATE TRIGGER payout_sessions_no_delete BEFORE DELETE ON payout_sessions
WHEN OLD.status != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'only a draft payout session can be deleted');
END;

CREATE TRIGGER payout_lines_no_insert BEFORE INSERT ON payout_lines
WHEN (SELECT status FROM payout_sessions WHERE id = NEW.session_id) IS NOT 'draft'
BEGIN
    SELECT RAISE(ABORT, 'lines are added only while the payout session is a draft');
END;
CREATE TRIGGER payout_lines_frozen BEFORE UPDATE ON payout_lines
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) != 'draft'
     AND ({line_frozen_changed})
BEGIN
    SELECT RAISE(ABORT, 'lines of a locked payout session keep their snapshot');
END;
CREATE TRIGGER payout_lines_closed BEFORE UPDATE ON payout_lines
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) = 'closed'
     AND NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'payout session is closed');
END;
CREATE TRIGGER payout_lines_no_delete BEFORE DELETE ON payout_lines
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'lines of a locked payout session cannot be deleted');
END;

CREATE TRIGGER payout_entries_check BEFORE INSERT ON payout_entries
BEGIN
    SELECT RAISE(ABORT, 'payments are recorded only in a locked payout session')
    WHERE (SELECT status FROM payout_sessions WHERE id = NEW.session_id) IS NOT 'locked';
    SELECT RAISE(ABORT, 'payout entry line belongs to another session')
    WHERE (SELECT session_id FROM payout_lines WHERE id = NEW.line_id) IS NOT NEW.session_id;
    SELECT RAISE(ABORT, 'a reversal must undo an earlier entry of the same line')
    WHERE NEW.kind = 'reversal' AND NOT EXISTS (
        SELECT 1 FROM payout_entries e
        WHERE e.id = NEW.reverses_entry_id AND e.line_id = NEW.line_id AND e.kind != 'reversal');
END;
CREATE TRIGGER payout_entries_apply AFTER INSERT ON payout_entries
BEGIN
    INSERT INTO active_payments (line_id, entry_id, session_id, beneficiary_id, receipt_no)
        SELECT NEW.line_id, NEW.id, NEW.session_id, l.beneficiary_id, NEW.receipt_no
        FROM payout_lines l WHERE l.id = NEW.line_id AND NEW.kind = 'paid';
    DELETE FROM active_payments WHERE NEW.kind = 'reversal' AND entry_id = NEW.reverses_entry_id;
    UPDATE payout_lines SET
        channel = coalesce((
            SELECT e.channel FROM payout_entries e
            WHERE e.line_id = NEW.line_id AND e.kind = 'channel'
              AND NOT EXISTS (SELECT 1 FROM payout_entries r WHERE r.reverses_entry_id = e.id)
            ORDER BY e.rowid DESC LIMIT 1), planned_channel),
        status = CASE
            WHEN EXISTS (SELECT 1 FROM active_payments a WHERE a.line_id = NEW.line_id) THEN 'paid'
            ELSE coalesce((
                SELECT CASE e.kind WHEN 'channel' THEN 'pending' ELSE e.kind END
                FROM payout_entries e
                WHERE e.line_id = NEW.line_id AND e.kind IN ('returned', 'cancelled', 'channel')
                  AND NOT EXISTS (SELECT 1 FROM payout_entries r WHERE r.reverses_entry_id = e.id)
                ORDER BY e.rowid DESC LIMIT 1), 'pending')
            END
    WHERE id = NEW.line_id;
END;
CREATE TRIGGER payout_entries_append_only BEFORE UPDATE ON payout_entries
WHEN {entry_changed}
BEGIN
    SELECT RAISE(ABORT, 'payout entries are append-only: record a reversal instead');
END;
CREATE TRIGGER payout_entries_no_delete BEFORE DELETE ON payout_entries
BEGIN
    SELECT RAISE(ABORT, 'payout entries are append-only: record a reversal instead');
END;

CREATE TRIGGER cash_movements_check BEFORE INSERT ON cash_movements
WHEN (SELECT status FROM payout_sessions WHERE id = NEW.session_id) = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'payout session is closed');
END;
CREATE TRIGGER cash_movements_append_only BEFORE UPDATE ON cash_movements
WHEN {cash_changed}
BEGIN
    SELECT RAISE(ABORT, 'cash movements are append-only: record a correction instead');
END;
CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements
BEGIN
    SELECT RAISE(ABORT, 'cash movements are append-only: record a correction instead');
END;
"""

# Snapshot columns that a locked session's lines never change (everything but status, channel, version).
LINE_FROZEN = (
    "id", "session_id", "commune_code", "seq", "beneficiary_id", "full_name", "name_fold", "name_sort",
    "birth_year", "id_number", "village", "village_fold", "program", "group_code", "group_label",
    "group_public", "other_groups", "sensitive", "coefficient", "base_amount", "months", "arrears_months",
    "arrears_amount", "carried_forward", "carried_from_line_id", "override_amount", "override_reason",
    "total", "planned_channel", "bank_bin", "account_number", "account_holder", "receiver_name",
    "receiver_relation", "receiver_id_number",
)
ENTRY_COLUMNS = (
    "id", "session_id", "line_id", "commune_code", "kind", "amount", "channel", "receipt_no", "received_by",
    "receiver_name", "reason", "reverses_entry_id", "created_at", "created_by",
)
CASH_COLUMNS = ("id", "session_id", "commune_code", "kind", "amount", "note", "created_at", "created_by")


def _changed(columns) -> str:
    return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns)


def apply(db):
    script = (SCHEMA.replace("{line_frozen_changed}", _changed(LINE_FROZEN))
              .replace("{entry_changed}", _changed(ENTRY_COLUMNS))
              .replace("{cash_changed}", _changed(CASH_COLUMNS)))
    run_script(db, script)
    for table in ("payout_sessions", "payout_lines", "payout_entries", "cash_movements"):
        run_script(db, version_trigger_sql(table))
