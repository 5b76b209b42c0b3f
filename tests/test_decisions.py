"""Applications, due dates, decisions applied (and reversed by later ones), the check that finds
people no decision backs, funeral-support proposals, and the migration run again."""

import datetime as dt
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from commune_payout import checks, decisions, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.decisions.workdays import Calendar
from commune_payout.errors import UserError, ValidationError

TODAY = dt.date(2026, 10, 20)


@pytest.fixture
def ctx(db):
    settings.put_signers(db, {"chairman": "Hoàng Văn Chủ"})
    return Context(db, clock=FixedClock(dt.datetime(2026, 10, 20, 9)), user="can_bo_test")


def person(ctx, name="Nguyễn Thị Hoa", born="1950-04-02", **extra):
    return register.create(ctx, {"full_name": name, "birth_date": born, "gender": "F", "village": "Thôn Đông",
                                 **extra})


def spec(signed=TODAY, month="2026-07", **kw):
    return decisions.DecisionSpec(signed_on=signed, effective_month=month, **kw)


# Due dates --------------------------------------------------------------------------------------

def test_due_date_skips_the_weekend():
    # complete on Thursday 08/10/2026: Fri 9, Mon 12 … Thu 22 is the 10th working day
    assert Calendar().due_date(dt.date(2026, 10, 8)) == dt.date(2026, 10, 22)
    # complete on a Saturday: counting starts on Monday
    assert Calendar().due_date(dt.date(2026, 10, 10)) == dt.date(2026, 10, 23)


def test_due_date_skips_a_listed_holiday_and_national_day(db):
    # Friday 28/08/2026; 01/09 is listed by the officer, 02/09 is National Day
    decisions.set_holidays(db, ["01/09/2026"])
    calendar = Calendar.of(db)
    assert calendar.due_date(dt.date(2026, 8, 28)) == dt.date(2026, 9, 15)
    assert Calendar().due_date(dt.date(2026, 8, 28)) == dt.date(2026, 9, 14)      # without the listed day


def test_holidays_refuse_what_is_not_a_date(db):
    with pytest.raises(ValidationError) as err:
        decisions.set_holidays(db, ["2026-09-01", "mùng 1 Tết", "31/02/2027"])
    assert "mùng 1 Tết" in err.value.problems["holidays"] and "31/02/2027" in err.value.problems["holidays"]
    assert decisions.listed_holidays(db) == []


@hsettings(max_examples=200, deadline=None)
@given(start=st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)),
       holidays=st.sets(st.dates(dt.date(2024, 1, 1), dt.date(2029, 3, 31)), max_size=15))
def test_due_date_is_the_tenth_working_day(start, holidays):
    calendar = Calendar(holidays)
    due = calendar.due_date(start)
    assert calendar.is_working_day(due) and due > start
    assert calendar.working_days_between(start, due) == 10
    assert calendar.working_days_between(due, start) == -10


def test_open_applications_by_due_date_with_the_overdue_ones_marked(ctx):
    late = decisions.add_application(ctx, "grant", "2026-09-01", beneficiary_id=person(ctx),
                                     category="nct_ngheo_60_80")
    fresh = decisions.add_application(ctx, "grant", "2026-10-19", person={"full_name": "Lê Văn Nam",
                                      "birth_year": 2015, "village": "Thôn Tây"}, category="tre_mo_coi")
    rows = decisions.list_applications(ctx.db, TODAY)
    assert [r["id"] for r in rows] == [late, fresh]
    assert rows[0]["overdue"] and rows[0]["due_on"] == "2026-09-16" and rows[0]["working_days_left"] == -24
    assert not rows[1]["overdue"] and rows[1]["due_on"] == "2026-11-02" and rows[1]["working_days_left"] == 9


# Applications ----------------------------------------------------------------------------------

