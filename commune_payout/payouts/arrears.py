"""Back pay (truy lĩnh): what is still owed for months before a session's own, and why
(docs/domain.md, "Back pay").

A month of a person is *settled* by what monthly sessions already hold for it: the allowance of a
line covering the month (a session of period P and N months covers P … P+N−1; a cancelled line
settles nothing) and the arrears rows already paid for it, on their way (a session not closed)
or carried into a later line. Two things make a month owed again:

* **A decision** whose effective month lies before the session's: every month from it up to the
  session's is owed what the register (as the decision left it) says it is worth, less what is
  settled. A month whose line was made after the decision was applied already follows it.
* **A base level** set with a date in the past (``rate``): a month paid at the old level is owed
  the same groups, coefficients and ages priced at the level now in force
  (:meth:`~commune_payout.programs.Entitlement.priced_at`), less what is settled. An arrears
  session (kind ``arrears``) pays this for months already paid; a month not paid is carried into
  the next monthly session, and the difference is added there, so it is paid at the new level.

A line with an amount the officer overrode is left alone (their decision), and so is a line
made before lines kept their entitlement (its arithmetic is unknown).
"""

import datetime as dt
import json
from dataclasses import dataclass

from commune_payout.money import format_vnd
from commune_payout.programs import BaseLevels, Entitlement, entitlement

CAUSES = {"decision": "theo quyết định", "rate": "chênh lệch mức chuẩn"}
MAX_MONTHS_BACK = 60          # a decision reaches back at most five years


@dataclass(frozen=True)
class Owed:
    """One month owed to one person: ``owed`` what it is worth now, ``settled`` what was paid."""

    month: str
    cause: str
    owed: int
    settled: int
    decision_id: str | None = None

    @property
    def amount(self) -> int:
        return self.owed - self.settled


