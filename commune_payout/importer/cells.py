"""Reading one cell's value as a field: dates of birth, gender, account, phone, coefficient, village."""

import datetime as dt
import re

from openpyxl.utils.datetime import from_excel

from commune_payout.importer.model import ERROR, WARNING
from commune_payout.text import clean, fold

VILLAGE_WORDS = ("thon", "xom", "to dan pho", "tdp", "to", "ap", "ban", "buon", "khu pho", "khu", "lang", "khom",
                 "soc", "plei", "to dp")
_SCI = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
POINT_ZERO = re.compile(r"^(\d+)[.,]0+$")      # "27311259320.0": a number some tool wrote as a float


def present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def shown(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return clean(value)


def parse_birth(value, today: dt.date) -> tuple[str | None, int | None, str | None]:
    """(ISO birth date, birth year, problem) from an Excel date, dd/mm/yyyy text or a bare year."""
    if not present(value):
        return None, None, None
    date = year = None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == int(value) and 1000 <= value <= 2999:
            year = int(value)
        elif 3000 <= value < 80000:
            date = from_excel(value).date()   # a date cell whose format was lost: Excel's day count
    else:
        text = clean(value).lower().removeprefix("năm").strip()
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


def parse_gender(value) -> tuple[str | None, str | None]:
    if not present(value):
        return None, None
    key = fold(value).strip(" .")
    if key in ("nam", "m", "male", "trai"):
        return "M", None
    if key in ("nu", "f", "female", "gai"):
        return "F", None
    return None, f"Giới tính “{shown(value)}” không rõ (ghi Nam hoặc Nữ)"


def parse_account(value) -> tuple[str | None, tuple[str, str] | None]:
    """(account number, (severity, message)) — an account Excel has rounded is never returned."""
    rounded = (ERROR, "Số tài khoản đã bị Excel làm tròn ({}) nên không còn đúng: chưa lưu. Hãy gõ lại số tài "
                      "khoản dạng chữ (thêm dấu ' ở đầu) theo sổ/thẻ ngân hàng")
    if not present(value):
        return None, None
    if isinstance(value, bool):
        return None, (ERROR, "Số tài khoản không hợp lệ")
    if isinstance(value, float):
        return None, (rounded[0], rounded[1].format(shown(value)))
    if isinstance(value, int):
        digits = str(abs(value))
        if len(digits.rstrip("0")) > 15 or len(digits) > 15:
            return None, (rounded[0], rounded[1].format(digits))
        account, problem = digits, (WARNING, "Số tài khoản được gõ dạng số: nếu số thật bắt đầu bằng 0 thì Excel "
                                             "đã làm mất số 0 ở đầu, hãy đối chiếu sổ/thẻ ngân hàng")
    else:
        text = clean(value).lstrip("'").strip()
        if _SCI.fullmatch(text.replace(" ", "")):
            return None, (rounded[0], rounded[1].format(text))
        if POINT_ZERO.fullmatch(text):
            return parse_account(int(POINT_ZERO.fullmatch(text)[1]))
        account, problem = re.sub(r"[\s.\-]", "", text), None
        if not account.isdigit():
            return None, (WARNING, f"“{text}” không phải số tài khoản: chưa lưu")
    if not 6 <= len(account) <= 19:
        return None, (ERROR, f"Số tài khoản {account} có {len(account)} chữ số (thường 6–19): chưa lưu")
    return account, problem


def parse_coefficient(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float(clean(value).replace(",", "."))


def parse_phone(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits   # Excel dropped the leading 0
    return re.sub(r"[\s.\-]", "", clean(value))


def title_case(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in clean(text).split())


def village_of(label: str) -> str | None:
    folded = fold(label)
    if any(folded == w or folded.startswith(w + " ") for w in VILLAGE_WORDS):
        return title_case(label)
    return None
