"""What an import produces: problems, per-row outcomes, sheet layouts, parsed rows and the result.

Parsed rows are immutable: a later step that drops a field makes a new row
(:meth:`ParsedRow.without`), so what a row said in the file stays what was read.
"""

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from commune_payout import register
from commune_payout.decisions.recording import Recorded

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "Lỗi", WARNING: "Cảnh báo"}
FIELD_LABELS = {**register.FIELD_LABELS, "amount": "Mức hưởng", "category": "Diện đối tượng",
                "coefficient": "Hệ số", "injury_rate": "Tỷ lệ suy giảm KNLĐ", "children": "Số con",
                "vneid_account": "Số tài khoản an sinh xã hội (VNeID)"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: where (sheet, 1-based row as Excel shows it, our field name) and what."""

    sheet: str
    row: int | None
    field: str | None
    severity: str
    message: str

    def to_json(self) -> dict:
        return {"row": self.row, "field": self.field, "severity": self.severity, "message": self.message,
                "sheet": self.sheet}


# What happens to a row: every row with content in every sheet ends in exactly one of these.
OUTCOMES = {
    "imported": "Người mới",
    "updated": "Cập nhật",
    "unchanged": "Không thay đổi",
    "rejected": "Có lỗi, chưa nhập",
    "duplicate": "Trùng người, chỉ nhập một lần",
    "skipped": "Bỏ qua (không phải người)",
}


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one row (see :data:`OUTCOMES`); a skipped row says why."""

    sheet: str
    row: int
    outcome: str
    beneficiary_id: str | None = None
    reason: str | None = None

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "outcome": self.outcome, "reason": self.reason}


@dataclass(frozen=True)
class SheetLayout:
    """Where a read sheet's header is and which column holds which field (0-based columns)."""

    name: str
    header_row: int
    last_header_row: int
    columns: Mapping[str, int]
    width: int = 0          # number of columns with content in the widest row


def _frozen(mapping: Mapping | None) -> Mapping | None:
    return None if mapping is None else MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class ParsedRow:
    """One person as read from one row: register fields in ``data`` and the memberships it states
    (one per group it names)."""

    sheet: str
    row: int
    data: Mapping[str, object]
    memberships: tuple[Mapping[str, object], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "data", _frozen(self.data))
        object.__setattr__(self, "memberships", tuple(_frozen(m) for m in self.memberships))

    def without(self, *fields: str) -> "ParsedRow":
        """This row with ``fields`` left out (a value that could not be stored)."""
        data = {k: v for k, v in self.data.items() if k not in fields}
        if "birth_date" in fields:
            data.pop("birth_year", None)
        return ParsedRow(self.sheet, self.row, data, self.memberships)

    def with_data(self, **values) -> "ParsedRow":
        """This row with ``values`` set (a value the import fills in, such as the date of a status)."""
        return ParsedRow(self.sheet, self.row, {**self.data, **values}, self.memberships)

    def with_memberships(self, memberships) -> "ParsedRow":
        """This row stating ``memberships`` instead (another row of the file named more groups)."""
        return ParsedRow(self.sheet, self.row, self.data, tuple(memberships))

    @property
    def birth_year(self) -> int | None:
        if self.data.get("birth_year"):
            return self.data["birth_year"]
        return int(self.data["birth_date"][:4]) if self.data.get("birth_date") else None


@dataclass(frozen=True)
class DecisionTrace:
    """The decision some sheets name in their title, and what tracing their people to it did."""

    sheets: tuple[str, ...]
    recorded: Recorded

    def to_json(self) -> dict:
        r = self.recorded
        return {"sheets": list(self.sheets), "decision": r.number_text, "signed_on": r.signed_on, "text": r.text,
                "people": r.traced, "already": r.already, "created": r.created}


@dataclass
class ImportResult:
    """Counts, problems and per-row outcomes of one import (or dry run) of ``source``."""

    source: Path
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    layouts: dict[str, SheetLayout] = field(default_factory=dict)
    skipped_sheets: list[str] = field(default_factory=list)
    # the name on each person row, for the officer reading the problems: {(sheet, row): name}
    names: dict[tuple[str, int], str] = field(default_factory=dict)
    # account numbers in the file that could not be stored (Excel rounded them, too few digits…)
    unsaved_accounts: int = 0
    # the decisions the file names, each with the people traced to it (importer.decision)
    decisions: list[DecisionTrace] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "rejected": self.rejected, "duplicates": self.duplicates,
            "dry_run": self.dry_run, "sheets": list(self.layouts), "skipped_sheets": list(self.skipped_sheets),
            "unsaved_accounts": self.unsaved_accounts,
            "decisions": [d.to_json() for d in self.decisions],
            "problems": [p.to_json() for p in self.problems],
            "rows": [o.to_json() for o in self.outcomes],
        }

    def problem(self, sheet: str, row: int | None, fld: str | None, severity: str, message: str) -> None:
        self.problems.append(Problem(sheet, row, fld, severity, message))

    def outcome(self, sheet: str, row: int, outcome: str, beneficiary_id: str | None = None,
                reason: str | None = None) -> None:
        """Record what happened to one row and count it."""
        self.outcomes.append(RowOutcome(sheet, row, outcome, beneficiary_id, reason))
        counter = {"duplicate": "duplicates"}.get(outcome, outcome)
        setattr(self, counter, getattr(self, counter) + 1)

    def row_problems(self, sheet: str) -> dict[int, list[Problem]]:
        """Problems of one sheet grouped by row."""
        out: dict[int, list[Problem]] = {}
        for p in self.problems:
            if p.sheet == sheet and p.row is not None:
                out.setdefault(p.row, []).append(p)
        return out
