"""Recording earlier decisions for many people (decisions/recording.py): the decision a register
names in its title, traced in the import's transaction (importer/decision.py), and the one the
officer types for the people of an import that named none."""

import datetime as dt
import json
from collections import Counter

import openpyxl
import pytest

from commune_payout import checks, cli, decisions, importer, register, settings
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.decisions.recording import record_decision
from commune_payout.decisions.reference import Reference
from commune_payout.errors import UserError
from commune_payout.importer.decision import lines

TITLE = "A5"        # the sample register's "(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026)"
TODAY = dt.date(2026, 1, 15)


def titled(sample_xlsx, tmp_path, text, name="ds.xlsx"):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb.active[TITLE] = text
    path = tmp_path / name
    wb.save(path)
    return path


def count(db, table):
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def memberships(db):
    """Every membership held, as the register has it (whose it is aside)."""
    return Counter(tuple(r) for r in db.execute(
        "SELECT category, coefficient, amount, start_date, end_date FROM memberships"))


def no_decision(db):
    return [p for p in checks.run_checks(db, TODAY) if p.code == "no_decision"]


def test_the_sample_register_traces_everyone_to_its_decision(ctx, sample_xlsx, tmp_path):
    result = importer.import_file(ctx, sample_xlsx)
    [trace] = result.decisions
    assert (trace.recorded.traced, trace.recorded.already, trace.recorded.created) == (120, 0, True)
    assert lines(result) == ["120 người được ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026 (quyết định mới, "
                             "ghi lại vào phần mềm)."]
    decision = decisions.get_decision(ctx.db, decisions.resolve_decision(ctx.db, "12/2026"))
    assert (decision["recorded"], decision["status"], decision["signed_on"], decision["effective_month"],
            decision["program"], decision["number_text"]) == (1, "applied", "2026-01-05", "2026-01", "btxh",
                                                               "12/QĐ-UBND")
    assert len(decision["items"]) == 120 and {i["action"] for i in decision["items"]} == {"grant"}
    assert {i["beneficiary_id"] for i in decision["items"]} == {r["id"] for r in register.list_beneficiaries(ctx.db)}
    # The file's order, each with the group the person holds.
    first = decision["items"][0]
    assert first["seq"] == 1 and first["category"] == register.get(ctx.db, first["beneficiary_id"])["memberships"][0][
        "category"]
    assert no_decision(ctx.db) == []
    # Each history names the decision; nothing about the people changed because of it.
    history = [h for h in register.history(ctx.db, first["beneficiary_id"]) if h["decision_id"]]
    assert [(h["field"], h["source"]) for h in history] == [("decision", "Quyết định số 12/QĐ-UBND ngày 05/01/2026")]
    assert "sample_register.xlsx" in history[0]["new_value"]
    other = open_db(":memory:")
    settings.init_commune(other, "05425")
    importer.import_file(Context(other, clock=ctx.clock, user="t"), titled(sample_xlsx, tmp_path, None))
    assert memberships(ctx.db) == memberships(other)


def test_a_dry_run_says_what_it_would_record_and_writes_nothing(ctx, sample_xlsx):
    counter = ctx.db.execute("SELECT value FROM change_counter").fetchone()[0]
    dry = importer.import_file(ctx, sample_xlsx, dry_run=True)
    assert lines(dry)[0].startswith("120 người sẽ được ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026")
    assert (count(ctx.db, "decisions"), count(ctx.db, "decision_items")) == (0, 0)
    assert ctx.db.execute("SELECT value FROM change_counter").fetchone()[0] == counter
    real = importer.import_file(ctx, sample_xlsx)
    assert real.to_json()["decisions"] == dry.to_json()["decisions"] == [{
        "sheets": ["DS doi tuong"], "decision": "12/QĐ-UBND", "signed_on": "2026-01-05",
        "text": "Quyết định số 12/QĐ-UBND ngày 05/01/2026", "people": 120, "already": 0, "created": True}]


def test_importing_the_file_again_adds_nobody_twice(ctx, sample_xlsx):
    importer.import_file(ctx, sample_xlsx)
    history = count(ctx.db, "beneficiary_history")
    again = importer.import_file(ctx, sample_xlsx)
    assert (again.decisions[0].recorded.traced, again.decisions[0].recorded.already) == (0, 120)
    assert lines(again) == ["120 người đã được ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026 từ trước."]
    assert (count(ctx.db, "decisions"), count(ctx.db, "decision_items")) == (1, 120)
    assert count(ctx.db, "beneficiary_history") == history


