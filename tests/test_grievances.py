"""Grievances: recording a complaint, its due date in working days, the states and the refusal of
every other move, the history, the fix a resolution links to, tickets from verification
answers, and how the tickets stood on a past day (the monthly report)."""

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from commune_payout import grievances, payouts, register, verification
from commune_payout.clock import FixedClock
from commune_payout.decisions import set_holidays
from commune_payout.errors import UserError, ValidationError

MONDAY = dt.datetime(2026, 12, 21, 9)


@pytest.fixture
def people(ctx):
    ctx.clock = FixedClock(MONDAY)
    btxh = register.create(ctx, {"full_name": "Lò Thị Hoa", "birth_year": 1940, "gender": "F", "village": "Bản Nà",
                                 "phone": "0912345678"}, [{"category": "nct_80"}])
    both = register.create(ctx, {"full_name": "Vi Văn Bình", "birth_year": 1950, "gender": "M", "village": "Bản Nà"},
                           [{"category": "nkt_nang"}, {"category": "ncc_thuong_binh", "amount": 2_000_000,
                                                       "injury_rate": 61}])
    return {"btxh": btxh, "both": both}


def add(ctx, bid, received="04/12/2026", kind="not_received", **kw):
    return grievances.add_grievance(ctx, kind, "Chưa nhận được tiền tháng 12", received_via="phone",
                                    received_on=received, beneficiary_id=bid, **kw)


# Recording ------------------------------------------------------------------------------------

def test_a_complaint_is_numbered_per_year_and_goes_to_its_programme(ctx, people):
    first = grievances.get_grievance(ctx.db, add(ctx, people["btxh"]))
    assert (first["number_text"], first["program"], first["full_name"], first["phone"]) == \
        ("1/2026", "btxh", "Lò Thị Hoa", "0912345678")
    assert first["state"] == "new" and first["due_on"] == "2026-12-18"
    second = grievances.get_grievance(ctx.db, add(ctx, people["btxh"], received="21/12/2026"))
    assert second["number_text"] == "2/2026"
    with pytest.raises(ValidationError) as refused:
        add(ctx, people["both"])
    assert "program" in refused.value.problems                         # in two programmes: say which
    ncc = grievances.get_grievance(ctx.db, add(ctx, people["both"], program="ncc"))
    assert ncc["program"] == "ncc"


def test_someone_the_register_lacks_can_complain_of_being_left_out(ctx, people):
    gid = grievances.add_grievance(ctx, "left_out", "Đủ 80 tuổi từ tháng 10/2026\n\n  nhưng không có tên  ",
                                   received_via="village_head", person={"full_name": " Lường  Văn Sót ",
                                                                        "village": "Bản Nà", "phone": "091 234 5679"},
                                   complainant="Lường Thị Con (con gái)", program="btxh")
    ticket = grievances.get_grievance(ctx.db, gid)
    assert ticket["beneficiary_id"] is None and ticket["full_name"] == "Lường Văn Sót"
    assert ticket["phone"] == "0912345679" and ticket["complainant"] == "Lường Thị Con (con gái)"
    assert ticket["description"] == "Đủ 80 tuổi từ tháng 10/2026\nnhưng không có tên"
    assert grievances.fix_candidates(ctx.db, ticket) == []


def test_a_complaint_is_refused_with_every_problem(ctx, people):
    with pytest.raises(ValidationError) as refused:
        grievances.add_grievance(ctx, "lost", "  ", received_via="zalo", received_on="31/12/2026")
    assert set(refused.value.problems) == {"kind", "received_via", "description", "received_on", "full_name",
                                           "program"}


def test_a_line_names_the_session_person_and_programme(ctx, people):
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 12", kind="monthly", period="2026-12",
                                                          session_date=dt.date(2026, 12, 1)))
    payouts.lock_session(ctx, sid)
    line = payouts.session_lines(ctx.db, sid, search="Lò Thị Hoa")[0]
    by_session = grievances.get_grievance(ctx.db, add(ctx, people["btxh"], session_id=sid))
    assert (by_session["line_id"], by_session["session_id"]) == (line["id"], sid)
    with pytest.raises(ValidationError) as refused:
        add(ctx, people["both"], line_id=line["id"])
    assert "line_id" in refused.value.problems


# Due dates and overdue ------------------------------------------------------------------------

