"""The registry of synced tables: what travels, its key, and how a row names its commune.

Adding a synced table to the app means adding one line here; export, import, ownership checks
and the office's consolidated copies all read this list. If its rows can be deleted, its
migration also adds the trigger that records deletions
(``migrations.m003_sync.tombstone_trigger_sql(table)``), so that deletions travel too.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SyncedTable:
    """One synced table.

    ``commune_column`` names the column holding the owning commune's code. ``parent`` is
    (column, parent table) for rows that hang off another synced row: a membership belongs to
    the commune of its beneficiary (it has no commune column), a payment to its payout line.
    Where both are given both are checked. Packages put children right after their parent.
    ``append_only`` rows never change once received (payments, cash movements): a changed
    copy is refused, never applied.
    ``local_columns`` are derived on each machine (search folds) and do not travel.
    """

    name: str
    key: str = "id"
    commune_column: str | None = "commune_code"
    parent: tuple[str, str] | None = None
    append_only: bool = False
    local_columns: tuple[str, ...] = ()


_FOLDS = ("name_fold", "name_sort", "village_fold")

SYNCED = (
    SyncedTable("beneficiaries", local_columns=(*_FOLDS, "search_numbers")),
    SyncedTable("memberships", commune_column=None, parent=("beneficiary_id", "beneficiaries")),
    SyncedTable("beneficiary_history", commune_column=None, parent=("beneficiary_id", "beneficiaries")),
    SyncedTable("payout_sessions"),
    SyncedTable("payout_lines", parent=("session_id", "payout_sessions"), local_columns=_FOLDS),
    SyncedTable("payout_entries", parent=("line_id", "payout_lines"), append_only=True),
    SyncedTable("cash_movements", parent=("session_id", "payout_sessions"), append_only=True),
)
BY_NAME = {t.name: t for t in SYNCED}


def present(db) -> list[SyncedTable]:
    """The synced tables that exist in ``db`` (a table arrives with its migration)."""
    existing = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return [t for t in SYNCED if t.name in existing]


def columns(db, table: SyncedTable) -> list[str]:
    """The columns of ``table`` that travel, in schema order."""
    cols = [r[1] for r in db.execute(f"PRAGMA table_info({table.name})")]
    return [c for c in cols if c not in table.local_columns]
