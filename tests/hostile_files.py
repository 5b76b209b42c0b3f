"""Spreadsheets as hostile as the ones officers receive: built byte by byte where openpyxl would
refuse to write them (a stray cell at XFD1048576, a lying <dimension>, a shared string that
does not exist, a DTD, a zip bomb), and a seeded corpus of several hundred such files.

Used by the importer's tests and by ``bench/fuzz_import.py``.
"""

import codecs
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Xóm", "Diện đối tượng", "Mức hưởng",
          "Số tài khoản", "Ngân hàng", "Ghi chú"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Tống", "Công", "Cộng", "Phạm", "Đặng", "Lò", "Hà", "Tổng", "Ông"]
GIVEN = ["Văn An", "Thị Hoa", "Thị Cúc", "Văn Bình", "Đức Thắng", "Thị Tống", "Cộng Hòa", "Văn Cộng"]
VILLAGES = ["Thôn Đông", "Thôn Đoài", "Xóm Mới", "Bản Mé", "Tổ dân phố 3"]
CATEGORIES = ["NKT nặng", "Trẻ em mồ côi", "Thương binh", "Thân nhân liệt sĩ", "NCT từ 80 tuổi không có lương hưu"]
NASTY_TEXT = ["\u200b", "\u200f", "\ufeff", "\u202e", "\x00", "\x07", "\x1b", "😀", "\u0301", "=HYPERLINK(\"x\")",
              "'", "\"", "<", "&", "]]>", "\r\n", "\t", "ⅫⅫ", "０１２", "٣", "\U0010ffff"]
HUGE = ["1e999", "-1e999", "9.2e18", "NaN", "-0", "1e308", "123456789012345678901234567890", "-5", "0.5", "1E+300"]


# ---------------------------------------------------------------- raw .xlsx

def cell_xml(ref: str, value) -> str:
    """One ``<c>``: str → inline string, int/float → number, bool → boolean, or a tuple:
    ("n", "1e999") a raw number text, ("s", 7) a shared-string index, ("f", "A1*2", cached)
    a formula, ("raw", "<c …/>") anything."""
    if isinstance(value, tuple):
        kind = value[0]
        if kind == "n":
            return f'<c r="{ref}"><v>{escape(value[1])}</v></c>'
        if kind == "s":
            return f'<c r="{ref}" t="s"><v>{value[1]}</v></c>'
        if kind == "f":
            cached = "" if value[2] is None else f"<v>{escape(str(value[2]))}</v>"
            return f'<c r="{ref}"><f>{escape(value[1])}</f>{cached}</c>'
        if kind == "date":
            return f'<c r="{ref}" s="1"><v>{value[1]}</v></c>'
        return value[1]
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = "".join(ch for ch in str(value) if ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF or 0xE000 <= ord(ch) <= 0xFFFD
                   or 0x10000 <= ord(ch) <= 0x10FFFF)
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def sheet_xml(rows, merges=(), dimension: str | None = None, numbered: bool = False) -> str:
    """A worksheet. ``rows`` is a list of value lists (row 1 first) or, with ``numbered``, of
    (row number, {column number: value})."""
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{NS}">']
    if dimension:
        out.append(f'<dimension ref="{dimension}"/>')
    out.append("<sheetData>")
    items = rows if numbered else [(n, dict(enumerate(r, start=1))) for n, r in enumerate(rows, start=1)]
    for number, cells in items:
        out.append(f'<row r="{number}">')
        for column, value in sorted(cells.items()):
            if value is not None:
                out.append(cell_xml(f"{get_column_letter(column)}{number}", value))
        out.append("</row>")
    out.append("</sheetData>")
    if merges:
        out.append(f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
                   + "</mergeCells>")
    out.append("</worksheet>")
    return "".join(out)


STYLES = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{NS}"><cellXfs count="2">'
          '<xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')


