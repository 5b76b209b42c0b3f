"""Every spreadsheet the app writes (.xlsx and .csv) is written here, and none can carry a formula.

A name, village, account holder or note comes from a register typed by someone else and may
begin with ``=``: opened at the bank or the police station, a spreadsheet would run it. So:

* .xlsx: every text cell is written as a string (``t="inlineStr"``), never a formula nor an
  error code; characters the format forbids are dropped and text is cut at Excel's limit of
  32,767 characters. Numbers stay numbers, ``True``/``False`` are booleans, dates are dates,
  anything else is written as its text. Cells may carry a note (an Excel comment), and ranges
  may be merged.
* .csv: a text value that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading ``'`` (the OWASP advice on CSV injection), and every text value is quoted, so
  a separator inside a value cannot start a new cell either. Numbers stay numbers, unquoted.

Rows are streamed: an .xlsx sheet's rows go as XML to a temporary file as they are appended and
a .csv goes straight to its file, so a writer touches each row once, never asks the sheet how
long it is, and holds one row in memory whatever the number of rows. The .xlsx is written here
(SpreadsheetML: a workbook, its sheets, one style sheet) rather than through openpyxl, whose
write-only mode spends about 10 µs per cell: the office's export of a province's 510,000 people
(7 million cells) took 98–164 s. Both are written atomically (:mod:`commune_payout.atomic`).
"""

import csv
import datetime as dt
import math
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass

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

# Characters XML 1.0 does not allow (and lone surrogates, which UTF-8 cannot carry).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What makes a text need more than copying into the XML: the above, and what XML escapes.
_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff&<>]")
# Number formats Excel knows by number; others are declared in the style sheet from 164 on.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _text(value: str) -> str:
    return _ILLEGAL.sub("", value)[:EXCEL_TEXT_LIMIT]