def test_due_dates_skip_weekends_and_holidays_and_follow_the_kind(ctx, people):
    friday = grievances.get_grievance(ctx.db, add(ctx, people["btxh"], received="04/12/2026"))
    assert friday["due_on"] == "2026-12-18"                            # two weekends crossed
    grievances.set_days(ctx.db, {"not_received": 5})
    assert grievances.days_by_kind(ctx.db)["not_received"] == 5 and grievances.days_by_kind(ctx.db)["other"] == 10
    set_holidays(ctx.db, ["2027-02-16"])
    ctx.clock = FixedClock(dt.datetime(2027, 2, 20, 9))
    tet = grievances.get_grievance(ctx.db, add(ctx, people["btxh"], received="12/02/2027"))
    assert tet["due_on"] == "2027-02-22"                               # Fri 12 → 15, (16 Tết), 17, 18, 19, 22
    with pytest.raises(ValidationError) as refused:
        grievances.set_days(ctx.db, {"not_received": "0", "other": "91", "lost": "5"})
    assert set(refused.value.problems) == {"not_received", "other", "lost"}


@pytest.mark.parametrize("today, overdue, left", [
    ("2026-12-17", False, 1),     # Thursday: one working day left
    ("2026-12-18", False, 0),     # Friday, the due day: still in time
    ("2026-12-19", True, 0),      # Saturday: past the due day, no working day lost yet
    ("2026-12-20", True, 0),      # Sunday
    ("2026-12-21", True, -1),     # Monday: one working day late
    ("2026-12-28", True, -6),
])
def test_overdue_across_a_weekend(ctx, people, today, overdue, left):
    add(ctx, people["btxh"], received="04/12/2026")
    ticket = grievances.list_grievances(ctx.db, dt.date.fromisoformat(today))[0]
    assert (ticket["overdue"], ticket["working_days_left"]) == (overdue, left)


def test_open_tickets_come_first_the_overdue_on_top(ctx, people):
    late = add(ctx, people["btxh"], received="01/12/2026")
    fresh = add(ctx, people["btxh"], received="21/12/2026")
    done = add(ctx, people["btxh"], received="02/12/2026")
    grievances.move(ctx, done, "in_progress")
    grievances.move(ctx, done, "resolved", resolution="Đã giải thích")
    rows = grievances.list_grievances(ctx.db, MONDAY.date())
    assert [r["id"] for r in rows] == [late, fresh, done]
    assert [r["overdue"] for r in rows] == [True, False, False]
    assert [r["id"] for r in grievances.list_grievances(ctx.db, MONDAY.date(), open_only=True)] == [late, fresh]


# States -------------------------------------------------------------------------------------

def test_a_ticket_goes_from_new_to_closed_and_its_history_keeps_who_and_when(ctx, people):
    gid = add(ctx, people["btxh"])
    grievances.move(ctx, gid, "in_progress", handled_by="Lê Văn Xử")
    ctx.clock = FixedClock(dt.datetime(2026, 12, 22, 10))
    ctx.user = "truong_phong"
    grievances.add_note(ctx, gid, "Đã gọi ngân hàng")
    grievances.move(ctx, gid, "resolved", resolution="Ngân hàng chuyển lại ngày 22/12")
    grievances.move(ctx, gid, "closed", note="Người hưởng xác nhận")
    ticket = grievances.get_grievance(ctx.db, gid, MONDAY.date())
    assert (ticket["state"], ticket["handled_by"], ticket["resolved_on"], ticket["closed_on"]) == \
        ("closed", "Lê Văn Xử", "2026-12-22", "2026-12-22")
    assert ticket["overdue"] is False
    history = [(e["from_state"], e["to_state"], e["by"], e["at"][:10], e["note"])
               for e in grievances.events(ctx.db, gid)]
    assert history == [
        (None, "new", "can_bo_test", "2026-12-21", "Tiếp nhận: điện thoại"),
        ("new", "in_progress", "can_bo_test", "2026-12-21", ""),
        ("in_progress", "in_progress", "truong_phong", "2026-12-22", "Đã gọi ngân hàng"),
        ("in_progress", "resolved", "truong_phong", "2026-12-22", "Ngân hàng chuyển lại ngày 22/12"),
        ("resolved", "closed", "truong_phong", "2026-12-22", "Người hưởng xác nhận"),
    ]
    for sql in ("UPDATE grievance_events SET note = 'x'", "DELETE FROM grievance_events",
                "DELETE FROM grievances"):
        with pytest.raises(Exception, match="append-only|never deleted"):
            ctx.db.execute(sql)


