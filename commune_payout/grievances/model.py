"""The names of the grievance model: kinds, how a complaint came in, states and their transitions,
the fixes a resolution links to."""

KINDS = {
    "not_received": "Chưa nhận được tiền",
    "wrong_amount": "Sai số tiền",
    "wrong_person": "Chi nhầm người",
    "left_out": "Không có tên trong danh sách",
    "data_wrong": "Sai thông tin cá nhân",
    "other": "Khác",
}

RECEIVED_VIA = {
    "in_person": "Trực tiếp tại UBND xã",
    "phone": "Điện thoại",
    "letter": "Đơn, thư",
    "village_head": "Qua trưởng thôn",
    "verification": "Qua xác minh chi trả",
    "other": "Khác",
}

STATES = {"new": "Mới tiếp nhận", "in_progress": "Đang xử lý", "resolved": "Đã giải quyết", "closed": "Đã đóng"}
OPEN_STATES = ("new", "in_progress")

# new → being handled → resolved (with the resolution) → closed; a resolved or closed ticket may
# be reopened, and is then being handled again.
NEXT_STATES = {
    "new": ("in_progress",),
    "in_progress": ("resolved",),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}

# What each move is called where an officer chooses it.
ACTIONS = {
    ("new", "in_progress"): "Tiếp nhận xử lý",
    ("in_progress", "resolved"): "Ghi kết quả giải quyết",
    ("resolved", "closed"): "Đóng phiếu",
    ("resolved", "in_progress"): "Mở lại",
    ("closed", "in_progress"): "Mở lại",
}

FIXES = {
    "repayment": "Đảo khoản chi và chi trả lại",
    "account": "Sửa tài khoản, cách nhận tiền",
    "next_line": "Chi bổ sung trong đợt chi sau",
}

# The answer of a verification that opens a ticket, and the ticket's kind.
KIND_OF_ANSWER = {"not_received": "not_received", "different_amount": "wrong_amount"}

# History fields whose change corrects how a person is paid (a fix of kind ``account``).
ACCOUNT_FIELDS = ("account_number", "bank_bin", "account_holder", "account_status", "channel", "receiver_name",
                  "receiver_id_number", "receiver_relation")

TEXT_LIMIT = 4000


def number_text(number: int, year: int) -> str:
    """``3/2026``: a ticket's number in its year."""
    return f"{number}/{year}"