def test_a_recorded_decision_already_entered_takes_the_rest_of_the_list(ctx, sample_xlsx, tmp_path):
    importer.import_file(ctx, titled(sample_xlsx, tmp_path, "DANH SÁCH"))
    assert len(no_decision(ctx.db)) == 1          # one entry for the whole import
    two = [r["id"] for r in register.list_beneficiaries(ctx.db, limit=2)]
    did = decisions.create_decision(ctx, decisions.DecisionSpec(dt.date(2026, 1, 5), "2026-01", number=12,
                                                                recorded=True), items=[
        {"beneficiary_id": bid, "action": "grant", "category": register.get(ctx.db, bid)["memberships"][0]["category"]}
        for bid in two])
    decisions.apply_decision(ctx, did)
    result = importer.import_file(ctx, sample_xlsx)
    assert (result.unchanged, result.decisions[0].recorded.traced, result.decisions[0].recorded.already,
            result.decisions[0].recorded.created) == (120, 118, 2, False)
    assert [i["seq"] for i in decisions.get_decision(ctx.db, did)["items"]] == list(range(1, 121))
    assert count(ctx.db, "decisions") == 1 and no_decision(ctx.db) == []


@pytest.mark.parametrize("setup, message", [
    ("other_date", "Phần mềm đã có Quyết định số 12/QĐ-UBND ngày 10/01/2026, khác ngày 05/01/2026"),
    ("issued", "Quyết định số 12/QĐ-UBND ngày 05/01/2026 được lập trong phần mềm và không có 120 người này"),
    ("draft", "Quyết định số 12/QĐ-UBND ngày 05/01/2026 đang là dự thảo trong phần mềm"),
])
def test_a_decision_that_cannot_take_the_list_is_a_warning_and_traces_nobody(ctx, sample_xlsx, setup, message):
    someone = register.create(ctx, {"full_name": "Người Khác", "birth_year": 1940, "village": "Thôn Đông"})
    signed = dt.date(2026, 1, 10) if setup == "other_date" else dt.date(2026, 1, 5)
    did = decisions.create_decision(ctx, decisions.DecisionSpec(signed, "2026-01", number=12,
                                                                recorded=setup == "other_date"),
                                    items=[{"beneficiary_id": someone, "action": "grant", "category": "nct_80"}])
    if setup != "draft":
        decisions.apply_decision(ctx, did)
    items = count(ctx.db, "decision_items")
    result = importer.import_file(ctx, sample_xlsx)
    assert result.imported == 120 and result.decisions == []
    [warning] = [p for p in result.problems if p.row == 5]
    assert warning.severity == "warning" and warning.message.startswith(message)
    assert warning.message.endswith("chưa được ghi căn cứ quyết định (ghi sau ở mục Làm sạch dữ liệu)")
    assert count(ctx.db, "decision_items") == items
    assert lines(result) == []          # the warning says it; no second line


@pytest.mark.parametrize("title, message", [
    ("(Kèm theo Quyết định số …/QĐ-UBND ngày …/…/2026)",
     "Dòng tiêu đề ghi “Kèm theo Quyết định số …/QĐ-UBND ngày …/…/2026” nhưng không ghi số quyết định"),
    ("(Kèm theo Quyết định số 12/QĐ-UBND ngày 31/02/2026)",
     "Dòng tiêu đề ghi “Quyết định số 12/QĐ-UBND ngày 31/02/2026” nhưng ngày ký không có thật"),
    ("(Kèm theo Quyết định số 12/QĐ-UBND)", "Quyết định số 12/QĐ-UBND không ghi ngày ký, và phần mềm chưa có"),
    ("(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2027)", "Quyết định số 12/QĐ-UBND ngày 05/01/2027 ký sau hôm nay"),
    ("(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026 và Quyết định số 13/QĐ-UBND ngày 06/01/2026)",
     "Trang “DS doi tuong” ghi 2 quyết định khác nhau (Quyết định số 12/QĐ-UBND ngày 05/01/2026 (dòng 5); "
     "Quyết định số 13/QĐ-UBND ngày 06/01/2026 (dòng 5))"),
])
def test_a_title_that_cannot_be_used_is_a_warning_never_a_crash(ctx, sample_xlsx, tmp_path, title, message):
    result = importer.import_file(ctx, titled(sample_xlsx, tmp_path, title))
    assert result.imported == 120 and result.decisions == []
    [warning] = [p for p in result.problems if p.row == 5]
    assert warning.severity == "warning" and warning.message.startswith(message), warning.message
    assert count(ctx.db, "decisions") == 0
    [entry] = no_decision(ctx.db)
    assert entry.people == 120


