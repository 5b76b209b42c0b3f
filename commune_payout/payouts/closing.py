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
    next monthly session when it is created.
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


def carry_source(db, spec: SessionSpec) -> tuple[str | None, dict[str, dict]]:
    """The last closed monthly session before ``spec.period`` and its unpaid, not yet carried lines."""
    if not spec.carries:
        return None, {}
    row = db.execute(
        "SELECT id FROM payout_sessions WHERE kind = 'monthly' AND status = 'closed' AND period < ? "
        "ORDER BY period DESC, closed_at DESC LIMIT 1", [spec.period]).fetchone()
    if row is None:
        return None, {}
    unpaid = {r["beneficiary_id"]: dict(r) for r in db.query(
        "SELECT l.id, l.beneficiary_id, l.total FROM payout_lines l WHERE l.session_id = ? "
        "AND l.status IN ('pending', 'returned') "
        "AND NOT EXISTS (SELECT 1 FROM payout_lines n WHERE n.carried_from_line_id = l.id)", [row[0]])}
    return row[0], unpaid


def suspension_candidates(db, months: int = SUSPEND_AFTER) -> list[dict]:
    """Active people left unpaid in each of the last ``months`` closed monthly sessions.

    DOMAIN.md (TT 02/2021): three consecutive months not collected → suspended. The officer
    decides; :func:`suspend` applies the decision.
    """
    recent = [r[0] for r in db.execute(
        "SELECT id FROM payout_sessions WHERE kind = 'monthly' AND status = 'closed' "
        "ORDER BY period DESC LIMIT ?", [months])]
    if len(recent) < months:
        return []
    marks = ", ".join("?" * months)
    return [dict(r) for r in db.query(
        f"SELECT l.beneficiary_id, b.full_name, b.village, b.id_number, count(*) AS sessions, "
        f"group_concat(s.period, ', ') AS periods, "
        f"(SELECT l2.total FROM payout_lines l2 WHERE l2.beneficiary_id = l.beneficiary_id "
        f" AND l2.session_id = ?) AS unpaid_amount "
        f"FROM payout_lines l JOIN payout_sessions s ON s.id = l.session_id "
        f"JOIN beneficiaries b ON b.id = l.beneficiary_id "
        f"WHERE l.session_id IN ({marks}) AND l.status IN ('pending', 'returned') AND b.status = 'active' "
        f"GROUP BY l.beneficiary_id HAVING count(*) = ? ORDER BY b.village_fold, b.name_sort",
        [recent[0], *recent, months])]


def suspend(ctx: Context, beneficiary_ids, on: dt.date) -> int:
    """Suspend the given people (after the officer's decision) in one transaction; returns how many."""
    ids = list(beneficiary_ids)
    reason = f"Không nhận trợ cấp {SUSPEND_AFTER} tháng liên tiếp"
    with write_transaction(ctx.db):
        for bid in ids:
            register.set_status(ctx, bid, "suspended", on, reason)
    return len(ids)
