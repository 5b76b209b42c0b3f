"""The monthly report the offices ask for: per programme under its office, the VNeID account
apart from other accounts, counted by period or by payment date, its indicators, the printed
report and its workbook, against sums worked out by hand."""

import datetime as dt

import openpyxl
import pytest

from commune_payout import payouts, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.documents import indicators, progress_report
from commune_payout.errors import UserError
from commune_payout.payouts import SessionSpec
from test_documents import pdf_text
from test_payouts import add_person

NOVEMBER = dt.datetime(2026, 11, 20, 9, 0)


def on(db, when: dt.datetime) -> Context:
    return Context(db, clock=FixedClock(when), user="can_bo")


@pytest.fixture
def month():
    """Six people: A (btxh, VNeID account), B (btxh, another account), C (btxh, cash), D (social
    pension, VNeID account, unpaid), E (người có công, an account), F (người có công, cash at home).
    November's payment of 500.000 / 600.000 / 1.000.000 đ by programme: A, B, E and F are paid in
    November, C on 01/12. The Tết gift of January 2027 (400.000 đ each) is paid to A and E on 01/12."""
    db = open_db(":memory:")
    settings.init_commune(db, "05425", officer="Nguyễn Thị Lập")
    ctx = on(db, NOVEMBER)
    people = {
        "A": add_person(ctx, "Lê Thị An", "nct_80", account="0100000001", bank="970405"),
        "B": add_person(ctx, "Trần Văn Bình", "nkt_nang", account="0100000002", bank="970418"),
        "C": add_person(ctx, "Phạm Thị Cúc", "nct_80"),
        "D": add_person(ctx, "Đỗ Văn Dũng", "htxh", account="0100000004", bank="971005", birth_year=1948),
        "E": add_person(ctx, "Vũ Thị Em", ("ncc_than_nhan_liet_si", {"amount": 2_789_000}), account="0100000005",
                        bank="970405"),
        "F": add_person(ctx, "Hoàng Văn Phúc", ("ncc_thuong_binh", {"amount": 2_400_000})),
    }
    for key in ("A", "D"):
        ctx.db.execute("UPDATE beneficiaries SET channel = 'vneid' WHERE id = ?", [people[key]])
    ctx.db.execute("UPDATE beneficiaries SET channel = 'cash_home' WHERE id = ?", [people["F"]])
    nov = payouts.create_session(ctx, SessionSpec(name="Chi tháng 11/2026", kind="one_off", period="2026-11",
                                                  session_date=dt.date(2026, 11, 1),
                                                  fixed={"btxh": 500_000, "htxh": 600_000, "ncc": 1_000_000}))
    payouts.lock_session(ctx, nov)
    tet = payouts.create_session(ctx, SessionSpec(name="Quà Tết Đinh Mùi", kind="tet_gift", period="2027-01",
                                                  session_date=dt.date(2026, 11, 20),
                                                  fixed={"btxh": 400_000, "htxh": 400_000, "ncc": 400_000}))
    payouts.lock_session(ctx, tet)
    lines = {s: {line["beneficiary_id"]: line["id"] for line in payouts.session_lines(db, s)} for s in (nov, tet)}
    for key, when in (("A", NOVEMBER), ("B", NOVEMBER), ("E", dt.datetime(2026, 11, 25, 10)),
                      ("F", dt.datetime(2026, 11, 25, 10)), ("C", dt.datetime(2026, 12, 1, 8))):
        payouts.pay_line(on(db, when), lines[nov][people[key]])
    for key in ("A", "E"):
        payouts.pay_line(on(db, dt.datetime(2026, 12, 1, 9)), lines[tet][people[key]])
    yield db
    db.close()


def figures(tally, *measures):
    return [tally.measure(m) for m in measures]


COUNTS = ("recipients", "paid", "paid_vneid", "paid_other_account", "paid_cash", "unpaid")


def test_figures_by_period_against_sums_worked_out_by_hand(month):
    data = progress_report.progress_data(month, "2026-11")
    assert data.basis == "period" and data.programs == ("btxh", "htxh", "ncc")
    btxh, htxh, ncc = (data.by_program[p] for p in data.programs)
    assert figures(btxh, *COUNTS) == [3, 3, 1, 1, 1, 0]           # C paid on 01/12 is November's by period
    assert figures(btxh, "amount", "amount_vneid", "amount_other_account", "amount_cash") == [
        1_500_000, 500_000, 500_000, 500_000]
    assert figures(htxh, *COUNTS) == [1, 0, 0, 0, 0, 1] and htxh.measure("amount_unpaid") == 600_000
    assert figures(ncc, *COUNTS) == [2, 2, 0, 1, 1, 0] and ncc.measure("amount_paid") == 2_000_000
    total = data.total
    assert figures(total, *COUNTS) == [6, 5, 1, 2, 2, 1]
    share = {k: indicators.BUILT_IN[k].value(total) for k in ("cashless_share", "vneid_share", "cash_share",
                                                                 "cashless_amount_share")}
    assert share == {"cashless_share": 3 / 5, "vneid_share": 1 / 5, "cash_share": 2 / 5,
                     "cashless_amount_share": 2_000_000 / 3_500_000}
    assert indicators.BUILT_IN["cashless_share"].value(data.by_program["htxh"]) is None       # nobody paid


