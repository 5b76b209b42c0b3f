"""Long lists laid out page by page: rows of one height, text fitted into its cell, page totals.

Every person's row has the same height (a list that is signed: tall enough to sign in), and
text never wraps freely: a cell's text is shrunk to fit its column and, in the columns that
allow it (names), set on two lines; what still does not fit is cut with "…" (a guard, not a
case that happens with real names). Each page is drawn straight on the canvas (one path for the
grid, one text object for the words), which keeps 5,000 rows fast:

    header row · column numbers (1) (2) … · [the group's heading again, "(tiếp theo)"]
    rows · "Cộng trang" · "Lũy kế"                          (the last two on lists with money)

A list that fits on one page with what follows it has no "Cộng trang" and "Lũy kế": they would
only repeat its total.

Page breaks: a group heading never ends a page; a subtotal or total never starts one (the
group's last person goes over with it); the last page holds at least :data:`MIN_LAST` people
(unless the list is shorter) and whatever follows the table (legend, amount in words,
signatures).
"""

from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak

from commune_payout.documents import fonts
from commune_payout.documents.frame import text
from commune_payout.money import format_vnd

PAD_H = 1.8
PAD_V = 1.5
LEADING = 1.12
MIN_SIZE = 6.5
MIN_LAST = 3
PAGE_TOTAL = "Cộng trang"
RUNNING_TOTAL = "Lũy kế"
ELLIPSIS = "…"


class Italic(str):
    """A cell's text set in italics (a note in place of a value, such as "Chuyển khoản")."""


@dataclass(frozen=True)
class Column:
    title: str
    width: float = 0.0            # millimetres; 0: an equal share of the width the others leave …
    align: str = "LEFT"           # LEFT, CENTER or RIGHT
    lines: int = 1                # the most lines its text may take (names: 2)
    least: float = 10.0           # … but at least this many millimetres


@dataclass
class Row:
    """One row. ``kind``: ``item`` (a person), ``heading`` (a group title across the table),
    ``subtotal`` or ``total`` (a label across the first columns, the sum in the amount column).

    ``amount`` and ``count`` are what an item adds to the page totals and the running total.
    """

    cells: list
    kind: str = "item"
    amount: int = 0
    count: int = 0
    fitted: list = field(default_factory=list, repr=False)   # per cell: (font, size, lines)
    height: float = 0.0


def _width(line: str, font: str, size: float) -> float:
    return stringWidth(line, font, size)


def _cut(line: str, font: str, size: float, width: float) -> str:
    """``line`` shortened to end in "…" within ``width``."""
    while line and _width(line + ELLIPSIS, font, size) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


