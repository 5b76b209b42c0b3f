"""Back pay, to the đồng: a base level set in November from 1 July over months already paid (three
paid, one unpaid, one person who entered in August), a decision that took effect months before
it was signed, and funeral support after a death — each in its session and its rows."""

import datetime as dt

import pytest

from commune_payout import base_levels, cashbook, decisions, payouts, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.errors import UserError
from commune_payout.payouts import arrears

JULY = dt.date(2026, 7, 1)


def at(ctx, day: dt.date) -> Context:
    return Context(ctx.db, clock=FixedClock(dt.datetime.combine(day, dt.time(9))), user="can_bo")


def decide(ctx, signed: dt.date, month: str, *items, number=None) -> str:
    did = decisions.create_decision(ctx, decisions.DecisionSpec(signed, month, number=number), items=list(items))
    decisions.apply_decision(ctx, did)
    return did


def monthly(ctx, period: str, paid=lambda line: True, close=True, **kw) -> str:
    """Create, lock, pay (those ``paid`` picks) and close the monthly session of ``period``."""
    day = dt.date(int(period[:4]), int(period[5:]), 10)
    ctx = at(ctx, day)
    sid = payouts.create_session(ctx, payouts.SessionSpec(name=f"Tháng {period}", kind="monthly", period=period,
                                                          session_date=day, **kw))
    payouts.lock_session(ctx, sid)
    for line in payouts.session_lines(ctx.db, sid):
        if paid(line):
            payouts.pay_line(ctx, line["id"])
    if close:
        out = cashbook.ledger(ctx.db, sid)["paid_out"]
        if out:
            cashbook.record(ctx, sid, "received", out)
        payouts.close_session(ctx, sid)
    return sid


def lines_by_name(db, sid) -> dict[str, dict]:
    return {line["full_name"]: line for line in payouts.session_lines(db, sid)}


def rows_of(db, line) -> list[tuple]:
    return [(r["month"], r["cause"], r["owed"], r["settled"], r["amount"])
            for r in arrears.line_arrears(db, [line["id"]]).get(line["id"], [])]


@pytest.fixture
def commune(ctx):
    """Hoa (60–80 poor elderly, 1,5), Lan (extremely severe disability, adult, 2,0) from before July;
    Nam (orphan, 1,5) granted from August by a decision applied in July."""
    early = at(ctx, dt.date(2026, 6, 20))
    hoa = register.create(early, {"full_name": "Nguyễn Thị Hoa", "birth_date": "1950-03-02", "gender": "F",
                                  "village": "Thôn Đông"})
    lan = register.create(early, {"full_name": "Trần Thị Lan", "birth_date": "1980-05-05", "gender": "F",
                                  "village": "Thôn Đông"})
    decide(early, dt.date(2026, 6, 20), "2026-07", {"beneficiary_id": hoa, "action": "grant",
                                                    "category": "nct_ngheo_60_80"},
           {"beneficiary_id": lan, "action": "grant", "category": "nkt_dac_biet_nang"}, number=40)
    july = at(ctx, dt.date(2026, 7, 25))
    nam = register.create(july, {"full_name": "Lê Văn Nam", "birth_date": "2015-09-09", "gender": "M",
                                 "village": "Thôn Tây"})
    decide(july, dt.date(2026, 7, 25), "2026-08", {"beneficiary_id": nam, "action": "grant",
                                                   "category": "tre_mo_coi"}, number=51)
    return {"hoa": hoa, "lan": lan, "nam": nam}


