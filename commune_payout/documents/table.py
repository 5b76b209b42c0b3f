"""Long lists laid out page by page: the header row on every page, totals carried over.

reportlab slows down more than linearly on one huge ``Table`` and cannot carry a running
total across a page break, so the rows are measured here (wrapped with the font metrics),
cut into page-sized pieces, and each page becomes its own small ``Table``:

    header row · "Cộng trang trước chuyển sang" · rows · "Cộng chuyển sang trang sau"

Cells are plain strings (lines joined with "\\n"), not Paragraphs, which keeps 5,000 rows fast.
"""

from dataclasses import dataclass, field

from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak

from commune_payout.documents import fonts
from commune_payout.documents.frame import text
from commune_payout.money import format_vnd

PAD_H = 2.0
PAD_V = 2.0
CARRY_IN = "Cộng trang trước chuyển sang"
CARRY_OUT = "Cộng chuyển sang trang sau"


@dataclass(frozen=True)
class Column:
    title: str
    width: float                  # millimetres
    align: str = "LEFT"           # LEFT, CENTER or RIGHT


@dataclass
class Row:
    """One row. ``kind``: ``item`` (a person), ``heading`` (a group title across the table),
    ``subtotal`` or ``total`` (a label across the first columns, the sum in ``carry_column``).

    ``amount`` and ``count`` are what an item adds to the totals carried from page to page.
    """

    cells: list
    kind: str = "item"
    amount: int = 0
    count: int = 0
    lines: list = field(default_factory=list, repr=False)
    height: float = 0.0


class PagedTable:
    """Columns, fonts and row heights of one list; :meth:`flowables` paginates the rows.

    ``carry_column`` is the index of the amount column whose running total is carried from
    page to page (``None`` for lists without money: only the header row repeats).
    ``unit`` names what ``count`` counts ("người", "tài khoản"). ``continue_headings``: a page
    that starts inside a group repeats the group heading ("— tiếp theo"); lists that print the
    group in a column of their own can save the line.
    """

    def __init__(self, columns: list[Column], *, size: float = 9, row_height: float = 0,
                 carry_column: int | None = None, unit: str = "người", continue_headings: bool = True):
        fonts.register()
        self.columns = columns
        self.widths = [c.width * mm for c in columns]
        self.size = size
        self.leading = size * 1.18
        self.row_height = row_height * mm
        self.carry_column = carry_column
        self.unit = unit
        self.continue_headings = continue_headings
        self._wrapped: dict = {}
        self._widths: dict = {}
        self.header_lines = [self._wrap(c.title, w, fonts.BOLD) for c, w in zip(columns, self.widths)]
        self.header_height = self._height(self.header_lines)
        self.line_height = self.leading + 2 * PAD_V + 1

    @property
    def width(self) -> float:
        return sum(self.widths)

    def _wrap(self, value, width: float, font: str) -> list[str]:
        key = (value, width, font)
        lines = self._wrapped.get(key)
        if lines is None:
            lines = []
            for part in text(value).split("\n"):
                lines += simpleSplit(part, font, self.size, width - 2 * PAD_H) or [""]
            self._wrapped[key] = lines
        return lines

    def string_width(self, line: str, font: str) -> float:
        key = (line, font)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = stringWidth(line, font, self.size)
        return width

    def _height(self, cell_lines) -> float:
        return max(len(lines) for lines in cell_lines) * self.leading + 2 * PAD_V + 1

    def _label_width(self) -> float:
        return sum(self.widths[: self.carry_column]) if self.carry_column else self.width

    def measure(self, row: Row) -> Row:
        """Wrap the cells of ``row`` into lines and set its height."""
        if row.kind == "item":
            row.lines = [self._wrap(v, w, fonts.REGULAR) for v, w in zip(row.cells, self.widths)]
            row.height = max(self.row_height, self._height(row.lines))
        else:
            label_w = self.width if row.kind == "heading" else self._label_width()
            label = self._wrap(row.cells[0], label_w, fonts.BOLD)
            row.lines = [label] + [[text(v)] for v in row.cells[1:]]
            row.height = self._height([label])
        return row

    def paginate(self, rows: list[Row], first_space: float, page_space: float,
                 tail_space: float = 0) -> list[list[Row]]:
        """Cut measured rows into pages. ``first_space``/``page_space``: height for the table on
        the first and later pages; ``tail_space``: what must follow the last row on its page
        (the amount in words, the signatures). A group heading never ends a page; a page that
        starts inside a group gets room for the group's heading again (see :meth:`flowables`)."""
        carry = self.carry_column is not None
        pages: list[list[Row]] = [[]]
        used = self.header_height
        space = first_space
        reserve = self.line_height if carry else 0
        again = self.line_height if self.continue_headings and any(r.kind == "heading" for r in rows) else 0
        for i, row in enumerate(rows):
            need = row.height
            if row.kind == "heading" and i + 1 < len(rows):
                need += rows[i + 1].height
            if pages[-1] and used + need + reserve > space:
                pages.append([])
                space = page_space
                used = self.header_height + (self.line_height if carry else 0) + again
            pages[-1].append(row)
            used += row.height
        if tail_space and used + tail_space > space and len(pages[-1]) > 1:
            # The signatures never stand alone on a page: the last few rows go over with them.
            last = pages[-1]
            keep = max(1, len(last) - 3)
            while keep > 1 and last[keep - 1].kind == "heading":
                keep -= 1
            pages[-1:] = [last[:keep], last[keep:]]
        return pages

    def flowables(self, rows: list[Row], first_space: float, page_space: float,
                  tail_space: float = 0) -> list:
        """One ``Table`` per page with a ``PageBreak`` between them (rows are measured here)."""
        for row in rows:
            self.measure(row)
        pages = self.paginate(rows, first_space, page_space, tail_space)
        out: list = []
        amount = count = 0
        heading = None
        for n, page in enumerate(pages):
            body: list[Row] = []
            if n and self.carry_column is not None:
                body.append(self._carry_row(CARRY_IN, amount, count))
            if self.continue_headings and heading is not None and page[0].kind != "heading":
                body.append(self.measure(Row([f"{heading.cells[0]} — tiếp theo", *heading.cells[1:]],
                                             kind="heading")))
            for row in page:
                amount += row.amount
                count += row.count
                if row.kind == "heading":
                    heading = row
            body += page
            if n + 1 < len(pages) and self.carry_column is not None:
                body.append(self._carry_row(CARRY_OUT, amount, count))
            out.append(self._table(body))
            if n + 1 < len(pages):
                out.append(PageBreak())
        return out

    def _carry_row(self, label: str, amount: int, count: int) -> Row:
        cells = [f"{label}: {count} {self.unit}"] + [""] * (len(self.columns) - 1)
        cells[self.carry_column] = format_vnd(amount, unit=False)
        return self.measure(Row(cells, kind="carry"))

    def _table(self, rows: list[Row]) -> "_PageTable":
        header = Row(list(self.header_lines), kind="header", lines=self.header_lines, height=self.header_height)
        return _PageTable(self, [header] + rows)