def test_an_application_lists_every_problem(ctx):
    bid = person(ctx)
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "change", "2026-10-25", beneficiary_id=bid, category="khong_co",
                                  from_category="nkt_nang", coefficient="một rưỡi")
    assert set(err.value.problems) == {"completed_on", "category", "from_category", "coefficient"}
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "grant", "2026-10-01", person={"full_name": "", "id_number": "12345"},
                                  category="nkt_nang")
    assert set(err.value.problems) == {"full_name", "id_number"}
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "stop", "2026-10-01", person={"full_name": "Người Mới"})
    assert "beneficiary_id" in err.value.problems
    assert ctx.db.execute("SELECT count(*) FROM applications").fetchone()[0] == 0


def test_a_second_open_application_of_the_same_kind_is_refused(ctx):
    bid = person(ctx)
    decisions.add_application(ctx, "grant", "2026-10-01", beneficiary_id=bid, category="nct_ngheo_60_80")
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "grant", "2026-10-05", beneficiary_id=bid, category="nkt_nang")
    assert "đang giải quyết" in err.value.problems["request"]


def test_population_check_and_withdrawal(ctx):
    app = decisions.add_application(ctx, "grant", "2026-10-01", beneficiary_id=person(ctx),
                                    category="nct_ngheo_60_80")
    with pytest.raises(ValidationError) as err:
        decisions.record_check(ctx, app, "2026-10-02", "", "mismatch")
    assert set(err.value.problems) == {"checked_by", "check_note"}
    decisions.record_check(ctx, app, "02/10/2026", "Công an xã (Đ/c Tâm)", "match")
    row = decisions.get_application(ctx.db, app)
    assert (row["checked_on"], row["checked_by"], row["check_result"]) == ("2026-10-02", "Công an xã (Đ/c Tâm)",
                                                                           "match")
    decisions.withdraw(ctx, app, "Gia đình rút hồ sơ")
    assert decisions.get_application(ctx.db, app)["status"] == "withdrawn"
    with pytest.raises(UserError):
        decisions.record_check(ctx, app, "2026-10-03", "Công an xã", "match")


# Decisions -------------------------------------------------------------------------------------

def history_of(db, bid):
    return [(h["field"], h["source"], h["decision_id"]) for h in register.history(db, bid)]


def test_a_decision_granted_then_reversed_by_a_later_one(ctx):
    bid = person(ctx)
    app = decisions.add_application(ctx, "grant", "2026-07-03", beneficiary_id=bid, category="nct_ngheo_60_80")
    first = decisions.create_decision(ctx, spec(number=12), applications=[app])
    assert register.get(ctx.db, bid)["memberships"] == []          # a draft changes nothing
    decisions.apply_decision(ctx, first)
    granted = register.get(ctx.db, bid)
    assert [(m["category"], m["start_date"], m["end_date"]) for m in granted["memberships"]] == [
        ("nct_ngheo_60_80", "2026-07-01", None)]
    assert register.amount_of(ctx.db, granted, dt.date(2026, 8, 15)) == 750_000
    assert decisions.get_application(ctx.db, app)["status"] == "decided"
    assert ("memberships", "Quyết định số 12/QĐ-UBND ngày 20/10/2026", first) in history_of(ctx.db, bid)

    later = Context(ctx.db, clock=FixedClock(dt.datetime(2026, 11, 25, 9)), user="can_bo_test")
    second = decisions.create_decision(later, spec(dt.date(2026, 11, 25), "2026-12", number=20),
                                       items=[{"beneficiary_id": bid, "action": "stop",
                                               "reason": "Đã có người phụng dưỡng"}])
    decisions.apply_decision(later, second)
    stopped = register.get(ctx.db, bid)
    assert [(m["start_date"], m["end_date"]) for m in stopped["memberships"]] == [("2026-07-01", "2026-11-30")]
    assert (stopped["status"], stopped["status_date"]) == ("ended", "2026-12-01")
    assert register.amount_of(ctx.db, stopped, dt.date(2026, 11, 15)) == 750_000
    assert register.amount_of(ctx.db, stopped, dt.date(2026, 12, 15)) == 0
    named = {d for _f, _s, d in history_of(ctx.db, bid) if d}
    assert named == {first, second}
    assert [d["number"] for d in decisions.decisions_of(ctx.db, bid)] == [12, 20]
    # an applied decision is a record: the database itself refuses to change or delete it
    with pytest.raises(sqlite3.IntegrityError):
        ctx.db.execute("UPDATE decisions SET effective_month = '2026-08' WHERE id = ?", [first])
    with pytest.raises(sqlite3.IntegrityError):
        ctx.db.execute("DELETE FROM decision_items WHERE decision_id = ?", [first])
    with pytest.raises(UserError):
        decisions.delete_draft(ctx, first)
    with pytest.raises(UserError):
        decisions.apply_decision(ctx, first)