def _reach(ctx, gid, state):
    path = {"new": [], "in_progress": ["in_progress"], "resolved": ["in_progress", "resolved"],
            "closed": ["in_progress", "resolved", "closed"]}[state]
    for step in path:
        grievances.move(ctx, gid, step, resolution="Đã giải quyết")


@pytest.mark.parametrize("start, target", [
    (s, t) for s, t in itertools.product(grievances.STATES, grievances.STATES) if t not in grievances.NEXT_STATES[s]])
def test_every_other_move_is_refused_and_changes_nothing(ctx, people, start, target):
    gid = add(ctx, people["btxh"])
    _reach(ctx, gid, start)
    before = (grievances.get_grievance(ctx.db, gid), len(grievances.events(ctx.db, gid)))
    with pytest.raises(UserError, match=f"không chuyển sang “{grievances.STATES[target]}”"):
        grievances.move(ctx, gid, target, resolution="x", note="x")
    assert (grievances.get_grievance(ctx.db, gid), len(grievances.events(ctx.db, gid))) == before


def test_resolving_needs_the_resolution_and_reopening_its_reason(ctx, people):
    gid = add(ctx, people["btxh"], received="01/12/2026")
    grievances.move(ctx, gid, "in_progress")
    with pytest.raises(ValidationError, match="kết quả"):
        grievances.move(ctx, gid, "resolved", resolution="  ")
    grievances.move(ctx, gid, "resolved", resolution="Đã chuyển lại")
    grievances.move(ctx, gid, "closed")
    with pytest.raises(ValidationError, match="lý do"):
        grievances.move(ctx, gid, "in_progress")
    grievances.move(ctx, gid, "in_progress", note="Người hưởng báo vẫn chưa nhận")
    reopened = grievances.get_grievance(ctx.db, gid, MONDAY.date())
    assert (reopened["state"], reopened["closed_on"], reopened["due_on"]) == ("in_progress", None, "2027-01-05")
    assert reopened["overdue"] is False          # the old due date (15/12) was missed; the new one is not yet


# Fixes ------------------------------------------------------------------------------------------

@pytest.fixture
def paid(ctx, people):
    register.update(ctx, people["btxh"], {"account_status": "has_account", "channel": "account",
                                          "bank_bin": "970405", "account_number": "1234567890"})
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 12", kind="monthly", period="2026-12",
                                                          session_date=dt.date(2026, 12, 1)))
    payouts.lock_session(ctx, sid)
    for line in payouts.session_lines(ctx.db, sid):
        payouts.pay_line(ctx, line["id"])
    return sid


def test_a_resolution_links_to_the_reversal_and_the_repayment(ctx, people, paid):
    line = payouts.session_lines(ctx.db, paid, search="Lò Thị Hoa")[0]
    gid = add(ctx, people["btxh"], line_id=line["id"])
    grievances.move(ctx, gid, "in_progress")
    reversal = payouts.reverse_entry(ctx, line["payment_entry_id"], "Chuyển vào tài khoản cũ đã đóng")
    payouts.change_channel(ctx, line["id"], "cash_commune", "Chi tiền mặt theo khiếu nại")
    payouts.pay_line(ctx, line["id"])
    ticket = grievances.get_grievance(ctx.db, gid)
    offered = grievances.fix_candidates(ctx.db, ticket)
    assert [c["kind"] for c in offered].count("repayment") == 4          # payment, reversal, switch, repayment
    assert any(c["ref"] == reversal and "Chuyển vào tài khoản cũ" in c["label"] for c in offered)
    grievances.move(ctx, gid, "resolved", resolution="Đã chi lại tiền mặt", fix=("repayment", reversal))
    ticket = grievances.get_grievance(ctx.db, gid)
    assert (ticket["fix_kind"], ticket["fix_ref"]) == ("repayment", reversal)
    assert grievances.describe_fix(ctx.db, ticket).startswith("Đảo khoản chi và chi trả lại: Đảo bút toán")


