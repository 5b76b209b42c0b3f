"""Amounts worked out on the session's date (docs/domain.md): membership details, carry-forward
from several sessions, and a line's explanation.

* ``memberships`` gain ``injury_rate`` (per cent, người có công: 81 % or more earns the higher Tết
  gift), ``children`` (a poor single parent earns the coefficient once per child) and ``wording``
  (a list's words for a group the app did not recognise, group ``chua_xac_dinh``). The old group
  "Thương binh, bệnh binh suy giảm KNLĐ từ 81% trở lên" becomes thương binh with an injury rate of
  81; a single parent's coefficient (1 per child) becomes the number of children.
* ``payout_carries``: one row per unpaid line of a closed session carried into a later line.
  ``from_line_id`` is unique, so the database itself carries a line once. The rows of the old
  one-source ``payout_lines.carried_from_line_id`` move here and that column goes, with
  ``payout_sessions.carried_from_session_id`` (a line may now carry from several sessions).
  Rows are written with their line while the session is a draft and never change; they go with
  a deleted draft.
* ``payout_lines.explain``: the entitlement (groups, age, coefficient, base level) and the carried
  lines behind the line's amount, as JSON, so that a line explains itself whatever the register
  says later. Lines made before this migration have none and explain themselves from their columns.
"""

from commune_payout.db import new_id, run_script, version_trigger_sql
from commune_payout.migrations.m003_sync import tombstone_trigger_sql

VERSION = 7

# Snapshot columns that a locked session's lines never change (everything but status, channel, version).
LINE_FROZEN = (
    "id", "session_id", "commune_code", "seq", "beneficiary_id", "full_name", "name_fold", "name_sort",
    "birth_year", "id_number", "village", "village_fold", "program", "group_code", "group_label",
    "group_public", "other_groups", "sensitive", "coefficient", "base_amount", "months", "arrears_months",
    "arrears_amount", "carried_forward", "override_amount", "override_reason", "total", "planned_channel",
    "bank_bin", "account_number", "account_holder", "receiver_name", "receiver_relation", "receiver_id_number",
    "explain",
)

MEMBERSHIP_COLUMNS = {
    "injury_rate": "injury_rate INTEGER CHECK (injury_rate IS NULL OR injury_rate BETWEEN 1 AND 100)",
    "children": "children INTEGER CHECK (children IS NULL OR children BETWEEN 1 AND 30)",
    "wording": "wording TEXT NOT NULL DEFAULT ''",
}

DETAILS = """
UPDATE memberships SET category = 'ncc_thuong_binh', injury_rate = 81 WHERE category = 'ncc_thuong_binh_81';
UPDATE memberships SET children = CAST(round(coefficient) AS INTEGER)
    WHERE category = 'don_than_ngheo' AND children IS NULL AND coefficient >= 1 AND coefficient <= 30;
"""

CARRIES = """
CREATE TABLE payout_carries (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES payout_sessions(id),
    commune_code TEXT NOT NULL,
    line_id TEXT NOT NULL REFERENCES payout_lines(id),
    from_line_id TEXT NOT NULL UNIQUE REFERENCES payout_lines(id),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    version INTEGER NOT NULL DEFAULT 0,
    CHECK (from_line_id != line_id)
);
CREATE INDEX ix_payout_carries_line ON payout_carries(line_id);
CREATE INDEX ix_payout_carries_version ON payout_carries(version);
"""

ONE_SOURCE = """
DROP INDEX ux_payout_lines_carried;
ALTER TABLE payout_lines DROP COLUMN carried_from_line_id;
ALTER TABLE payout_sessions DROP COLUMN carried_from_session_id;
"""

TRIGGERS = """
DROP TRIGGER IF EXISTS payout_lines_frozen;
CREATE TRIGGER payout_lines_frozen BEFORE UPDATE ON payout_lines
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) != 'draft'
     AND ({line_frozen_changed})
BEGIN
    SELECT RAISE(ABORT, 'lines of a locked payout session keep their snapshot');
END;
CREATE TRIGGER IF NOT EXISTS payout_carries_no_insert BEFORE INSERT ON payout_carries
WHEN (SELECT status FROM payout_sessions WHERE id = NEW.session_id) IS NOT 'draft'
     OR (SELECT session_id FROM payout_lines WHERE id = NEW.line_id) IS NOT NEW.session_id
BEGIN
    SELECT RAISE(ABORT, 'carried amounts are added only with their line, while the payout session is a draft');
END;
CREATE TRIGGER IF NOT EXISTS payout_carries_frozen BEFORE UPDATE ON payout_carries
WHEN NEW.version = OLD.version
BEGIN
    SELECT RAISE(ABORT, 'carried amounts never change');
END;
CREATE TRIGGER IF NOT EXISTS payout_carries_no_delete BEFORE DELETE ON payout_carries
WHEN (SELECT status FROM payout_sessions WHERE id = OLD.session_id) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'carried amounts of a locked payout session cannot be deleted');
END;
"""


def _columns(db, table: str) -> set[str]:
    return {r[1] for r in db.execute(f"PRAGMA table_info({table})")}


def _exists(db, kind: str, name: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", [kind, name]).fetchone() is not None


def apply(db):
    """Each step checks what is there first, so a database that already has part of it is completed."""
    have = _columns(db, "memberships")
    for column, definition in MEMBERSHIP_COLUMNS.items():
        if column not in have:
            db.execute(f"ALTER TABLE memberships ADD COLUMN {definition}")
    run_script(db, DETAILS)
    if not _exists(db, "table", "payout_carries"):
        run_script(db, CARRIES)
        run_script(db, version_trigger_sql("payout_carries"))
    lines = _columns(db, "payout_lines")
    if "carried_from_line_id" in lines:
        carried = db.execute("SELECT session_id, commune_code, id, carried_from_line_id, carried_forward "
                             "FROM payout_lines WHERE carried_from_line_id IS NOT NULL").fetchall()
        db.conn.executemany("INSERT INTO payout_carries (id, session_id, commune_code, line_id, from_line_id, amount) "
                            "VALUES (?, ?, ?, ?, ?, ?)", [[new_id(), *row] for row in carried])
        db.execute("DROP TRIGGER IF EXISTS payout_lines_frozen")
        run_script(db, ONE_SOURCE)
    if "explain" not in lines:
        db.execute("ALTER TABLE payout_lines ADD COLUMN explain TEXT NOT NULL DEFAULT ''")
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in LINE_FROZEN)
    run_script(db, TRIGGERS.replace("{line_frozen_changed}", changed))
    if not _exists(db, "trigger", "payout_carries_tombstone"):
        run_script(db, tombstone_trigger_sql("payout_carries"))