def test_a_change_of_group_and_its_reversal(ctx):
    bid = person(ctx, born="1960-05-01")
    grant = decisions.create_decision(ctx, spec(month="2026-01", number=3),
                                      items=[{"beneficiary_id": bid, "action": "grant", "category": "nkt_nang"}])
    decisions.apply_decision(ctx, grant)
    change = decisions.create_decision(ctx, spec(month="2026-09", number=4), items=[
        {"beneficiary_id": bid, "action": "change", "from_category": "nkt_nang", "category": "nkt_dac_biet_nang"}])
    assert decisions.get_decision(ctx.db, change)["items"][0]["monthly_amount"] == 1_250_000   # 2,5 at 66
    decisions.apply_decision(ctx, change)
    back = decisions.create_decision(ctx, spec(month="2026-11", number=5), items=[
        {"beneficiary_id": bid, "action": "change", "from_category": "nkt_dac_biet_nang", "category": "nkt_nang"}])
    decisions.apply_decision(ctx, back)
    ms = sorted((m["category"], m["start_date"], m["end_date"]) for m in register.get(ctx.db, bid)["memberships"])
    assert ms == [("nkt_dac_biet_nang", "2026-09-01", "2026-10-31"), ("nkt_nang", "2026-01-01", "2026-08-31"),
                  ("nkt_nang", "2026-11-01", None)]
    now = register.get(ctx.db, bid)
    assert [register.amount_of(ctx.db, now, dt.date(2026, m, 15)) for m in (8, 9, 10, 11)] == [
        1_000_000, 1_250_000, 1_250_000, 1_000_000]


def test_a_grant_to_a_new_person_adds_them_to_the_register(ctx):
    app = decisions.add_application(ctx, "grant", "2026-10-01", person={
        "full_name": "lê  văn nam", "birth_date": "12/03/2023", "village": "Thôn Tây", "id_number": "035223000123",
        "gender": "M"}, category="tre_mo_coi")
    did = decisions.create_decision(ctx, spec(month="2026-10"), applications=[app])
    assert decisions.get_decision(ctx.db, did)["items"][0]["monthly_amount"] == 1_250_000     # under 4: 2,5
    decisions.apply_decision(ctx, did)
    bid = decisions.get_application(ctx.db, app)["beneficiary_id"]
    added = register.get(ctx.db, bid)
    assert (added["full_name"], added["id_number"], added["birth_date"]) == ("lê văn nam", "035223000123",
                                                                             "2023-03-12")
    assert history_of(ctx.db, bid)[-1] == ("created", decisions.source_text(decisions.get_decision(ctx.db, did)), did)