def test_a_fix_made_later_is_linked_and_a_stranger_s_is_refused(ctx, people, paid):
    gid = add(ctx, people["btxh"])
    grievances.move(ctx, gid, "in_progress")
    grievances.move(ctx, gid, "resolved", resolution="Sẽ sửa số tài khoản")
    register.update(ctx, people["btxh"], {"account_number": "9876543210"})
    change = next(c for c in grievances.fix_candidates(ctx.db, grievances.get_grievance(ctx.db, gid))
                  if c["kind"] == "account")
    assert change["label"].startswith("Số tài khoản: 1234567890 → 9876543210")
    grievances.link_fix(ctx, gid, "account", change["ref"])
    assert grievances.events(ctx.db, gid)[-1]["note"].startswith("Khắc phục: Số tài khoản")
    other = payouts.session_lines(ctx.db, paid, search="Vi Văn Bình")[0]
    with pytest.raises(ValidationError, match="Cách khắc phục"):
        grievances.link_fix(ctx, gid, "next_line", other["id"])
    with pytest.raises(ValidationError):
        grievances.link_fix(ctx, gid, "sorry", "x")
    grievances.move(ctx, gid, "closed")
    with pytest.raises(UserError, match="chỉ gắn cách khắc phục"):
        grievances.link_fix(ctx, gid, "account", change["ref"])


def test_a_line_of_the_next_session_is_a_fix(ctx, people, paid):
    gid = add(ctx, people["btxh"], kind="wrong_amount", session_id=paid)
    grievances.move(ctx, gid, "in_progress")
    following = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 01/2027", kind="monthly",
                                                                period="2027-01", session_date=dt.date(2027, 1, 1)))
    offered = [c for c in grievances.fix_candidates(ctx.db, grievances.get_grievance(ctx.db, gid))
               if c["kind"] == "next_line"]
    assert len(offered) == 1 and "Tháng 01/2027" in offered[0]["label"]
    assert offered[0]["ref"] == payouts.line_id_for(following, people["btxh"])
    grievances.move(ctx, gid, "resolved", resolution="Chi bổ sung tháng 01", fix=("next_line", offered[0]["ref"]))


# From a verification answer --------------------------------------------------------------------

def test_a_negative_answer_opens_a_ticket_in_one_action(ctx, people, paid):
    verification.draw(ctx, paid, verification.DrawSpec("all"), seed=1)
    items = {i["full_name"]: i for i in verification.items(ctx.db, paid)}
    hoa = items["Lò Thị Hoa"]
    ask = dict(asked_by="Trưởng bản Nà", asked_on="21/12/2026", asked_how="phone")
    received = verification.record_answer(ctx, items["Vi Văn Bình"]["id"], "received", **ask)
    with pytest.raises(UserError, match="không mở phiếu"):
        grievances.open_from_answer(ctx, received)
    answer = verification.record_answer(ctx, hoa["id"], "different_amount", amount="300000", note="Cháu giữ hộ", **ask)
    gid = grievances.open_from_answer(ctx, answer, "Hẹn lên xã ngày 23/12")
    ticket = grievances.get_grievance(ctx.db, gid)
    assert (ticket["kind"], ticket["received_via"], ticket["line_id"], ticket["session_id"], ticket["program"],
            ticket["answer_id"], ticket["received_on"]) == \
        ("wrong_amount", "verification", hoa["line_id"], paid, "btxh", answer, "2026-12-21")
    assert hoa["total"] == 500_000
    assert ticket["description"] == (
        "Xác minh chi trả đợt “Tháng 12”: người hưởng trả lời nhận số tiền khác (300.000 đ, đã chi 500.000 đ). "
        "Hỏi ngày 21/12/2026, gọi điện thoại, người hỏi: Trưởng bản Nà.\nCháu giữ hộ\nHẹn lên xã ngày 23/12")
    assert grievances.for_items(ctx.db, [hoa["id"]])[hoa["id"]]["number_text"] == ticket["number_text"]
    with pytest.raises(ValidationError, match="Phiếu"):
        grievances.open_from_answer(ctx, answer)


# The monthly report's view ---------------------------------------------------------------------

