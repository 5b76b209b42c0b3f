"""When a complaint must be answered: a number of working days per kind (a setting, default 10),
counted on the working-day calendar of :mod:`commune_payout.decisions.workdays` (weekends and
public holidays skipped)."""

import datetime as dt

from commune_payout import settings
from commune_payout.decisions.workdays import Calendar
from commune_payout.errors import ValidationError
from commune_payout.grievances.model import KINDS

DEFAULT_DAYS = 10
MAX_DAYS = 90
KEY = "grievance_days"


def days_by_kind(db) -> dict[str, int]:
    """Working days to answer each kind of complaint."""
    stored = settings.get(db, KEY, {}) or {}
    return {kind: int(stored.get(kind, DEFAULT_DAYS)) for kind in KINDS}


def set_days(db, days: dict) -> dict[str, int]:
    """Set the working days of some kinds (``{"not_received": 5}``); the others keep theirs."""
    problems = {}
    current = days_by_kind(db)
    for kind, value in days.items():
        if kind not in KINDS:
            problems[kind] = "Không có loại khiếu nại này"
            continue
        text = str(value).strip()
        if not text.isdecimal() or not 1 <= int(text) <= MAX_DAYS:
            problems[kind] = f"Số ngày làm việc từ 1 đến {MAX_DAYS}"
            continue
        current[kind] = int(text)
    if problems:
        raise ValidationError("Hạn giải quyết chưa hợp lệ", problems)
    settings.put(db, KEY, current)
    return current


def due_date(db, kind: str, received_on: dt.date) -> dt.date:
    """The day a complaint of ``kind`` received on ``received_on`` must be answered by."""
    return Calendar.of(db).add_working_days(received_on, days_by_kind(db)[kind])
