"""Numbers of the reports the commune issues ("Số: 12/BC-UBND"), counted per year.

Owner of the ``report_numbers`` table. A report keeps its number: printing the report of the
same month again (a preview, a second copy) gives the same number. When the clerk's register of
outgoing documents gives another number, the officer prints with that one and the count of the
year goes on from the highest number used.
"""

import datetime as dt

from commune_payout.db import write_transaction
from commune_payout.errors import UserError

SYMBOL = "BC-UBND"


def report_number(db, kind: str, period: str, on: dt.date, number: int | None = None) -> int:
    """The number of the report of ``kind`` for ``period`` issued on ``on``: the one it already
    has, ``number`` when given, or the next free number of the year of ``on``."""
    if number is not None and number < 1:
        raise UserError("Số báo cáo phải là số nguyên dương")
    with write_transaction(db):
        held = db.execute("SELECT year, number FROM report_numbers WHERE kind = ? AND period = ?",
                          [kind, period]).fetchone()
        if held and (number is None or number == held[1]):
            return held[1]
        year = held[0] if held else on.year
        if number is None:
            number = db.execute("SELECT coalesce(max(number), 0) + 1 FROM report_numbers WHERE year = ?",
                                [year]).fetchone()[0]
        taken = db.execute("SELECT period FROM report_numbers WHERE year = ? AND number = ?",
                           [year, number]).fetchone()
        if taken:
            raise UserError(f"Số {number}/{SYMBOL} năm {year} đã dùng cho báo cáo kỳ {taken[0]}")
        db.execute("DELETE FROM report_numbers WHERE kind = ? AND period = ?", [kind, period])
        db.execute("INSERT INTO report_numbers (year, number, kind, period, issued_on) VALUES (?, ?, ?, ?, ?)",
                   [year, number, kind, period, on.isoformat()])
        return number


def number_text(number: int) -> str:
    """"12/BC-UBND"."""
    return f"{number}/{SYMBOL}"
