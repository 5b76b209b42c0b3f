"""What the officer gets back from an import: the problems report and the annotated copy.

Both are written through :mod:`commune_payout.sheet_writer`, so a name such as
``=HYPERLINK(…)`` in the file comes back as text, never as a live formula.
"""

import datetime as dt
from pathlib import Path

from commune_payout import sheet_writer
from commune_payout.importer import decision
from commune_payout.importer.columns import problem_column
from commune_payout.importer.model import (ERROR, FIELD_LABELS, OUTCOMES, SEVERITY_LABELS, WARNING, ImportResult,
                                           Problem, SheetLayout)
from commune_payout.sheet_writer import BOLD, TITLE, Style
from commune_payout.sheets import Sheet, read_sheets

ANNOTATION_HEADER = "Lỗi cần sửa"
_FILLS = {ERROR: "FFC7CE", WARNING: "FFEB9C"}
_SEVERITY_STYLES = {severity: Style(fill=fill) for severity, fill in _FILLS.items()}
_SKIPPED_STYLE = Style(fill="E7E6E6")
_HEADER_NOTE = Style(bold=True, fill="FFC7CE")
_DATE = Style(number_format="dd/mm/yyyy")
_LARGE_MERGE = 10_000       # cells; a merged range bigger than this is looked at on its own
_MAX_GAP = 1_000            # blank rows written as such; a longer stretch becomes one line


def _message_line(p: Problem) -> str:
    label = FIELD_LABELS.get(p.field, "")
    return f"{SEVERITY_LABELS[p.severity]}{f' ({label})' if label else ''}: {p.message}"


def write_report(result: ImportResult, out_path) -> Path:
    """The import report as .xlsx: a summary, one line per problem, and every row that was not a
    person with the reason; written atomically."""
    wb = sheet_writer.Workbook()
    summary = wb.sheet("Tóm tắt", widths=(40, 12))
    summary.append([f"Kết quả {'chạy thử ' if result.dry_run else ''}nhập tệp {result.source.name}"], style=TITLE)
    counts = {"imported": result.imported, "updated": result.updated, "unchanged": result.unchanged,
              "rejected": result.rejected, "duplicate": result.duplicates, "skipped": result.skipped}
    for outcome, label in OUTCOMES.items():
        summary.append([label, counts[outcome]])
    summary.append(["Tổng số dòng có chữ", len(result.outcomes)], style=BOLD)
    summary.append([])
    summary.append(["Số lỗi", sum(p.severity == ERROR for p in result.problems)])
    summary.append(["Số cảnh báo", sum(p.severity == WARNING for p in result.problems)])
    found = decision.lines(result)
    if found:
        summary.append([])
        summary.append(["Căn cứ quyết định"], style=BOLD)
        for line in found:
            summary.append([line])

    problems = wb.sheet("Danh sách lỗi", widths=(18, 8, 28, 18, 10, 90), freeze="A2")
    problems.append(["Trang tính", "Dòng", "Họ và tên", "Cột", "Mức độ", "Nội dung"], style=BOLD)
    for p in result.problems:
        problems.append([p.sheet, p.row, result.names.get((p.sheet, p.row), ""), FIELD_LABELS.get(p.field, p.field or ""),
                         SEVERITY_LABELS[p.severity], p.message], columns={4: _SEVERITY_STYLES[p.severity]})

    skipped = wb.sheet("Dòng bỏ qua", widths=(18, 8, 90), freeze="A2")
    skipped.append(["Trang tính", "Dòng", "Vì sao không nhập (không phải người)"], style=BOLD)
    for o in result.outcomes:
        if o.outcome == "skipped":
            skipped.append([o.sheet, o.row, o.reason])
    wb.save(out_path)
    return Path(out_path)


def write_annotated(result: ImportResult, source_path, out_path) -> Path:
    """A copy of the imported file for the officer to correct, as .xlsx whatever the source:
    the values read, with problem cells coloured and the message as a comment, and a column
    "Lỗi cần sửa" that says what is wrong with a row or why it was not taken as a person."""
    wb = sheet_writer.Workbook()
    for sheet in read_sheets(source_path):
        layout = result.layouts.get(sheet.name)
        if layout is None:
            _copy(wb, sheet)
        else:
            _annotate(wb, sheet, layout, result)
    wb.save(out_path)
    return Path(out_path)


def _widths(layout: SheetLayout | None, width: int) -> list[float]:
    widths = [14.0] * width
    if layout:
        for key, size in (("stt", 6), ("full_name", 26), ("category", 26), ("address", 26)):
            if key in layout.columns and layout.columns[key] < width:
                widths[layout.columns[key]] = size
    return widths


