"""The cash book of a payout session (sổ quỹ tiền mặt): cash received from the treasury,
cash paid out, cash handed back.

Received and handed-back amounts are append-only ``cash_movements`` (a mistake is corrected by
a negative movement with a note). Cash paid out is never typed in: it is the sum of the live
cash payments (channels ``cash_commune`` and ``cash_home``) in the payment ledger. A session
closes only when received − paid out − handed back is zero.
"""

from commune_payout import settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import NotFound, UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.text import clean

KINDS = {"received": "Nhận từ kho bạc", "handed_back": "Nộp trả"}
# No commune's session handles a thousand billion đồng in cash: a bigger figure is a slip.
MAX_AMOUNT = 10**12
MAX_NOTE = 500


def record(ctx: Context, sid: str, kind: str, amount: int, note: str = "") -> str:
    """Add a cash movement (``received`` or ``handed_back``); a negative amount corrects an
    earlier one and needs a note. Returns the movement id."""
    note = clean(note)
    problems = {}
    if kind not in KINDS:
        problems["kind"] = "Loại nghiệp vụ là nhận tiền hoặc nộp trả"
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        problems["amount"] = "Số tiền phải là số nguyên khác 0 (đồng)"
    elif abs(amount) > MAX_AMOUNT:
        problems["amount"] = f"Số tiền quá lớn (hơn {format_vnd(MAX_AMOUNT)}): hãy xem lại"
    if len(note) > MAX_NOTE:
        problems["note"] = f"Ghi chú dài quá {MAX_NOTE} ký tự"
    elif amount < 0 and not note:
        problems["note"] = "Bút toán điều chỉnh (số âm) phải ghi lý do"
    if problems:
        raise ValidationError("Nghiệp vụ quỹ tiền mặt chưa hợp lệ", problems)
    with write_transaction(ctx.db):
        row = ctx.db.execute("SELECT status FROM payout_sessions WHERE id = ?", [sid]).fetchone()
        if row is None:
            raise NotFound(f"Không tìm thấy đợt chi có mã {sid}")
        if row[0] == "closed":
            raise UserError("Đợt chi đã đóng; không ghi thêm vào sổ quỹ")
        mid = new_id()
        ctx.db.execute(
            "INSERT INTO cash_movements (id, session_id, commune_code, kind, amount, note, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [mid, sid, settings.commune(ctx.db)["code"], kind, amount, note,
             ctx.clock.now().isoformat(sep=" "), ctx.user])
    return mid


def ledger(db, sid: str) -> dict:
    """Received, paid out (derived from the payment ledger), handed back and on hand, in đồng,
    with the movements in the order they were recorded."""
    sums = dict(db.execute(
        "SELECT kind, sum(amount) FROM cash_movements WHERE session_id = ? GROUP BY kind", [sid]).fetchall())
    paid_out = db.execute(
        "SELECT coalesce(sum(e.amount), 0) FROM active_payments a JOIN payout_entries e ON e.id = a.entry_id "
        "WHERE a.session_id = ? AND e.channel NOT IN ('vneid', 'account')", [sid]).fetchone()[0]
    received, handed_back = sums.get("received", 0), sums.get("handed_back", 0)
    return {
        "received": received,
        "paid_out": paid_out,
        "handed_back": handed_back,
        "on_hand": received - paid_out - handed_back,
        "movements": [dict(r) for r in db.query(
            "SELECT id, kind, amount, note, created_at, created_by FROM cash_movements "
            "WHERE session_id = ? ORDER BY rowid", [sid])],
    }


def ensure_balanced(db, sid: str) -> None:
    """Raise :class:`UserError` naming the amounts when the cash book does not balance."""
    book = ledger(db, sid)
    if book["on_hand"] == 0:
        return
    figures = (f"đã nhận {format_vnd(book['received'])}, đã chi {format_vnd(book['paid_out'])}, "
               f"đã nộp trả {format_vnd(book['handed_back'])}")
    if book["on_hand"] > 0:
        raise UserError(f"Sổ quỹ tiền mặt còn thừa {format_vnd(book['on_hand'])} chưa giải trình ({figures}). "
                        "Hãy nộp trả số tiền còn lại hoặc ghi các khoản đã chi trước khi đóng đợt chi.")
    raise UserError(f"Sổ quỹ tiền mặt thiếu {format_vnd(-book['on_hand'])} ({figures}): số đã chi nhiều hơn "
                    "số đã nhận. Hãy ghi khoản nhận còn thiếu hoặc đảo khoản chi sai trước khi đóng đợt chi.")
