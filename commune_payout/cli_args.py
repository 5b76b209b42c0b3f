"""What the command line takes as a date, a month, an amount or a count.

Each is an argparse type: it accepts what an officer types (any Unicode digits, ``dd/mm/yyyy``
or ``YYYY-MM-DD``, ``1.500.000``) and refuses everything else, and every value out of range, in
one plain line (exit 2), so no date the calendar arithmetic cannot hold and no number SQLite
cannot store reaches a command.
"""

import argparse
import datetime as dt
import re

from commune_payout.money import parse_vnd
from commune_payout.text import ascii_digits

FIRST_YEAR, LAST_YEAR = 1900, 2100     # dates of birth to the end of any payout the app will see
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def date(text: str) -> dt.date:
    """``2026-01-20`` or ``20/01/2026`` (also ``20/1/2026``), a real day from 1900 to 2100."""
    typed = ascii_digits(text.strip())
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(typed, fmt).date()
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise argparse.ArgumentTypeError(f"“{text}” không phải ngày có thật (YYYY-MM-DD hoặc dd/mm/yyyy, "
                                     f"năm {FIRST_YEAR}–{LAST_YEAR})")


def month(text: str) -> str:
    """``2026-01``: a month from 1900 to 2100, as ``YYYY-MM``."""
    typed = ascii_digits(text.strip())
    found = re.fullmatch(r"([0-9]{4})-(0[1-9]|1[0-2])", typed)
    if not found or not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"“{text}” không phải tháng dạng YYYY-MM (năm {FIRST_YEAR}–{LAST_YEAR})")
    return typed


def amount(text: str) -> int:
    """An amount of đồng, not negative: ``600000``, ``600.000``, ``600.000 đ``."""
    value = signed_amount(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"“{text}” không phải số tiền (đồng)")
    return value


def signed_amount(text: str) -> int:
    """An amount of đồng that may be negative (an adjustment)."""
    try:
        value = parse_vnd(text)
    except ValueError:
        value = None
    if value is None:
        raise argparse.ArgumentTypeError(f"“{text}” không phải số tiền (đồng)")
    return value


def whole(low: int, high: int):
    """The argparse type of a whole number from ``low`` to ``high``."""
    def whole_number(text: str) -> int:
        typed = ascii_digits(text.strip())
        if re.fullmatch(r"-?[0-9]{1,19}", typed) and low <= int(typed) <= high:
            return int(typed)
        raise argparse.ArgumentTypeError(f"“{text}” không phải số nguyên từ {low:,} đến {high:,}".replace(",", "."))
    return whole_number
