"""What the officer gets back from an import: the problems report and the annotated copy."""

import re
import zipfile
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from commune_payout.atomic import atomic_path
from commune_payout.errors import FileUnreadable
from commune_payout.importer.columns import problem_column
from commune_payout.importer.model import ERROR, FIELD_LABELS, SEVERITY_LABELS, WARNING, ImportResult, Problem
from commune_payout.sheets import is_csv, read_sheets

ANNOTATION_HEADER = "Lỗi cần sửa"
_FILLS = {ERROR: PatternFill("solid", fgColor="FFC7CE"), WARNING: PatternFill("solid", fgColor="FFEB9C")}


def _message_line(p: Problem) -> str:
    label = FIELD_LABELS.get(p.field, "")
    return f"{SEVERITY_LABELS[p.severity]}{f' ({label})' if label else ''}: {p.message}"


def write_report(result: ImportResult, out_path) -> Path:
    """The problems report as .xlsx (summary, then one line per problem), written atomically."""
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Tóm tắt"
    summary.append([f"Kết quả {'chạy thử ' if result.dry_run else ''}nhập tệp {result.source.name}"])
    summary["A1"].font = Font(bold=True, size=13)
    for label, value in (("Người mới", result.imported), ("Cập nhật", result.updated),
                         ("Không thay đổi", result.unchanged), ("Dòng bỏ qua (không phải người)", result.skipped),
                         ("Dòng không nhập được", result.rejected), ("Dòng trùng người", result.duplicates),
                         ("Số lỗi", sum(p.severity == ERROR for p in result.problems)),
                         ("Số cảnh báo", sum(p.severity == WARNING for p in result.problems))):
        summary.append([label, value])
    summary.column_dimensions["A"].width = 34
    sheet = wb.create_sheet("Danh sách lỗi")
    sheet.append(["Trang tính", "Dòng", "Cột", "Mức độ", "Nội dung"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, p in enumerate(result.problems, start=2):
        sheet.append([p.sheet, p.row, FIELD_LABELS.get(p.field, p.field or ""), SEVERITY_LABELS[p.severity],
                      p.message])
        sheet.cell(index, 4).fill = _FILLS[p.severity]
    for col, width in zip("ABCDE", (18, 8, 18, 10, 90)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    with atomic_path(out_path) as tmp:
        wb.save(tmp)
    return Path(out_path)


def write_annotated(result: ImportResult, source_path, out_path) -> Path:
    """A copy of the imported file for the officer to correct: problem cells coloured with the
    message as a comment, and a "Lỗi cần sửa" column. A CSV source gives an .xlsx copy."""
    source_path = Path(source_path)
    if is_csv(source_path):
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        targets = {}
        for sheet in read_sheets(source_path):
            ws = wb.create_sheet(_sheet_title(sheet.name))
            for row in sheet.rows:
                ws.append(row)
            if sheet.name in result.layouts:
                targets[sheet.name] = ws
    else:
        try:
            wb = openpyxl.load_workbook(source_path)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise FileUnreadable(
                f"Không mở được tệp {source_path.name} để ghi chú lỗi (tệp đã bị đổi hoặc xóa?)") from exc
        targets = {name: wb[name] for name in result.layouts if name in wb.sheetnames}
    for name, ws in targets.items():
        layout = result.layouts[name]
        note_col = max(ws.max_column, max(layout.columns.values()) + 1) + 1
        header = ws.cell(layout.header_row, note_col, ANNOTATION_HEADER)
        header.font = Font(bold=True, color="9C0006")
        ws.column_dimensions[get_column_letter(note_col)].width = 60
        for row, problems in result.row_problems(name).items():
            worst = ERROR if any(p.severity == ERROR for p in problems) else WARNING
            note = ws.cell(row, note_col, "\n".join(_message_line(p) for p in problems))
            note.fill = _FILLS[worst]
            for p in problems:
                col = problem_column(layout, p.field)
                if col is None:
                    continue
                cell = ws.cell(row, col + 1)
                if isinstance(cell, MergedCell):
                    continue
                cell.fill = _FILLS[p.severity]
                text = _message_line(p) if cell.comment is None else f"{cell.comment.text}\n{_message_line(p)}"
                cell.comment = Comment(text, "commune_payout", width=320, height=120)
    with atomic_path(out_path) as tmp:
        wb.save(tmp)
    return Path(out_path)


def _sheet_title(name: str) -> str:
    """A CSV file name as an Excel sheet name (at most 31 characters, none of []:*?/\\)."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31].strip()
