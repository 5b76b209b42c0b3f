"""Back pay (truy lĩnh) and funeral support in payout sessions (docs/domain.md, "Back pay").

* ``payout_sessions.kind`` admits ``arrears``: a session that pays only the difference owed for
  months already paid at an old base level. SQLite cannot alter a CHECK constraint; the table's
  stored definition is widened in place (the procedure SQLite documents for loosening a
  constraint: ``writable_schema``, then a new ``schema_version``), which keeps every row, key,
  trigger and reference as it is.
* ``payout_lines.purpose``: ``allowance`` (the month's allowance, with any arrears and carried
  amounts), ``arrears`` (a line that pays only arrears) or ``funeral`` (funeral support, paid to
  whoever arranged the funeral); ``payout_lines.decision_id``: the decision a funeral line pays.
  Both are part of a locked line's snapshot.
* ``payout_arrears`` (synced): the months a line's arrears pay, one row per month, with why
  (``decision`` or ``rate``), what the month is worth now (``owed``), what was paid for it before
  (``settled``) and the difference (``amount``). Their sum is the line's ``arrears_amount``.
  Written with their line while the session is a draft; never changed; they go with a deleted draft.
* The office's copy ``office_payout_arrears``, and the new columns in ``office_payout_lines``
  (migration 8).
"""

from commune_payout.db import run_script, version_trigger_sql
from commune_payout.migrations.m003_sync import tombstone_trigger_sql
from commune_payout.migrations.m009_decisions import office_copies

VERSION = 10

OLD_KINDS = "kind IN ('tet_gift', 'monthly', 'one_off')"
NEW_KINDS = "kind IN ('tet_gift', 'monthly', 'one_off', 'arrears')"

ARREARS = """
CREATE TABLE IF NOT EXISTS payout_arrears (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES payout_sessions(id),
    commune_code TEXT NOT NULL,
    line_id TEXT NOT NULL REFERENCES payout_lines(id),
    month TEXT NOT NULL CHECK (month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    cause TEXT NOT NULL CHECK (cause IN ('decision', 'rate')),
    decision_id TEXT REFERENCES decisions(id),
    owed INTEGER NOT NULL CHECK (owed >= 0),
    settled INTEGER NOT NULL CHECK (settled >= 0),
    amount INTEGER NOT NULL CHECK (amount > 0),
    version INTEGER NOT NULL DEFAULT 0,
    UNIQUE (line_id, month),
    CHECK (amount = owed - settled),
    CHECK ((cause = 'decision') = (decision_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS ix_payout_arrears_session ON payout_arrears(session_id);
CREATE INDEX IF NOT EXISTS ix_payout_arrears_version ON payout_arrears(version);

CREATE TRIGGER IF NOT EXISTS payout_arrears_no_insert BEFORE INSERT ON payout_arrears
WHEN (SELECT status FROM payout_sessions WHERE id = NEW.session_id) IS NOT 'draft'
     OR (SELECT session_id FROM payout_lines WHERE id = NEW.line_id) IS NOT NEW.session_id
BEGIN
    SELECT RAISE(ABORT, 'arrears are added only with their line, while the payout session is a draft');
END;
CREATE TRIGGER IF NOT EXISTS payout_arrears_frozen BEFORE UPDATE ON payout_arrears
WHEN NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'arrears never change');
END;
CREATE TRIGGER IF NOT EXISTS payout_arrears_no_delete BEFORE DELETE ON payout_arrears
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'arrears of a locked payout session cannot be deleted');
END;
"""

FROZEN = """
DROP TRIGGER IF EXISTS payout_lines_frozen;
CREATE TRIGGER payout_lines_frozen BEFORE UPDATE ON payout_lines
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) != 'draft'
     AND ({changed})
BEGIN
    SELECT RAISE(ABORT, 'lines of a locked payout session keep their snapshot');
END;
"""
# What a locked line may still change: these only, through its ledger (and the version stamp).
LIVE = ("status", "channel", "version")


def _columns(db, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def _widen_kinds(db) -> None:
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'payout_sessions'").fetchone()[0]
    if NEW_KINDS in sql:
        return
    if OLD_KINDS not in sql:
        raise RuntimeError("payout_sessions.kind has an unexpected definition")
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'payout_sessions'",
                   [sql.replace(OLD_KINDS, NEW_KINDS)])
        db.execute(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")


def apply(db):
    """Each step checks what is there first, so a database that already has part of it is completed."""
    _widen_kinds(db)
    lines = _columns(db, "payout_lines")
    if "purpose" not in lines:
        db.execute("ALTER TABLE payout_lines ADD COLUMN purpose TEXT NOT NULL DEFAULT 'allowance' "
                   "CHECK (purpose IN ('allowance', 'arrears', 'funeral'))")
    if "decision_id" not in lines:
        db.execute("ALTER TABLE payout_lines ADD COLUMN decision_id TEXT REFERENCES decisions(id)")
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _columns(db, "payout_lines") if c not in LIVE)
    run_script(db, FROZEN.replace("{changed}", changed))
    run_script(db, ARREARS)
    run_script(db, version_trigger_sql("payout_arrears"))
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = 'payout_arrears_tombstone'"
                      ).fetchone():
        run_script(db, tombstone_trigger_sql("payout_arrears"))
    office_copies(db, ("payout_arrears", "payout_lines"))
