"""No spreadsheet the app writes carries a live formula: the writer itself, then every export
(register, both bank transfer lists, the police report, the office's exports) fed the payloads
an attacker would type into a name, a village, an account holder or a receiver."""

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from commune_payout import checks, register, sheet_writer
from commune_payout.export import export_register
from commune_payout.sheets import read_sheets
from commune_payout.sync import reports
from commune_payout.transfers import export_transfers
from test_payouts import add_person, locked, tet_spec
from test_sync import office  # noqa: F401  (fixture)

HYPERLINK = '=HYPERLINK("HTTP://X","Y")'
PAYLOADS = [HYPERLINK, "+84 912 345 678", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0",
            "\t=1+1", "\r=1+1", "=1+1", "#N/A"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_xml(path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/"))


def assert_no_formula(path, *expected_text):
    """No ``<f>`` element anywhere in the sheets, and each expected text is there, as text."""
    xml = xlsx_xml(path)
    assert not re.search(r"<f[ >/]", xml), f"{path.name} carries a formula"
    assert 't="e"' not in xml
    values = [c.value for ws in openpyxl.load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
    for text in expected_text:
        # XML reads a carriage return back as a line feed; either way the cell is text
        assert text in values or text.replace("\r", "\n") in values, text


def csv_cells(path) -> list[str]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return [cell for row in csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)) for cell in row]


def assert_csv_safe(path, *expected_text):
    cells = csv_cells(path)
    assert not [c for c in cells if c.startswith(TRIGGERS)], f"{path.name} has an unescaped trigger"
    for text in expected_text:
        assert "'" + text in cells, text


# --- the writer -----------------------------------------------------------------------------------

def test_csv_value_prefixes_exactly_the_owasp_triggers():
    for text in PAYLOADS:
        assert sheet_writer.csv_value(text) == ("'" + text if text.startswith(TRIGGERS) else text)
    assert sheet_writer.csv_value("Nguyễn Văn An") == "Nguyễn Văn An"
    assert sheet_writer.csv_value("'=already") == "'=already"
    assert sheet_writer.csv_value(-600_000) == -600_000 and sheet_writer.csv_value(1.5) == 1.5
    assert sheet_writer.csv_value(None) is None


def test_csv_keeps_numbers_as_numbers_and_quotes_text(tmp_path):
    path = tmp_path / "t.csv"
    assert sheet_writer.write_csv(path, [["Tên", "Số tiền"], ["A;=1+1", -600_000], [None, 1.5]]) == 3
    text = path.read_bytes().decode("utf-8-sig")
    # a separator inside a value cannot open a new cell under a semicolon locale either
    assert text == '"Tên","Số tiền"\r\n"A;=1+1",-600000\r\n"",1.5\r\n'
    assert not list(tmp_path.glob(".*.tmp"))


def test_xlsx_text_is_text_numbers_are_numbers(tmp_path):
    book = sheet_writer.Workbook()
    sheet = book.sheet("a/b:c" * 10, widths=(10, 20), freeze="A2")
    assert sheet.append(["Tên", "Số tiền"], style=sheet_writer.BOLD) == 1
    for i, text in enumerate(PAYLOADS, start=2):
        assert sheet.append([text, -600_000 * i]) == i
    sheet.append(["bad \x00\x07 chars", 1.5, None, True])
    sheet.append(["x" * 40_000])
    book.save(tmp_path / "t.xlsx")
    assert_no_formula(tmp_path / "t.xlsx", *PAYLOADS)
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert ws.title == "a_b_ca_b_ca_b_ca_b_ca_b_ca_b_ca"
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold and ws.column_dimensions["B"].width == 20
    assert ws["B2"].value == -1_200_000 and ws["B2"].data_type == "n"
    assert [c.value for c in ws[len(PAYLOADS) + 2]] == ["bad  chars", 1.5, None, True]
    assert len(ws.cell(len(PAYLOADS) + 3, 1).value) == sheet_writer.EXCEL_TEXT_LIMIT


# --- every export ---------------------------------------------------------------------------------

@pytest.fixture
def hostile(ctx):
    """People whose every free-text field starts with a trigger; tab and CR ones written straight
    into the table, as a hostile import or an old database could have them."""
    ids = [add_person(ctx, text, "ncc_me_vnah", village=text, account=f"00{i:08d}", bank="970405",
                      holder=HYPERLINK, receiver="@SUM(1+9)") for i, text in enumerate(PAYLOADS[:4])]
    for bid, text in zip(ids, ("\t=1+1", "\r=1+1")):
        ctx.db.execute("UPDATE beneficiaries SET village = ?, receiver_name = ? WHERE id = ?", [text, text, bid])
    return ids


def test_register_export_xlsx_and_csv(ctx, hostile, tmp_path):
    assert export_register(ctx.db, tmp_path / "ds.xlsx", ctx.clock.today()) == 4
    assert_no_formula(tmp_path / "ds.xlsx", *PAYLOADS[:6])
    assert export_register(ctx.db, tmp_path / "ds.csv", ctx.clock.today()) == 4
    assert_csv_safe(tmp_path / "ds.csv", *PAYLOADS[:6])
    # amounts stay bare numbers: a reader that takes unquoted fields for numbers gets one
    text = (tmp_path / "ds.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), quoting=csv.QUOTE_NONNUMERIC))
    assert [type(row[10]) for row in rows[1:]] == [float] * 4
    # the importer reads its own export back as it was written
    [sheet] = read_sheets(tmp_path / "ds.csv")
    assert sorted(row.cells[1] for row in sheet.rows[1:]) == sorted(PAYLOADS[:4])


def test_both_bank_transfer_lists(ctx, hostile, tmp_path):
    sid = locked(ctx, tet_spec())
    [files] = export_transfers(ctx.db, sid, tmp_path)
    assert_no_formula(files.xlsx, HYPERLINK, *PAYLOADS[:4])
    assert_csv_safe(files.csv, HYPERLINK, *PAYLOADS[:4])
    rows = list(csv.reader(io.StringIO(files.csv.read_bytes().decode("utf-8-sig"), newline=""), quoting=csv.QUOTE_NONNUMERIC))
    assert [row[6] for row in rows[1:5]] == [600_000.0] * 4


def test_police_report(ctx, hostile, tmp_path):
    ctx.db.execute("UPDATE beneficiaries SET id_number = NULL")  # a problem for every one of them
    problems = checks.run_checks(ctx.db, ctx.clock.today())
    checks.write_report(ctx.db, problems, tmp_path / "ra-soat.xlsx", ctx.clock.today())
    assert_no_formula(tmp_path / "ra-soat.xlsx", *PAYLOADS[:4], "\t=1+1", "\r=1+1")


def test_office_people_and_payouts_exports(office, tmp_path):
    people, sessions, lines = [], [], []
    for i, text in enumerate(PAYLOADS):
        people.append(("05425", f"p{i}", 1, text, text, text, text, "active", 1950, "M", text))
        sessions.append(("05425", f"s{i}", 1, text, text))
        lines.append(("05425", f"l{i}", 1, f"s{i}", "paid", "account", -5))
    office.db.conn.executemany("INSERT INTO office_beneficiaries (commune_code, id, version, full_name, village, "
                               "receiver_name, account_number, status, birth_year, gender, name_sort) "
                               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", people)
    office.db.conn.executemany("INSERT INTO office_payout_sessions (commune_code, id, version, name, period) "
                               "VALUES (?, ?, ?, ?, ?)", sessions)
    office.db.conn.executemany("INSERT INTO office_payout_lines (commune_code, id, version, session_id, status, "
                               "channel, total) VALUES (?, ?, ?, ?, ?, ?, ?)", lines)
    for report in ("people", "payouts", "coverage"):
        assert reports.export_xlsx(office.db, report, tmp_path / f"{report}.xlsx") == (1 if report == "coverage"
                                                                                     else len(PAYLOADS))
        assert_no_formula(tmp_path / f"{report}.xlsx", *(PAYLOADS if report != "coverage" else ()))
    ws = openpyxl.load_workbook(tmp_path / "payouts.xlsx").active
    assert {ws.cell(r, 8).value for r in range(2, ws.max_row + 1)} == {-5}


def test_no_export_reads_the_sheet_length_while_writing(ctx, hostile, tmp_path, monkeypatch, sample_xlsx):
    """Regression guard for the quadratic export: ``max_row`` walks the whole sheet."""
    from commune_payout import importer

    def walked(_self):
        raise AssertionError("max_row read while writing a spreadsheet")

    monkeypatch.setattr(Worksheet, "max_row", property(walked))
    export_register(ctx.db, tmp_path / "ds.xlsx", ctx.clock.today())
    checks.write_report(ctx.db, checks.run_checks(ctx.db, ctx.clock.today()), tmp_path / "r.xlsx", ctx.clock.today())
    export_transfers(ctx.db, locked(ctx, tet_spec()), tmp_path)
    preview = importer.import_file(ctx, sample_xlsx, dry_run=True)
    importer.write_report(preview, tmp_path / "import report.xlsx")
    importer.write_annotated(preview, sample_xlsx, tmp_path / "annotated.xlsx")
    assert register.count(ctx.db) == 4
