"""Low-level reading of the spreadsheets officers really have: .xlsx and .csv.

Gives every sheet as its rows with content (row numbers as Excel shows them) plus its merged
ranges. Knows nothing about beneficiaries; :mod:`commune_payout.importer` does.

Every file is hostile until read: it may be damaged, a zip bomb, or carry one stray cell at
XFD1048576 and a ``<dimension>`` that claims a million rows. So:

- .xlsx is read with our own streaming parser of the sheet XML (expat), which looks only at the
  cells that exist; ``<dimension>`` is never consulted. A DTD in any part refuses the file.
- Before a part is parsed its declared size is checked against what is left of
  :data:`MAX_UNCOMPRESSED`, and the bytes really inflated are counted while reading (a zip
  header can lie).
- A file may hold at most :data:`MAX_ROWS` rows and :data:`MAX_CELLS` cells with content. Cells right of
  :data:`MAX_COLUMNS` are not kept; the sheet lists them in ``outside`` for the importer to
  report. A damaged cell (a shared string that does not exist, a text longer than Excel
  allows) reads as empty and is listed in ``damaged``.
- Text is cleaned once, here: NFC, invisible characters removed, spaces collapsed
  (:func:`commune_payout.text.clean`). Code above this module works on clean values.

CSV comes as UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text") or Windows code page
1258, which stores tone marks as combining characters.
"""

import codecs
import csv
import datetime as dt
import io
import posixpath
import re
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from commune_payout.errors import FileUnreadable
from commune_payout.sheet_writer import CSV_TRIGGERS
from commune_payout.text import clean

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}
# Limits for a commune's list: far above any real register, low enough that a hostile file is
# refused in a few seconds on an old laptop.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767          # Excel's own limit for one cell
MAX_MERGED = 100_000
MAX_CELLS = 1_000_000            # cells with content in a file: 50,000 rows of 20 columns
_EXAMPLES_KEPT = 100             # outside or damaged cells kept by reference for the messages

_NS_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_TYPE_END = {"officeDocument": "/officeDocument", "sharedStrings": "/sharedStrings", "styles": "/styles",
                 "worksheet": "/worksheet"}
_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
_INT = re.compile(r"[+-]?\d{1,18}")


class Row(NamedTuple):
    """One row with content: its number as Excel shows it and its cells, ``cells[0]`` in column A."""

    number: int
    cells: tuple


@dataclass(frozen=True)
class Sheet:
    """One sheet: its rows with content in order, merged ranges clipped to them, and what was left out."""

    name: str
    rows: tuple[Row, ...] = ()
    merged: tuple[tuple[int, int, int, int], ...] = ()   # min_row, min_col, max_row, max_col (1-based)
    outside: tuple[str, ...] = ()      # the first references of cells with content beyond MAX_COLUMNS
    outside_count: int = 0
    damaged: tuple[tuple[int, int, str], ...] = ()       # the first (row, 1-based column, why) of unreadable cells
    damaged_count: int = 0
    _numbers: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_numbers", tuple(r.number for r in self.rows))
        object.__setattr__(self, "_index", {r.number: r.cells for r in self.rows})

    def cells(self, number: int) -> tuple:
        """The cells of row ``number`` (an empty tuple for a row without content)."""
        return self._index.get(number, ())

    def value(self, number: int, column: int):
        """The value at row ``number``, 1-based ``column``, or ``None``."""
        cells = self._index.get(number, ())
        return cells[column - 1] if 0 < column <= len(cells) else None

    def numbers_between(self, first: int, last: int) -> tuple[int, ...]:
        """Numbers of the rows with content from ``first`` to ``last`` inclusive."""
        return self._numbers[bisect_left(self._numbers, first):bisect_right(self._numbers, last)]


def is_csv(path) -> bool:
    return Path(path).suffix.lower() in CSV_SUFFIXES