# XML escaping written here rather than taken from xml.sax.saxutils, whose import brings urllib,
# http and ssl into every process that writes a sheet (and into the CLI's --help).
def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _attribute(text: str) -> str:
    """``text`` as a quoted XML attribute value."""
    return '"' + _escape(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;") + '"'


def column_letter(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_EPOCH = dt.datetime(1899, 12, 30)
DATE = Style(number_format="dd/mm/yyyy")
DATE_TIME = Style(number_format="dd/mm/yyyy hh:mm")


def _serial(value: dt.date) -> float | int:
    """A date as Excel counts it: days since 30/12/1899, the time of day as a fraction."""
    if isinstance(value, dt.datetime):
        return (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
    return (value - _EPOCH.date()).days


def _cell(ref: str, value, style: int) -> str:
    """One ``<c>`` element; text is always an inline string, never a formula."""
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if value is True or value is False:
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{_serial(value)!r}</v></c>'
    text = value if isinstance(value, str) else str(value)
    if _SPECIAL.search(text) or len(text) > EXCEL_TEXT_LIMIT:
        text = _escape(_text(text))
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


class Sheet:
    """One worksheet being streamed; ``rows`` counts the rows appended so far."""

    def __init__(self, book: "Workbook", title: str, widths, freeze: str | None):
        self._book = book
        self.title = title
        self.widths = tuple(widths)
        self.freeze = freeze
        self.rows = 0
        self.comments: list[tuple[int, int, str]] = []    # (row, column, text), 0-based
        self.merged: list[str] = []
        self._letters: list[str] = []
        self._file = tempfile.TemporaryFile()

    def append(self, values=(), style: Style | None = None, columns: dict[int, Style] | None = None,
               comments: dict[int, str] | None = None) -> int:
        """Write one row; ``style`` applies to every cell, ``columns`` (0-based index) to some, and
        ``comments`` (0-based index → text) puts a note on some cells. A date without a style of
        its own shows as a date.

        Returns the row's number in the sheet (1-based, as Excel shows it).
        """
        self.rows += 1
        n = str(self.rows)
        values = list(values)
        while len(self._letters) < max(len(values), max(comments or (0,)) + 1):
            self._letters.append(column_letter(len(self._letters)))
        index = self._book.style_index
        plain = index(style)
        cells = [_cell(letter + n, value, index(columns[i]) if columns and i in columns
                       else plain if style or not isinstance(value, dt.date)
                       else index(DATE_TIME if isinstance(value, dt.datetime) else DATE))
                 for i, (letter, value) in enumerate(zip(self._letters, values))]
        self._file.write(f'<row r="{n}">{"".join(cells)}</row>'.encode("utf-8"))
        self.comments += [(self.rows - 1, i, _text(text)) for i, text in (comments or {}).items() if text]
        return self.rows

    def merge(self, min_row: int, min_col: int, max_row: int, max_col: int) -> None:
        """Merge a range of cells (1-based), written when the workbook is saved."""
        self.merged.append(f"{column_letter(min_col - 1)}{min_row}:{column_letter(max_col - 1)}{max_row}")

    def _head(self) -> str:
        view = ""
        if self.freeze and self.freeze != "A1":
            col, row = re.fullmatch(r"([A-Z]+)(\d+)", self.freeze).groups()
            x = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(col))) - 1
            y = int(row) - 1
            pane = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
            split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
            view = (f'<sheetViews><sheetView workbookViewId="0"><pane{split} topLeftCell="{self.freeze}" '
                    f'activePane="{pane}" state="frozen"/><selection pane="{pane}"/></sheetView></sheetViews>')
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(self.widths, start=1))
        return (f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELS}">{view}<sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")

    def _write(self, out) -> None:
        out.write(self._head().encode("utf-8"))
        self._file.seek(0)
        shutil.copyfileobj(self._file, out, 1024 * 1024)
        tail = "</sheetData>"
        if self.merged:
            tail += (f'<mergeCells count="{len(self.merged)}">'
                     + "".join(f'<mergeCell ref="{ref}"/>' for ref in self.merged) + "</mergeCells>")
        if self.comments:
            tail += '<legacyDrawing r:id="rId2"/>'
        out.write((tail + "</worksheet>").encode("utf-8"))
        self._file.close()

    def _comments_xml(self) -> str:
        notes = "".join(f'<comment ref="{column_letter(c)}{r + 1}" authorId="0"><text><t xml:space="preserve">'
                        f'{_escape(text)}</t></text></comment>' for r, c, text in self.comments)
        return (f'{_XML}<comments xmlns="{_MAIN}"><authors><author>commune_payout</author></authors>'
                f"<commentList>{notes}</commentList></comments>")

    def _notes_vml(self, number: int) -> str:
        """The boxes Excel draws the notes in (a legacy VML drawing, which Excel still requires)."""
        shapes = "".join(
            f'<v:shape id="_x0000_s{number * 1024 + i + 1}" type="#_x0000_t202" style="position:absolute;'
            'margin-left:80pt;margin-top:2pt;width:240pt;height:90pt;z-index:1;visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" '
            'obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/>'
            f"<x:SizeWithCells/><x:Anchor>{c + 1}, 15, {r}, 2, {c + 4}, 15, {r + 5}, 2</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{r}</x:Row><x:Column>{c}</x:Column></x:ClientData></v:shape>"
            for i, (r, c, _text_) in enumerate(self.comments))
        return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit">'
                f'<o:idmap v:ext="edit" data="{number}"/></o:shapelayout><v:shapetype id="_x0000_t202" '
                'coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
                f'<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>{shapes}</xml>')


