"""The registry of synced tables: what travels, its key, and how a row names its commune.

Adding a synced table to the app means adding one line here; export, import, ownership checks
and the office's consolidated copies all read this list. If its rows can be deleted, its
migration also adds the trigger that records deletions
(``migrations.m003_sync.tombstone_trigger_sql(table)``), so that deletions travel too.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from commune_payout.payouts import ENTRY_ID_FIELDS, entry_id_for, line_id_for


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

    What lets a package leave values out (package format 2, see ``package.py``); the receiver
    rebuilds each row and checks the SHA-256 of the rebuilt rows, so none of this can change data:

    * ``derive_key(row)`` recomputes a row's key from its other columns (``payouts.line_id_for``,
      ``payouts.entry_id_for``); a row whose key is not the derived one (older, random) carries it.
    * ``refs`` maps a column to the synced table whose key it holds; the package sends the row's
      position in that table's rows instead of the UUID (for ``beneficiaries``: in the commune's
      whole register as the office will hold it, checked by a digest in the manifest).
    * ``defaults`` maps a column to (reference column, column of the referenced row): a payout
      line's snapshot of a person's name, ID or account is sent only where it differs from that
      person's register row; a payment's receiver name and amount only where they differ from its line.

    Which rows an office that receives some programmes only is sent (``sync/scope.py``, docs/sync.md
    "Offices and their programmes"): ``scope`` is an SQL condition on the table's row, with
    ``{programs}`` the office's programme codes; ``resend`` names rows to send again whatever their
    version when a person or a session has just come into the office's view (``{since}``: the
    version the office acknowledged). A table without ``scope`` goes only to an office that
    receives every programme.
    """

    name: str
    key: str = "id"
    commune_column: str | None = "commune_code"
    parent: tuple[str, str] | None = None
    append_only: bool = False
    local_columns: tuple[str, ...] = ()
    derive_key: Callable[[dict], str] | None = None
    refs: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, tuple[str, str]] = field(default_factory=dict)
    scope: str | None = None
    resend: str | None = None


_FOLDS = ("name_fold", "name_sort", "village_fold")

_PERSON = {"beneficiary_id": "beneficiaries"}
# A line's snapshot columns that usually equal the person's register row.
_SNAPSHOT = {c: ("beneficiary_id", c) for c in (
    "full_name", "birth_year", "id_number", "village", "bank_bin", "account_number", "account_holder",
    "receiver_name", "receiver_relation", "receiver_id_number")}
_SNAPSHOT.update(planned_channel=("beneficiary_id", "channel"), channel=("beneficiary_id", "channel"))


def _line_key(row: dict) -> str:
    return line_id_for(row["session_id"], row["beneficiary_id"])


def _entry_key(row: dict) -> str:
    return entry_id_for({f: row.get(f) for f in ENTRY_ID_FIELDS})


# People with a membership of the office's programmes, and those who just got one.
_PEOPLE = "SELECT beneficiary_id FROM memberships WHERE program IN {programs}"
_NEW_PEOPLE = _PEOPLE + " AND version > {since}"
_LINES = "SELECT id FROM payout_lines WHERE program IN {programs}"
_DECISIONS = "SELECT id FROM decisions WHERE program IN {programs}"
_IN_VIEW = {"scope": f"id IN ({_PEOPLE})", "resend": f"id IN ({_NEW_PEOPLE})"}
_OF_PERSON = {"scope": f"beneficiary_id IN ({_PEOPLE})", "resend": f"beneficiary_id IN ({_NEW_PEOPLE})"}
_OF_LINE = {"scope": f"line_id IN ({_LINES})"}
_SESSIONS = {"scope": "id IN (SELECT session_id FROM payout_lines WHERE program IN {programs})",
             "resend": "id IN (SELECT session_id FROM payout_lines WHERE program IN {programs} AND version > {since}) "
                       "OR id IN (SELECT session_id FROM cash_movements WHERE version > {since})"}