class _PageTable(Flowable):
    """One page of a :class:`PagedTable`, drawn straight on the canvas: one path for the grid,
    one text object for the words (a ``Table`` per page was the slow part on 5,000 rows)."""

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
        widths = spec.widths
        n_cols = len(widths)
        edges = [0.0]
        for w in widths:
            edges.append(edges[-1] + w)
        span_end = spec.carry_column if spec.carry_column is not None else n_cols
        path = canv.beginPath()
        text = canv.beginText()
        text.setTextOrigin(0, 0)
        cursor = (0.0, 0.0)
        font = None
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
            if font != _ROW_FONTS[row.kind]:
                font = _ROW_FONTS[row.kind]
                text.setFont(font, spec.size)
            for c, lines in enumerate(row.lines):
                if not lines or lines == [""]:
                    continue
                left, right, align = edges[c], edges[c + 1], spec.columns[c].align
                if row.kind == "header":
                    align = "CENTER"
                elif row.kind == "heading":
                    right, align = edges[n_cols], "LEFT"
                elif row.kind in _LABEL_ROWS and c == 0:
                    right, align = edges[span_end], "LEFT"
                block = len(lines) * spec.leading
                y = bottom + (row.height - block) / 2 + block - spec.size
                for line in lines:
                    if align == "LEFT":
                        x = left + PAD_H
                    else:
                        w = spec.string_width(line, font)
                        x = right - PAD_H - w if align == "RIGHT" else (left + right - w) / 2
                    text.moveCursor(x - cursor[0], cursor[1] - y)
                    cursor = (x, y)
                    text.textOut(line)
                    y -= spec.leading
            top = bottom
        for c, start in open_from.items():
            path.moveTo(edges[c], start)
            path.lineTo(edges[c], top)
        canv.setLineWidth(0.5)
        canv.drawPath(path, stroke=1, fill=0)
        canv.drawText(text)


_LABEL_ROWS = ("subtotal", "total", "carry")
_ROW_FONTS = {
    "header": fonts.BOLD, "item": fonts.REGULAR, "heading": fonts.BOLD,
    "subtotal": fonts.BOLD, "total": fonts.BOLD, "carry": fonts.BOLD_ITALIC,
}
