"""Reading one cell's value as a field: dates of birth, gender, account, phone, coefficient, village.

Cells arrive clean from :mod:`commune_payout.sheets` (text NFC, invisible characters removed,
spaces collapsed, empty cells ``None``) and may be ``str``, ``int``, ``float`` (including
±inf and NaN from a hostile file), ``bool`` or ``datetime``. Every function here takes any of
them and returns a value or a problem, never raises.
"""

import datetime as dt
import math
import re
from functools import lru_cache

from openpyxl.utils.datetime import from_excel

from commune_payout import programs
from commune_payout.importer.model import ERROR, WARNING
from commune_payout.text import ascii_digits, fold

VILLAGE_WORDS = ("thon", "xom", "to dan pho", "tdp", "to", "ap", "ban", "buon", "khu pho", "khu", "lang", "khom",
                 "soc", "plei", "to dp")
_SCI = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
POINT_ZERO = re.compile(r"^(\d+)[.,]0+$")      # "27311259320.0": a number some tool wrote as a float
_SEPARATORS = re.compile(r"[\s.\-]")


def is_number(value) -> bool:
    """An int or a finite float (bool is not a number here)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def whole_number(value) -> int | None:
    """``value`` as an int when it is a whole number (12 or 12.0), else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return int(value)
    return None


def shown(value) -> str:
    """A cell value as the officer sees it in Excel, for messages."""
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "vô cực" if math.isinf(value) else "không phải số"
        if value == int(value) and abs(value) < 1e16:
            return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def digits_of(value) -> tuple[object, bool]:
    """A digits field (ID, account, phone) with Unicode digits (fullwidth ０-９…) made ASCII; and
    whether any were, so the importer can say so."""
    if isinstance(value, str):
        ascii_text = ascii_digits(value)
        return ascii_text, ascii_text != value
    return value, False


def parse_birth(value, today: dt.date) -> tuple[str | None, int | None, str | None]:
    """(ISO birth date, birth year, problem) from an Excel date, dd/mm/yyyy text or a bare year."""
    if value is None:
        return None, None, None
    date = year = None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif is_number(value):
        if whole_number(value) is not None and 1000 <= value <= 2999:
            year = int(value)
        elif 3000 <= value < 80000:
            date = from_excel(value).date()   # a date cell whose format was lost: Excel's day count
    elif isinstance(value, str):
        text = ascii_digits(value).lower().removeprefix("năm").strip()
        m = re.fullmatch(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})", text)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        try:
            if m:
                date = dt.date(int(m[3]), int(m[2]), int(m[1]))
            elif iso:
                date = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None, None, f"Ngày sinh “{shown(value)}” không có thật (ngày/tháng/năm)"
        if date is None:
            m = re.fullmatch(r"(?:\d{1,2}\s*[/\-.]\s*)?(\d{4})", text)
            if m:
                year = int(m[1])
    if date is None and year is None:
        return None, None, f"Không đọc được ngày sinh “{shown(value)}” (cần ngày/tháng/năm hoặc năm sinh)"
    year = date.year if date else year
    if not 1880 <= year <= today.year or (date and date > today):
        return None, None, f"Ngày sinh “{shown(value)}” không hợp lý"
    return (date.isoformat() if date else None), year, None


@lru_cache(maxsize=256)
def _gender(value) -> tuple[str | None, str | None]:
    key = fold(value).strip(" .")
    if key in ("nam", "m", "male", "trai"):
        return "M", None
    if key in ("nu", "f", "female", "gai"):
        return "F", None
    return None, f"Giới tính “{shown(value)}” không rõ (ghi Nam hoặc Nữ)"


def parse_gender(value) -> tuple[str | None, str | None]:
    """("M" or "F", problem) from "Nam", "Nữ", "x"…"""
    if value is None:
        return None, None
    return _gender(value)


def excel_rounded(value) -> bool:
    """Whether an account-number cell holds a number Excel has rounded (a float, more than 15
    digits, or its scientific notation as text): the digits are lost, not the account."""
    if isinstance(value, float):
        return math.isfinite(value) and value >= 0
    if isinstance(value, int) and not isinstance(value, bool):
        digits = str(value)
        return value >= 0 and (len(digits.rstrip("0")) > 15 or len(digits) > 15)
    return isinstance(value, str) and _SCI.fullmatch(value.lstrip("'").strip().replace(" ", "")) is not None


def parse_account(value) -> tuple[str | None, tuple[str, str] | None]:
    """(account number, (severity, message)) — an account Excel has rounded is never returned."""
    rounded = (ERROR, "Số tài khoản đã bị Excel làm tròn ({}) nên không còn đúng: chưa lưu, người này được ghi "
                      "“đã có tài khoản”. Hãy gõ lại số tài khoản dạng chữ (thêm dấu ' ở đầu) theo sổ/thẻ ngân hàng")
    if value is None:
        return None, None
    if excel_rounded(value):
        return None, (rounded[0], rounded[1].format(shown(value)))
    if isinstance(value, float):
        return None, (ERROR, f"Số tài khoản “{shown(value)}” không hợp lệ: chưa lưu")
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            return None, (ERROR, f"Số tài khoản “{value}” không hợp lệ: chưa lưu")
        digits = str(value)
        account, problem = digits, (WARNING, "Số tài khoản được gõ dạng số: nếu số thật bắt đầu bằng 0 thì Excel "
                                             "đã làm mất số 0 ở đầu, hãy đối chiếu sổ/thẻ ngân hàng")
    elif isinstance(value, str):
        text = value.lstrip("'").strip()
        if POINT_ZERO.fullmatch(text):
            return parse_account(int(POINT_ZERO.fullmatch(text)[1]))
        account, problem = _SEPARATORS.sub("", text), None
        if not (account.isascii() and account.isdigit()):
            return None, (WARNING, f"“{shown(text)}” không phải số tài khoản: chưa lưu")
    else:
        return None, (ERROR, f"Số tài khoản “{shown(value)}” không hợp lệ: chưa lưu")
    if not 6 <= len(account) <= 19:
        return None, (ERROR, f"Số tài khoản {account} có {len(account)} chữ số (thường 6–19): chưa lưu")
    return account, problem


def parse_coefficient(value) -> tuple[float | None, str | None]:
    """(coefficient, problem): as :func:`commune_payout.programs.parse_coefficient` reads it (a
    number above 0 and at most 10; NĐ 20 coefficients are 1–3), the problem in the report's words."""
    try:
        return programs.parse_coefficient(value), None
    except ValueError:
        return None, (f"Hệ số “{shown(value)}” không hợp lý (phải là số lớn hơn 0 và không quá "
                      f"{programs.MAX_COEFFICIENT}, thường từ 1 đến 3): chưa lưu")


def parse_phone(value) -> tuple[str | None, str | None]:
    """(phone number, problem): digits only, a leading 0 Excel dropped put back."""
    if value is None:
        return None, None
    number = whole_number(value)
    if number is not None and 0 < number < 10**12:
        digits = str(number)
        return ("0" + digits if len(digits) == 9 else digits), None   # Excel dropped the leading 0
    if isinstance(value, str):
        text = _SEPARATORS.sub("", value)
        if text.startswith("+84") and text[3:].isdigit():
            text = "0" + text[3:]
        if text.isascii() and text.isdigit() and 8 <= len(text) <= 12:
            return text, None
    return None, f"Số điện thoại “{shown(value)}” không đúng: chưa lưu"


def title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in text.split())


def village_of(label: str) -> str | None:
    folded = fold(label)
    if any(folded == w or folded.startswith(w + " ") for w in VILLAGE_WORDS):
        return title_case(label)
    return None