def test_tickets_as_they_stood_on_a_past_day(ctx, people):
    ctx.clock = FixedClock(dt.datetime(2026, 11, 20, 9))
    late = add(ctx, people["btxh"], received="02/11/2026")
    solved = add(ctx, people["btxh"], received="03/11/2026")
    grievances.move(ctx, solved, "in_progress")
    grievances.move(ctx, solved, "resolved", resolution="Đã chi")
    ctx.clock = FixedClock(dt.datetime(2026, 12, 3, 9))
    grievances.move(ctx, late, "in_progress")
    grievances.move(ctx, late, "resolved", resolution="Đã chi")
    typed_late = add(ctx, people["btxh"], received="27/11/2026")   # received in November, typed in December
    november = {t["id"]: t for t in grievances.state_on(ctx.db, dt.date(2026, 11, 30))}
    assert (november[late]["state"], november[late]["due_on"], november[late]["resolved_on"]) == \
        ("new", "2026-11-16", None)
    assert november[solved]["resolved_on"] == "2026-11-20"
    assert november[typed_late]["state"] == "new"
    december = {t["id"]: t for t in grievances.state_on(ctx.db, dt.date(2026, 12, 31))}
    assert december[late]["state"] == "resolved" and december[late]["resolved_on"] == "2026-12-03"


# Typed input --------------------------------------------------------------------------------------

SHARED_DB = hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SHARED_DB
@given(kind=st.sampled_from([*grievances.KINDS, "", "khác"]), text=st.text(max_size=60),
       via=st.sampled_from([*grievances.RECEIVED_VIA, "zalo"]), received=st.one_of(st.none(), st.text(max_size=12)),
       name=st.text(max_size=30), program=st.sampled_from([None, "btxh", "ncc", "xyz"]))
def test_any_typed_complaint_is_recorded_or_refused_with_its_problems(ctx, kind, text, via, received, name,
                                                                       program):
    before = ctx.db.execute("SELECT count(*) FROM grievances").fetchone()[0]
    try:
        gid = grievances.add_grievance(ctx, kind, text, received_via=via, received_on=received,
                                       person={"full_name": name}, program=program)
    except ValidationError as exc:
        assert exc.problems
        assert ctx.db.execute("SELECT count(*) FROM grievances").fetchone()[0] == before
    else:
        ticket = grievances.get_grievance(ctx.db, gid)
        assert ticket["description"] and ticket["full_name"] and ticket["due_on"] > ticket["received_on"]


@SHARED_DB
@given(ref=st.text(max_size=20))
def test_any_typed_ticket_reference_is_found_or_refused(ctx, ref):
    try:
        gid = grievances.resolve_grievance(ctx.db, ref)
    except UserError:
        pass
    else:
        assert grievances.get_grievance(ctx.db, gid)


def test_the_monthly_report_counts_verification_and_complaints(ctx, people, paid, tmp_path):
    import pdfplumber

    from commune_payout.documents import indicators, progress_report

    verification.draw(ctx, paid, verification.DrawSpec("all"), seed=1)
    items = {i["full_name"]: i for i in verification.items(ctx.db, paid)}
    answer = verification.record_answer(ctx, items["Lò Thị Hoa"]["id"], "not_received", asked_by="Trưởng bản",
                                        asked_on="21/12/2026", asked_how="phone")
    grievances.open_from_answer(ctx, answer)                            # btxh, received in December, open
    solved = add(ctx, people["btxh"], received="01/12/2026")             # btxh, received and resolved in December
    grievances.move(ctx, solved, "in_progress")
    grievances.move(ctx, solved, "resolved", resolution="Đã chi lại")
    add(ctx, people["btxh"], received="02/11/2026")                      # btxh, from November, overdue since 16/11
    add(ctx, people["both"], received="15/12/2026", program="ncc")       # ncc, open, due 29/12: not yet overdue
    data = progress_report.progress_data(ctx.db, "2026-12", on=dt.date(2026, 12, 21))
    btxh = data.by_program["btxh"]
    drawn = sum(1 for i in items.values() if i["program"] == "btxh")
    assert [btxh.measure(k) for k in indicators.FOLLOWED] == [drawn, 1, 1, 2, 1, 2, 1]
    assert indicators.BUILT_IN["verification_rate"].value(btxh) == 1 / drawn
    ncc = data.by_program.get("ncc")
    assert ncc is None or [ncc.measure(k) for k in ("grievances_received", "grievances_open",
                                                    "grievances_overdue")] == [1, 1, 0]
    # at the month's end the ncc complaint (due 29/12) is overdue too
    end = progress_report.progress_data(ctx.db, "2026-12", programs=("btxh", "ncc"))
    assert end.by_program["ncc"].measure("grievances_overdue") == 1
    pdf = tmp_path / "bao-cao.pdf"
    progress_report.write(ctx.db, "2026-12", pdf, on=dt.date(2026, 12, 21))
    with pdfplumber.open(pdf) as doc:
        text = " ".join(" ".join(page.extract_text() for page in doc.pages).split())
    assert "III. Xác minh chi trả và khiếu nại, phản ánh" in text and "IV. Xu hướng qua các tháng" in text
    assert "Khiếu nại, phản ánh tiếp nhận trong tháng" in text and "trong đó: quá hạn trả lời" in text
    assert "Trong tháng tiếp nhận 2 khiếu nại, phản ánh, đã giải quyết 1; cuối kỳ còn 2 đang giải quyết" in text


