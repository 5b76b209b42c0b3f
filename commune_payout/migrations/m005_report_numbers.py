"""The number of each report the commune issues, counted per year ("Số: 12/BC-UBND").

A report keeps the number it was first printed with: reprinting the report of a month gives
the same number, so a preview never uses up a number. The clerk's register of outgoing
documents (sổ văn bản đi) may hand out another number; the officer then prints with that one,
and the count goes on from the highest number of the year. Local to the commune: not synced.
"""

from commune_payout.db import run_script

VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS report_numbers (
    year INTEGER NOT NULL,
    number INTEGER NOT NULL CHECK (number > 0),
    kind TEXT NOT NULL,
    period TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    PRIMARY KEY (year, number),
    UNIQUE (kind, period)
);
"""


def apply(db) -> None:
    run_script(db, SCHEMA)