def _copy(wb: sheet_writer.Workbook, sheet: Sheet) -> None:
    width = max((len(r.cells) for r in sheet.rows), default=0)
    ws = wb.sheet(sheet.name, widths=_widths(None, width))
    _rows(ws, sheet, lambda row: ([*row.cells], {}, {}))


def _annotate(wb: sheet_writer.Workbook, sheet: Sheet, layout: SheetLayout, result: ImportResult) -> None:
    note_col = layout.width
    ws = wb.sheet(sheet.name, widths=[*_widths(layout, note_col), 60])
    by_row = result.row_problems(sheet.name)
    skipped = {o.row: o.reason for o in result.outcomes
               if o.sheet == sheet.name and o.outcome == "skipped" and o.row > layout.last_header_row}
    merged = _MergedCells(sheet)

    def annotate(row):
        values = [*row.cells, *[None] * (note_col + 1 - len(row.cells))]
        styles, comments = {}, {}
        problems = by_row.get(row.number)
        if row.number == layout.header_row:
            values[note_col] = ANNOTATION_HEADER
            styles[note_col] = _HEADER_NOTE
        elif problems:
            worst = ERROR if any(p.severity == ERROR for p in problems) else WARNING
            values[note_col] = " • ".join(_message_line(p) for p in problems)
            styles[note_col] = _SEVERITY_STYLES[worst]
            for p in problems:
                col = problem_column(layout, p.field)
                if col is None or col >= note_col or merged.hides(row.number, col + 1):
                    continue
                styles[col] = _SEVERITY_STYLES[ERROR if ERROR in (p.severity, styles.get(col)) else p.severity]
                comments[col] = f"{comments[col]}\n{_message_line(p)}" if col in comments else _message_line(p)
        elif row.number in skipped:
            values[note_col] = f"Không nhập: {skipped[row.number]}"
            styles[note_col] = _SKIPPED_STYLE
        return values, styles, comments

    _rows(ws, sheet, annotate, note_col)


def _rows(ws: sheet_writer.Sheet, sheet: Sheet, cells_of, note_col: int | None = None) -> None:
    """Write ``sheet``'s rows at their own numbers, blank rows kept, and its merged ranges.

    A stretch of more than :data:`_MAX_GAP` blank rows (a stray cell a million rows down) is
    written as one line that says so; the rows below it say their number in the original, in
    the note column (``note_col``, else after their last cell).
    """
    collapsed: list[tuple[int, int]] = []     # (last blank row of a stretch, rows it took out)
    last = 0
    for row in sheet.rows:
        values, styles, comments = cells_of(row)
        blank = row.number - last - 1
        if blank > _MAX_GAP:
            ws.append([f"… {blank} dòng trống (dòng {last + 1} đến {row.number - 1} của tệp gốc) …"],
                      style=_SKIPPED_STYLE)
            collapsed.append((row.number - 1, blank - 1))
        else:
            for _ in range(blank):
                ws.append([])
        last = row.number
        if collapsed:
            col = len(row.cells) if note_col is None else note_col
            values = [*values, *[None] * (col + 1 - len(values))]
            values[col] = f"Dòng {row.number} của tệp gốc. {values[col] or ''}".strip()
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime) and c not in styles:
                styles[c] = _DATE
        ws.append(values, columns=styles, comments=comments)

    def moved(number: int) -> int:
        return number - sum(taken for end, taken in collapsed if end < number)

    for min_row, min_col, max_row, max_col in sheet.merged:
        if not any(min_row <= end and max_row >= end - taken for end, taken in collapsed):
            ws.merge(moved(min_row), min_col, moved(max_row), max_col)


class _MergedCells:
    """Whether a cell lies inside a merged range without being its first cell (Excel shows no
    colour or note there)."""

    def __init__(self, sheet: Sheet):
        self.cells: set[tuple[int, int]] = set()
        self.large = []
        for min_row, min_col, max_row, max_col in sheet.merged:
            if (max_row - min_row + 1) * (max_col - min_col + 1) > _LARGE_MERGE:
                self.large.append((min_row, min_col, max_row, max_col))
                continue
            for r in range(min_row, max_row + 1):
                for c in range(min_col, max_col + 1):
                    if (r, c) != (min_row, min_col):
                        self.cells.add((r, c))

    def hides(self, row: int, column: int) -> bool:
        return (row, column) in self.cells or any(
            r1 <= row <= r2 and c1 <= column <= c2 and (row, column) != (r1, c1) for r1, c1, r2, c2 in self.large)