def read_sheets(path) -> list[Sheet]:
    """Every sheet of the file at ``path``; raises FileUnreadable with one plain line."""
    path = Path(path)
    if not path.is_file():
        raise FileUnreadable(f"Không tìm thấy tệp {path}")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileUnreadable(f"Tệp {path.name} quá lớn ({size / 1024 / 1024:.0f} MB; một danh sách của xã "
                             f"không quá {MAX_FILE_BYTES // 1024 // 1024} MB)")
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        magic = f.read(8)
    if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadable(f"Tệp {path.name} là dạng Excel 97–2003 (.xls) hoặc có đặt mật khẩu: hãy mở bằng "
                             "Excel, bỏ mật khẩu nếu có và lưu lại dạng .xlsx")
    if suffix in CSV_SUFFIXES:
        return [_read_csv(path)]
    if suffix in XLSX_SUFFIXES or zipfile.is_zipfile(path):
        return _read_xlsx(path)
    raise FileUnreadable(f"Tệp {path.name} không phải bảng tính .xlsx hoặc .csv")


# ---------------------------------------------------------------- building sheets

class _Grid:
    """Cells with content as they are read, kept sparse, with the limits applied."""

    def __init__(self, name: str, budget: "_Budget"):
        self.name, self.budget = name, budget
        self.rows: dict[int, dict[int, object]] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.outside: list[str] = []
        self.outside_count = 0
        self.damaged: list[tuple[int, int, str]] = []
        self.damaged_count = 0

    def damage(self, row: int, column: int, why: str) -> None:
        """A cell that could not be read: the first few are kept to be reported, all are counted."""
        self.damaged_count += 1
        if len(self.damaged) < _EXAMPLES_KEPT:
            self.damaged.append((row, column, why))

    def put(self, row: int, column: int, value, cleaned: bool = False) -> None:
        """Keep ``value`` at (row, 1-based column); text is cleaned here unless it already is."""
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                self.damage(row, column, f"ô dài hơn {MAX_CELL_CHARS:,} ký tự".replace(",", "."))
                return
            if not cleaned:
                value = clean(value)
            if not value:
                return
        elif value is None:
            return
        if column > MAX_COLUMNS:
            self.outside_count += 1
            if len(self.outside) < _EXAMPLES_KEPT:
                self.outside.append(f"{column_letters(column)}{row}")
            return
        cells = self.rows.get(row)
        if cells is None:
            self.budget.count_row(self.name)
            cells = self.rows[row] = {}
        if column not in cells:
            self.budget.count_cell()
        cells[column] = value

    def sheet(self) -> Sheet:
        numbers = sorted(self.rows)
        rows = []
        width = 0
        for n in numbers:
            cells = self.rows[n]
            last = max(cells)
            width = max(width, last)
            rows.append(Row(n, tuple(cells.get(c) for c in range(1, last + 1))))
        merged = []
        if numbers:
            first, last_row = numbers[0], numbers[-1]
            for min_row, min_col, max_row, max_col in self.merged:
                # Clip to the rows and columns that hold something: a signature block merged far
                # past the table costs nothing.
                clipped = (max(min_row, first), min_col, min(max_row, last_row), min(max_col, width))
                if clipped[0] == min_row and clipped[0] <= clipped[2] and clipped[1] <= clipped[3] \
                        and (clipped[0], clipped[1]) != (clipped[2], clipped[3]):
                    merged.append(clipped)
        return Sheet(self.name, tuple(rows), tuple(merged), tuple(self.outside), self.outside_count,
                     tuple(self.damaged), self.damaged_count)


