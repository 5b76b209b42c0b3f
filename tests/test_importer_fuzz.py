"""Property tests: generated hostile .xlsx and .csv files (Vietnamese and English headers,
merged cells, formulas, huge and negative numbers, control and invisible characters, emoji,
several encodings, empty and very wide sheets) never crash the import, every row with content
ends in one outcome, and every generated person is imported or listed with a problem, never
skipped as not a person."""

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commune_payout import importer, register, sheets
from commune_payout import settings as commune_settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError
from hostile_files import CATEGORIES, HUGE, NASTY_TEXT, SURNAMES, VILLAGES, raw_xlsx, sheet_xml

FIELDS = {
    "stt": ["STT", "TT", "Số TT", "No."],
    "full_name": ["Họ và tên", "Họ tên", "HỌ VÀ TÊN ĐỐI TƯỢNG", "Tên người hưởng"],
    "birth": ["Ngày sinh", "Năm sinh", "Ngày, tháng, năm sinh", "Date of birth"],
    "id": ["Số CCCD", "Số định danh cá nhân", "CMND/CCCD", "ID number"],
    "village": ["Thôn/Xóm", "Thôn", "Địa chỉ (thôn)", "Village"],
    "category": ["Diện đối tượng", "Loại đối tượng", "Category"],
    "amount": ["Mức hưởng", "Số tiền", "Mức trợ cấp (đồng)", "Amount"],
    "notes": ["Ghi chú", "Notes", "Remarks"],
}
ENGLISH = {"No.", "Date of birth", "ID number", "Village", "Category", "Amount", "Notes", "Remarks"}
TITLES = ["UBND XÃ AN BÌNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
          "DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP", "(Kèm theo Quyết định số 12/QĐ-UBND)"]
GIVEN = ["Văn An", "Thị Hoa", "Thị Cúc", "Văn Bình", "Đức Thắng", "Thị Tống", "Văn Cộng", "Minh", "Thị Thu Hà"]

nasty_char = st.sampled_from(NASTY_TEXT)
junk_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
junk_value = st.one_of(
    st.none(), junk_text, st.integers(-10**20, 10**20), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(HUGE).map(lambda v: ("n", v)), st.booleans(),
    st.tuples(st.just("f"), st.sampled_from(["A1*2", "SUM(B1:B9)", "=1"]), st.sampled_from([None, 5, "#REF!"])),
    st.sampled_from(["Cộng", "TỔNG CỘNG", "Người lập biểu", "Ngày 15 tháng 1 năm 2026", "Chủ tịch", "I", "THÔN ĐÔNG",
                     "(1)", "Kế toán", "Tổng số: 12"]),
)


@st.composite
def spiced(draw, text: str) -> str:
    """``text`` with an invisible character, an emoji or a control code slipped in, sometimes."""
    if draw(st.booleans()):
        return text
    i = draw(st.integers(0, len(text)))
    return text[:i] + draw(nasty_char) + text[i:]


@st.composite
def a_person(draw, n: int) -> dict:
    year = draw(st.integers(1925, 2020))
    cccd = f"0{draw(st.integers(1, 96)):02d}{draw(st.sampled_from('0123'))}{year % 100:02d}{draw(st.integers(0, 999999)):06d}"
    return {
        "stt": draw(st.sampled_from([n, str(n), None])),
        "full_name": draw(spiced(f"{draw(st.sampled_from(SURNAMES))} {draw(st.sampled_from(GIVEN))}")),
        "birth": draw(st.sampled_from([year, f"{draw(st.integers(1, 28)):02d}/{draw(st.integers(1, 12)):02d}/{year}",
                                       str(year), ("date", 10000 + n)])),
        "id": draw(st.sampled_from([cccd, int(cccd), "０" + cccd[1:], cccd[:3] + "\u200b" + cccd[3:]])),
        "village": draw(st.sampled_from(VILLAGES)) + draw(st.sampled_from(["", "\u200b", "\ufeff", " "])),
        "category": draw(st.sampled_from([*CATEGORIES, "", "diện lạ"])),
        "amount": draw(st.sampled_from([500000, "750.000", 1000000, ("n", "-5"), ("n", "1e999"), "", None])),
        "notes": draw(st.one_of(st.none(), junk_text)),
    }