def test_a_retroactive_base_level_becomes_one_arrears_session(ctx, commune):
    for period in ("2026-07", "2026-08", "2026-09"):
        monthly(ctx, period)
    october = monthly(ctx, "2026-10", paid=lambda line: line["full_name"] != "Nguyễn Thị Hoa")
    assert {n: line["total"] for n, line in lines_by_name(ctx.db, october).items()} == {
        "Nguyễn Thị Hoa": 750_000, "Trần Thị Lan": 1_000_000, "Lê Văn Nam": 750_000}
    november = at(ctx, dt.date(2026, 11, 20))
    base_levels.set_local(november, "btxh", JULY, 540_000, "Nghị định mới")
    spec = payouts.SessionSpec(name="Truy lĩnh mức chuẩn 540.000 đ từ 7/2026", kind="arrears", period="2026-11",
                               session_date=dt.date(2026, 11, 20))
    sid = payouts.create_session(november, spec)
    lines = lines_by_name(ctx.db, sid)
    assert {name: line["total"] for name, line in lines.items()} == {
        "Nguyễn Thị Hoa": 3 * 60_000,            # July–September paid; October was not: left to the carry
        "Trần Thị Lan": 4 * 80_000,              # 2,0 × 40.000 for July–October
        "Lê Văn Nam": 3 * 60_000}                # entered in August
    assert rows_of(ctx.db, lines["Nguyễn Thị Hoa"]) == [(m, "rate", 810_000, 750_000, 60_000)
                                                         for m in ("2026-07", "2026-08", "2026-09")]
    assert [r[0] for r in rows_of(ctx.db, lines["Lê Văn Nam"])] == ["2026-08", "2026-09", "2026-10"]
    hoa = lines["Nguyễn Thị Hoa"]
    assert (hoa["purpose"], hoa["base_amount"], hoa["arrears_months"], hoa["arrears_amount"]) == (
        "arrears", 0, 3, 180_000)
    assert payouts.explain_line(hoa) == ["Truy lĩnh chênh lệch mức chuẩn: tháng 7–9/2026: 3 × 60.000 đ = 180.000 đ",
                                         "Tổng được nhận: 180.000 đ"]
    with pytest.raises(UserError, match="Không có ai"):          # the same months are never owed twice
        payouts.preview_session(ctx.db, spec) and payouts.create_session(november, spec)
    payouts.lock_session(november, sid)
    for line in payouts.session_lines(ctx.db, sid):
        payouts.pay_line(november, line["id"])
    # November: Hoa's October comes over at the new level, the others get 540.000 × coefficient
    nov = payouts.create_session(at(ctx, dt.date(2026, 11, 25)), payouts.SessionSpec(
        name="Tháng 11", kind="monthly", period="2026-11", session_date=dt.date(2026, 11, 25)))
    lines = lines_by_name(ctx.db, nov)
    hoa = lines["Nguyễn Thị Hoa"]
    assert (hoa["base_amount"], hoa["carried_forward"], hoa["arrears_amount"], hoa["total"]) == (
        810_000, 750_000, 60_000, 1_620_000)
    assert rows_of(ctx.db, hoa) == [("2026-10", "rate", 810_000, 750_000, 60_000)]
    assert (lines["Trần Thị Lan"]["total"], lines["Lê Văn Nam"]["total"]) == (1_080_000, 810_000)


def test_an_unpaid_arrears_line_is_owed_again(ctx, commune):
    monthly(ctx, "2026-07")
    november = at(ctx, dt.date(2026, 11, 20))
    base_levels.set_local(november, "btxh", JULY, 540_000)
    spec = payouts.SessionSpec(name="Truy lĩnh", kind="arrears", period="2026-11", session_date=dt.date(2026, 11, 20))
    first = payouts.create_session(november, spec)
    payouts.lock_session(november, first)
    payouts.close_session(november, first)                        # nobody came
    again = payouts.create_session(november, spec)
    assert {n: l["total"] for n, l in lines_by_name(ctx.db, again).items()} == {
        "Nguyễn Thị Hoa": 60_000, "Trần Thị Lan": 80_000}


def test_a_late_decision_adds_back_pay_to_the_next_monthly_session(ctx, commune):
    for period in ("2026-07", "2026-08", "2026-09", "2026-10"):
        monthly(ctx, period)
    binh = register.create(at(ctx, dt.date(2026, 7, 2)), {"full_name": "Phạm Văn Bình", "birth_date": "1990-01-01",
                                                            "gender": "M", "village": "Thôn Tây"})
    app = decisions.add_application(at(ctx, dt.date(2026, 7, 6)), "grant", "2026-07-03", beneficiary_id=binh,
                                    category="nkt_nang")
    signed = dt.date(2026, 10, 28)          # the file was complete in July; the decision came late
    late = decisions.create_decision(at(ctx, signed), decisions.DecisionSpec(signed, "2026-07", number=77),
                                     applications=[app])
    decisions.apply_decision(at(ctx, signed), late)
    # a change decided late for Hoa: extremely severe disability from September (the difference is owed)
    change = decide(at(ctx, signed), signed, "2026-09", {"beneficiary_id": commune["hoa"], "action": "change",
                                                         "from_category": "nct_ngheo_60_80",
                                                         "category": "nkt_dac_biet_nang"}, number=78)
    nov = payouts.create_session(at(ctx, dt.date(2026, 11, 10)), payouts.SessionSpec(
        name="Tháng 11", kind="monthly", period="2026-11", session_date=dt.date(2026, 11, 10)))
    lines = lines_by_name(ctx.db, nov)
    binh_line = lines["Phạm Văn Bình"]
    assert rows_of(ctx.db, binh_line) == [(m, "decision", 750_000, 0, 750_000)
                                          for m in ("2026-07", "2026-08", "2026-09", "2026-10")]
    assert (binh_line["base_amount"], binh_line["arrears_amount"], binh_line["total"]) == (
        750_000, 3_000_000, 3_750_000)
    hoa = lines["Nguyễn Thị Hoa"]
    assert rows_of(ctx.db, hoa) == [(m, "decision", 1_250_000, 750_000, 500_000) for m in ("2026-09", "2026-10")]
    assert hoa["total"] == 1_250_000 + 1_000_000
    assert {r["decision_id"] for r in arrears.line_arrears(ctx.db, [hoa["id"]])[hoa["id"]]} == {change}
    assert "Truy lĩnh theo quyết định: tháng 7–10/2026: 4 × 750.000 đ = 3.000.000 đ" in payouts.explain_line(
        binh_line)
    assert lines["Trần Thị Lan"]["arrears_amount"] == 0