def test_applying_checks_everything_again_and_writes_nothing_when_one_fails(ctx):
    alive, dies = person(ctx, "Trần Thị Một"), person(ctx, "Trần Thị Hai", born="1951-01-01")
    did = decisions.create_decision(ctx, spec(), items=[
        {"beneficiary_id": alive, "action": "grant", "category": "nct_ngheo_60_80"},
        {"beneficiary_id": dies, "action": "grant", "category": "nct_ngheo_60_80"}])
    register.set_status(ctx, dies, "deceased", dt.date(2026, 10, 1))
    with pytest.raises(ValidationError) as err:
        decisions.apply_decision(ctx, did)
    assert list(err.value.problems.values()) == ["Trần Thị Hai: người này đã mất"]
    assert register.get(ctx.db, alive)["memberships"] == []
    assert decisions.get_decision(ctx.db, did)["status"] == "draft"


def test_a_decision_is_not_applied_before_it_is_signed(ctx):
    did = decisions.create_decision(ctx, spec(dt.date(2026, 10, 23)), items=[
        {"beneficiary_id": person(ctx), "action": "grant", "category": "nct_ngheo_60_80"}])
    with pytest.raises(UserError, match="sau khi đã ký"):
        decisions.apply_decision(ctx, did)


def test_a_decision_refuses_what_cannot_be(ctx):
    bid = person(ctx)
    decisions.apply_decision(ctx, decisions.create_decision(ctx, spec(number=7), items=[
        {"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_60_80"}]))
    with pytest.raises(ValidationError) as err:
        decisions.create_decision(ctx, spec(number=7), items=[
            {"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_60_80"},
            {"beneficiary_id": bid, "action": "change", "from_category": "nkt_nang", "category": "nkt_nang"},
            {"beneficiary_id": bid, "action": "stop", "reason": ""}])
    problems = err.value.problems
    assert "đã dùng" in problems["number"]
    with pytest.raises(ValidationError) as err:
        decisions.create_decision(ctx, spec(), items=[
            {"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_60_80"},
            {"beneficiary_id": bid, "action": "change", "from_category": "nkt_nang", "category": "nkt_nang"},
            {"beneficiary_id": bid, "action": "stop", "reason": ""}])
    assert sorted(err.value.problems.values()) == [
        "Nguyễn Thị Hoa: chưa ghi lý do thôi hưởng; có hai lần trong quyết định",
        "Nguyễn Thị Hoa: không đang hưởng diện cần thay đổi; có hai lần trong quyết định",
        "Nguyễn Thị Hoa: đang hưởng Người cao tuổi nghèo không người phụng dưỡng (60–80 tuổi) rồi"]


def test_a_recorded_decision_links_people_without_changing_them(ctx):
    bid = register.create(ctx, {"full_name": "Đinh Văn Cũ", "birth_year": 1940, "village": "Thôn Đông"},
                          [{"category": "nct_ngheo_80", "coefficient": 2.0, "start_date": "2021-07-01"}])
    before = register.get(ctx.db, bid)["memberships"]
    did = decisions.create_decision(ctx, spec(dt.date(2021, 6, 20), "2021-07", number=215, recorded=True), items=[
        {"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_80"}])
    decisions.apply_decision(ctx, did)
    assert register.get(ctx.db, bid)["memberships"] == before
    assert [f for f, _s, d in history_of(ctx.db, bid) if d == did] == ["decision"]


# The check: people no decision backs ----------------------------------------------------------

def test_people_without_decision_and_changes_made_by_hand(ctx):
    nobody = person(ctx, "Không Quyết Định")
    backed = person(ctx, "Có Quyết Định", born="1952-01-01")
    decisions.apply_decision(ctx, decisions.create_decision(ctx, spec(), items=[
        {"beneficiary_id": backed, "action": "grant", "category": "nct_ngheo_60_80"}]))
    batches, people = decisions.without_decision(ctx.db)
    assert batches == [] and {(r["id"], r["code"]) for r in people} == {(nobody, "no_decision")}
    later = Context(ctx.db, clock=FixedClock(dt.datetime(2026, 10, 21, 8)), user="can_bo_test")
    register.update(later, backed, {"monthly_amount": 900_000})
    problems = [p for p in checks.run_checks(ctx.db, TODAY) if p.code in checks.OFFICE_ONLY]
    assert {(p.beneficiary_id, p.code) for p in problems} == {(nobody, "no_decision"),
                                                              (backed, "changed_without_decision")}
    message = next(p.message for p in problems if p.beneficiary_id == backed)
    assert message == "Sửa mức hưởng riêng ngày 21/10/2026 không theo quyết định nào"
    hand = next(h for h in register.history(ctx.db, backed) if h["field"] == "monthly_amount")
    assert hand["decision_id"] is None


