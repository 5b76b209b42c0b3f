"""Reading .xlsx: our own streaming parser of the workbook's XML (expat).

It looks only at the cells that exist and never at ``<dimension>``; a part's declared size is
checked against the file's :class:`~commune_payout.sheets.grid.Budget` before it is unpacked and
the bytes really unpacked are counted while reading (a zip header can lie); a DTD refuses the
file. Dates are told by the cell's number format, as Excel shows them.
"""

import datetime as dt
import posixpath
import zipfile
import zlib
from pathlib import Path
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from commune_payout.errors import FileUnreadable
from commune_payout.sheets import grid as limits
from commune_payout.sheets.grid import COLUMNS, Budget, Grid, Sheet, cell_range, column_number
from commune_payout.text import clean

_NS_OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_TYPE_END = {"officeDocument": "/officeDocument", "sharedStrings": "/sharedStrings", "styles": "/styles",
                 "worksheet": "/worksheet"}
_UNREADABLE_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, RuntimeError,
                   NotImplementedError, ValueError, KeyError, UnicodeDecodeError, expat.ExpatError)


class _Package:
    """The zip parts of a workbook, each read once, within the file's budget."""

    def __init__(self, zf: zipfile.ZipFile, budget: Budget):
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


def _local_name(name: str) -> str:
    """``x:c`` → ``c`` for a sheet read without namespace processing (cached: a sheet has few tags)."""
    local = name.rpartition(":")[2]
    if len(_LOCAL) < 1000:
        _LOCAL[name] = local
    return local


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


def read_xlsx(path: Path) -> list[Sheet]:
    budget = Budget(path.name)
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
        member = by_id.get(attrs.get(f"{_NS_OFFICE_REL} id"))
        if member is None or not package.has(member):
            continue
        name = clean(attrs.get("name")) or member
        taken = {s.name for s in sheets}
        if name in taken:     # Excel never repeats a sheet name; a damaged file may
            name = next(f"{name} ({n})" for n in range(2, len(sheets) + 3) if f"{name} ({n})" not in taken)
        grid = Grid(name, package.budget)
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
            out.append(text if len(text) > limits.MAX_CELL_CHARS else cleaned.setdefault(text, clean(text)))

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
    """Streams one worksheet's XML into a :class:`Grid`, looking only at the cells that exist."""

    def __init__(self, grid: Grid, strings: list, date_styles: frozenset[int], epoch):
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
                self.column = COLUMNS.get(letters) or column_number(letters)
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
            found = cell_range(attrs.get("ref") or "")
            if found and len(self.grid.merged) < limits.MAX_MERGED:
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


