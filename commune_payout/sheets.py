"""Low-level reading of the spreadsheets officers really have: .xlsx and .csv.

Gives every sheet as a grid of cell values (row 1 first, as Excel numbers rows) plus its
merged ranges. Knows nothing about beneficiaries; :mod:`commune_payout.importer` does.

.xlsx is read with openpyxl's read-only mode (0.8 s instead of 1.0 s for a 10,000-row
register), which does not expose merged ranges, so those are read from the sheet XML.
CSV comes as UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text") or Windows
code page 1258, which stores tone marks as combining characters; text is NFC afterwards.
"""

import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
from openpyxl.utils import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from commune_payout.errors import FileUnreadable
from commune_payout.text import nfc

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Sheet:
    """One sheet's cells: ``rows[0]`` is spreadsheet row 1; every row has the same width."""

    name: str
    rows: list[list] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col (1-based)


def is_csv(path) -> bool:
    return Path(path).suffix.lower() in CSV_SUFFIXES


def read_sheets(path) -> list[Sheet]:
    """Every sheet of the file at ``path``; raises FileUnreadable with one plain line."""
    path = Path(path)
    if not path.is_file():
        raise FileUnreadable(f"Không tìm thấy tệp {path}")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise FileUnreadable(f"Tệp {path.name} là dạng Excel 97–2003 (.xls): hãy mở bằng Excel và lưu lại dạng .xlsx")
    if suffix in CSV_SUFFIXES:
        return [_read_csv(path)]
    if suffix in XLSX_SUFFIXES or zipfile.is_zipfile(path):
        return _read_xlsx(path)
    raise FileUnreadable(f"Tệp {path.name} không phải bảng tính .xlsx hoặc .csv")


def _tidy(rows: list[list]) -> list[list]:
    """Drop trailing empty rows and pad every row to the width of the widest non-empty cell."""
    width = 0
    last = 0
    for index, row in enumerate(rows, start=1):
        filled = [i for i, v in enumerate(row, start=1) if v is not None]
        if filled:
            width = max(width, filled[-1])
            last = index
    return [(list(r[:width]) + [None] * (width - len(r))) for r in rows[:last]]


def _cell(value):
    if isinstance(value, str):
        value = value.strip()
        return nfc(value) if value else None
    return value


def _read_xlsx(path: Path) -> list[Sheet]:
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, ElementTree.ParseError) as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: tệp hỏng hoặc không phải bảng tính Excel") from exc
    try:
        merged = _merged_ranges(path)
        sheets = []
        for ws in wb.worksheets:
            rows = [[_cell(v) for v in r] for r in ws.iter_rows(values_only=True)]
            sheets.append(Sheet(ws.title, _tidy(rows), merged.get(ws.title, [])))
        return sheets
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ElementTree.ParseError) as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: tệp bị hỏng") from exc
    finally:
        wb.close()


def _merged_ranges(path: Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Merged ranges per sheet name, read from the workbook XML (read-only mode hides them)."""
    with zipfile.ZipFile(path) as zf:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_NS_PKG}Relationship")}
        out = {}
        for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_NS_REL}id"))
            if not target:
                continue
            member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            if member not in zf.namelist():
                continue
            ranges = []
            for ref in _MERGE.findall(zf.read(member)):
                min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
                ranges.append((min_row, min_col, max_row, max_col))
            out[sheet.get("name")] = ranges
        return out


def decode_text(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258; always NFC."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return nfc(data.decode("utf-16"))
    try:
        return nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return nfc(data.decode("cp1258"))


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` or tab) that splits most lines into the same number of fields.

    ``csv.Sniffer`` is easily fooled by amounts written ``1.080.000`` and by title rows.
    """
    sample = [line for line in text.splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        counts = [len(r) for r in csv.reader(sample, delimiter=delimiter) if len(r) > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unprotect(value):
    """A CSV value without the ``'`` that :mod:`commune_payout.sheet_writer` put before a formula trigger."""
    if isinstance(value, str) and value.startswith("'") and value[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return value[1:]
    return value


def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileUnreadable(f"Tệp {path.name} không phải tệp văn bản .csv")
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: bảng mã không phải UTF-8 hay Windows-1258") from exc
    try:
        rows = [[_cell(_unprotect(v)) for v in r] for r in csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))]
    except csv.Error as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: nội dung .csv bị lỗi") from exc
    return Sheet(path.name, _tidy(rows), [])