# Funeral support --------------------------------------------------------------------------------

def test_a_death_proposes_funeral_support_until_the_family_applies(ctx):
    bid = register.create(ctx, {"full_name": "Phan Văn Mất", "birth_year": 1938, "village": "Thôn Tây",
                                "gender": "M"}, [{"category": "nct_ngheo_80"}])
    old = register.create(ctx, {"full_name": "Mất Lâu Rồi", "birth_year": 1930}, [{"category": "nct_80"}])
    register.set_status(ctx, old, "deceased", dt.date(2024, 3, 1))
    register.set_status(ctx, bid, "deceased", dt.date(2026, 10, 15))
    proposed = decisions.funeral.proposals(ctx.db, TODAY)
    assert [(p["beneficiary_id"], p["amount"]) for p in proposed] == [(bid, 10_000_000)]   # 20 × 500.000
    app = decisions.add_application(ctx, "funeral", "2026-10-18", beneficiary_id=bid, receiver={
        "name": "Phan Thị Con", "id_number": "035190001234", "relation": "Con gái"})
    assert decisions.funeral.proposals(ctx.db, TODAY) == []
    did = decisions.create_decision(ctx, spec(month="2026-10"), applications=[app])
    item = decisions.get_decision(ctx.db, did)["items"][0]
    assert (item["amount"], item["receiver_name"], item["receiver_relation"]) == (10_000_000, "Phan Thị Con",
                                                                                  "Con gái")
    assert decisions.get_decision(ctx.db, did)["subject"] == "Về việc hỗ trợ chi phí mai táng"
    decisions.apply_decision(ctx, did)
    again = decisions.add_application(ctx, "funeral", "2026-10-19", beneficiary_id=bid,
                                      receiver={"name": "Phan Văn Khác", "relation": "Con trai"})
    with pytest.raises(ValidationError, match="Quyết định chưa hợp lệ") as err:
        decisions.create_decision(ctx, spec(month="2026-10"), applications=[again])
    assert "đã có quyết định hỗ trợ mai táng" in next(iter(err.value.problems.values()))


def test_the_funeral_application_records_the_death(ctx):
    bid = register.create(ctx, {"full_name": "Vũ Văn Già", "birth_year": 1936}, [{"category": "nct_80"}])
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "funeral", "2026-10-18", beneficiary_id=bid, receiver={"name": "Vũ Thị Út"})
    assert set(err.value.problems) == {"died_on", "receiver_relation"}
    decisions.add_application(ctx, "funeral", "2026-10-18", beneficiary_id=bid, died_on="12/10/2026",
                              receiver={"name": "Vũ Thị Út", "relation": "Con"})
    dead = register.get(ctx.db, bid)
    assert (dead["status"], dead["status_date"]) == ("deceased", "2026-10-12")


def test_funeral_support_is_a_dated_setting(ctx):
    assert decisions.funeral.amount_on(ctx.db, dt.date(2024, 3, 1)) == 20 * 360_000
    assert decisions.funeral.amount_on(ctx.db, dt.date(2024, 7, 1)) == 20 * 500_000
    decisions.funeral.set_level(ctx, dt.date(2026, 1, 1), amount=12_000_000, note="Nghị quyết HĐND tỉnh")
    assert decisions.funeral.amount_on(ctx.db, dt.date(2026, 10, 15)) == 12_000_000
    assert decisions.funeral.amount_on(ctx.db, dt.date(2025, 12, 31)) == 10_000_000
    with pytest.raises(ValidationError):
        decisions.funeral.set_level(ctx, dt.date(2026, 1, 1), multiple=20, amount=1)