@pytest.mark.parametrize("phone, stored", [("０９１ ２３４ ５６７９", "0912345679"), ("abc", None), ("²³", None)])
def test_the_phone_of_someone_the_register_lacks_is_digits_or_refused(ctx, people, phone, stored):
    # Fullwidth digits were stored as typed, and any text passed as a phone number.
    def complain():
        return grievances.add_grievance(ctx, "left_out", "Không có tên", received_via="village_head",
                                        person={"full_name": "Lường Văn Sót", "phone": phone}, program="btxh")
    if stored is None:
        with pytest.raises(ValidationError) as refused:
            complain()
        assert set(refused.value.problems) == {"phone"}
    else:
        assert grievances.get_grievance(ctx.db, complain())["phone"] == stored


def test_a_complaint_received_on_a_day_no_paper_bears_is_refused(ctx, people):
    with pytest.raises(ValidationError) as refused:
        add(ctx, people["btxh"], received="01/01/0001")
    assert set(refused.value.problems) == {"received_on"}


def test_what_is_typed_is_kept_whole_or_refused_never_cut(ctx, people, paid):
    """Names, descriptions, notes and resolutions over their limits were cut without a word; now
    the officer is told which field is too long and nothing is written."""
    long_text, long_name = "Nội dung " * 500, "Lường Văn " * 30
    with pytest.raises(ValidationError) as refused:
        grievances.add_grievance(ctx, "left_out", long_text, received_via="phone", complainant=long_name,
                                 person={"full_name": long_name, "village": "Bản Nà", "phone": ""}, program="btxh")
    assert set(refused.value.problems) == {"description", "complainant", "full_name"}
    assert "Dài quá" in refused.value.problems["description"]
    assert ctx.db.execute("SELECT count(*) FROM grievances").fetchone()[0] == 0
    gid = add(ctx, people["btxh"])
    for moved in ({"resolution": long_text}, {"handled_by": long_name}):
        with pytest.raises(ValidationError) as refused:
            grievances.move(ctx, gid, "in_progress" if "handled_by" in moved else "resolved", **moved)
        assert set(refused.value.problems) == set(moved)
    with pytest.raises(ValidationError):
        grievances.add_note(ctx, gid, long_text)
    assert grievances.get_grievance(ctx.db, gid)["state"] == "new"
    assert len(grievances.events(ctx.db, gid)) == 1
    verification.draw(ctx, paid, verification.DrawSpec("all"), seed=1)
    item = verification.items(ctx.db, paid)[0]
    ask = dict(asked_by="Trưởng bản Nà", asked_on="21/12/2026", asked_how="phone")
    with pytest.raises(ValidationError) as refused:
        verification.record_answer(ctx, item["id"], "not_received", note="x" * (verification.answers.NOTE_LIMIT + 1),
                                   **ask)
    assert set(refused.value.problems) == {"note"}
    answer = verification.record_answer(ctx, item["id"], "not_received", note="Chưa thấy tiền về", **ask)
    with pytest.raises(ValidationError) as refused:
        grievances.open_from_answer(ctx, answer, long_text)
    assert set(refused.value.problems) == {"description"}
    gid = grievances.open_from_answer(ctx, answer, "Hẹn lên xã")
    assert grievances.get_grievance(ctx.db, gid)["description"].endswith("Chưa thấy tiền về\nHẹn lên xã")
