"""Any file gives a result or a clear refusal: bombs, stray far cells, lying dimensions, merged
ranges past the data, damaged shared strings, DTDs, junk; a corpus of such files; the CLI's
exit statuses; and two imports of one file at once in two processes."""

import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from commune_payout import cli, importer, register, settings, sheets
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import FileUnreadable, UserError
from commune_payout.sheets import grid
from hostile_files import HEADER, bomb_xlsx, corpus, person, raw_xlsx, sheet_xml

ROOT = Path(__file__).resolve().parents[1]


def people_rows(count, seed=1):
    import random

    rnd = random.Random(seed)
    return [person(rnd, n) for n in range(1, count + 1)]


def unreadable(path) -> str:
    with pytest.raises(FileUnreadable) as info:
        sheets.read_sheets(path)
    return str(info.value)


# ---------------------------------------------------------------- the reader's limits

def test_a_sheet_that_inflates_to_200_mb_is_refused_before_it_is_inflated(tmp_path):
    path = bomb_xlsx(tmp_path / "bom.xlsx", 200 * 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024
    message = unreadable(path)
    assert "bom.xlsx" in message and "50 MB" in message and "xl/worksheets/sheet1.xml" in message


def test_a_100_mb_shared_string_is_refused(tmp_path):
    message = unreadable(bomb_xlsx(tmp_path / "chuoi.xlsx", 100 * 1024 * 1024, part="shared"))
    assert "sharedStrings" in message and "50 MB" in message


def test_a_zip_header_that_lies_about_a_size_is_caught(tmp_path):
    path = raw_xlsx(tmp_path / "doi.xlsx", [("DS", sheet_xml([HEADER, *people_rows(50)]))])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    data = data.replace(real, (100).to_bytes(4, "little"))     # local header and central directory
    path.write_bytes(bytes(data))
    assert "doi.xlsx" in unreadable(path)


def test_a_stray_cell_at_xfd1048576_costs_nothing_and_is_reported(ctx, tmp_path):
    rows = [(1, dict(enumerate(HEADER, start=1))), (2, dict(enumerate(people_rows(1)[0], start=1))),
            (1048576, {16384: "x"})]
    path = raw_xlsx(tmp_path / "xa.xlsx", [("DS", sheet_xml(rows, numbered=True))])
    assert path.stat().st_size < 2500
    [sheet] = sheets.read_sheets(path)
    assert [r.number for r in sheet.rows] == [1, 2] and sheet.outside == ("XFD1048576",)
    result = importer.import_file(ctx, path)
    assert result.imported == 1
    assert any("XFD1048576" in p.message for p in result.problems)


def test_a_stray_row_far_down_is_one_row_and_the_annotated_copy_stays_small(ctx, tmp_path):
    rows = [(1, dict(enumerate(HEADER, start=1))), (2, dict(enumerate(people_rows(1)[0], start=1))),
            (1048576, {2: "Lê Văn Xa"})]
    path = raw_xlsx(tmp_path / "xa.xlsx", [("DS", sheet_xml(rows, numbered=True))])
    result = importer.import_file(ctx, path)
    assert [(o.row, o.outcome) for o in result.outcomes] == [(1, "skipped"), (2, "imported"), (1048576, "rejected")]
    out = importer.write_annotated(result, path, tmp_path / "ghi_chu.xlsx")
    assert out.stat().st_size < 20_000
    import openpyxl

    ws = openpyxl.load_workbook(out).active
    assert "dòng trống" in ws.cell(3, 1).value and "Dòng 1048576 của tệp gốc" in ws.cell(4, len(HEADER) + 1).value


@pytest.mark.parametrize("dimension", ["A1:XFD10001", "A1:XFD1048576", "A1:A1", "ZZZ"])
def test_the_dimension_element_is_never_trusted(ctx, tmp_path, dimension):
    path = raw_xlsx(tmp_path / "d.xlsx", [("DS", sheet_xml([HEADER, *people_rows(5)], dimension=dimension))])
    assert importer.import_file(ctx, path).imported == 5


def test_merged_ranges_past_the_data_are_clipped(ctx, tmp_path):
    rows = [["DANH SÁCH"], HEADER, *people_rows(3), [None, "Người lập biểu", None, None, None, "Chủ tịch"]]
    merges = ["A6:XFD1048576", "F3:F40", "A1:XFD1", "B20:C30", "L2:Z9"]
    path = raw_xlsx(tmp_path / "gop.xlsx", [("DS", sheet_xml(rows, merges=merges))])
    [sheet] = sheets.read_sheets(path)
    assert max(m[2] for m in sheet.merged) <= 6 and max(m[3] for m in sheet.merged) <= len(HEADER)
    result = importer.import_file(ctx, path)
    assert result.imported == 3
    importer.write_annotated(result, path, tmp_path / "gop.loi.xlsx")
    importer.write_report(result, tmp_path / "gop.bao_cao.xlsx")


def test_a_shared_string_that_does_not_exist_is_a_damaged_cell_not_a_crash(ctx, tmp_path):
    people = people_rows(3)
    shared = [p[1] for p in people]
    rows = [HEADER] + [[p[0], ("s", i if i != 1 else 99), *p[2:]] for i, p in enumerate(people)]
    path = raw_xlsx(tmp_path / "hong.xlsx", [("DS", sheet_xml(rows))], shared=shared)
    result = importer.import_file(ctx, path)
    assert result.imported == 2 and result.rejected == 1
    damaged = [p for p in result.problems if p.row == 3]
    assert any("Ô B3 bị hỏng" in p.message for p in damaged)


def test_a_cell_longer_than_excel_allows_is_damaged(tmp_path):
    path = raw_xlsx(tmp_path / "dai.xlsx", [("DS", sheet_xml([HEADER, [1, "x" * 40_000]]))])
    [sheet] = sheets.read_sheets(path)
    assert sheet.damaged == ((2, 2, "ô dài hơn 32.767 ký tự"),) and sheet.rows[1].cells == (1,)


def test_a_dtd_refuses_the_file(tmp_path):
    xml = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>')
    assert "DTD" in unreadable(raw_xlsx(tmp_path / "dtd.xlsx", [("DS", xml)]))


def test_more_rows_or_cells_than_a_commune_list_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(grid, "MAX_ROWS", 100)
    path = raw_xlsx(tmp_path / "dai.xlsx", [("DS", sheet_xml([HEADER, *people_rows(150)]))])
    assert "hơn 100 dòng" in unreadable(path)
    monkeypatch.setattr(grid, "MAX_ROWS", 50_000)
    monkeypatch.setattr(grid, "MAX_CELLS", 500)
    assert "hơn 500 ô" in unreadable(path)


def test_a_file_far_bigger_than_a_list_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(grid, "MAX_FILE_BYTES", 1000)
    path = raw_xlsx(tmp_path / "to.xlsx", [("DS", sheet_xml([HEADER, *people_rows(50)]))])
    assert "quá lớn" in unreadable(path)


@pytest.mark.parametrize("content,why", [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "mật khẩu"),
    (b"PK\x03\x04 not really a zip", "tệp hỏng"),
    (b"", "tệp hỏng"),
])
def test_files_that_are_not_workbooks(tmp_path, content, why):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    assert why in unreadable(path)