def raw_xlsx(path, sheets, shared=None, styles: str | None = STYLES, extra: dict | None = None,
             compression=zipfile.ZIP_DEFLATED) -> Path:
    """An .xlsx from worksheet XML: ``sheets`` is a list of (name, xml); ``shared`` the shared strings."""
    path = Path(path)
    names = "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                    for i, (name, _xml) in enumerate(sheets, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    rels += f'<Relationship Id="rS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>' if shared is not None else ""
    rels += f'<Relationship Id="rY" Type="{REL}/styles" Target="styles.xml"/>' if styles else ""
    with zipfile.ZipFile(path, "w", compression) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"/>')
        zf.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}"><Relationship Id="r1" '
                    f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
                    f"{names}</sheets></workbook>")
        zf.writestr("xl/_rels/workbook.xml.rels", f'<?xml version="1.0"?><Relationships xmlns="{PKG}">{rels}'
                    "</Relationships>")
        for i, (_name, xml) in enumerate(sheets, start=1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared is not None:
            items = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
            zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{NS}">{items}</sst>')
        if styles:
            zf.writestr("xl/styles.xml", styles)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def bomb_xlsx(path, inflated_bytes: int, part: str = "sheet") -> Path:
    """A small .xlsx whose worksheet (or shared strings) inflates to ``inflated_bytes``."""
    path = Path(path)
    filler = b"<row/>" * (1 << 16)
    head = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode()
    raw_xlsx(path, [("DS", sheet_xml([HEADER]))], shared=[] if part == "shared" else None)
    member = "xl/worksheets/sheet1.xml" if part == "sheet" else "xl/sharedStrings.xml"
    temp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != member:
                dst.writestr(info, src.read(info))
                continue
            with dst.open(member, "w", force_zip64=True) as out:
                out.write(head if part == "sheet" else f'<?xml version="1.0"?><sst xmlns="{NS}"><si><t>'.encode())
                written = 0
                chunk = filler if part == "sheet" else b"A" * len(filler)
                while written < inflated_bytes:
                    out.write(chunk)
                    written += len(chunk)
                out.write(b"</sheetData></worksheet>" if part == "sheet" else b"</t></si></sst>")
    temp.replace(path)
    return path


# ---------------------------------------------------------------- people and the corpus

def person(rnd: random.Random, n: int) -> list:
    """A person row under :data:`HEADER`, in one of the ways people are typed."""
    name = f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}"
    year = rnd.randrange(1930, 2020)
    cccd = f"0{rnd.randrange(1, 96):02d}{rnd.choice('0123')}{year % 100:02d}{rnd.randrange(10**6):06d}"
    birth = rnd.choice([f"{rnd.randrange(1, 28):02d}/{rnd.randrange(1, 13):02d}/{year}", year, ("date", 20000 + n)])
    return [n, name, birth, rnd.choice(["Nam", "Nữ"]), rnd.choice([cccd, int(cccd)]), rnd.choice(VILLAGES),
            rnd.choice(CATEGORIES), rnd.choice([500000, "750.000", 1000000]), None, None, None]


def nasty(rnd: random.Random, text: str) -> str:
    """``text`` with invisible characters, emoji or controls slipped in."""
    i = rnd.randrange(len(text) + 1)
    return text[:i] + rnd.choice(NASTY_TEXT) + text[i:]