class _Budget:
    """What one file may cost: inflated bytes and rows with content, across all its parts."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.bytes_left = MAX_UNCOMPRESSED
        self.rows = 0
        self.cells = 0

    def take(self, n: int, part: str) -> None:
        self.bytes_left -= n
        if self.bytes_left < 0:
            raise FileUnreadable(
                f"Không đọc tệp {self.file_name}: phần “{part}” giải nén ra quá "
                f"{MAX_UNCOMPRESSED // 1024 // 1024} MB, quá lớn với một danh sách của xã (có thể là tệp độc hại)")

    def count_cell(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise FileUnreadable(f"Tệp {self.file_name} có hơn {MAX_CELLS:,} ô có dữ liệu, quá lớn với một danh sách "
                                 "của xã: hãy chia thành nhiều tệp nhỏ hơn".replace(",", "."))

    def count_row(self, sheet: str) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise FileUnreadable(f"Tệp {self.file_name} có hơn {MAX_ROWS:,} dòng có dữ liệu (trang “{sheet}”): "
                                 "hãy chia thành nhiều tệp nhỏ hơn".replace(",", "."))


def column_letters(column: int) -> str:
    """1 → ``A``, 28 → ``AB`` (any positive column, even beyond Excel's XFD)."""
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    if len(_COLUMNS) < 20_000:
        _COLUMNS[letters] = n
    return n


def _range(ref: str) -> tuple[int, int, int, int] | None:
    """``"A1:C3"`` → (min_row, min_col, max_row, max_col), or None for something else."""
    parts = ref.split(":")
    if len(parts) != 2:
        return None
    a, b = (_REF.fullmatch(p.replace("$", "")) for p in parts)
    if not a or not b:
        return None
    r1, r2 = sorted((int(a[2]), int(b[2])))
    c1, c2 = sorted((_column_number(a[1]), _column_number(b[1])))
    return (r1, c1, r2, c2) if r1 >= 1 and c1 >= 1 else None


# ---------------------------------------------------------------- .xlsx

_UNREADABLE_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
                   NotImplementedError, ValueError, KeyError, UnicodeDecodeError, expat.ExpatError)


class _Package:
    """The zip parts of a workbook, each read once, within the file's budget."""

    def __init__(self, zf: zipfile.ZipFile, budget: _Budget):
        self.zf, self.budget = zf, budget
        self.names = {info.filename: info for info in zf.infolist()}

    def has(self, member: str) -> bool:
        return member in self.names

    def parse(self, member: str, handlers, namespaces: bool = True) -> None:
        """Stream ``member`` through an expat parser set up by ``handlers(parser)``; element
        names are "namespace local" with ``namespaces``, else as written ("c", "x:c")."""
        info = self.names[member]
        if info.file_size > self.budget.bytes_left:    # refused before inflating anything
            self.budget.take(info.file_size, member)
        parser = expat.ParserCreate(namespace_separator=" " if namespaces else None)
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        handlers(parser)
        with self.zf.open(info) as stream:
            while chunk := stream.read(1 << 16):
                self.budget.take(len(chunk), member)
                parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def elements(self, member: str) -> list[tuple[str, dict]]:
        """(local name, attributes by local name) of every element of a small part."""
        out = []

        def setup(parser):
            parser.StartElementHandler = lambda name, attrs: out.append((_local(name), attrs))

        self.parse(member, setup)
        return out


class _DtdRefused(Exception):
    """A part declares a DTD: no spreadsheet needs one, an entity bomb does."""


def _refuse_dtd(*_args) -> None:
    raise _DtdRefused


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


_LOCAL: dict[str, str] = {}
_COLUMNS: dict[str, int] = {}


def _local_name(name: str) -> str:
    """``x:c`` → ``c`` for a sheet read without namespace processing (cached: a sheet has few tags)."""
    local = name.rpartition(":")[2]
    if len(_LOCAL) < 1000:
        _LOCAL[name] = local
    return local


def _attr(attrs: dict, local: str, namespace: str | None = None):
    """An attribute by local name (and namespace, for ``r:id``)."""
    if namespace:
        return attrs.get(f"{namespace} {local}")
    return attrs.get(local)