@pytest.mark.parametrize("typed,read", [("20", 20.0), (" 22,5 ", 22.5), ("２０", 20.0), ("", None),
                                        ("1e1", ValueError), ("2_0", ValueError), ("nan", ValueError),
                                        ("-5", ValueError), ("9" * 400, ValueError)])
def test_the_funeral_multiple_is_read_as_written(typed, read):
    """The settings page and `config funeral-support --multiple` read it alike; float() took
    "1e1" and "2_0" for 10 and 20."""
    if read is ValueError:
        with pytest.raises(ValueError):
            decisions.funeral.parse_multiple(typed)
    else:
        assert decisions.funeral.parse_multiple(typed) == read


def test_closing_a_proposal(ctx):
    bid = register.create(ctx, {"full_name": "Hà Văn Xa", "birth_year": 1940}, [{"category": "nct_80"}])
    register.set_status(ctx, bid, "deceased", dt.date(2026, 9, 1))
    with pytest.raises(ValidationError):
        decisions.funeral.close_proposal(ctx, bid, " ")
    decisions.funeral.close_proposal(ctx, bid, "Đã chi trước khi dùng phần mềm")
    assert decisions.funeral.proposals(ctx.db, TODAY) == []


# Schema ----------------------------------------------------------------------------------------

def test_the_migration_completes_a_database_set_back_to_the_version_before(tmp_path):
    from commune_payout import db as db_module
    from commune_payout.migrations import m009_decisions

    path = tmp_path / "old.sqlite"
    database = db_module.open_db(path)
    settings.init_commune(database, "05425")
    ctx = Context(database, clock=FixedClock(dt.datetime(2026, 10, 20, 9)), user="t")
    did = decisions.create_decision(ctx, spec(), items=[
        {"beneficiary_id": person(ctx), "action": "grant", "category": "nct_ngheo_60_80"}])
    database.execute(f"PRAGMA user_version = {m009_decisions.VERSION - 1}")
    database.conn.commit()
    database.close()
    reopened = db_module.open_db(path)
    assert decisions.get_decision(reopened, did)["number"] == 1
    assert reopened.execute("SELECT count(*) FROM base_level_history").fetchone()[0] == 4
    reopened.close()


# Hostile input -------------------------------------------------------------------------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
# One database for all the examples of a test: each example only adds, and checks what it added.
SHARED_DB = hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SHARED_DB
@given(name=TEXT, birth=TEXT, id_number=TEXT, complete=TEXT, coefficient=TEXT, amount=TEXT, children=TEXT,
       request=st.sampled_from(["grant", "change", "stop", "funeral", "khác", ""]))
def test_any_typed_application_is_recorded_or_refused_with_its_problems(db, name, birth, id_number, complete,
                                                                        coefficient, amount, children, request):
    ctx = Context(db, clock=FixedClock(dt.datetime(2026, 10, 20, 9)), user="t")
    before = db.execute("SELECT count(*) FROM applications").fetchone()[0]
    try:
        decisions.add_application(ctx, request, complete, person={"full_name": name, "birth_date": birth,
                                                                  "id_number": id_number},
                                  category="nkt_nang", coefficient=coefficient, amount=amount, children=children,
                                  receiver={"name": name, "relation": birth})
    except ValidationError as exc:
        assert exc.problems and all(isinstance(m, str) and m for m in exc.problems.values())
        assert db.execute("SELECT count(*) FROM applications").fetchone()[0] == before
    else:
        row = db.execute("SELECT full_name, due_on FROM applications ORDER BY rowid DESC").fetchone()
        assert row[0] and row[1] > "2000"