def corpus(folder, count: int, seed: int = 11) -> list[Path]:
    """``count`` hostile files in ``folder``, the same for the same seed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    makers = [_mangled_people, _numbers_out_of_range, _merges_past_the_data, _stray_far_cells, _lying_dimension,
              _bad_shared_strings, _formulas, _junk_zip, _csv_encodings, _wide_and_empty, _totals_and_signatures,
              _truncated]
    return [makers[i % len(makers)](folder / f"f{i:04d}", rnd) for i in range(count)]


def _people(rnd, count=None):
    return [person(rnd, n) for n in range(1, (count or rnd.randrange(1, 30)) + 1)]


def _mangled_people(base, rnd):
    rows = [HEADER, *_people(rnd)]
    for row in rows[1:]:
        for _ in range(rnd.randrange(3)):
            c = rnd.randrange(len(row))
            if isinstance(row[c], str):
                row[c] = nasty(rnd, row[c])
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows))])


def _numbers_out_of_range(base, rnd):
    rows = [HEADER, *_people(rnd)]
    for row in rows[1:]:
        c = rnd.choice([0, 2, 4, 7, 8])
        row[c] = ("n", rnd.choice(HUGE))
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows))])


def _merges_past_the_data(base, rnd):
    rows = [["DANH SÁCH"], HEADER, *_people(rnd), [None, "Người lập biểu", None, None, None, "Chủ tịch"]]
    last = len(rows)
    merges = [f"A{last}:{get_column_letter(rnd.randrange(5, 16384))}{last + rnd.randrange(1, 1_000_000)}",
              f"F3:F{last + rnd.randrange(1, 50)}", "A1:XFD1", f"B{last + 5}:C{last + 9}"]
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows, merges=merges))])


def _stray_far_cells(base, rnd):
    rows = [(1, dict(enumerate(HEADER, start=1)))]
    rows += [(n + 1, dict(enumerate(p, start=1))) for n, p in enumerate(_people(rnd), start=1)]
    rows.append((rnd.choice([1048576, 60000, 5000]), {rnd.choice([16384, 300, 2]): "x"}))
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows, numbered=True))])


def _lying_dimension(base, rnd):
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml([HEADER, *_people(rnd)],
                                                                 dimension=rnd.choice(["A1:XFD10001", "A1:XFD1048576",
                                                                                       "A1:A1", "ZZZ"])))])


def _bad_shared_strings(base, rnd):
    people = _people(rnd)
    shared = [p[1] for p in people]
    rows = [HEADER] + [[*p[:1], ("s", rnd.choice([i, i, len(shared) + 5, -1, "x"])), *p[2:]]
                       for i, p in enumerate(people)]
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows))], shared=shared)


def _formulas(base, rnd):
    rows = [HEADER]
    for p in _people(rnd):
        p[7] = ("f", f"H{len(rows)}*2", rnd.choice([None, 500000, "#REF!", "=1+1"]))
        p[1] = rnd.choice([p[1], "=HYPERLINK(\"http://x\",\"y\")", "+84 912", "@SUM(A1)"])
        rows.append(p)
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows))])


def _junk_zip(base, rnd):
    kind = rnd.randrange(6)
    path = base.with_suffix(".xlsx")
    if kind == 0:
        path.write_bytes(bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 4000))))
    elif kind == 1:
        raw_xlsx(path, [("DS", sheet_xml([HEADER, *_people(rnd)]))])
        data = bytearray(path.read_bytes())
        for _ in range(rnd.randrange(1, 20)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        path.write_bytes(bytes(data))
    elif kind == 2:
        raw_xlsx(path, [("DS", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;'
                                '&a;&a;">]><worksheet xmlns="' + NS + '"><sheetData><row r="1"><c r="A1" '
                                't="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')])
    elif kind == 3:
        raw_xlsx(path, [("DS", "<worksheet><sheetData><row><c><v>1</v></c>")])
    elif kind == 4:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "không phải bảng tính")
    else:
        raw_xlsx(path, [("DS", sheet_xml([HEADER, *_people(rnd)]))])
        path.write_bytes(path.read_bytes()[: rnd.randrange(30, path.stat().st_size)])
    return path


def _csv_encodings(base, rnd):
    rows = [HEADER, *_people(rnd)]
    delimiter = rnd.choice([",", ";", "\t"])
    lines = []
    for row in rows:
        cells = []
        for value in row:
            text = "" if value is None else str(value[1] if isinstance(value, tuple) else value)
            if rnd.random() < 0.1:
                text = nasty(rnd, text)
            cells.append(f'"{text}"' if delimiter in text or '"' in text else text)
        lines.append(delimiter.join(cells))
    text = "\r\n".join(lines)
    encoding = rnd.choice(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"])
    data = text.encode(encoding, errors="replace")
    path = base.with_suffix(".csv")
    path.write_bytes(data if encoding != "utf-16" or data.startswith(codecs.BOM_UTF16_LE) else data)
    return path


def _wide_and_empty(base, rnd):
    kind = rnd.randrange(3)
    if kind == 0:
        return raw_xlsx(base.with_suffix(".xlsx"), [("Trống", sheet_xml([]))])
    if kind == 1:
        wide = [f"Cột {i}" for i in range(1, 400)]
        return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml([HEADER + wide, *_people(rnd)]))])
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml([HEADER, *_people(rnd)])),
                                                ("Sheet2", sheet_xml([["ghi chú"]])), ("Sheet3", sheet_xml([]))])


def _totals_and_signatures(base, rnd):
    rows = [HEADER]
    for village in rnd.sample(VILLAGES, 2):
        rows.append(["I", village.upper()])
        rows += _people(rnd, rnd.randrange(1, 6))
        rows.append([None, f"Cộng {village}", None, None, None, None, None, 1500000])
    rows.append([None, "TỔNG CỘNG", None, None, None, None, None, 3000000])
    rows.append([None, "Ngày 15 tháng 1 năm 2026"])
    rows.append([None, "Người lập biểu", None, None, None, "Kế toán", None, "Chủ tịch"])
    rows.append([None, "Nguyễn Thị Lập", None, None, None, "Lê Văn Toán", None, "Trần Văn Chủ"])
    rows += _people(rnd, rnd.randrange(0, 3))        # people below the signatures, as some lists have
    return raw_xlsx(base.with_suffix(".xlsx"), [("DS", sheet_xml(rows))])


def _truncated(base, rnd):
    path = base.with_suffix(".xlsx")
    raw_xlsx(path, [("DS", sheet_xml([HEADER, *_people(rnd)]))], compression=zipfile.ZIP_STORED)
    data = path.read_bytes()
    cut = rnd.randrange(len(data) // 2, len(data))
    path.write_bytes(data[:cut] + data[cut + rnd.randrange(1, 40):])
    return path
