"""Every spreadsheet the app writes (.xlsx and .csv) is written here, and none can carry a formula.

A name, village, account holder or note comes from a register typed by someone else and may
begin with ``=``: opened at the bank or the police station, a spreadsheet would run it. So:

* .xlsx: every text cell is written as a string (``t="inlineStr"``), never a formula nor an
  error code; characters the format forbids are dropped and text is cut at Excel's limit of
  32,767 characters. Numbers stay numbers.
* .csv: a text value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading ``'`` (the OWASP advice on CSV injection), and every text value is quoted, so
  a separator inside a value cannot start a new cell either. Numbers stay numbers, unquoted.

Rows are streamed: an .xlsx sheet uses openpyxl's write-only mode and a .csv goes straight to
its file, so a writer touches each row once and never asks the sheet how long it is. Both are
written atomically (:mod:`commune_payout.atomic`).
"""

import csv
from dataclasses import dataclass
from functools import lru_cache

from commune_payout.atomic import atomic_path

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_TEXT_LIMIT = 32_767
TEXT = "@"
AMOUNT = "#,##0"


def csv_value(value):
    """``value`` as it may go into a CSV cell: text that a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


def write_csv(path, rows) -> int:
    """Write ``rows`` (lists of values) to ``path`` as UTF-8 CSV with a BOM (so Excel on a
    Vietnamese Windows shows the diacritics), atomically; returns the number of rows written."""
    count = 0
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        for row in rows:
            writer.writerow([csv_value(v) for v in row])
            count += 1
    return count


@dataclass(frozen=True)
class Style:
    """How a cell looks: bold, font size, background colour (RGB hex), wrapped text, number format."""

    bold: bool = False
    size: float | None = None
    fill: str | None = None
    wrap: bool = False
    number_format: str | None = None


BOLD = Style(bold=True)
TITLE = Style(bold=True, size=13)


@lru_cache(maxsize=None)
def _styles(style: Style) -> dict:
    from openpyxl.styles import Alignment, Font, PatternFill

    out = {}
    if style.bold or style.size:
        out["font"] = Font(bold=style.bold, size=style.size)
    if style.fill:
        out["fill"] = PatternFill("solid", fgColor=style.fill)
    if style.wrap:
        out["alignment"] = Alignment(wrap_text=True, vertical="center")
    if style.number_format:
        out["number_format"] = style.number_format
    return out


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_TEXT_LIMIT]


def _bound_as_text(value: str) -> bool:
    """Whether openpyxl stores this string as text by itself (not as a formula or an error code)."""
    from openpyxl.cell.cell import ERROR_CODES

    return not value.startswith("=") and value not in ERROR_CODES


def set_value(cell, value) -> None:
    """Put ``value`` in an openpyxl cell; text is always stored as text, never as a formula.

    openpyxl turns a string that starts with ``=`` into a formula and ``#N/A`` into an error;
    the cell's type is set back to string after the value is bound.
    """
    if isinstance(value, str):
        cell.value = _text(value)
        cell.data_type = "s"
    else:
        cell.value = value


class Sheet:
    """One worksheet being streamed; ``rows`` counts the rows appended so far."""

    def __init__(self, ws):
        self._ws = ws
        self.rows = 0

    def append(self, values=(), style: Style | None = None, columns: dict[int, Style] | None = None,
               comments: dict[int, str] | None = None) -> int:
        """Write one row; ``style`` applies to every cell, ``columns`` (0-based index) to some, and
        ``comments`` (0-based index → text) puts a note on some cells.

        Returns the row's number in the sheet (1-based, as Excel shows it).
        """
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.comments import Comment

        cells = []
        for i, value in enumerate(values):
            look = columns.get(i, style) if columns else style
            note = comments.get(i) if comments else None
            if look is None and note is None:
                # openpyxl makes a cell of a plain value itself, more cheaply than of a ready cell
                if not isinstance(value, str):
                    cells.append(value)
                    continue
                value = _text(value)
                if _bound_as_text(value):
                    cells.append(value)
                    continue
            cell = WriteOnlyCell(self._ws)
            set_value(cell, value)
            for name, attribute in (_styles(look) if look else {}).items():
                setattr(cell, name, attribute)
            if note:
                cell.comment = Comment(_text(note), "commune_payout", width=320, height=120)
            cells.append(cell)
        self._ws.append(cells)
        self.rows += 1
        return self.rows

    def merge(self, min_row: int, min_col: int, max_row: int, max_col: int) -> None:
        """Merge a range of cells (1-based), written when the workbook is saved."""
        from openpyxl.worksheet.cell_range import CellRange

        self._ws.merged_cells.add(CellRange(min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row))


class Workbook:
    """An .xlsx workbook written in streaming mode: add sheets, append rows, then :meth:`save`."""

    def __init__(self):
        from openpyxl import Workbook as OpenpyxlWorkbook

        self._wb = OpenpyxlWorkbook(write_only=True)

    def sheet(self, title: str, widths=(), freeze: str | None = None) -> Sheet:
        """A new sheet; column ``widths`` (from column A) and the ``freeze`` cell (e.g. ``"A6"``)
        must be known before its first row, as rows leave for the file as they are appended."""
        from openpyxl.utils import get_column_letter

        ws = self._wb.create_sheet(sheet_title(title))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        if freeze:
            ws.freeze_panes = freeze
        return Sheet(ws)

    def save(self, path) -> None:
        """Write the workbook to ``path`` atomically."""
        with atomic_path(path) as tmp:
            self._wb.save(tmp)


def sheet_title(name: str) -> str:
    """``name`` as Excel accepts a sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31].strip() or "Sheet"
