"""Importing the beneficiary lists officers keep in Excel or CSV (issue 2, "Import").

The files have passed through many hands: title rows and the national motto above the
header, merged cells, a "(1) (2) (3)" column-number row, village group rows, subtotals, a
total and signature blocks below the table, IDs and account numbers typed as numbers.
:func:`import_file` reads every sheet with a recognisable header, reports every problem
with its sheet, row and field, and writes new and changed people in one transaction.

The package, by concern: :mod:`.columns` finds the header and its columns, :mod:`.rows`
interprets each row (:mod:`.cells` one value, :mod:`.groups` the group columns),
:mod:`.matching` matches rows to the register and writes them, :mod:`.report` writes the
problems report and the annotated copy, :mod:`.decision` traces people to the decision the
title names; :mod:`.model` holds what they pass around.

Decisions:
- A person row with a bad field is imported with that field left empty and the problem
  reported; a row without a name cannot be a register entry and is rejected (error).
- Matching and writing run in one write transaction taken when they start, so a second
  import of the same file waits and then finds everyone already there.
- The dry run performs the whole import inside the transaction and rolls it back, so its
  counts are exactly those of the real run.
- The decision a sheet's title names ("Kèm theo Quyết định số …") is recorded and its people
  traced to it in the same transaction (:mod:`.decision`); it changes nothing about them.
"""

import sqlite3
from pathlib import Path

from commune_payout.db import write_transaction
from commune_payout.decisions.queries import IMPORT_SOURCE
from commune_payout.errors import FileUnreadable, UserError
from commune_payout.importer import decision, matching
from commune_payout.importer.columns import column_key, find_layout
from commune_payout.importer.model import (ERROR, FIELD_LABELS, SEVERITY_LABELS, WARNING, ImportResult, ParsedRow,
                                           Problem, RowOutcome, SheetLayout)
from commune_payout.importer.report import ANNOTATION_HEADER, write_annotated, write_report
from commune_payout.importer.rows import NO_HEADER, SheetReader
from commune_payout.sheets import MAX_COLUMNS, Sheet, column_letters, read_sheets

__all__ = ["ANNOTATION_HEADER", "ERROR", "FIELD_LABELS", "SEVERITY_LABELS", "WARNING", "ImportResult", "ParsedRow",
           "Problem", "RowOutcome", "SheetLayout", "column_key", "import_file", "write_annotated", "write_report"]

_PROGRESS_EVERY = 500


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


def import_file(ctx, path, dry_run: bool = False, progress=None) -> ImportResult:
    """Import the register in ``path`` (.xlsx or .csv) into ``ctx.db``; see the module docstring.

    ``progress(done, total)`` is called now and then with rows read so far. Raises
    FileUnreadable (nothing written) when no sheet can be read as a register.
    """
    path = Path(path)
    sheets = read_sheets(path)
    result = ImportResult(source=path, dry_run=dry_run)
    found = []
    for sheet in sheets:
        _sheet_damage(sheet, result)
        layout = find_layout(sheet)
        if layout is None:
            _no_header(sheet, result)
            continue
        result.layouts[sheet.name] = layout
        found.append((sheet, layout))
    if not found:
        raise FileUnreadable(
            f"Không tìm thấy dòng tiêu đề cột (Họ và tên, Ngày sinh, Số CCCD…) trong tệp {path.name}")
    total = sum(len(s.rows) for s, _ in found)
    done = 0
    people: list[ParsedRow] = []
    named: dict[str, tuple] = {}        # sheet → (title row, the decision it names)
    for sheet, layout in found:
        reader = SheetReader(sheet, layout, ctx, result)
        for row in sheet.rows:
            if row.number <= layout.last_header_row:
                reader.heading(row)
            else:
                person = reader.read(row)
                if person:
                    people.append(person)
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
        reference = decision.sheet_reference(sheet.name, reader.references, result)
        if reference:
            named[sheet.name] = reference
    duplicates = []
    try:
        with write_transaction(ctx.db):
            matches, duplicates = matching.resolve(ctx.db, people, result)
            matching.write(ctx, matches, result, f"{IMPORT_SOURCE}{path.name}")
            decision.trace_people(ctx, named, duplicates, result, path.name)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        raise UserError("Dữ liệu đang bận: một lần nhập khác (ở cửa sổ khác?) chưa xong. Chưa ghi gì; hãy chờ "
                        f"lần nhập kia xong rồi nhập lại tệp {path.name}") from exc
    written = {(o.sheet, o.row): o.beneficiary_id for o in result.outcomes}
    for first, second in duplicates:
        result.outcome(second.sheet, second.row, "duplicate", written.get((first.row.sheet, first.row.row)))
    order = {name: i for i, name in enumerate(s.name for s in sheets)}
    result.problems.sort(key=lambda p: (order.get(p.sheet, 0), p.row or 0))
    result.outcomes.sort(key=lambda o: (order.get(o.sheet, 0), o.row))
    if progress:
        progress(total, total)
    return result


def _no_header(sheet: Sheet, result: ImportResult) -> None:
    """A sheet without a header: every row with content listed as skipped, and one warning."""
    result.skipped_sheets.append(sheet.name)
    if not sheet.rows:    # an empty "Sheet2" is not worth a warning
        return
    result.problem(sheet.name, None, None, WARNING,
                   f"Trang “{sheet.name}” không có dòng tiêu đề cột (Họ và tên, Ngày sinh, Số CCCD…): "
                   f"đã bỏ qua {len(sheet.rows)} dòng có chữ của trang này")
    for row in sheet.rows:
        result.outcome(sheet.name, row.number, "skipped", reason=NO_HEADER)


def _sheet_damage(sheet: Sheet, result: ImportResult) -> None:
    """Cells the reader could not keep: damaged ones, and those far right of any register."""
    for row, column, why in sheet.damaged:
        result.problem(sheet.name, row, None, ERROR,
                       f"Ô {column_letters(column)}{row} bị hỏng ({why}): không đọc được, hãy gõ lại ô này")
    if sheet.damaged_count > len(sheet.damaged):
        result.problem(sheet.name, None, None, ERROR,
                       f"Trang “{sheet.name}” còn {sheet.damaged_count - len(sheet.damaged)} ô hỏng nữa, không đọc "
                       "được: tệp có thể đã bị hỏng, hãy mở bằng Excel, kiểm tra và lưu lại")
    if sheet.outside_count:
        examples = ", ".join(sheet.outside[:3])
        result.problem(sheet.name, None, None, WARNING,
                       f"Trang “{sheet.name}” có {sheet.outside_count} ô có chữ ở ngoài cột {MAX_COLUMNS} "
                       f"(ví dụ {examples}), quá xa bảng danh sách: không đọc các ô này")