class Workbook:
    """An .xlsx workbook written in streaming mode: add sheets, append rows, then :meth:`save`."""

    def __init__(self):
        self._sheets: list[Sheet] = []
        self._styles: dict[Style, int] = {}

    def sheet(self, title: str, widths=(), freeze: str | None = None) -> Sheet:
        """A new sheet; column ``widths`` (from column A) and the ``freeze`` cell (e.g. ``"A6"``)."""
        title = sheet_title(title)
        taken = {s.title.casefold() for s in self._sheets}
        base, n = title, 1
        while title.casefold() in taken:
            suffix = str(n)
            title, n = base[:31 - len(suffix)] + suffix, n + 1
        sheet = Sheet(self, title, widths, freeze)
        self._sheets.append(sheet)
        return sheet

    def style_index(self, style: Style | None) -> int:
        """The number of ``style`` among the style sheet's cell formats (0: the default look)."""
        if style is None or style == Style():
            return 0
        return self._styles.setdefault(style, len(self._styles) + 1)

    def save(self, path) -> None:
        """Write the workbook to ``path`` atomically."""
        if not self._sheets:
            self.sheet("Sheet")
        names = [f"xl/worksheets/sheet{i}.xml" for i in range(1, len(self._sheets) + 1)]
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            zf.writestr("[Content_Types].xml", _content_types(
                names, [f"xl/comments{i}.xml" for i, s in enumerate(self._sheets, start=1) if s.comments]))
            zf.writestr("_rels/.rels", f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
                                       f'Type="{_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
            sheets = "".join(f'<sheet name={_attribute(s.title)} sheetId="{i}" r:id="rId{i}"/>'
                             for i, s in enumerate(self._sheets, start=1))
            zf.writestr("xl/workbook.xml", f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_RELS}"><sheets>{sheets}'
                                           "</sheets></workbook>")
            rels = "".join(f'<Relationship Id="rId{i}" Type="{_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                           for i in range(1, len(names) + 1))
            zf.writestr("xl/_rels/workbook.xml.rels",
                        f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}">{rels}<Relationship Id="rId{len(names) + 1}" '
                        f'Type="{_RELS}/styles" Target="styles.xml"/></Relationships>')
            zf.writestr("xl/styles.xml", _style_sheet(list(self._styles)))
            for number, (name, sheet) in enumerate(zip(names, self._sheets), start=1):
                with zf.open(name, "w", force_zip64=True) as out:
                    sheet._write(out)
                if sheet.comments:
                    zf.writestr(f"xl/worksheets/_rels/sheet{number}.xml.rels",
                                f'{_XML}<Relationships xmlns="{_PACKAGE_RELS}"><Relationship Id="rId1" '
                                f'Type="{_RELS}/comments" Target="../comments{number}.xml"/><Relationship Id="rId2" '
                                f'Type="{_RELS}/vmlDrawing" Target="../drawings/vmlDrawing{number}.vml"/>'
                                "</Relationships>")
                    zf.writestr(f"xl/comments{number}.xml", sheet._comments_xml())
                    zf.writestr(f"xl/drawings/vmlDrawing{number}.vml", sheet._notes_vml(number))


def _content_types(sheets: list[str], comments: list[str]) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(f'<Override PartName="/{name}" ContentType="{kind}.worksheet+xml"/>' for name in sheets)
    overrides += "".join(f'<Override PartName="/{name}" ContentType="{kind}.comments+xml"/>' for name in comments)
    return (f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>{overrides}</Types>')


def _style_sheet(styles: list[Style]) -> str:
    """The style sheet: the default look first, then one cell format per style used."""
    formats = {s.number_format for s in styles if s.number_format and s.number_format not in _BUILTIN_FORMATS}
    format_ids = {**_BUILTIN_FORMATS, **{f: 164 + i for i, f in enumerate(sorted(formats))}}
    fonts = list(dict.fromkeys((s.bold, s.size) for s in styles if s.bold or s.size))
    fills = list(dict.fromkeys(s.fill for s in styles if s.fill))
    font_xml = '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' + "".join(
        f'<font>{"<b/>" if bold else ""}<sz val="{size or 11:g}"/><name val="Calibri"/><family val="2"/></font>'
        for bold, size in fonts)
    fill_xml = '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>' + "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{fill.upper()}"/><bgColor indexed="64"/>'
        "</patternFill></fill>" for fill in fills)
    xfs = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    for s in styles:
        font = fonts.index((s.bold, s.size)) + 1 if s.bold or s.size else 0
        fill = fills.index(s.fill) + 2 if s.fill else 0
        number = format_ids.get(s.number_format or "General", 0)
        align = ' applyAlignment="1"><alignment wrapText="1" vertical="center"/>' if s.wrap else ">"
        xfs += (f'<xf numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0" applyFont="1" '
                f'applyFill="1" applyNumberFormat="1"{align}</xf>')
    num_fmts = "".join(f'<numFmt numFmtId="{format_ids[f]}" formatCode={_attribute(f)}/>' for f in sorted(formats))
    return (f'{_XML}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
            + f'<fonts count="{len(fonts) + 1}">{font_xml}</fonts><fills count="{len(fills) + 2}">{fill_xml}</fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(styles) + 1}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def sheet_title(name: str) -> str:
    """``name`` as Excel accepts a sheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in _text(name))[:31].strip() or "Sheet"