def test_back_pay_for_a_person_stopped_since_is_a_line_of_its_own(ctx, commune):
    for period in ("2026-07", "2026-08", "2026-09", "2026-10"):
        monthly(ctx, period)
    binh = register.create(at(ctx, dt.date(2026, 7, 2)), {"full_name": "Phạm Văn Bình", "birth_year": 1990,
                                                            "village": "Thôn Tây"})
    oct_ = at(ctx, dt.date(2026, 10, 28))
    decide(oct_, dt.date(2026, 10, 28), "2026-07", {"beneficiary_id": binh, "action": "grant", "category": "nkt_nang"})
    decide(oct_, dt.date(2026, 10, 28), "2026-09", {"beneficiary_id": binh, "action": "stop",
                                                    "reason": "Chuyển đi nơi khác"})
    preview = payouts.preview_session(ctx.db, payouts.SessionSpec(
        name="Tháng 11", kind="monthly", period="2026-11", session_date=dt.date(2026, 11, 10)))
    line = next(l for l in preview.lines if l["full_name"] == "Phạm Văn Bình")
    assert (line["purpose"], line["base_amount"], line["total"]) == ("arrears", 0, 2 * 750_000)   # July, August
    assert [o.month for o in line["arrears"]] == ["2026-07", "2026-08"]


def test_months_before_the_commune_kept_its_payouts_here_are_not_owed(ctx, commune):
    # The decisions of the fixture took effect in July and August, but no session ran before October
    # here (the commune paid those months before it used this program): nothing is owed for them.
    monthly(ctx, "2026-10")
    preview = payouts.preview_session(ctx.db, payouts.SessionSpec(
        name="Tháng 11", kind="monthly", period="2026-11", session_date=dt.date(2026, 11, 10)))
    assert {line["full_name"]: line["arrears_amount"] for line in preview.lines} == {
        "Nguyễn Thị Hoa": 0, "Trần Thị Lan": 0, "Lê Văn Nam": 0}