def test_a_zip_without_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "z.xlsx", "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    assert "không có phần workbook" in unreadable(tmp_path / "z.xlsx")


def test_two_sheets_of_one_name_stay_two_sheets(ctx, tmp_path):
    rows = [HEADER, *people_rows(2)]
    path = raw_xlsx(tmp_path / "hai.xlsx", [("DS", sheet_xml(rows)), ("DS", sheet_xml(rows[:1] + people_rows(1, 9)))])
    assert [s.name for s in sheets.read_sheets(path)] == ["DS", "DS (2)"]
    result = importer.import_file(ctx, path)
    assert result.imported == 3 and len({(o.sheet, o.row) for o in result.outcomes}) == len(result.outcomes) == 5


def test_prefixed_namespaces_and_cells_without_references_are_read(tmp_path):
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = (f'<x:worksheet xmlns:x="{ns}"><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>Họ và tên</x:t></x:is>'
           '</x:c><x:c t="inlineStr"><x:is><x:t>Năm sinh</x:t></x:is></x:c></x:row><x:row><x:c t="inlineStr">'
           '<x:is><x:t>Lê Văn An</x:t></x:is></x:c><x:c><x:v>1950</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    [sheet] = sheets.read_sheets(raw_xlsx(tmp_path / "p.xlsx", [("DS", xml)]))
    assert [r.cells for r in sheet.rows] == [("Họ và tên", "Năm sinh"), ("Lê Văn An", 1950)]


# ---------------------------------------------------------------- outputs carry no formula

def test_report_and_annotated_copy_hold_no_live_formula(ctx, tmp_path):
    payloads = ['=HYPERLINK("http://x","y")', "=1+1", "@SUM(1+9)", "-2+3", "+84 912"]
    rows = [HEADER]
    for n, text in enumerate(payloads, start=1):
        row = people_rows(1, seed=n)[0]
        row[0], row[1], row[10] = n, f"Lê Văn {n}", text
        rows.append(row)
    rows.append([None, '=HYPERLINK("http://x","y")'])          # a row that is reported, not imported
    path = raw_xlsx(tmp_path / "f.xlsx", [("DS", sheet_xml(rows))])
    result = importer.import_file(ctx, path)
    outputs = [importer.write_report(result, tmp_path / "r.xlsx"), importer.write_annotated(result, path, tmp_path / "a.xlsx")]
    for out in outputs:
        with zipfile.ZipFile(out) as zf:
            xml = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))
        assert "<f>" not in xml and "<f " not in xml
    import openpyxl

    ws = openpyxl.load_workbook(outputs[1]).active
    assert [ws.cell(n, 11).value for n in range(2, 7)] == payloads
    report = openpyxl.load_workbook(outputs[0])["Danh sách lỗi"]
    assert any(str(c.value).startswith("Dòng chỉ có chữ “=HYPERLINK") for row in report.iter_rows() for c in row)


