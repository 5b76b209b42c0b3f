"""Working days: the due date of an application, 10 working days after its file was complete.

Saturdays and Sundays are not working days, and neither are the public holidays: the fixed ones
of the Labour Code (1 January, 30 April, 1 May, 2 September), plus the days the officer lists
in the settings (key ``holidays``): Tết, the Hùng Kings' day, the day added to National Day and
any day given in exchange, which the government announces each year (docs/domain.md).
"""

import datetime as dt

from commune_payout import settings
from commune_payout.errors import ValidationError
from commune_payout.text import ascii_digits, clean

DUE_AFTER = 10                                   # working days (NĐ 147/2025, Article 5)
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))
KEY = "holidays"


def listed_holidays(db) -> list[dt.date]:
    """The holidays the officer listed, in date order."""
    return sorted(dt.date.fromisoformat(d) for d in settings.get(db, KEY, []))


def set_holidays(db, days) -> list[dt.date]:
    """Replace the listed holidays by ``days`` (dates or ``YYYY-MM-DD`` / ``dd/mm/yyyy`` text)."""
    parsed, bad = set(), []
    for day in days:
        try:
            parsed.add(parse_day(day))
        except ValueError:
            bad.append(str(day))
    if bad:
        raise ValidationError("Ngày nghỉ không hợp lệ", {"holidays": "Không đọc được: " + ", ".join(bad)})
    settings.put(db, KEY, [d.isoformat() for d in sorted(parsed)])
    return sorted(parsed)


# The days an office's papers can bear: a year typed as 0001 or 9999 is a slip, not a date.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2099, 12, 31)


def parse_day(value) -> dt.date:
    """A date from a date, ``YYYY-MM-DD`` or ``dd/mm/yyyy`` (digits of any script), from
    :data:`FIRST_DAY` to :data:`LAST_DAY`; ValueError otherwise."""
    if isinstance(value, dt.date):
        day = value
    else:
        text = ascii_digits(clean(value))
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                pass
        else:
            raise ValueError(text)
    if not FIRST_DAY.year <= day.year <= LAST_DAY.year:
        raise ValueError(value)
    return day


class Calendar:
    """Which days are working days, for one database's list of holidays."""

    def __init__(self, holidays=()):
        self.holidays = set(holidays)

    @classmethod
    def of(cls, db) -> "Calendar":
        return cls(listed_holidays(db))

    def is_holiday(self, day: dt.date) -> bool:
        return (day.month, day.day) in FIXED_HOLIDAYS or day in self.holidays

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and not self.is_holiday(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``start`` itself is not counted)."""
        day, left = start, n
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_working_day(start + dt.timedelta(days=n)))

    def due_date(self, completed_on: dt.date) -> dt.date:
        """The day a decision is due for a file complete on ``completed_on``."""
        return self.add_working_days(completed_on, DUE_AFTER)