def test_a_title_without_date_links_to_the_one_decision_of_that_number(ctx, sample_xlsx, tmp_path):
    importer.import_file(ctx, sample_xlsx)
    result = importer.import_file(ctx, titled(sample_xlsx, tmp_path, "Kèm theo QĐ số 12/QĐ-UBND"))
    assert (result.decisions[0].recorded.already, result.decisions[0].recorded.text) == (
        120, "Quyết định số 12/QĐ-UBND ngày 05/01/2026")


def test_each_sheet_is_traced_to_the_decision_its_own_title_names(ctx, sample_xlsx, tmp_path):
    wb = openpyxl.load_workbook(sample_xlsx)
    second = wb.copy_worksheet(wb.active)
    second.title = "Thon Moi"
    second[TITLE] = None
    for row in second.iter_rows(min_row=8):
        for cell in row:
            if cell.column_letter == "E" and cell.value:
                cell.value = str(cell.value).replace("0", "9", 1) if isinstance(cell.value, str) else cell.value
            if cell.column_letter == "B" and isinstance(cell.value, str) and len(cell.value.split()) >= 3:
                cell.value = cell.value + " Mới"
    path = tmp_path / "two.xlsx"
    wb.save(path)
    result = importer.import_file(ctx, path)
    [trace] = result.decisions
    assert trace.sheets == ("DS doi tuong",) and trace.recorded.traced == 120
    new_on_second = sum(1 for o in result.outcomes if o.sheet == "Thon Moi" and o.outcome == "imported")
    assert new_on_second > 100
    assert lines(result)[1] == (f"Trang “Thon Moi” không ghi quyết định nào ở phần đầu (“Kèm theo Quyết định số …”): "
                                f"{new_on_second} người mới chưa có căn cứ quyết định; ghi quyết định họ được hưởng "
                                "theo ở mục Làm sạch dữ liệu.")


def test_people_already_in_the_register_are_traced_when_matched(ctx, sample_xlsx, tmp_path):
    importer.import_file(ctx, titled(sample_xlsx, tmp_path, None))
    assert count(ctx.db, "decisions") == 0
    result = importer.import_file(ctx, sample_xlsx)
    assert (result.unchanged, result.decisions[0].recorded.traced) == (120, 120)
    assert no_decision(ctx.db) == []


def test_report_cli_and_json_say_so(ctx, sample_xlsx, tmp_path, capsys):
    db = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(db), "init", "--commune", "05425"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", str(db), "import", str(sample_xlsx), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "120 người sẽ được ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026" in out
    report = tmp_path / "bao_cao.xlsx"
    assert cli.main(["--db", str(db), "import", str(sample_xlsx), "--report", str(report)]) == 0
    assert "120 người được ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026" in capsys.readouterr().out
    summary = [c.value for row in openpyxl.load_workbook(report)["Tóm tắt"].iter_rows() for c in row if c.value]
    assert "Căn cứ quyết định" in summary and any(str(v).startswith("120 người được ghi căn cứ") for v in summary)
    assert cli.main(["--db", str(db), "import", str(sample_xlsx), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["decisions"][0]["already"] == 120


def test_recording_writes_a_few_statements_whatever_the_number_of_people(ctx):
    """A guard that counts: tracing people costs the same statements for 10 as for 40."""
    counts = []
    for n, number in ((10, 1), (40, 2)):
        ids = [register.create(ctx, {"full_name": f"Người {number} {i}", "birth_year": 1940, "village": "Thôn Đông"},
                               [{"category": "nct_80"}]) for i in range(n)]
        statements = []
        ctx.db.conn.set_trace_callback(statements.append)
        done = record_decision(ctx, Reference("", number, signed_on=dt.date(2026, 1, 5)), ids, "ghi lại")
        ctx.db.conn.set_trace_callback(None)
        assert done.traced == n
        counts.append(len([s for s in statements if not s.startswith(("INSERT INTO decision_items (", "--"))
                           and not s.startswith("INSERT INTO beneficiary_history (")]))
    assert counts[0] == counts[1]


def test_recording_refuses_what_is_not_a_decision_to_trace_to(ctx):
    bid = register.create(ctx, {"full_name": "Người Một", "birth_year": 1940, "village": "Thôn Đông"})
    with pytest.raises(UserError, match="ký sau hôm nay"):
        record_decision(ctx, Reference("", 3, signed_on=dt.date(2026, 2, 1)), [bid], "ghi lại")
    assert record_decision(ctx, Reference("", 3, signed_on=dt.date(2026, 1, 1)), [], "ghi lại") is None
    done = record_decision(ctx, Reference("", 3, signed_on=dt.date(2026, 1, 1)), [bid], "ghi lại")
    # A person without any group is traced with the group "not yet determined".
    assert decisions.get_decision(ctx.db, done.decision_id)["items"][0]["category"] == "chua_xac_dinh"
    assert count(ctx.db, "decisions") == 1