def _rels(package: _Package, part: str) -> list[tuple[str, str, str | None]]:
    """(type, member, id) of the relationships of ``part``, targets resolved to member names."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if not package.has(rels):
        return []
    out = []
    for local, attrs in package.elements(rels):
        if local != "Relationship" or attrs.get("TargetMode") == "External":
            continue
        target = attrs.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out.append((attrs.get("Type") or "", member, attrs.get("Id")))
    return out


def _read_xlsx(path: Path) -> list[Sheet]:
    budget = _Budget(path.name)
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_package(_Package(zf, budget), path.name)
    except _DtdRefused as exc:
        raise FileUnreadable(f"Không đọc tệp {path.name}: tệp có khai báo DTD, bảng tính Excel không bao giờ có "
                             "(có thể là tệp độc hại)") from exc
    except _UNREADABLE_ZIP as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: tệp hỏng hoặc không phải bảng tính Excel") from exc


def _read_package(package: _Package, file_name: str) -> list[Sheet]:
    root = [(t, m) for t, m, _ in _rels(package, "") if t.endswith(_REL_TYPE_END["officeDocument"])]
    workbook = root[0][1] if root else "xl/workbook.xml"
    if not package.has(workbook):
        raise FileUnreadable(f"Tệp {file_name} không phải bảng tính Excel (.xlsx): không có phần workbook")
    elements = package.elements(workbook)
    date1904 = any(local == "workbookPr" and attrs.get("date1904") in ("1", "true") for local, attrs in elements)
    rels = _rels(package, workbook)
    by_id = {rid: member for _, member, rid in rels}
    strings = _shared_strings(package, [m for t, m, _ in rels if t.endswith(_REL_TYPE_END["sharedStrings"])])
    date_styles = _date_styles(package, [m for t, m, _ in rels if t.endswith(_REL_TYPE_END["styles"])])
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    sheets = []
    for local, attrs in elements:
        if local != "sheet":
            continue
        member = by_id.get(_attr(attrs, "id", _NS_OFFICE_REL))
        if member is None or not package.has(member):
            continue
        grid = _Grid(clean(attrs.get("name")) or member, package.budget)
        _SheetParser(grid, strings, date_styles, epoch).run(package, member)
        sheets.append(grid.sheet())
    return sheets


def _shared_strings(package: _Package, members: list[str]) -> list:
    """The shared strings, each cleaned once (a register repeats a few texts thousands of times)."""
    member = next((m for m in members if package.has(m)), None)
    if member is None:
        return []
    out: list = []
    state = {"depth_rph": 0, "text": None, "parts": []}
    cleaned: dict[str, str] = {}

    def start(name, attrs):
        local = _local(name)
        if local == "si":
            state["parts"] = []
        elif local == "rPh":
            state["depth_rph"] += 1
        elif local == "t" and not state["depth_rph"]:
            state["text"] = []

    def end(name):
        local = _local(name)
        if local == "t" and state["text"] is not None:
            state["parts"].append("".join(state["text"]))
            state["text"] = None
        elif local == "rPh":
            state["depth_rph"] -= 1
        elif local == "si":
            text = "".join(state["parts"])
            out.append(text if len(text) > MAX_CELL_CHARS else cleaned.setdefault(text, clean(text)))

    def chars(data):
        if state["text"] is not None:
            state["text"].append(data)

    def setup(parser):
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars

    package.parse(member, setup)
    return out


def _date_styles(package: _Package, members: list[str]) -> frozenset[int]:
    """Indexes of the cell formats that show a number as a date."""
    member = next((m for m in members if package.has(m)), None)
    if member is None:
        return frozenset()
    formats = dict(BUILTIN_FORMATS)
    xfs: list[int] = []
    in_cell_xfs = False
    for local, attrs in package.elements(member):
        if local == "numFmt":
            try:
                formats[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode") or ""
            except ValueError:
                continue
        elif local == "cellXfs":
            in_cell_xfs = True
        elif local in ("cellStyleXfs", "cellStyles", "dxfs"):
            in_cell_xfs = False
        elif local == "xf" and in_cell_xfs:
            try:
                xfs.append(int(attrs.get("numFmtId", "0")))
            except ValueError:
                xfs.append(0)
    return frozenset(i for i, fmt_id in enumerate(xfs) if is_date_format(formats.get(fmt_id, "")))


class _SheetParser:
    """Streams one worksheet's XML into a :class:`_Grid`, looking only at the cells that exist."""

    def __init__(self, grid: _Grid, strings: list, date_styles: frozenset[int], epoch):
        self.grid, self.strings, self.date_styles, self.epoch = grid, strings, date_styles, epoch
        self.row = 0
        self.column = 0
        self.cell_type = None
        self.style = 0
        self.text: list[str] | None = None
        self.value = None
        self.inline: list[str] = []
        self.in_inline = False
        self.depth_rph = 0

    def run(self, package: _Package, member: str) -> None:
        def setup(parser):
            parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
            parser.CharacterDataHandler = self.chars

        package.parse(member, setup, namespaces=False)

    def start(self, name, attrs):
        local = _LOCAL.get(name) or _local_name(name)
        if local == "c":
            ref = attrs.get("r")
            letters = ref.rstrip("0123456789") if ref else ""
            digits = ref[len(letters):] if ref else ""
            if letters and digits and len(letters) <= 3 and len(digits) <= 7 and letters.isalpha() and letters.isascii():
                self.column = _COLUMNS.get(letters) or _column_number(letters)
                self.row = int(digits) or self.row
            else:
                self.column += 1
            self.cell_type = attrs.get("t")
            style = attrs.get("s")
            self.style = int(style) if style and style.isdigit() and len(style) < 8 else 0
            self.value = None
            self.inline = []
        elif local == "v":
            self.text = []
        elif local == "row":
            number = attrs.get("r")
            self.row = int(number) if number and number.isdigit() and len(number) < 8 else self.row + 1
            self.column = 0
        elif local == "is":
            self.in_inline = True
        elif local == "rPh":
            self.depth_rph += 1
        elif local == "t" and self.in_inline and not self.depth_rph:
            self.text = []
        elif local == "mergeCell":
            found = _range(attrs.get("ref") or "")
            if found and len(self.grid.merged) < MAX_MERGED:
                self.grid.merged.append(found)

    def chars(self, data):
        if self.text is not None:
            self.text.append(data)

    def end(self, name):
        local = _LOCAL.get(name) or _local_name(name)
        if local == "c":
            self._cell()
        elif local == "v" and self.text is not None:
            self.value = "".join(self.text)
            self.text = None
        elif local == "t" and self.text is not None:
            self.inline.append("".join(self.text))
            self.text = None
        elif local == "rPh":
            self.depth_rph -= 1
        elif local == "is":
            self.in_inline = False

    def _cell(self) -> None:
        kind, raw = self.cell_type, self.value
        if kind == "inlineStr":
            raw = "".join(self.inline)
        if raw is None or self.row < 1:
            return
        if kind is None or kind == "n":
            self.grid.put(self.row, self.column, self._number(raw))
        elif kind == "s":
            try:
                value = self.strings[int(raw)] if int(raw) >= 0 else None
            except (ValueError, IndexError):
                value = None
            if value is None:
                self.grid.damage(self.row, self.column, "ô trỏ tới một chuỗi chữ không có trong tệp")
            else:
                self.grid.put(self.row, self.column, value, cleaned=True)
        elif kind == "b":
            self.grid.put(self.row, self.column, raw.strip() in ("1", "true"))
        elif kind == "d":
            try:
                self.grid.put(self.row, self.column, dt.datetime.fromisoformat(raw.strip()))
            except ValueError:
                self.grid.put(self.row, self.column, raw)
        else:
            self.grid.put(self.row, self.column, raw)

    def _number(self, raw: str):
        try:
            number = int(raw)
        except ValueError:
            try:
                number = float(raw)
            except ValueError:
                return raw
        if self.style in self.date_styles and 0 <= number < 2958466:
            try:
                return from_excel(number, self.epoch)
            except (OverflowError, ValueError):
                return number
        return number


# ---------------------------------------------------------------- .csv

def decode_text(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` or tab) that splits most lines into the same number of fields.

    ``csv.Sniffer`` is easily fooled by amounts written ``1.080.000`` and by title rows.
    """
    sample = [line for line in text[:200_000].splitlines()[:50] if line.strip()]
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


def _unprotect(value: str) -> str:
    """A CSV value without the ``'`` that :mod:`commune_payout.sheet_writer` put before a formula trigger."""
    if value.startswith("'") and value[1:2] in CSV_TRIGGERS:
        return value[1:]
    return value


def _read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileUnreadable(f"Tệp {path.name} không phải tệp văn bản .csv")
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: bảng mã không phải UTF-8 hay Windows-1258") from exc
    grid = _Grid(path.name, _Budget(path.name))
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)), start=1):
            for column, value in enumerate(record, start=1):
                if value:
                    grid.put(number, column, _unprotect(value))
    except csv.Error as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: nội dung .csv bị lỗi") from exc
    return grid.sheet()
