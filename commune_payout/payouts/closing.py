"""Closing a session, and what follows from closed monthly sessions: carry-forward and suspensions."""

import datetime as dt

from commune_payout import cashbook, register
from commune_payout.context import Context
from commune_payout.db import write_transaction
from commune_payout.errors import UserError
from commune_payout.payouts.model import SESSION_STATUSES
from commune_payout.payouts.queries import counters, session_status
from commune_payout.payouts.rules import SessionSpec

SUSPEND_AFTER = 3              # consecutive monthly sessions not collected (TT 02/2021)


def close_session(ctx: Context, sid: str) -> dict:
    """Close a locked session once its cash book balances; returns what was paid and left unpaid.

    Nothing can be recorded afterwards. Unpaid lines of a monthly session are carried into the
    next monthly session created after it is closed (:func:`unpaid_lines`).
    """
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        status = session_status(ctx.db, sid)
        if status != "locked":
            raise UserError(f"Chỉ đóng được đợt chi đã khóa danh sách (đợt này “{SESSION_STATUSES[status]}”)")
        cashbook.ensure_balanced(ctx.db, sid)
        figures = counters(ctx.db, sid)
        ctx.db.execute("UPDATE payout_sessions SET status = 'closed', closed_at = ?, closed_by = ? WHERE id = ?",
                       [now, ctx.user, sid])
    return figures


_OWED = (
    "SELECT l.id AS line_id, l.beneficiary_id, l.total AS amount, s.id AS session_id, s.name AS session, s.period "
    "FROM payout_lines l JOIN payout_sessions s ON s.id = l.session_id "
    "WHERE s.kind = 'monthly' AND s.status = 'closed' AND l.status IN ('pending', 'returned') "
    "AND NOT EXISTS (SELECT 1 FROM payout_carries c WHERE c.from_line_id = l.id)"
)


def unpaid_lines(db, spec: SessionSpec) -> dict[str, list[dict]]:
    """Per person, every line of a closed monthly session before ``spec.period`` that was not
    collected and not yet carried into another line, oldest first (empty unless ``spec.carries``).

    Each dict has ``line_id``, ``session_id``, ``session`` (its name), ``period`` and ``amount``.
    A line carried into a session that is still open is already on its way and is not taken
    again; a carried line's own total includes what it carried, so nothing is counted twice.
    """
    if not spec.carries:
        return {}
    out: dict[str, list[dict]] = {}
    for r in db.query(f"{_OWED} AND s.period < ? ORDER BY s.period, l.id", [spec.period]):
        row = dict(r)
        out.setdefault(row.pop("beneficiary_id"), []).append(row)
    return out


def _month_before(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def suspension_candidates(db, months: int = SUSPEND_AFTER) -> list[dict]:
    """Active people who did not collect in each of the last ``months`` consecutive calendar
    months, up to the latest closed monthly session (docs/domain.md, TT 02/2021).

    The months must follow one another and each must have a closed monthly session; a month
    without one breaks the run. Each candidate has ``periods`` (oldest first) and
    ``unpaid_amount``, what is still owed to them (unpaid lines not carried into another). The
    officer decides; :func:`suspend` applies the decision.
    """
    closed = dict(db.execute("SELECT period, id FROM payout_sessions WHERE kind = 'monthly' "
                             "AND status = 'closed'").fetchall())
    if not closed:
        return []
    run = [max(closed)]
    while len(run) < months:
        run.insert(0, _month_before(run[0]))
    if any(period not in closed for period in run):
        return []
    ids = [closed[period] for period in run]
    marks = ", ".join("?" * months)
    rows = [dict(r) for r in db.query(
        f"SELECT l.beneficiary_id, b.full_name, b.village, b.id_number "
        f"FROM payout_lines l JOIN beneficiaries b ON b.id = l.beneficiary_id "
        f"WHERE l.session_id IN ({marks}) AND l.status IN ('pending', 'returned') AND b.status = 'active' "
        f"GROUP BY l.beneficiary_id HAVING count(*) = ? ORDER BY b.village_fold, b.name_sort",
        [*ids, months])]
    owed = dict(db.execute(f"SELECT beneficiary_id, sum(amount) FROM ({_OWED}) GROUP BY beneficiary_id").fetchall())
    for row in rows:
        row.update(periods=list(run), unpaid_amount=owed.get(row["beneficiary_id"], 0))
    return rows


def suspend(ctx: Context, beneficiary_ids, on: dt.date) -> int:
    """Suspend the given people (after the officer's decision) in one transaction; returns how many."""
    ids = list(beneficiary_ids)
    reason = f"Không nhận trợ cấp {SUSPEND_AFTER} tháng liên tiếp"
    with write_transaction(ctx.db):
        for bid in ids:
            register.set_status(ctx, bid, "suspended", on, reason)
    return len(ids)
