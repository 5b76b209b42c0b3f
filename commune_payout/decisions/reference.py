"""Reading the decision a register names in its title: "(Kèm theo Quyết định số 12/QĐ-UBND ngày
05/01/2026)".

Lists say it in many ways: "Quyết định số", "QĐ số", "QD so" without accents, "số:" with a
colon, spaces around the slash or the hyphen, no symbol at all, the issuer between the number
and the date ("… 12/QĐ-UBND của UBND xã ngày …"), and the date as 05/01/2026, 5-1-2026,
05.01.2026, 5/1/26, 2026-01-05 or "ngày 05 tháng 01 năm 2026". :func:`find_references` reads the
text of one row and returns every decision it names: read (number, symbol, date), or with the
reason it cannot be read (a template's "số …/QĐ-UBND" left blank, a date that does not exist).
It never raises, whatever the text. :func:`typed_reference` reads the number and date the
officer types for a decision.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from commune_payout.decisions.model import SYMBOL, number_text
from commune_payout.errors import ValidationError
from commune_payout.text import clean

_GAP = 120              # characters between a decision's number and its date ("của UBND xã …")
_EARLIEST_YEAR, _LATEST_YEAR = 1945, 2099

# On the text folded letter for letter (:func:`_fold_chars`), so that a match's span is also
# its span in the text as written. Spaces arrive collapsed to one by ``clean``.
_INTRO = r"(?<![a-z0-9])(?:quyet ?dinh|q ?\.? ?d)(?![a-z])"
_REFERENCE = re.compile(
    rf"(?:{_INTRO} ?(?:so\b ?|s\. ?)?[:.]? ?)?"
    r"(?<![\d/])(?P<number>\d{1,12})(?![\d])"
    r"(?P<symbol> ?/ ?(?:\d{4} ?/ ?)?q ?\.? ?d(?![a-z])(?: ?- ?[a-z0-9]+)*)?")
# Words that say a decision is named here, whether or not its number can be read.
_LOOKS_LIKE = re.compile(rf"{_INTRO} ?(?:so\b|s\.|:)|/ ?q ?\.? ?d ?-|(?:kem theo|can cu) (?:quyet ?dinh|qd)\b")
_DATE_WORD = re.compile(r"\bngay\b ?[:.]? ?")
_DATES = (
    (re.compile(r"(?<!\d)(\d{1,2}) ?[/.\-] ?(\d{1,2}) ?[/.\-] ?(\d{4}|\d{2})(?!\d)"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(\d{1,2}) ?(?:thang|th\.) ?(\d{1,2}) ?(?:nam|n\.) ?(\d{4})(?!\d)"), (3, 2, 1)),
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), (1, 2, 3)),
)
_DATE_RIGHT_AFTER = re.compile(r"[ ,;(]*")


@dataclass(frozen=True)
class Reference:
    """A decision as a file names it. ``problem`` says why it cannot be used (empty when it can);
    ``signed_on`` is ``None`` when the file gives no date."""

    wording: str                    # the words of the file, for messages
    number: int | None = None
    symbol: str = SYMBOL
    signed_on: dt.date | None = None
    problem: str = ""

    @property
    def number_text(self) -> str:
        return number_text(self.number, self.symbol)

    def text(self) -> str:
        """"Quyết định số 12/QĐ-UBND ngày 05/01/2026" (without the date when the file gives none)."""
        day = f" ngày {self.signed_on:%d/%m/%Y}" if self.signed_on else ""
        return f"Quyết định số {self.number_text}{day}"

    def key(self) -> tuple:
        """What makes two references the same decision (the date aside: a file may leave it out once)."""
        return self.number, self.symbol


@lru_cache(maxsize=512)
def _fold_char(ch: str) -> str:
    if ch in "đĐðÐ":
        return "d"
    low = unicodedata.normalize("NFD", ch)[0].lower()
    return low[0] if low else ch


def _fold_chars(text: str) -> str:
    """``text`` with each character folded on its own (marks stripped, đ→d, lower case): the same
    length as ``text``, so positions carry over."""
    return "".join(_fold_char(ch) for ch in text)


def _symbol(written: str) -> str:
    """"QĐ-UBND" from the symbol as written ("qđ - ubnd", "QD-UBND", "Q.Đ-UBND", "2026/QĐ-UBND")."""
    compact = re.sub(r"[\s.]", "", written).lstrip("/").upper()
    head, _, rest = compact.partition("Q")
    body = "QĐ" + rest[1:] if rest[:1] in ("D", "Đ") else "Q" + rest
    return head + body


def _date(folded: str, start: int, end: int) -> tuple[dt.date | None, str, int]:
    """The date of signing after a decision's number, looked for from ``start``: (date, problem,
    where the date's words end). A "ngày" before ``end`` introduces it; without one, only a date
    right after the number is taken."""
    word = _DATE_WORD.search(folded, start, end)
    at = word.end() if word else _DATE_RIGHT_AFTER.match(folded, start).end()
    for pattern, order in _DATES:
        found = pattern.match(folded, at)
        if found:
            year, month, day = (int(found[i]) for i in order)
            if len(found[order[0]]) == 2:           # "05/01/26"; "0001" is the year 1, not 2001
                year += 2000 if year < 70 else 1900
            try:
                signed_on = dt.date(year, month, day)
            except ValueError:
                return None, "ngày ký không có thật", found.end()
            if not _EARLIEST_YEAR <= year <= _LATEST_YEAR:
                return None, "năm ký không hợp lý", found.end()
            return signed_on, "", found.end()
    return (None, "không đọc được ngày ký", at + 12) if word else (None, "", at)


def find_references(text) -> list[Reference]:
    """Every decision ``text`` (one row of a register, its cells joined) names, in order; an
    empty list when it names none. A wording that names a decision whose number or date cannot
    be read gives a :class:`Reference` with a ``problem``."""
    written = clean(text)
    folded = _fold_chars(written)
    matches = [m for m in _REFERENCE.finditer(folded) if m["symbol"] or m.start() < m.start("number")]
    found: list[Reference] = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(folded)
        signed_on, problem, words_end = _date(folded, m.end(), min(end, m.end() + _GAP))
        digits = m["number"]
        if int(digits) == 0 or len(digits) > 9:
            problem = f"số quyết định “{digits}” không hợp lệ"
        symbol = _symbol(written[m.start("symbol"):m.end("symbol")]) if m["symbol"] else SYMBOL
        wording = _excerpt(written, m.start(), words_end if signed_on or problem else m.end())
        found.append(Reference(wording, None if len(digits) > 9 or int(digits) == 0 else int(digits), symbol,
                               signed_on, problem))
    looks = _LOOKS_LIKE.search(folded)
    if not found and looks:
        found.append(Reference(_excerpt(written, looks.start(), looks.end() + 40),
                               problem="không ghi số quyết định"))
    return found


def _excerpt(written: str, start: int, end: int) -> str:
    """The words of the file from ``start`` to ``end``, at most 80 characters."""
    piece = written[start:end].strip(" ,;()")
    return piece if len(piece) <= 80 else piece[:79] + "…"


def typed_reference(number, signed_on) -> Reference:
    """The decision the officer types: its number ("12", "12/QĐ-UBND", "số 12/QĐ-UBND") and its
    date of signing (05/01/2026, 2026-01-05, …). ValidationError names each field it cannot read."""
    problems = {}
    written = clean(number)
    found = _REFERENCE.fullmatch(_fold_chars(written))
    if not found or int(found["number"]) == 0 or len(found["number"]) > 9:
        problems["number"] = "Số quyết định dạng 12/QĐ-UBND (hoặc chỉ số 12)"
    day = clean(signed_on.strftime("%d/%m/%Y") if isinstance(signed_on, dt.date) else signed_on)
    folded = _fold_chars(day)
    date, problem, end = _date(folded, 0, len(folded))
    if date is None or end != len(folded):
        problems["signed_on"] = problem.capitalize() if problem else "Ngày ký dạng ngày/tháng/năm, ví dụ 05/01/2026"
    if problems:
        raise ValidationError("Quyết định chưa hợp lệ", problems)
    symbol = _symbol(written[found.start("symbol"):found.end("symbol")]) if found["symbol"] else SYMBOL
    return Reference(f"{written} ngày {day}", int(found["number"]), symbol, date)
