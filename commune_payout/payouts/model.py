"""The payout model's names and keys: kinds, statuses, channels, derived line and entry ids."""

import datetime as dt
import json
import uuid

from commune_payout import register

KINDS = {"tet_gift": "Quà Tết", "monthly": "Trợ cấp hằng tháng", "one_off": "Chi một lần", "arrears": "Truy lĩnh"}


# What a line pays: the month's allowance (with any arrears and carried amounts), arrears alone,
# or funeral support to whoever arranged the funeral.
PURPOSES = {"allowance": "Trợ cấp", "arrears": "Truy lĩnh", "funeral": "Hỗ trợ chi phí mai táng"}


SESSION_STATUSES = {"draft": "Đang lập", "locked": "Đã khóa danh sách", "closed": "Đã đóng"}


LINE_STATUSES = {"pending": "Chưa nhận", "paid": "Đã nhận", "returned": "Chuyển khoản bị trả lại",
                 "cancelled": "Đã hủy"}


CHANNELS = register.CHANNELS


CASH_CHANNELS = ("cash_commune", "cash_home")


TRANSFER_CHANNELS = register.TRANSFER_CHANNELS


TRANSFER_CHANNELS = register.TRANSFER_CHANNELS


TRANSFER_CHANNELS = register.TRANSFER_CHANNELS


TRANSFER_CHANNELS = register.TRANSFER_CHANNELS


RECEIVED_BY = {"self": "Bản thân", "authorised": "Người được ủy quyền"}


# Derived keys (docs/sync.md, principle 2: UUID keys, never autoincrement). A line's id is
# uuid5 of its session and person, a ledger entry's id is uuid5 of its line and its content, so a
# sync package need not carry them: the office recomputes them from the row (sync/tables.py).
# Rows made before this rule keep their random ids, which packages then carry as they are.


LINE_ID_NAMESPACE = uuid.UUID("5d7a3c2e-1f64-5b8e-9a0d-6c1b2e3f4a51")


ENTRY_ID_NAMESPACE = uuid.UUID("8e2f4b6a-3c1d-5e7f-8a9b-0c1d2e3f4a52")


ENTRY_ID_FIELDS = ("line_id", "kind", "amount", "channel", "receipt_no", "received_by", "receiver_name", "reason",
                   "reverses_entry_id", "created_at", "created_by")


def line_id_for(session_id: str, beneficiary_id: str) -> str:
    """The id of the line of ``beneficiary_id`` in ``session_id`` (unique: one line per person and session)."""
    return str(uuid.uuid5(LINE_ID_NAMESPACE, f"{session_id}/{beneficiary_id}"))


def entry_id_for(entry: dict) -> str:
    """The id of a ledger entry, from its line and content (every field of ENTRY_ID_FIELDS)."""
    content = json.dumps([entry.get(f) for f in ENTRY_ID_FIELDS], ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(ENTRY_ID_NAMESPACE, content))


def vn_date(value) -> str:
    """``2026-01-05`` (or a date) → ``05/01/2026``."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y")