@SHARED_DB
@given(days=st.lists(TEXT, max_size=5), number=TEXT)
def test_holidays_and_decision_numbers_from_any_text(db, days, number):
    try:
        decisions.set_holidays(db, days)
    except ValidationError as exc:
        assert "holidays" in exc.problems
    try:
        decisions.resolve_decision(db, number)
    except UserError as exc:
        assert str(exc)


def test_numbers_out_of_any_file_are_refused(ctx):
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "grant", "2026-10-01", beneficiary_id=person(ctx, "Hai"), category="nkt_nang",
                                  coefficient="nan", amount="9" * 25, children="31")
    assert set(err.value.problems) == {"coefficient", "amount", "children"}


def test_a_decision_number_out_of_any_register_is_refused(ctx):
    with pytest.raises(ValidationError) as err:
        decisions.create_decision(ctx, spec(number=10**20), items=[
            {"beneficiary_id": person(ctx), "action": "grant", "category": "nct_ngheo_60_80"}])
    assert "number" in err.value.problems
    with pytest.raises(UserError):
        decisions.resolve_decision(ctx.db, "9" * 30)


# Values typed into the application form ------------------------------------------------------

@pytest.mark.parametrize("typed", ["01/01/0001", "31/12/9999", "0001-01-01", "1/1/1"])
def test_a_day_no_paper_of_the_office_bears_is_not_a_day(db, typed):
    # 01/01/0001 was taken as the day an application was complete, and as a holiday.
    with pytest.raises(ValueError):
        decisions.parse_day(typed)
    with pytest.raises(ValidationError):
        decisions.set_holidays(db, [typed])


def test_a_day_typed_in_fullwidth_digits_is_read():
    assert decisions.parse_day("１５/１０/２０２６") == dt.date(2026, 10, 15)


def test_an_application_dated_in_year_one_is_refused_and_quoted_short(ctx):
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "grant", "01/01/0001", person={"full_name": "Lò Văn A", "birth_year": 1940},
                                  category="nct_80")
    assert "completed_on" in err.value.problems
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "grant", "x" * 100_000, person={"full_name": "Lò Văn A", "birth_year": 1940},
                                  category="nct_80")
    assert len(err.value.problems["completed_on"]) < 120


@pytest.mark.parametrize("amount, coefficient", [("1.5", None), (None, "nan"), (None, "1_5"), (10**15, None)])
def test_an_application_amount_or_coefficient_that_is_not_one_is_refused(ctx, amount, coefficient):
    # "1.5" was read as 15 đồng and "1_5" as a coefficient of 15.
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "grant", "2026-10-15", person={"full_name": "Lò Văn A", "birth_year": 1940},
                                  category="nct_80", amount=amount, coefficient=coefficient)
    assert {"amount", "coefficient"} & set(err.value.problems)


def test_a_funeral_receiver_id_in_fullwidth_digits_is_stored_in_ascii_and_a_pasted_name_refused(ctx):
    bid = register.create(ctx, {"full_name": "Phan Văn Mất", "birth_year": 1938}, [{"category": "nct_ngheo_80"}])
    register.set_status(ctx, bid, "deceased", dt.date(2026, 10, 15))
    with pytest.raises(ValidationError) as err:
        decisions.add_application(ctx, "funeral", "2026-10-18", beneficiary_id=bid, receiver={
            "name": "Phan " * 1000, "id_number": "035190001234", "relation": "Con gái"})
    assert set(err.value.problems) == {"receiver_name"}
    app = decisions.add_application(ctx, "funeral", "2026-10-18", beneficiary_id=bid, receiver={
        "name": "Phan Thị Con", "id_number": "０３５１９０００１２３４", "relation": "Con gái"})
    row = ctx.db.execute("SELECT receiver_id_number FROM applications WHERE id = ?", [app]).fetchone()
    assert row[0] == "035190001234"