# Verification and grievances (docs/sync.md): a draw goes with its session, the people drawn and
# their answers with their payout lines, a ticket and its history to the office of its programme.
_ITEMS = f"SELECT id FROM verification_items WHERE line_id IN ({_LINES})"
_GRIEVANCES = "SELECT id FROM grievances WHERE program IN {programs}"
# A session's cash book concerns all its lines: it goes to an office that receives all of them.
_WHOLE_SESSION = {"scope": "session_id IN (SELECT session_id FROM payout_lines) AND session_id NOT IN "
                           "(SELECT session_id FROM payout_lines WHERE program NOT IN {programs})"}

SYNCED = (
    SyncedTable("beneficiaries", local_columns=(*_FOLDS, "search_numbers", "search_suffixes"), **_IN_VIEW),
    SyncedTable("memberships", commune_column=None, parent=("beneficiary_id", "beneficiaries"), refs=_PERSON,
                scope="program IN {programs}"),
    SyncedTable("beneficiary_history", commune_column=None, parent=("beneficiary_id", "beneficiaries"),
                refs=_PERSON, **_OF_PERSON),
    SyncedTable("decisions", scope="program IN {programs}"),
    SyncedTable("applications", refs=_PERSON, scope=f"beneficiary_id IN ({_PEOPLE}) OR decision_id IN ({_DECISIONS})"),
    SyncedTable("decision_items", parent=("decision_id", "decisions"), refs={**_PERSON, "decision_id": "decisions"},
                scope=f"decision_id IN ({_DECISIONS})"),
    SyncedTable("payout_sessions", **_SESSIONS),
    SyncedTable("payout_lines", parent=("session_id", "payout_sessions"), local_columns=_FOLDS,
                derive_key=_line_key, refs={**_PERSON, "session_id": "payout_sessions"}, defaults=_SNAPSHOT,
                scope="program IN {programs}"),
    SyncedTable("payout_carries", parent=("line_id", "payout_lines"), append_only=True,
                refs={"line_id": "payout_lines", "session_id": "payout_sessions"}, **_OF_LINE),
    SyncedTable("payout_entries", parent=("line_id", "payout_lines"), append_only=True, derive_key=_entry_key,
                refs={"line_id": "payout_lines", "session_id": "payout_sessions"},
                defaults={"commune_code": ("line_id", "commune_code"), "amount": ("line_id", "total"),
                          "receiver_name": ("line_id", "full_name"), "channel": ("line_id", "channel")}, **_OF_LINE),
    SyncedTable("cash_movements", parent=("session_id", "payout_sessions"), append_only=True,
                refs={"session_id": "payout_sessions"}, **_WHOLE_SESSION),
    SyncedTable("payout_arrears", parent=("line_id", "payout_lines"), append_only=True,
                refs={"line_id": "payout_lines", "session_id": "payout_sessions", "decision_id": "decisions"},
                **_OF_LINE),
    SyncedTable("verifications", refs={"session_id": "payout_sessions"},
                scope="session_id IN (SELECT session_id FROM payout_lines WHERE program IN {programs})"),
    SyncedTable("verification_items", parent=("verification_id", "verifications"),
                refs={"verification_id": "verifications", "session_id": "payout_sessions", "line_id": "payout_lines"},
                **_OF_LINE),
    SyncedTable("verification_answers", parent=("item_id", "verification_items"), append_only=True,
                refs={"item_id": "verification_items"}, scope=f"item_id IN ({_ITEMS})"),
    SyncedTable("grievances", refs={**_PERSON, "session_id": "payout_sessions", "line_id": "payout_lines",
                                    "answer_id": "verification_answers"}, scope="program IN {programs}"),
    SyncedTable("grievance_events", parent=("grievance_id", "grievances"), append_only=True,
                refs={"grievance_id": "grievances"}, scope=f"grievance_id IN ({_GRIEVANCES})"),
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