def test_counting_by_payment_date_keeps_a_gift_paid_on_01_12_in_december(month):
    november = progress_report.progress_data(month, "2026-11", "payment").total
    assert figures(november, *COUNTS) == [4, 4, 1, 2, 1, 0]       # A, B, E, F; C was paid in December
    december = progress_report.progress_data(month, "2026-12", "payment")
    assert figures(december.by_program["btxh"], "paid", "paid_vneid", "paid_cash") == [2, 1, 1]  # A's gift, C
    assert figures(december.by_program["ncc"], "paid", "paid_other_account") == [1, 1]            # E's gift
    assert december.total.measure("amount_paid") == 500_000 + 400_000 + 400_000
    by_period = progress_report.progress_data(month, "2027-01")
    assert by_period.total.measure("paid") == 2 and by_period.total.measure("recipients") == 6
    assert progress_report.progress_data(month, "2027-01", "payment").total.measure("paid") == 0
    trend = progress_report.progress_data(month, "2027-01", "payment", history=3).trend
    assert [(m, t.measure("paid")) for m, t in trend] == [("2026-11", 4), ("2026-12", 3), ("2027-01", 0)]


def test_the_printed_report_says_how_it_counts_and_goes_to_each_office(month, tmp_path):
    out = tmp_path / "bao-cao.pdf"
    report = progress_report.write(month, "2026-12", out, on=dt.date(2026, 12, 5), basis="payment")
    text = pdf_text(out)
    assert "Số liệu tính theo ngày chi trả: các khoản đã chi trong tháng 12/2026" in text
    assert "Kính gửi: - Sở Y tế tỉnh Phú Thọ; - Sở Nội vụ tỉnh Phú Thọ." in text
    assert "1. Theo chương trình" in text and "trong đó: qua tài khoản an sinh xã hội (VNeID)" in text
    assert "1 người qua tài khoản an sinh xã hội VNeID" in text
    assert "III. Xu hướng qua các tháng" in text
    # another basis of the same month is another document, with its own number
    again = progress_report.write(month, "2026-12", tmp_path / "b.pdf", on=dt.date(2026, 12, 5))
    assert again.number != report.number
    assert "Số liệu tính theo kỳ chi trả" in pdf_text(tmp_path / "b.pdf")


def test_the_report_of_one_office_holds_its_programmes_only(month, tmp_path):
    out = tmp_path / "snv.pdf"
    report = progress_report.write(month, "2026-11", out, on=dt.date(2026, 12, 2), programs=("ncc",))
    assert report.data.programs == ("ncc",) and figures(report.data.total, "paid") == [2]
    assert sum(report.data.coverage.values()) == 2                 # E and F
    text = pdf_text(out)
    assert "Kính gửi: Sở Nội vụ tỉnh Phú Thọ." in text and "Sở Y tế" not in text
    assert "Bảo trợ xã hội" not in text and "Hưu trí" not in text


def test_the_workbook_holds_the_same_figures(month, tmp_path):
    data = progress_report.write_xlsx(month, "2026-11", tmp_path / "bao-cao.xlsx")
    book = openpyxl.load_workbook(tmp_path / "bao-cao.xlsx")
    sheet = book["Theo chương trình"]
    rows = {r[0]: r[1:] for r in sheet.iter_rows(min_row=8, values_only=True)}
    assert sheet["A4"].value == data.note
    assert [c.value for c in sheet[7]][1:] == ["Bảo trợ xã hội", "Hưu trí xã hội", "Người có công", "Tổng cộng"]
    assert rows["trong đó: qua tài khoản an sinh xã hội (VNeID)"] == (1, 0, 0, 1)
    assert rows["Đã nhận bằng tiền mặt"] == (1, 0, 1, 2)
    assert rows["Tỷ lệ nhận qua tài khoản (số người đã nhận)"] == (2 / 3, None, 1 / 2, 3 / 5)
    assert rows["Tổng số tiền (đồng)"] == (1_500_000, 600_000, 2_000_000, 4_100_000)
    villages = {r[0]: r for r in book["Theo thôn"].iter_rows(min_row=4, values_only=True)}
    assert villages["Tổng cộng"][1:6] == (6, 1, 2, 2, 1)
    assert [r[0] for r in book["Xu hướng"].iter_rows(min_row=4, values_only=True)][-1] == "11/2026"


def test_provinces_add_their_own_indicators(month, tmp_path):
    chosen = indicators.choose(month, ["paid", "paid_vneid",
                                       "vneid_in_transfer=Tỷ lệ TK an sinh trong chuyển khoản=paid_vneid/paid_transfer"])
    assert [i.key for i in indicators.chosen(month)] == ["paid", "paid_vneid", "vneid_in_transfer"]
    data = progress_report.progress_data(month, "2026-11")
    assert chosen[2].value(data.by_program["btxh"]) == 1 / 2
    progress_report.write(month, "2026-11", tmp_path / "r.pdf", on=dt.date(2026, 12, 2))
    text = pdf_text(tmp_path / "r.pdf")
    assert "Tỷ lệ TK an sinh trong chuyển khoản 50,0%" in text and "Tổng số tiền" not in text
    for wrong in ("nothing", "x=Tên=paid+amount", "x=Tên=paid/", "x==paid"):
        with pytest.raises(UserError):
            indicators.parse(wrong)
    with pytest.raises(UserError, match="hai lần"):
        indicators.choose(month, ["paid", "paid"])
    assert [i.key for i in indicators.choose(month, [])] == list(indicators.DEFAULT)