def test_funeral_support_after_a_death(ctx, commune):
    monthly(ctx, "2026-10")
    oct_ = at(ctx, dt.date(2026, 10, 28))
    register.set_status(oct_, commune["lan"], "deceased", dt.date(2026, 10, 15), "Từ trần")
    assert [p["full_name"] for p in decisions.funeral.proposals(ctx.db, dt.date(2026, 10, 28))] == ["Trần Thị Lan"]
    app = decisions.add_application(oct_, "funeral", "2026-10-27", beneficiary_id=commune["lan"], receiver={
        "name": "Trần Văn Út", "id_number": "035080001111", "relation": "Em trai"})
    funeral = decide(oct_, dt.date(2026, 10, 28), "2026-10", *[
        decisions.item_from_application(ctx.db, decisions.get_application(ctx.db, app))], number=80)
    nov = payouts.create_session(at(ctx, dt.date(2026, 11, 10)), payouts.SessionSpec(
        name="Tháng 11", kind="monthly", period="2026-11", session_date=dt.date(2026, 11, 10)))
    lan = lines_by_name(ctx.db, nov)["Trần Thị Lan"]             # the allowance stopped after October
    assert (lan["purpose"], lan["total"], lan["channel"]) == ("funeral", 20 * 500_000, "cash_commune")
    assert (lan["receiver_name"], lan["receiver_relation"], lan["receiver_id_number"], lan["decision_id"]) == (
        "Trần Văn Út", "Em trai", "035080001111", funeral)
    payouts.lock_session(at(ctx, dt.date(2026, 11, 10)), nov)
    with pytest.raises(UserError, match="không chi cho người đã mất"):
        payouts.pay_line(at(ctx, dt.date(2026, 11, 11)), lan["id"], received_by="self")
    receipt = payouts.pay_line(at(ctx, dt.date(2026, 11, 11)), lan["id"])           # the desk's Enter
    assert payouts.payment_by_receipt(ctx.db, nov, receipt)["receiver_name"] == "Trần Văn Út"
    assert payouts.explain_line(lan)[:2] == [
        "Hỗ trợ chi phí mai táng theo Quyết định số 80/QĐ-UBND ngày 28/10/2026 (người hưởng mất ngày 15/10/2026)",
        "Người nhận: Trần Văn Út (Em trai)"]
    # held by that session: a one-off funeral session finds nothing more
    with pytest.raises(UserError, match="Không có ai"):
        payouts.create_session(at(ctx, dt.date(2026, 11, 12)), payouts.SessionSpec(
            name="Mai táng phí", kind="one_off", period="2026-11", session_date=dt.date(2026, 11, 12), funeral=True))
    payouts.reverse_entry(at(ctx, dt.date(2026, 11, 12)), payouts.payment_by_receipt(ctx.db, nov, receipt)["id"],
                          "Ghi nhầm")
    payouts.cancel_line(at(ctx, dt.date(2026, 11, 12)), lan["id"], "Chi ở đợt riêng")
    own = payouts.create_session(at(ctx, dt.date(2026, 11, 12)), payouts.SessionSpec(
        name="Mai táng phí", kind="one_off", period="2026-11", session_date=dt.date(2026, 11, 12), funeral=True))
    assert [(l["full_name"], l["purpose"], l["total"]) for l in payouts.session_lines(ctx.db, own)] == [
        ("Trần Thị Lan", "funeral", 10_000_000)]


def test_funeral_support_waits_when_the_month_of_death_is_still_paid(ctx, commune):
    dec = at(ctx, dt.date(2026, 12, 18))
    register.set_status(dec, commune["hoa"], "deceased", dt.date(2026, 12, 15))
    app = decisions.add_application(dec, "funeral", "2026-12-17", beneficiary_id=commune["hoa"],
                                    receiver={"name": "Nguyễn Văn Con", "relation": "Con trai"})
    decide(dec, dt.date(2026, 12, 18), "2026-12",
           decisions.item_from_application(ctx.db, decisions.get_application(ctx.db, app)))
    preview = payouts.preview_session(ctx.db, payouts.SessionSpec(
        name="Tháng 12", kind="monthly", period="2026-12", session_date=dt.date(2026, 12, 20)))
    hoa = next(l for l in preview.lines if l["full_name"] == "Nguyễn Thị Hoa")
    assert (hoa["purpose"], hoa["total"]) == ("allowance", 750_000)      # December, the month of death
    assert any("hỗ trợ chi phí mai táng chi ở đợt sau" in w for w in preview.warnings)


def test_months_in_words():
    assert arrears.months_text(["2026-07", "2026-08", "2026-09"]) == "tháng 7–9/2026"
    assert arrears.months_text(["2026-11", "2026-12", "2027-01"]) == "tháng 11/2026–01/2027"
    assert arrears.months_text(["2026-07", "2026-09"]) == "tháng 7, 9/2026"
    assert arrears.runs([{"month": "2026-07", "amount": 60_000}, {"month": "2026-08", "amount": 60_000},
                         {"month": "2026-09", "amount": 80_000}]) == [(["2026-07", "2026-08"], 60_000),
                                                                      (["2026-09"], 80_000)]


# Paper -----------------------------------------------------------------------------------------