def add_months(period: str, n: int) -> str:
    """``"2026-11"`` + ``n`` months."""
    index = int(period[:4]) * 12 + int(period[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def covered(period: str, months: int) -> list[str]:
    """The months a line of a session of ``period`` paying ``months`` months covers."""
    return [add_months(period, n) for n in range(months)]


def months_text(months: list[str]) -> str:
    """"tháng 7–9/2026", "tháng 11/2026–01/2027", "tháng 7, 9/2026": runs of months in words."""
    ordered = sorted(set(months))
    runs: list[list[str]] = []
    for m in ordered:
        if runs and add_months(runs[-1][-1], 1) == m:
            runs[-1].append(m)
        else:
            runs.append([m])
    years = {m[:4] for m in ordered}
    one_year = len(years) == 1

    def label(m: str) -> str:
        return str(int(m[5:7])) if one_year else f"{m[5:7]}/{m[:4]}"

    parts = [label(r[0]) if len(r) == 1 else f"{label(r[0])}–{label(r[-1])}" for r in runs]
    return "tháng " + ", ".join(parts) + (f"/{ordered[0][:4]}" if one_year else "")


def runs(rows) -> list[tuple[list[str], int]]:
    """Rows (with ``month`` and ``amount``) grouped into runs of consecutive months owed the same
    amount each: ``[(months, amount per month), …]``."""
    out: list[tuple[list[str], int]] = []
    for row in sorted(rows, key=lambda r: r["month"]):
        if out and out[-1][1] == row["amount"] and add_months(out[-1][0][-1], 1) == row["month"]:
            out[-1][0].append(row["month"])
        else:
            out.append(([row["month"]], row["amount"]))
    return out


def run_text(months: list[str], per_month: int) -> str:
    """"tháng 7–9/2026: 3 × 40.000 đ"."""
    return f"{months_text(months)}: {len(months)} × {format_vnd(per_month)}"


@dataclass
class Month:
    """What monthly sessions hold for one person's month."""

    settled: int = 0
    overridden: bool = False
    newest_line: str = ""          # when the newest line covering the month was made
    entitlements: tuple = ()       # (line id, status, Entitlement or None, made at) of the lines covering it


def _carried_sql(alias: str) -> str:
    return f"EXISTS (SELECT 1 FROM payout_carries c WHERE c.from_line_id = {alias}.id)"


def settled_months(db, beneficiary_ids=None) -> dict[str, dict[str, Month]]:
    """Per person and month, what is already held for it (see the module docstring); only for
    ``beneficiary_ids`` when given."""
    out: dict[str, dict[str, Month]] = {}
    if beneficiary_ids is None:
        _settle(db, out, "", [])
        return out
    ids = sorted(beneficiary_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        _settle(db, out, f" AND l.beneficiary_id IN ({', '.join('?' * len(chunk))})", chunk)
    return out


def _settle(db, out: dict, where: str, params: list) -> None:
    for r in db.query(
            "SELECT l.id, l.beneficiary_id, l.status, l.base_amount, l.months, l.override_amount, l.explain, "
            "s.period, s.created_at FROM payout_lines l JOIN payout_sessions s ON s.id = l.session_id "
            f"WHERE s.kind = 'monthly' AND l.purpose = 'allowance' AND l.status != 'cancelled'{where}", params):
        data = json.loads(r["explain"] or "{}")
        found = Entitlement.from_json(data["entitlement"]) if data.get("entitlement") else None
        for m in covered(r["period"], r["months"]):
            month = out.setdefault(r["beneficiary_id"], {}).setdefault(m, Month())
            month.settled += r["base_amount"]
            month.overridden |= r["override_amount"] is not None
            month.newest_line = max(month.newest_line, r["created_at"])
            month.entitlements += ((r["id"], r["status"], found, r["created_at"]),)
    for r in db.query(
            "SELECT l.beneficiary_id, a.month, a.amount FROM payout_arrears a "
            "JOIN payout_lines l ON l.id = a.line_id JOIN payout_sessions s ON s.id = a.session_id "
            f"WHERE l.status != 'cancelled' AND (l.status = 'paid' OR s.status != 'closed' OR {_carried_sql('l')})"
            f"{where}", params):
        out.setdefault(r["beneficiary_id"], {}).setdefault(r["month"], Month()).settled += r["amount"]


def paid_lines(db) -> set[str]:
    """Ids of the allowance lines whose months were paid: paid themselves, or carried into a
    line that was paid."""
    return {r[0] for r in db.execute(
        "SELECT l.id FROM payout_lines l WHERE l.purpose = 'allowance' AND (l.status = 'paid' OR EXISTS ("
        "SELECT 1 FROM payout_carries c JOIN payout_lines n ON n.id = c.line_id "
        "WHERE c.from_line_id = l.id AND n.status = 'paid'))")}


def rate_owed(months: dict[str, Month], levels: BaseLevels, lines: set[str]) -> list[Owed]:
    """The months of one person paid by ``lines`` at a base level lower than the one now in
    force for them, with the difference (cause ``rate``)."""
    out = []
    for m, month in sorted(months.items()):
        if month.overridden:
            continue
        worth = None
        for line_id, _status, found, _made in month.entitlements:
            if line_id in lines and found is not None:
                worth = max(worth or 0, found.priced_at(levels, month_start(m)).amount)
        if worth is not None and worth > month.settled:
            out.append(Owed(m, "rate", worth, month.settled))
    return out


def in_force(person: dict, month: str) -> bool:
    """Whether the person's status lets ``month`` be paid: the month of death is paid; a
    suspension or an end takes the months that start on or after its date."""
    status, date = person["status"], person["status_date"]
    if status == "active" or not date:
        return True
    if status == "deceased":
        return date[:7] >= month
    return date > month_start(month).isoformat()


def months_run(db) -> set[str]:
    """The months monthly sessions have been run for: only for those can the app tell that
    somebody was not paid (the months before the commune kept its payouts here are not its to owe)."""
    return {m for period, n in db.execute("SELECT DISTINCT period, months FROM payout_sessions s "
                                           "JOIN payout_lines l ON l.session_id = s.id WHERE s.kind = 'monthly'")
            for m in covered(period, n)}


def decision_owed(person: dict, memberships: list[dict], decided: list[dict], months: dict[str, Month],
                  levels: BaseLevels, period: str, run: set[str]) -> list[Owed]:
    """The months from each applied decision's effective month up to ``period`` that the
    register says are worth more than is settled (cause ``decision``), among the months ``run``.
    ``decided`` holds the person's applied decisions (``id``, ``effective_month``,
    ``applied_at``), oldest first."""
    out = []
    first = max(min(d["effective_month"] for d in decided), add_months(period, -MAX_MONTHS_BACK))
    m = first
    while m < period:
        governing = [d for d in decided if d["effective_month"] <= m]
        month = months.get(m, Month())
        if governing and m in run and in_force(person, m) and not month.overridden:
            decision = governing[-1]
            if not month.newest_line or month.newest_line < decision["applied_at"]:
                worth = entitlement(memberships, person["birth_date"], person["birth_year"], month_start(m), levels,
                                    person["monthly_amount"]).amount
                if worth > month.settled:
                    out.append(Owed(m, "decision", worth, month.settled, decision["id"]))
        m = add_months(m, 1)
    return out


def applied_decisions(db, before: str) -> dict[str, list[dict]]:
    """Per person, the applied decisions (not merely recorded) granting or changing a group with an
    effective month before ``before``, oldest first."""
    out: dict[str, list[dict]] = {}
    for r in db.query(
            "SELECT i.beneficiary_id, d.id, d.effective_month, d.applied_at FROM decision_items i "
            "JOIN decisions d ON d.id = i.decision_id WHERE d.status = 'applied' AND d.recorded = 0 "
            "AND i.action IN ('grant', 'change') AND d.effective_month < ? ORDER BY d.effective_month, d.applied_at",
            [before]):
        row = dict(r)
        out.setdefault(row.pop("beneficiary_id"), []).append(row)
    return out


def line_arrears(db, line_ids) -> dict[str, list[dict]]:
    """The arrears rows of the given lines, by line, in month order."""
    ids = list(line_ids)
    out: dict[str, list[dict]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for r in db.query(f"SELECT * FROM payout_arrears WHERE line_id IN ({', '.join('?' * len(chunk))}) "
                          "ORDER BY month", chunk):
            out.setdefault(r["line_id"], []).append(dict(r))
    return out


def session_arrears(db, sid: str) -> dict[str, list[dict]]:
    """The arrears rows of a session's lines, by line, in month order."""
    out: dict[str, list[dict]] = {}
    for r in db.query("SELECT * FROM payout_arrears WHERE session_id = ? ORDER BY month", [sid]):
        out.setdefault(r["line_id"], []).append(dict(r))
    return out
