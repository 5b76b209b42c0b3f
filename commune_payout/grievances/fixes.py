"""The fix a resolution links to, found where it was made: a ledger entry (a payment reversed, the
money paid again), a change of how the person is paid in their history (account, channel,
authorised receiver), or the person's line in a later session. A fix is always the person's own."""

from commune_payout import payouts
from commune_payout.errors import ValidationError
from commune_payout.grievances.model import ACCOUNT_FIELDS, FIXES
from commune_payout.money import format_vnd
from commune_payout.register import CHANNELS, FIELD_LABELS

LIMIT = 20
_ENTRY_KINDS = ("reversal", "paid", "returned", "channel")
_ENTRY_WORDS = {"reversal": "Đảo bút toán", "paid": "Chi trả", "returned": "Chuyển khoản bị trả lại",
                "channel": "Đổi cách nhận"}


def _day(at: str) -> str:
    return payouts.vn_date(at[:10])


def _entry_label(row: dict) -> str:
    text = _ENTRY_WORDS[row["kind"]]
    if row["kind"] == "paid":
        text += f" {format_vnd(row['amount'])}, biên nhận số {row['receipt_no']} ({CHANNELS.get(row['channel'], '')})"
    elif row["reason"]:
        text += f": {row['reason']}"
    return f"{text} — đợt “{row['session']}”, {_day(row['created_at'])}"


def _history_label(row: dict) -> str:
    field = FIELD_LABELS.get(row["field"], row["field"])
    return f"{field}: {row['old_value'] or '(trống)'} → {row['new_value'] or '(trống)'} — {_day(row['changed_at'])}"


def _line_label(row: dict) -> str:
    return (f"{format_vnd(row['total'])} trong đợt “{row['session']}” "
            f"({payouts.LINE_STATUSES[row['status']].lower()})")


def _rows(db, kind: str, person: str, session_id: str | None, ref: str | None = None) -> list[dict]:
    one = " AND {0} = ?" if ref else ""
    tail = [ref] if ref else []
    if kind == "repayment":
        return [dict(r) for r in db.query(
            "SELECT e.id, e.kind, e.amount, e.channel, e.receipt_no, e.reason, e.created_at, s.name AS session "
            "FROM payout_entries e JOIN payout_lines l ON l.id = e.line_id JOIN payout_sessions s ON s.id = e.session_id "
            f"WHERE l.beneficiary_id = ? AND e.kind IN {_ENTRY_KINDS}{one.format('e.id')} "
            f"ORDER BY e.created_at DESC, e.rowid DESC LIMIT {LIMIT}", [person, *tail])]
    if kind == "account":
        return [dict(r) for r in db.query(
            "SELECT id, field, old_value, new_value, changed_at FROM beneficiary_history "
            f"WHERE beneficiary_id = ? AND field IN {ACCOUNT_FIELDS}{one.format('id')} "
            f"ORDER BY changed_at DESC, rowid DESC LIMIT {LIMIT}", [person, *tail])]
    return [dict(r) for r in db.query(
        "SELECT l.id, l.total, l.status, s.name AS session, s.created_at FROM payout_lines l "
        "JOIN payout_sessions s ON s.id = l.session_id "
        f"WHERE l.beneficiary_id = ? AND l.session_id IS NOT ?{one.format('l.id')} "
        f"ORDER BY s.created_at DESC LIMIT {LIMIT}", [person, session_id, *tail])]


_LABELS = {"repayment": _entry_label, "account": _history_label, "next_line": _line_label}


def candidates(db, ticket: dict) -> list[dict]:
    """The fixes a ticket may link to, newest first within each kind: ``kind``, ``ref``, ``label``."""
    if not ticket.get("beneficiary_id"):
        return []
    return [{"kind": kind, "ref": row["id"], "label": _LABELS[kind](row)}
            for kind in FIXES for row in _rows(db, kind, ticket["beneficiary_id"], ticket.get("session_id"))]


def check(db, ticket: dict, kind: str, ref: str) -> str:
    """The label of the fix (``kind``, ``ref``) if it is one of the ticket's person's; ValidationError otherwise."""
    if kind not in FIXES:
        raise ValidationError("Cách khắc phục không hợp lệ", {"fix_kind": "Chọn: " + ", ".join(FIXES.values())})
    if not ticket.get("beneficiary_id"):
        raise ValidationError("Cách khắc phục không hợp lệ",
                              {"fix_kind": "Người khiếu nại chưa có trong sổ: chưa có gì để gắn"})
    rows = _rows(db, kind, ticket["beneficiary_id"], ticket.get("session_id"), ref)
    if not rows:
        raise ValidationError("Cách khắc phục không hợp lệ",
                              {"fix_ref": f"Không tìm thấy “{FIXES[kind].lower()}” này trong hồ sơ của người khiếu nại"})
    return _LABELS[kind](rows[0])


def describe(db, ticket: dict) -> str:
    """The label of a ticket's linked fix, or ``""``."""
    if not ticket.get("fix_kind"):
        return ""
    rows = _rows(db, ticket["fix_kind"], ticket["beneficiary_id"], ticket.get("session_id"), ticket["fix_ref"])
    return f"{FIXES[ticket['fix_kind']]}: " + (_LABELS[ticket["fix_kind"]](rows[0]) if rows else ticket["fix_ref"])
