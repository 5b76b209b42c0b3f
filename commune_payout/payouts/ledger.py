"""The append-only ledger of a locked session: payments, returns, cancellations, channel switches, reversals."""

import sqlite3

from commune_payout import register
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import UserError, ValidationError
from commune_payout.payouts.model import CASH_CHANNELS, CHANNELS, LINE_STATUSES, TRANSFER_CHANNELS, entry_id_for
from commune_payout.payouts.queries import get_entry, get_line, session_status
from commune_payout.text import clean, fold


def _require_open(db, sid: str) -> None:
    status = session_status(db, sid)
    if status == "draft":
        raise UserError("Danh sách đợt chi chưa được khóa; hãy rà soát và khóa danh sách trước khi chi trả")
    if status == "closed":
        raise UserError("Đợt chi đã đóng; không thể ghi thêm")


def _insert_entry(ctx: Context, line: dict, kind: str, **values) -> str:
    row = {"session_id": line["session_id"], "line_id": line["id"], "commune_code": line["commune_code"],
           "kind": kind, "amount": line["total"], "channel": None, "receipt_no": None, "received_by": None,
           "receiver_name": "", "reason": "", "reverses_entry_id": None,
           "created_at": ctx.clock.now().isoformat(sep=" "), "created_by": ctx.user, **values}
    eid = entry_id_for(row)
    if ctx.db.execute("SELECT 1 FROM payout_entries WHERE id = ?", [eid]).fetchone():
        eid = new_id()  # the same entry content twice in one second (a frozen clock): a random id
    row = {"id": eid, **row}
    ctx.db.execute(f"INSERT INTO payout_entries ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))
    return eid


def _already_paid_message(line: dict) -> str:
    return (f"Người này đã được chi trả trong đợt này, biên nhận số {line['receipt_no']} "
            f"(lúc {line['paid_at']}, người chi: {line['paid_by']}).")


def _receiver_holds_account(line: dict) -> bool:
    return bool(line.get("receiver_name")) and fold(line.get("account_holder")) == fold(line["receiver_name"])


def default_receiver(line: dict) -> tuple[str, str]:
    """(received_by, receiver name) a line is paid to when nobody says otherwise.

    A transfer goes to whoever holds the account: the authorised receiver when the account is
    theirs, else the person. Cash goes to the person. Funeral support goes to whoever arranged
    the funeral (the line's authorised receiver).
    """
    if line.get("purpose") == "funeral" or (line["channel"] in TRANSFER_CHANNELS and _receiver_holds_account(line)):
        return "authorised", line["receiver_name"]
    return "self", line["full_name"]


def pay_line(ctx: Context, line_id: str, received_by: str | None = None, receiver_name: str = "",
             channel: str | None = None) -> int:
    """Record that a line was paid; returns the receipt number (sequential per session).

    ``received_by`` is ``'self'`` or ``'authorised'`` (then ``receiver_name``, default the
    recorded authorised receiver, is required); by default it follows :func:`default_receiver`.
    ``channel`` defaults to the line's channel. A second payment of the same line is refused
    with the receipt number of the first, by this check and, underneath, by the database.
    """
    receiver_name = clean(receiver_name)
    if len(receiver_name) > register.MAX_CHARS["receiver_name"]:
        raise ValidationError("Tên người nhận thay dài quá", {"receiver_name": (
            f"Họ tên người nhận thay dài quá {register.MAX_CHARS['receiver_name']} ký tự")})
    if channel is not None and channel not in CHANNELS:
        raise ValidationError("Hình thức nhận không hợp lệ", {"channel": channel})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["status"] == "paid":
            raise UserError(_already_paid_message(line))
        if line["status"] == "cancelled":
            raise UserError("Dòng chi trả này đã bị hủy; không chi được")
        channel = channel or line["channel"]
        if line["status"] == "returned" and channel in TRANSFER_CHANNELS:
            raise UserError("Chuyển khoản cho người này đã bị trả lại; hãy chuyển sang chi tiền mặt")
        if channel in TRANSFER_CHANNELS and not line["account_number"]:
            raise UserError("Người này chưa có số tài khoản; chỉ chi tiền mặt được")
        if received_by is None:
            received_by, default_name = default_receiver({**line, "channel": channel})
            receiver_name = receiver_name or default_name
        elif received_by == "authorised":
            receiver_name = receiver_name or line["receiver_name"]
            if not receiver_name:
                raise ValidationError("Thiếu tên người nhận thay", {"receiver_name": "Ghi họ tên người nhận thay"})
        elif received_by == "self":
            if line["purpose"] == "funeral":
                raise UserError("Tiền hỗ trợ chi phí mai táng chi cho người lo mai táng, không chi cho người đã mất")
            receiver_name = line["full_name"]
        else:
            raise ValidationError("Người nhận không hợp lệ", {"received_by": received_by})
        receipt_no = ctx.db.execute(
            "SELECT coalesce(max(receipt_no), 0) + 1 FROM payout_entries WHERE session_id = ?",
            [line["session_id"]]).fetchone()[0]
        try:
            _insert_entry(ctx, line, "paid", channel=channel, receipt_no=receipt_no, received_by=received_by,
                          receiver_name=receiver_name)
        except sqlite3.IntegrityError as exc:
            if "active_payments" not in str(exc):
                raise
            raise UserError(_already_paid_message(get_line(ctx.db, line_id))) from exc
    return receipt_no


def reverse_entry(ctx: Context, entry_id: str, reason: str) -> str:
    """Undo one earlier entry (a payment, a return, a cancellation or a channel switch) by
    recording a reversal; returns the reversal's id. Nothing is edited or deleted."""
    reason = clean(reason)
    if not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Bút toán đảo phải ghi lý do"})
    if len(reason) > register.MAX_CHARS_OTHER:
        raise ValidationError("Lý do dài quá", {"reason": f"Lý do dài quá {register.MAX_CHARS_OTHER} ký tự"})
    with write_transaction(ctx.db):
        entry = get_entry(ctx.db, entry_id)
        _require_open(ctx.db, entry["session_id"])
        if entry["kind"] == "reversal":
            raise UserError("Không đảo một bút toán đảo; hãy ghi lại nghiệp vụ đúng")
        if ctx.db.execute("SELECT 1 FROM payout_entries WHERE reverses_entry_id = ?", [entry_id]).fetchone():
            raise UserError("Bút toán này đã được đảo trước đó")
        line = get_line(ctx.db, entry["line_id"])
        if entry["kind"] != "paid" and line["status"] == "paid":
            raise UserError("Người này đã nhận tiền; hãy đảo khoản chi trước")
        return _insert_entry(ctx, line, "reversal", amount=-entry["amount"], reverses_entry_id=entry_id,
                             reason=reason)


def mark_returned(ctx: Context, line_id: str, reason: str) -> str:
    """Record that the bank sent a transfer back; returns the entry id."""
    reason = clean(reason) or "Ngân hàng trả lại"
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["channel"] not in TRANSFER_CHANNELS or line["status"] != "pending":
            raise UserError(f"Chỉ ghi trả lại cho dòng chuyển khoản chưa nhận; dòng này "
                            f"“{LINE_STATUSES[line['status']]}”, {CHANNELS[line['channel']].lower()}")
        return _insert_entry(ctx, line, "returned", channel=line["channel"], reason=reason)


def cancel_line(ctx: Context, line_id: str, reason: str) -> str:
    """Cancel an unpaid line (for example the person died before payment); returns the entry id."""
    reason = clean(reason)
    if not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Hủy dòng chi trả phải ghi lý do"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["status"] in ("paid", "cancelled"):
            raise UserError(f"Dòng này “{LINE_STATUSES[line['status']]}”, không hủy được")
        return _insert_entry(ctx, line, "cancelled", reason=reason)


def change_channel(ctx: Context, line_id: str, channel: str, reason: str) -> str:
    """Switch an unpaid line to another channel (recorded as an entry); returns the entry id."""
    reason = clean(reason)
    if channel not in CHANNELS:
        raise ValidationError("Hình thức nhận không hợp lệ", {"channel": channel})
    if not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Đổi hình thức nhận phải ghi lý do"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["status"] in ("paid", "cancelled"):
            raise UserError(f"Dòng này “{LINE_STATUSES[line['status']]}”, không đổi hình thức nhận được")
        if channel == line["channel"] and line["status"] != "returned":
            raise UserError(f"Dòng này đã là “{CHANNELS[channel]}”")
        if channel in TRANSFER_CHANNELS and not line["account_number"]:
            raise UserError("Người này chưa có số tài khoản")
        return _insert_entry(ctx, line, "channel", amount=0, channel=channel, reason=reason)


def fallback_to_cash(ctx: Context, line_id: str, channel: str = "cash_commune") -> str:
    """One action for a returned transfer: the line becomes a pending cash payment."""
    if channel not in CASH_CHANNELS:
        raise ValidationError("Hình thức nhận không hợp lệ", {"channel": "Chọn tiền mặt tại xã hoặc tại nhà"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        if line["status"] != "returned":
            raise UserError("Chỉ chuyển sang tiền mặt cho dòng chuyển khoản bị trả lại")
        return change_channel(ctx, line_id, channel, "Chuyển khoản bị trả lại, chi tiền mặt")