@lru_cache(maxsize=65536)
def fit(value: str, width: float, font: str, size: float, max_lines: int = 1,
        height: float = 0.0, min_size: float = MIN_SIZE) -> tuple[float, tuple[str, ...]]:
    """The size and lines that set ``value`` within ``width`` (and ``height``, for two lines).

    One line at ``size`` if it fits; else one line shrunk down to 85 % of ``size``; else, when
    ``max_lines`` allows, wrapped on up to that many lines at the largest size that fits; else
    one line (or ``max_lines`` lines) at ``min_size``, the last one cut with "…".
    """
    if not value:
        return size, ("",)
    natural = _width(value, font, size)
    if natural <= width:
        return size, (value,)
    shrunk = int(size * width / natural * 4) / 4
    if shrunk >= max(min_size, size * 0.85):
        return shrunk, (value,)
    if max_lines > 1:
        s = size
        while s >= min_size:
            lines = simpleSplit(value, font, s, width)
            if (len(lines) <= max_lines and (not height or len(lines) * s * LEADING <= height)
                    and all(_width(x, font, s) <= width for x in lines)):
                return s, tuple(lines)
            s -= 0.5
    if max(min_size, shrunk) > min_size:
        return max(min_size, shrunk), (value,)
    lines = simpleSplit(value, font, min_size, width) if max_lines > 1 else [value]
    if height:
        max_lines = max(1, min(max_lines, int(height // (min_size * LEADING))))
    kept = [x if _width(x, font, min_size) <= width else _cut(x, font, min_size, width) for x in lines[:max_lines]]
    if len(lines) > max_lines and not kept[-1].endswith(ELLIPSIS):
        kept[-1] = _cut(kept[-1], font, min_size, width)
    return min_size, tuple(kept)


def _widths(columns: list[Column], width: float) -> list[float]:
    """Column widths in points: fixed ones as given, the flexible ones share the rest equally,
    except that one whose share is below its least width gets that width."""
    sized = {i: c.width * mm for i, c in enumerate(columns) if c.width}
    while True:
        flexible = [i for i in range(len(columns)) if i not in sized]
        rest = width - sum(sized.values())
        share = rest / len(flexible) if flexible else 0.0
        narrow = [i for i in flexible if share < columns[i].least * mm]
        if not narrow or len(narrow) == len(flexible):
            break
        for i in narrow:
            sized[i] = columns[i].least * mm
    if rest < -0.01 or any(share < columns[i].least * mm - 0.01 for i in flexible):
        raise ValueError("columns wider than the page")
    return [sized.get(i, share) for i in range(len(columns))]


class PagedTable:
    """Columns, fonts and row heights of one list; :meth:`flowables` paginates the rows.

    ``width``: the page's text width, which the columns of width 0 share. ``carry_column``: the
    index of the amount column totalled per page and carried from page to page (``None`` for
    lists without money). ``unit`` names what ``count`` counts ("người", "giao dịch").
    ``continue_headings``: a page that starts inside a group repeats the group's heading.
    """

    def __init__(self, columns: list[Column], width: float, *, size: float = 9, row_height: float = 8.5,
                 carry_column: int | None = None, unit: str = "người", continue_headings: bool = True):
        fonts.register()
        self.columns = columns
        self.widths = _widths(columns, width)
        self.edges = [sum(self.widths[:i]) for i in range(len(columns) + 1)]
        self.size = size
        self.carry_column = carry_column
        self.unit = unit
        self.continue_headings = continue_headings
        self._cells: dict = {}               # (column, value, italic) → (font, size, lines) of an item's cell
        self.string_widths: dict = {}        # (text, font) → width at 1 pt
        self.encoded: dict = {}              # (text, font) → PDF font subsets and strings
        self.item_height = row_height * mm
        self.label_height = size * 1.25 + 2 * PAD_V + 1
        head_size = size - 0.5
        self.header = Row([c.title for c in columns], kind="header")
        self.header.fitted = [self._header_cell(c.title, w, head_size) for c, w in zip(columns, self.widths)]
        self.header.height = max(len(lines) for _, _, lines in self.header.fitted) * head_size * LEADING + 2 * PAD_V + 2
        self.numbers = Row([f"({n})" for n in range(1, len(columns) + 1)], kind="numbers")
        self.numbers.fitted = [(fonts.ITALIC, size - 2, (f"({n})",)) for n in range(1, len(columns) + 1)]
        self.numbers.height = (size - 2) * 1.2 + 2 * PAD_V

    @property
    def width(self) -> float:
        return self.edges[-1]

    def _header_cell(self, title: str, width: float, size: float):
        lines: list[str] = []
        for part in text(title).split("\n"):
            lines += simpleSplit(part, fonts.BOLD, size, width - 2 * PAD_H) or [""]
        return fonts.BOLD, size, tuple(lines)

    @property
    def carries(self) -> bool:
        return self.carry_column is not None

    def overhead(self, continues: bool, totals: bool = True) -> float:
        """Height every page spends besides its rows (``totals``: its "Cộng trang" and "Lũy kế")."""
        return (self.header.height + self.numbers.height
                + (2 * self.label_height if self.carries and totals else 0)
                + (self.label_height if continues and self.continue_headings else 0))

    def measure(self, row: Row) -> Row:
        """Fit the cells of ``row`` into its columns and set its height."""
        if row.kind == "item":
            row.height = self.item_height
            fitted = row.fitted = []
            for c, value in enumerate(row.cells):
                key = (c, value, isinstance(value, Italic))
                cell = self._cells.get(key)
                if cell is None:
                    font = fonts.ITALIC if key[2] else fonts.REGULAR
                    cell = self._cells[key] = (font, *fit(text(value), self.widths[c] - 2 * PAD_H, font, self.size,
                                                          self.columns[c].lines, self.item_height - 2 * PAD_V))
                fitted.append(cell)
        else:
            row.height = self.label_height
            font = _ROW_FONTS[row.kind]
            span = self.width if row.kind == "heading" or not self.carries else self.edges[self.carry_column]
            row.fitted = [(font, *fit(text(row.cells[0]), span - 2 * PAD_H, font, self.size))]
            for value, width in zip(row.cells[1:], self.widths[1:]):
                row.fitted.append((font, *fit(text(value), width - 2 * PAD_H, font, self.size)))
        return row

    def _label(self, label: str, amount: int, count: int, kind: str) -> Row:
        cells = [f"{label}: {count} {self.unit}"] + [""] * (len(self.columns) - 1)
        cells[self.carry_column] = format_vnd(amount, unit=False)
        return self.measure(Row(cells, kind=kind))

    # -- page breaks ------------------------------------------------------------------------
    def paginate(self, rows: list[Row], first_space: float, page_space: float,
                 tail_space: float = 0) -> list[list[Row]]:
        """Cut measured rows into pages; ``first_space``/``page_space``: the height for the table
        on the first and later pages; ``tail_space``: what follows the last row on its page."""
        if sum(r.height for r in rows) + tail_space <= first_space - self.overhead(False, totals=False):
            return [rows]
        opens = self._open_groups(rows)
        pages: list[list[int]] = [[]]
        used, space = 0.0, first_space - self.overhead(False)
        for i, row in enumerate(rows):
            need = row.height + (rows[i + 1].height if row.kind == "heading" and i + 1 < len(rows) else 0)
            if pages[-1] and used + need > space:
                carried: list[int] = []
                if row.kind in ("subtotal", "total"):
                    carried = self._take_back(rows, pages[-1])
                pages.append(carried)
                space = page_space - self.overhead(self._continues(rows, opens, (carried or [i])[0]))
                used = sum(rows[j].height for j in carried)
            pages[-1].append(i)
            used += row.height
        self._settle_end(rows, opens, pages, first_space, page_space, tail_space)
        return [[rows[i] for i in page] for page in pages]

    @staticmethod
    def _open_groups(rows: list[Row]) -> list[int | None]:
        """For each row, the index of the heading of the group it is in (``None`` outside one)."""
        out, current = [], None
        for i, row in enumerate(rows):
            if row.kind == "heading":
                current = i
            out.append(current)
            if row.kind in ("subtotal", "total"):
                current = None
        return out

    @staticmethod
    def _continues(rows, opens, first: int) -> bool:
        return rows[first].kind == "item" and opens[first] is not None

    @staticmethod
    def _take_back(rows: list[Row], page: list[int]) -> list[int]:
        """Rows leaving the end of ``page`` so that a subtotal is not alone on the next page:
        back to and including its group's last person (and the heading, had it been left alone)."""
        taken: list[int] = []
        for k in range(len(page) - 1, 0, -1):
            if rows[page[k]].kind == "item":
                if rows[page[k - 1]].kind == "heading":
                    k -= 1
                if k == 0:
                    return []
                taken = page[k:]
                del page[k:]
                return taken
        return taken

    @staticmethod
    def _valid_cut(rows: list[Row], seq: list[int], k: int) -> bool:
        return 0 < k < len(seq) and rows[seq[k]].kind not in ("subtotal", "total") \
            and rows[seq[k - 1]].kind != "heading"

    def _settle_end(self, rows, opens, pages, first_space: float, page_space: float, tail_space: float) -> None:
        """The last page holds the tail and at least MIN_LAST people: rows move onto a page of
        their own, or over from the page before, until it does."""
        least = min(MIN_LAST, sum(r.kind == "item" for r in rows))
        for _ in range(4):
            last = pages[-1]
            space = (page_space if len(pages) > 1 else first_space) - self.overhead(
                self._continues(rows, opens, last[0]))
            if sum(rows[i].height for i in last) + tail_space > space:
                k = self._cut_from_end(rows, last, least)
                if k is None:
                    return
                pages.append(last[k:])
                del last[k:]
            elif len(pages) > 1 and sum(rows[i].kind == "item" for i in last) < least:
                before = len(pages[-2])
                combined = pages[-2] + last
                k = self._cut_from_end(rows, combined, least)
                if k is None or k >= before:
                    return
                pages[-2:] = [combined[:k], combined[k:]]
            else:
                return

    def _cut_from_end(self, rows, seq: list[int], least: int) -> int | None:
        """The latest valid cut of ``seq`` that leaves at least ``least`` people after it, or
        failing that (a short list) the earliest valid cut."""
        count = 0
        earliest = None
        for k in range(len(seq) - 1, 0, -1):
            count += rows[seq[k]].kind == "item"
            if self._valid_cut(rows, seq, k):
                if count >= least:
                    return k
                earliest = k
        return earliest

    def flowables(self, rows: list[Row], first_space: float, page_space: float, tail_space: float = 0) -> list:
        """One drawn table per page with a ``PageBreak`` between them (rows are measured here)."""
        for row in rows:
            self.measure(row)
        opens = self._open_groups(rows)
        index = {id(r): i for i, r in enumerate(rows)}
        pages = self.paginate(rows, first_space, page_space, tail_space)
        out: list = []
        amount = count = 0
        for n, page in enumerate(pages):
            body: list[Row] = [self.header, self.numbers]
            first = index[id(page[0])]
            if self.continue_headings and self._continues(rows, opens, first):
                heading = rows[opens[first]]
                body.append(self.measure(Row([f"{text(heading.cells[0])} (tiếp theo)", *heading.cells[1:]],
                                             kind="heading")))
            body += page
            page_amount = sum(r.amount for r in page)
            page_count = sum(r.count for r in page)
            amount += page_amount
            count += page_count
            if self.carries and len(pages) > 1:
                body += [self._label(PAGE_TOTAL, page_amount, page_count, "page"),
                         self._label(RUNNING_TOTAL, amount, count, "running")]
            out.append(_PageTable(self, body))
            if n + 1 < len(pages):
                out.append(PageBreak())
        return out


class _PageTable(Flowable):
    """One page of a :class:`PagedTable`, drawn straight on the canvas."""

    def __init__(self, spec: PagedTable, rows: list[Row]):
        super().__init__()
        self.spec = spec
        self.rows = rows
        self.width = spec.width
        self.height = sum(r.height for r in rows)

    def wrap(self, avail_width, avail_height):
        return self.width, self.height

    def draw(self):
        spec, canv = self.spec, self.canv
        edges = spec.edges
        n_cols = len(spec.widths)
        span_end = spec.carry_column if spec.carries else n_cols
        path = canv.beginPath()
        words = _Words(spec, canv)
        open_from: dict[int, float] = {}    # vertical rules run down through rows that share them
        top = self.height
        path.moveTo(0, top)
        path.lineTo(self.width, top)
        for row in self.rows:
            bottom = top - row.height
            path.moveTo(0, bottom)
            path.lineTo(self.width, bottom)
            if row.kind == "heading":
                cuts = {0, n_cols}
            elif row.kind in _LABEL_ROWS:
                cuts = {0, *range(span_end, n_cols + 1)}
            else:
                cuts = set(range(n_cols + 1))
            for c in list(open_from):
                if c not in cuts:
                    path.moveTo(edges[c], open_from.pop(c))
                    path.lineTo(edges[c], top)
            for c in cuts:
                open_from.setdefault(c, top)
            for c, (font, size, lines) in enumerate(row.fitted):
                if lines == ("",):
                    continue
                left, right, align = edges[c], edges[c + 1], spec.columns[c].align
                if row.kind in ("header", "numbers"):
                    align = "CENTER"
                elif row.kind == "heading":
                    right, align = edges[n_cols], "LEFT"
                elif row.kind in _LABEL_ROWS and c == 0:
                    right, align = edges[span_end], "LEFT"
                leading = size * LEADING
                block = (len(lines) - 1) * leading + size * 0.72
                y = bottom + (row.height - block) / 2 + block - size * 0.72
                for line in lines:
                    if align == "LEFT":
                        x = left + PAD_H
                    else:
                        w = words.width(line, font, size)
                        x = right - PAD_H - w if align == "RIGHT" else (left + right - w) / 2
                    words.put(x, y, line, font, size)
                    y -= leading
            top = bottom
        for c, start in open_from.items():
            path.moveTo(edges[c], start)
            path.lineTo(edges[c], top)
        canv.setLineWidth(0.5)
        canv.drawPath(path, stroke=1, fill=0)
        canv.addLiteral(words.operators())


class _Words:
    """The words of a page as PDF text operators, written here rather than through reportlab's
    text object: 5,000 rows make some 50,000 short strings, and reportlab maps each one to its
    font subsets anew. The mapping of a string is kept for the whole document (it is the same
    every time), in the table's cache, so "TK", an amount or a village is mapped once."""

    def __init__(self, spec: "PagedTable", canv):
        self.spec = spec
        self.doc = canv._doc
        self.ops = ["BT"]
        self.current = None

    def width(self, line: str, font: str, size: float) -> float:
        key = (line, font)
        width = self.spec.string_widths.get(key)
        if width is None:
            width = self.spec.string_widths[key] = stringWidth(line, font, 1.0)
        return width * size

    def put(self, x: float, y: float, line: str, font: str, size: float) -> None:
        key = (line, font)
        runs = self.spec.encoded.get(key)
        if runs is None:
            face = pdfmetrics.getFont(font)
            runs = self.spec.encoded[key] = [(face.getSubsetInternalName(subset, self.doc), escapePDF(chunk))
                                             for subset, chunk in face.splitString(line, self.doc)]
        self.ops.append("1 0 0 1 %.2f %.2f Tm" % (x, y))
        for name, chunk in runs:
            if self.current != (name, size):
                self.current = (name, size)
                self.ops.append(f"{name} {fp_str(size)} Tf")
            self.ops.append(f"({chunk}) Tj")

    def operators(self) -> str:
        return "\n".join(self.ops + ["ET"])


_LABEL_ROWS = ("subtotal", "total", "page", "running")
_ROW_FONTS = {
    "heading": fonts.BOLD, "subtotal": fonts.BOLD, "total": fonts.BOLD,
    "page": fonts.BOLD_ITALIC, "running": fonts.BOLD_ITALIC,
}
