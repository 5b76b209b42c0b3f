"""Importing the beneficiary lists officers keep in Excel or CSV (issue 2, "Import").

The files have passed through many hands: title rows and the national motto above the
header, merged cells, a "(1) (2) (3)" column-number row, village group rows, subtotals, a
total and signature blocks below the table, IDs and account numbers typed as numbers.
:func:`import_file` reads every sheet with a recognisable header, reports every problem
with its sheet, row and field, and writes new and changed people in one transaction.

The package, by concern: :mod:`.columns` finds the header and its columns, :mod:`.rows`
interprets each row (:mod:`.cells` one value, :mod:`.groups` the group columns),
:mod:`.matching` matches rows to the register and writes them, :mod:`.report` writes the
problems report and the annotated copy; :mod:`.model` holds what they pass around.

Decisions:
- A person row with a bad field is imported with that field left empty and the problem
  reported; a row without a name cannot be a register entry and is rejected (error).
- Matching and writing run in one write transaction taken when they start, so a second
  import of the same file waits and then finds everyone already there.
- The dry run performs the whole import inside the transaction and rolls it back, so its
  counts are exactly those of the real run.
"""

from pathlib import Path

from commune_payout.db import write_transaction
from commune_payout.errors import FileUnreadable
from commune_payout.importer import matching
from commune_payout.importer.columns import column_key, find_layout
from commune_payout.importer.model import (ERROR, FIELD_LABELS, SEVERITY_LABELS, WARNING, ImportResult, ParsedRow,
                                           Problem, RowOutcome, SheetLayout)
from commune_payout.importer.report import ANNOTATION_HEADER, write_annotated, write_report
from commune_payout.importer.rows import SheetReader
from commune_payout.sheets import read_sheets

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
        layout = find_layout(sheet)
        if layout is None:
            result.skipped_sheets.append(sheet.name)
            if sheet.rows:    # an empty "Sheet2" is not worth a warning
                result.problem(sheet.name, None, None, WARNING,
                               f"Trang “{sheet.name}” không có dòng tiêu đề cột (Họ và tên, Ngày sinh, "
                               "Số CCCD…): đã bỏ qua")
            continue
        result.layouts[sheet.name] = layout
        found.append((sheet, layout))
    if not found:
        raise FileUnreadable(
            f"Không tìm thấy dòng tiêu đề cột (Họ và tên, Ngày sinh, Số CCCD…) trong tệp {path.name}")
    total = sum(len(s.rows) - layout.last_header_row for s, layout in found)
    done = 0
    people: list[ParsedRow] = []
    for sheet, layout in found:
        reader = SheetReader(sheet, layout, ctx, result)
        for index in range(layout.last_header_row, len(sheet.rows)):
            person = reader.read(index + 1)
            if person:
                people.append(person)
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
    duplicates = []
    try:
        with write_transaction(ctx.db):
            matches, duplicates = matching.resolve(ctx.db, people, result)
            matching.write(ctx, matches, result, f"import:{path.name}")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    written = {(o.sheet, o.row): o.beneficiary_id for o in result.outcomes}
    for first, second in duplicates:
        result.outcome(second.sheet, second.row, "duplicate", written.get((first.row.sheet, first.row.row)))
    order = {name: i for i, name in enumerate(s.name for s in sheets)}
    result.problems.sort(key=lambda p: (order.get(p.sheet, 0), p.row or 0))
    result.outcomes.sort(key=lambda o: (order.get(o.sheet, 0), o.row))
    if progress:
        progress(total, total)
    return result
