"""Reading the status column of a register ("Trạng thái", "Tình trạng", "Ghi chú" …).

Officers write a person's status in words, often with a date: "Đang hưởng", "Đã chết 15/10/2026",
"Từ trần", "Chết tháng 10/2026", "Tạm dừng từ 20/11/2026", "Thôi hưởng từ 30/11/2026", "Cắt từ
T11/2026", "Chuyển đi nơi khác". :func:`parse_status` turns such a cell into one of the register's
statuses (``active``, ``suspended``, ``ended``, ``deceased``) and its date. A month without a day
means its first day (for a death, only the month matters: the month of death is paid). Words it
does not understand are refused with a message, never taken for "active".
"""

import datetime as dt
import re
from dataclasses import dataclass

from commune_payout.text import clean, fold

# Folded wordings, tried in this order: a death mentioned anywhere wins ("Cắt do chết 15/10"), and a
# suspension is told apart from an end ("tạm dừng hưởng" is not "dừng hưởng").
_WORDINGS = (
    ("deceased", re.compile(r"\b(?:chet|tu tran|qua doi|tu vong|da mat"
                            r"|mat(?! (?:suc|lien lac|tich|kha nang|viec)))\b")),
    ("suspended", re.compile(r"\btam (?:dung|ngung|dinh chi|hoan|ngat|giu)\b|\b(?:dung|ngung) tam thoi\b"
                             r"|\bmat (?:lien lac|tich)\b")),
    ("ended", re.compile(r"\bthoi\b|\bcat\b(?! giam)|\b(?:dung|ngung|cham dut|het) (?:huong|tro cap|chi tra|tro giup)\b"
                         r"|\bchuyen (?:di|khau|ho khau|noi khac|den)\b|\bdi khoi dia phuong\b|\bkhong con\b"
                         r"|\bhet dien\b|\bra khoi\b|\bthoat ngheo\b")),
    ("active", re.compile(r"^(?:bt|dh|x|co|con|con song|binh thuong)$|\bdang (?:huong|nhan)\b|\bhuong lai\b"
                          r"|\btiep tuc\b|^huong(?: tro cap)?$|\bcon huong\b")),
)
_DAY_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?!\d)")
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_IN_WORDS = re.compile(r"\bngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})\b")
_MONTH_YEAR = re.compile(r"(?:\bthang\s*|\bt\s*)?(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{4})(?!\d)"
                         r"|\bthang (\d{1,2}) nam (\d{4})\b")
_DIGITS = re.compile(r"\d")


@dataclass(frozen=True)
class StatusReading:
    """A status cell read: the status, its date (``None`` when the cell gave none or an unreadable
    one, then ``problem`` says so) and the cell's text, kept as the reason."""

    status: str
    date: dt.date | None
    text: str
    problem: str | None = None


def parse_status(value) -> StatusReading | None:
    """The status a cell states; ``None`` for an empty cell. Raises ValueError (a message in
    Vietnamese) when the words are not a status this app knows."""
    if isinstance(value, (dt.date, dt.datetime)):
        raise ValueError(f"Ô trạng thái chỉ có ngày {value:%d/%m/%Y}, không ghi trạng thái gì "
                         "(ví dụ “Đã chết 15/10/2026”, “Tạm dừng từ …”)")
    text = clean(value)
    if not text:
        return None
    key = fold(text)
    status = next((s for s, pattern in _WORDINGS if pattern.search(key)), None)
    if status is None:
        raise ValueError(f"Không hiểu trạng thái “{text}” (ghi Đang hưởng, Đã chết ngày …, Tạm dừng từ …, "
                         "Thôi hưởng từ …)")
    date, problem = _date_in(key)
    return StatusReading(status, date, text, problem)


def undated_from(status: str, today: dt.date) -> dt.date:
    """The date a status written without one is recorded with: a death counts from the last day of
    the month before ``today``, so that no month is paid that may not be owed; a suspension or an
    end counts from ``today``."""
    return today.replace(day=1) - dt.timedelta(days=1) if status == "deceased" else today


def _date_in(key: str) -> tuple[dt.date | None, str | None]:
    try:
        for pattern, order in ((_DAY_MONTH_YEAR, (3, 2, 1)), (_ISO, (1, 2, 3)), (_IN_WORDS, (3, 2, 1))):
            found = pattern.search(key)
            if found:
                year, month, day = (int(found[i]) for i in order)
                return dt.date(_full_year(year), month, day), None
        found = _MONTH_YEAR.search(key)
        if found:
            month, year = (int(found[1]), int(found[2])) if found[1] else (int(found[3]), int(found[4]))
            return dt.date(year, month, 1), None
    except ValueError:
        return None, "ngày ghi trong ô trạng thái không có thật"
    if _DIGITS.search(key):
        return None, "không đọc được ngày trong ô trạng thái (ghi ngày/tháng/năm)"
    return None, None


def _full_year(year: int) -> int:
    if year >= 100:
        return year
    return 2000 + year if year < 70 else 1900 + year