@st.composite
def a_register(draw):
    """(sheets, persons): sheets as lists of rows; persons as (sheet index, row number)."""
    sheets_out, persons = [], []
    for s in range(draw(st.integers(1, 3))):
        columns = draw(st.permutations(list(FIELDS)))
        columns = [c for c in columns if c == "full_name" or draw(st.integers(0, 4))]
        if not {"id", "birth", "village"} & set(columns):   # a person has something besides a name
            columns.append(draw(st.sampled_from(["id", "birth", "village"])))
        header = [draw(st.sampled_from(FIELDS[c])) for c in columns]
        width_extra = draw(st.sampled_from([0, 0, 0, 3, 250]))
        header += [f"Cột {i}" for i in range(width_extra)]
        rows = [[t] for t in draw(st.lists(st.sampled_from(TITLES), max_size=3))]
        rows.append(header)
        for n in range(1, draw(st.integers(0, 12)) + 1):
            if draw(st.integers(0, 3)):
                p = draw(a_person(n))
                rows.append([p[c] for c in columns])
                persons.append((s, len(rows), tuple(header)))
            else:
                rows.append(draw(st.lists(junk_value, max_size=len(columns) + 2)))
        merges = draw(st.lists(st.sampled_from(["A1:E1", "B2:B5", "A3:C4", "F10:F99", "A1:XFD1048576", "C5:D5"]),
                               max_size=3, unique=True))
        sheets_out.append((draw(st.sampled_from(["DS", "Thôn Đông", "Sheet1", "Danh sách [1]"])) + str(s), rows,
                           merges))
    return sheets_out, persons


def fresh_context():
    db = open_db(":memory:")
    commune_settings.init_commune(db, "05425")
    return Context(db, clock=FixedClock(dt.datetime(2026, 1, 15, 9)), user="fuzz")


def assert_every_row_accounted(path: Path, persons_at: dict) -> None:
    """Import ``path``: a refusal, or every row one outcome and every person not skipped.

    ``persons_at`` maps (sheet, row) of each generated person to its sheet's header texts; a
    person counts when the importer knows one of its columns that only people have (an English
    header is not one it knows, so there the row is a name alone)."""
    ctx = fresh_context()
    try:
        result = importer.import_file(ctx, path)
    except UserError:
        return
    read = sheets.read_sheets(path)
    assert sorted((o.sheet, o.row) for o in result.outcomes) == sorted((s.name, r.number) for s in read for r in s.rows)
    assert register.count(ctx.db) == result.imported
    by_row = {(o.sheet, o.row): o for o in result.outcomes}
    problem_rows = {(p.sheet, p.row) for p in result.problems}
    for (sheet, row), headers in persons_at.items():
        layout = result.layouts.get(sheet)
        if layout is None or row <= layout.last_header_row:
            continue    # a sheet without a recognisable header is refused as a whole, and said so
        used = {key for i, h in enumerate(headers) if (key := importer.column_key(h)) and layout.columns.get(key) == i}
        if not used & {"id_number", "birth_date", "village"}:
            continue
        outcome = by_row[(sheet, row)]
        assert outcome.outcome != "skipped", (sheet, row, outcome)
        if outcome.outcome == "rejected":
            assert (sheet, row) in problem_rows
    importer.write_report(result, path.with_suffix(".report.xlsx"))
    importer.write_annotated(result, path, path.with_suffix(".annotated.xlsx"))


def persons_by_row(names, persons):
    return {(names[s], row): headers for s, row, headers in persons}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(a_register())
def test_generated_workbooks(generated):
    sheet_list, persons = generated
    with tempfile.TemporaryDirectory() as folder:
        path = raw_xlsx(Path(folder) / "ds.xlsx", [(name, sheet_xml(rows, merges=merges))
                                                    for name, rows, merges in sheet_list])
        names = [sheets.read_sheets(path)[i].name for i in range(len(sheet_list))]
        assert_every_row_accounted(path, persons_by_row(names, persons))


def csv_cell(value) -> str:
    if value is None:
        return ""
    text = str(value[1] if isinstance(value, tuple) else value)
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',;\t"\r\n') else text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(a_register(), st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258"]))
def test_generated_csv_files(generated, delimiter, encoding):
    sheet_list, persons = generated
    name, rows, _merges = sheet_list[0]
    text = "\r\n".join(delimiter.join(csv_cell(v) for v in row) for row in rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ds.csv"
        path.write_bytes(text.encode(encoding, errors="replace"))
        assert_every_row_accounted(path, {("ds.csv", row): headers for s, row, headers in persons if s == 0})