def test_arrears_on_paper(ctx, commune, tmp_path):
    """The arrears list, a monthly list with its arrears and funeral rows, the receipts, the report."""
    import pdfplumber
    from test_decision_document import check_layout, flat, render_for_a_look

    from commune_payout import documents

    settings.put_signers(ctx.db, {"chairman": "Hoàng Văn Chủ", "accountant": "Phạm Thị Toán"})
    for period in ("2026-07", "2026-08", "2026-09"):
        monthly(ctx, period)
    monthly(ctx, "2026-10", paid=lambda line: line["full_name"] != "Nguyễn Thị Hoa")
    november = at(ctx, dt.date(2026, 11, 20))
    base_levels.set_local(november, "btxh", JULY, 540_000)
    back = payouts.create_session(november, payouts.SessionSpec(
        name="Truy lĩnh mức chuẩn từ 7/2026", kind="arrears", period="2026-11", session_date=dt.date(2026, 11, 20)))
    payouts.lock_session(november, back)
    for line in payouts.session_lines(ctx.db, back):
        payouts.pay_line(november, line["id"])
    binh = register.create(at(ctx, dt.date(2026, 7, 2)), {"full_name": "Phạm Văn Bình", "birth_year": 1990,
                                                            "village": "Thôn Tây"})
    late = decide(november, dt.date(2026, 11, 20), "2026-09", {"beneficiary_id": binh, "action": "grant",
                                                               "category": "nkt_nang"}, number=90)
    register.set_status(november, commune["lan"], "deceased", dt.date(2026, 10, 15))
    app = decisions.add_application(november, "funeral", "2026-11-18", beneficiary_id=commune["lan"],
                                    receiver={"name": "Trần Văn Út", "relation": "Em trai"})
    decide(november, dt.date(2026, 11, 20), "2026-10",
           decisions.item_from_application(ctx.db, decisions.get_application(ctx.db, app)), number=91)
    nov = payouts.create_session(november, payouts.SessionSpec(name="Tháng 11/2026", kind="monthly",
                                                               period="2026-11", session_date=dt.date(2026, 11, 20)))
    payouts.lock_session(november, nov)
    for line in payouts.session_lines(ctx.db, nov):
        payouts.pay_line(november, line["id"], received_by="authorised" if line["purpose"] == "funeral" else None)
    on = dt.date(2026, 11, 20)
    out = {name: tmp_path / f"{name}.pdf" for name in ("arrears_list", "monthly_arrears", "receipts_arrears",
                                                       "report_arrears")}
    documents.write(ctx.db, documents.Request("payout-list", on, session_id=back), out["arrears_list"])
    documents.write(ctx.db, documents.Request("payout-list", on, session_id=nov), out["monthly_arrears"])
    documents.write(ctx.db, documents.Request("receipts", None, session_id=nov, channel="all", per_page=2),
                    out["receipts_arrears"])
    documents.write(ctx.db, documents.Request("report", on, period="2026-11"), out["report_arrears"])
    text = {name: flat("\n".join(page.extract_text() for page in pdfplumber.open(path).pages))
            for name, path in out.items()}
    assert "tháng 7–9/2026 60.000 3 180.000" in text["arrears_list"]               # Hoa: months, difference, count
    assert "tháng 7–10/2026 80.000 4 320.000" in text["arrears_list"]              # Lan
    assert "TỔNG CỘNG: 3 người 680.000" in text["arrears_list"]
    monthly_text = text["monthly_arrears"]
    assert "Kèm theo Quyết định số 90/QĐ-UBND ngày 20/11/2026, số 91/QĐ-UBND ngày 20/11/2026 của Chủ tịch Ủy ban " \
           "nhân dân xã An Bình" in monthly_text
    assert "1 Nguyễn Thị Hoa 1950 NCT nghèo 60–80 1,5 810.000 1 750.000 1.560.000" in monthly_text
    assert "Truy lĩnh tháng 10/2026 60.000 1 60.000" in monthly_text               # Hoa's October at the new level
    assert "Truy lĩnh tháng 9–10/2026 810.000 2 1.620.000" in monthly_text         # the late decision
    assert "Trần Thị Lan 1980 Mai táng phí 10.800.000 TM Trần Văn Út (Em trai)" in monthly_text   # 20 × 540.000
    assert "TỔNG CỘNG: 4 người 15.660.000" in monthly_text
    receipts = text["receipts_arrears"]
    assert "BIÊN NHẬN TIỀN HỖ TRỢ MAI TÁNG" in receipts and "Người đã mất: Trần Thị Lan" in receipts
    assert "– Truy lĩnh tháng 9–10/2026 (2 × 810.000 đ): 1.620.000 đ" in receipts
    assert "– Trợ cấp tháng 11/2026: 810.000 đ" in receipts
    assert "– Kỳ trước chưa nhận, chuyển sang: 750.000 đ" in receipts
    report = text["report_arrears"]
    assert "Truy lĩnh chênh lệch 4 0 0 4 740.000 0 0" in report        # 680.000 + Hoa's October
    assert "Truy lĩnh theo quyết định 1 0 0 1 1.620.000 0 0" in report
    assert "Hỗ trợ chi phí mai táng 1 0 0 1 10.800.000 0 0" in report
    for name, path in out.items():
        check_layout(path)
        render_for_a_look(path, name)