# ---------------------------------------------------------------- the corpus and the CLI

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return corpus(tmp_path_factory.mktemp("corpus"), 240)


def test_corpus_every_file_gives_a_result_or_a_refusal_and_every_row_an_outcome(ctx, hostile, tmp_path):
    refused = 0
    for path in hostile:
        try:
            result = importer.import_file(ctx, path, dry_run=True)
        except UserError:
            refused += 1
            continue
        read = sheets.read_sheets(path)
        keys = [(o.sheet, o.row) for o in result.outcomes]
        assert sorted(keys) == sorted((s.name, r.number) for s in read for r in s.rows), path
        importer.write_report(result, tmp_path / "r.xlsx")
        importer.write_annotated(result, path, tmp_path / "a.xlsx")
    assert 0 < refused < len(hostile) // 2


def test_cli_exit_statuses_on_the_corpus(tmp_path, hostile, capsys):
    db = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(db), "init", "--commune", "05425"]) == 0
    capsys.readouterr()
    seen = set()
    for path in hostile[:48]:
        status = cli.main(["--db", str(db), "import", "--dry-run", str(path)])
        err = capsys.readouterr().err
        assert status in (0, 2), (path, err)
        if status == 2:
            assert err.count("\n") == 1 and path.name in err
        seen.add(status)
    assert seen == {0, 2}


def test_cli_refused_input_is_exit_1(tmp_path, capsys, monkeypatch):
    db = tmp_path / "xa.sqlite"
    cli.main(["--db", str(db), "init", "--commune", "05425"])
    path = tmp_path / "ds.csv"
    path.write_text("Họ và tên,Năm sinh,Thôn\nLê Văn An,1950,Thôn Đông\n", encoding="utf-8")

    def busy(*_args, **_kwargs):
        import sqlite3

        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(importer.matching, "resolve", busy)
    assert cli.main(["--db", str(db), "import", str(path)]) == 1
    assert "đang bận" in capsys.readouterr().err


# ---------------------------------------------------------------- one import at a time

# Each process loads everything, says it is ready and waits for the signal, so that the two
# imports start together (as a double click does) rather than one after the other.
IMPORT_SCRIPT = """
import pathlib, sys, time
from commune_payout import importer
from commune_payout.context import Context
from commune_payout.db import open_db
ctx = Context(open_db(sys.argv[1]), user="may_" + sys.argv[3])
pathlib.Path(sys.argv[4], "ready" + sys.argv[3]).touch()
while not pathlib.Path(sys.argv[4], "go").exists():
    time.sleep(0.001)
result = importer.import_file(ctx, sys.argv[2])
print(result.imported, result.unchanged)
"""


def test_two_imports_of_one_file_at_once_put_everyone_in_once(tmp_path):
    source = raw_xlsx(tmp_path / "ds.xlsx", [("DS", sheet_xml([HEADER, *people_rows(1500)]))])
    path = tmp_path / "xa.sqlite"
    db = open_db(path)
    settings.init_commune(db, "05425")
    alone = importer.import_file(Context(db), source, dry_run=True)
    db.close()
    runs = [subprocess.Popen([sys.executable, "-c", IMPORT_SCRIPT, str(path), str(source), str(i), str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) for i in (1, 2)]
    while not all((tmp_path / f"ready{i}").exists() or runs[i - 1].poll() is not None for i in (1, 2)):
        time.sleep(0.01)
    (tmp_path / "go").touch()
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    counts = sorted(tuple(map(int, out.split())) for out, _err in outputs)
    assert counts == [(0, alone.imported), (alone.imported, 0)]
    db = open_db(path)
    ids = [r["id_number"] for r in register.list_beneficiaries(db)]
    assert len(ids) == len(set(ids)) == alone.imported
