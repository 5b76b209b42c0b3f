"""Payment verification: the sample size against figures worked by hand, the stratified and seeded
draw, answers and what they say about a session, and typed input (hypothesis)."""

import datetime as dt
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from commune_payout import payouts, register, verification
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError, ValidationError
from commune_payout.verification import DrawSpec, allocate, apportion, parse_count, parse_percent, parse_seed
from commune_payout.verification.sampling import draw as draw_lines

TODAY = dt.date(2026, 12, 1)
VILLAGES = ("Thôn Đông", "Thôn Đoài", "Xóm Mới", "Thôn Hạ")


# Sample size --------------------------------------------------------------------------------
# By hand, z = 1.96 at 95 %, p = 0.5, e = 0.1: n0 = 1.96² × 0.25 / 0.01 = 96.04.
#   N = 50:    96.04 × 50 / (96.04 + 49)     = 4,802 / 145.04    = 33.11 → 34
#   N = 200:   96.04 × 200 / (96.04 + 199)   = 19,208 / 295.04   = 65.10 → 66
#   N = 5,000: 96.04 × 5,000 / (96.04 + 4,999) = 480,200 / 5,095.04 = 94.25 → 95
# At 99 % and ±5 % (z = 2.5758): n0 = 663.49; N = 5,000: 663.49 × 5,000 / 5,662.49 = 585.86 → 586.

@pytest.mark.parametrize("population, expected", [(50, 34), (200, 66), (5000, 95), (1, 1), (2, 2)])
def test_sample_size_at_95_percent_and_10_points(population, expected):
    assert verification.sample_size(population) == expected


def test_sample_size_at_other_confidence_and_margin():
    assert verification.sample_size(5000, 0.99, 0.05) == 586
    assert verification.sample_size(0) == 0
    assert DrawSpec("share", share=0.1).size(271) == 28          # 27.1 → 28
    assert DrawSpec("share", share=0.001).size(50) == 1           # at least one person
    assert DrawSpec("count", count=500).size(50) == 50
    assert DrawSpec("all").size(50) == 50


@given(population=st.integers(1, 100_000), confidence=st.floats(0.5, 0.999), margin=st.floats(0.01, 0.5))
def test_sample_size_never_exceeds_the_population_and_grows_with_it(population, confidence, margin):
    n = verification.sample_size(population, confidence, margin)
    assert 1 <= n <= population
    assert verification.sample_size(population + 1, confidence, margin) >= n
    assert verification.sample_size(population, min(0.999, confidence + 0.01), margin) >= n
    assert verification.sample_size(population, confidence, margin * 1.1) <= n


# Allocation and the draw -------------------------------------------------------------------

@given(total=st.integers(0, 300), sizes=st.dictionaries(st.text(min_size=1, max_size=3), st.integers(1, 60),
                                                        min_size=1, max_size=12), floor=st.sampled_from([0, 1]))
def test_apportion_shares_exactly_within_each_group_size(total, sizes, floor):
    out = apportion(total, sizes, floor)
    assert sum(out.values()) == min(total, sum(sizes.values()))
    assert all(0 <= out[k] <= sizes[k] for k in sizes)
    if floor and total >= len(sizes):
        assert all(out[k] >= 1 for k in sizes)


def test_apportion_is_proportional():
    assert apportion(10, {"a": 50, "b": 30, "c": 20}) == {"a": 5, "b": 3, "c": 2}
    assert apportion(4, {"a": 50, "b": 30, "c": 20}) == {"a": 2, "b": 1, "c": 1}


def _lines(n_by_stratum: dict) -> list[dict]:
    lines, seq = [], 0
    for (village, channel), n in n_by_stratum.items():
        for _ in range(n):
            seq += 1
            lines.append({"id": f"line-{seq:04d}", "seq": seq, "village": village, "channel": channel})
    return lines


def test_every_village_gets_one_person_when_the_sample_allows():
    # A big village and three small ones: proportionally the small ones would get nobody.
    lines = _lines({("Thôn Đông", "account"): 150, ("Thôn Đông", "cash_commune"): 40, ("Thôn Đoài", "account"): 3,
                    ("Xóm Mới", "cash_commune"): 2, ("Thôn Hạ", "cash_home"): 1})
    drawn = draw_lines(lines, 10, seed=5)
    villages = [d.village for d in drawn]
    assert sorted(set(villages)) == sorted(VILLAGES)
    assert villages.count("Thôn Đông") == 7
    channels = [d.channel for d in drawn if d.village == "Thôn Đông"]
    assert channels.count("account") == 6 and channels.count("cash_commune") == 1    # 150:40 of 7
    assert [d.village for d in draw_lines(lines, 3, seed=5)].count("Thôn Đông") >= 2    # fewer than 4: no floor


def test_allocation_keeps_the_channels_in_proportion_inside_a_village():
    counts = allocate({("A", "account"): 60, ("A", "cash_commune"): 20, ("B", "account"): 20}, 20)
    assert counts == {("A", "account"): 12, ("A", "cash_commune"): 4, ("B", "account"): 4}


def test_a_seeded_draw_repeats_and_another_seed_draws_others():
    lines = _lines({("Thôn Đông", "account"): 80, ("Thôn Đoài", "cash_commune"): 70})
    first = draw_lines(lines, 30, seed=123456)
    assert draw_lines(list(reversed(lines)), 30, seed=123456) == first      # the order given does not matter
    assert draw_lines(lines, 30, seed=123457) != first
    assert len({d.line_id for d in first}) == 30


@given(strata=st.dictionaries(st.tuples(st.sampled_from(VILLAGES), st.sampled_from(["account", "cash_commune"])),
                              st.integers(1, 30), min_size=1), size=st.integers(1, 200), seed=st.integers(0, 10**12))
def test_any_draw_takes_distinct_paid_lines_in_sheet_order(strata, size, seed):
    lines = _lines(strata)
    drawn = draw_lines(lines, size, seed)
    assert len(drawn) == min(size, len(lines)) == len({d.line_id for d in drawn})
    villages = {line["village"] for line in lines}
    if size >= len(villages):
        assert {d.village for d in drawn} == villages
    assert draw_lines(lines, size, seed) == drawn


# A session verified ----------------------------------------------------------------------------

@pytest.fixture
def paid(ctx):
    """A locked monthly session of 60 people in four villages, 50 of them paid (transfer or cash)."""
    ctx.clock = FixedClock(dt.datetime(2026, 12, 1, 9))
    for n in range(60):
        cash = n % 3 == 0
        register.create(ctx, {
            "full_name": f"Người Thứ {n:02d}", "birth_year": 1940, "gender": "F", "village": VILLAGES[n % 4],
            "phone": f"09120000{n:02d}", "id_number": f"0351400001{n:02d}",
            **({} if cash else {"account_status": "has_account", "channel": "account", "bank_bin": "970405",
                                "account_number": f"1234567{n:03d}"})},
            [{"category": "nct_80"}])
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Trợ cấp tháng 12/2026", kind="monthly",
                                                          period="2026-12", session_date=TODAY))
    payouts.lock_session(ctx, sid)
    for line in payouts.session_lines(ctx.db, sid)[:50]:
        payouts.pay_line(ctx, line["id"])
    return sid


def test_a_draw_is_recorded_and_repeats(ctx, paid):
    vid = verification.draw(ctx, paid, seed=2026)
    recorded = verification.get_verification(ctx.db, paid)
    assert recorded["id"] == vid and recorded["method"] == "formula" and recorded["seed"] == 2026
    assert (recorded["population"], recorded["size"]) == (50, 34)
    items = verification.items(ctx.db, paid)
    assert [i["seq"] for i in items] == list(range(1, 35))
    assert {i["village"] for i in items} == set(VILLAGES)
    assert {i["channel"] for i in items} == {"account", "cash_commune"}
    assert verification.repeat(ctx.db, paid) == {"same_population": True, "same_draw": True}
    # The same seed on a copy of the session elsewhere draws the same people.
    assert [d.line_id for d in draw_lines(verification.population(ctx.db, paid), 34, 2026)] == \
        verification.drawn_lines(ctx.db, vid)
    line = payouts.session_lines(ctx.db, paid, status="pending")[0]
    payouts.pay_line(ctx, line["id"])
    assert verification.repeat(ctx.db, paid)["same_population"] is False
    assert verification.summary(ctx.db, paid)["paid_now"] == 51


def test_only_a_draw_nobody_was_asked_about_is_replaced(ctx, paid):
    verification.draw(ctx, paid, DrawSpec("count", count=5), seed=1)
    verification.draw(ctx, paid, DrawSpec("all"), seed=1)
    assert verification.summary(ctx.db, paid)["size"] == 50
    deleted = ctx.db.execute("SELECT count(*) FROM sync_tombstones WHERE table_name = 'verification_items'")
    assert deleted.fetchone()[0] == 5
    item = verification.items(ctx.db, paid)[0]
    verification.record_answer(ctx, item["id"], "received", asked_by="Trưởng thôn", asked_on=TODAY, asked_how="phone")
    with pytest.raises(UserError, match="đã có mẫu xác minh với 1 câu trả lời"):
        verification.draw(ctx, paid, DrawSpec("count", count=5))


def test_nothing_to_verify_in_a_draft_or_unpaid_session(ctx, paid):
    draft = payouts.create_session(ctx, payouts.SessionSpec(name="Quà", kind="one_off", period="2026-12",
                                                            session_date=TODAY, fixed={"btxh": 100_000}))
    with pytest.raises(UserError, match="đang lập"):
        verification.draw(ctx, draft)
    payouts.lock_session(ctx, draft)
    with pytest.raises(UserError, match="chưa có ai được ghi là đã nhận tiền"):
        verification.draw(ctx, draft)


def test_answers_make_the_rate_and_the_problems(ctx, paid):
    verification.draw(ctx, paid, DrawSpec("count", count=8), seed=3)
    items = verification.items(ctx.db, paid)
    ask = dict(asked_by="Trưởng thôn Đông", asked_on="01/12/2026", asked_how="phone")
    verification.record_answer(ctx, items[0]["id"], "received", **ask)
    verification.record_answer(ctx, items[1]["id"], "not_received", **ask)
    verification.record_answer(ctx, items[2]["id"], "different_amount", amount="250.000", **ask)
    verification.record_answer(ctx, items[3]["id"], "unreachable", **ask)
    summary = verification.summary(ctx.db, paid)
    assert summary["counts"] == {"received": 1, "not_received": 1, "different_amount": 1, "unreachable": 1,
                                 "pending": 4}
    assert summary["answered"] == 3 and summary["rate"] == 3 / 8 and summary["problem_rate"] == 2 / 3
    assert [p["seq"] for p in summary["problems"]] == [2, 3]
    assert summary["missing_amount"] == items[1]["total"] + items[2]["total"] - 250_000
    # Reached later: the latest answer counts, every attempt is kept.
    verification.record_answer(ctx, items[3]["id"], "received", **{**ask, "asked_how": "visit"})
    assert verification.summary(ctx.db, paid)["counts"]["unreachable"] == 0
    assert [a["answer"] for a in verification.answers_of(ctx.db, items[3]["id"])] == ["unreachable", "received"]
    assert verification.answer_text(verification.get_item(ctx.db, items[2]["id"])) == "Nhận số tiền khác: 250.000 đ"


def test_an_answer_is_refused_with_every_problem(ctx, paid):
    verification.draw(ctx, paid, DrawSpec("count", count=3), seed=3)
    item = verification.items(ctx.db, paid)[0]
    with pytest.raises(ValidationError) as refused:
        verification.record_answer(ctx, item["id"], "different_amount", asked_by=" ", asked_on="02/12/2026",
                                   asked_how="zalo", amount=str(item["total"]))
    assert set(refused.value.problems) == {"asked_by", "asked_on", "asked_how", "amount_received"}
    with pytest.raises(ValidationError) as refused:
        verification.record_answer(ctx, item["id"], "received", asked_by="A", asked_on="30/11/2026",
                                   asked_how="phone", amount="100")
    assert set(refused.value.problems) == {"asked_on", "amount_received"}
    with pytest.raises(ValidationError) as refused:
        verification.record_answer(ctx, item["id"], "different_amount", asked_by="A", asked_on=TODAY,
                                   asked_how="phone", amount="0")
    assert "Chưa nhận được" in refused.value.problems["amount_received"]


def test_answers_are_append_only_in_the_database(ctx, paid):
    verification.draw(ctx, paid, DrawSpec("count", count=3), seed=3)
    item = verification.items(ctx.db, paid)[0]
    aid = verification.record_answer(ctx, item["id"], "received", asked_by="A", asked_on=TODAY, asked_how="phone")
    for sql in ("UPDATE verification_answers SET answer = 'not_received' WHERE id = ?",
                "DELETE FROM verification_answers WHERE id = ?"):
        with pytest.raises(Exception, match="append-only"):
            ctx.db.execute(sql, [aid])


def test_a_person_drawn_is_found_by_number_id_or_name(ctx, paid):
    verification.draw(ctx, paid, DrawSpec("count", count=10), seed=3)
    items = verification.items(ctx.db, paid)
    fourth = items[3]
    assert verification.find_item(ctx.db, paid, "#4")["id"] == fourth["id"]
    assert verification.find_item(ctx.db, paid, fourth["id_number"])["id"] == fourth["id"]
    assert verification.find_item(ctx.db, paid, fourth["id_number"][-4:])["id"] == fourth["id"]
    assert verification.find_item(ctx.db, paid, fourth["full_name"].lower())["id"] == fourth["id"]
    with pytest.raises(UserError, match="khớp"):
        verification.find_item(ctx.db, paid, "nguoi thu")
    with pytest.raises(UserError, match="Không có ai"):
        verification.find_item(ctx.db, paid, "#99")


def test_the_migration_completes_a_database_set_back_to_the_version_before(tmp_path):
    from commune_payout import db as db_module, settings
    from commune_payout.migrations import m013_verification_grievances as m013

    path = tmp_path / "old.sqlite"
    database = db_module.open_db(path)
    settings.init_commune(database, "05425")
    database.execute(f"PRAGMA user_version = {m013.VERSION - 1}")
    database.execute("DROP TABLE grievance_events")
    database.conn.commit()
    database.close()
    reopened = open_db(path)
    tables = {r[0] for r in reopened.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"verifications", "verification_items", "verification_answers", "grievances", "grievance_events",
            "office_grievances", "office_verification_answers"} <= tables
    triggers = {r[0] for r in reopened.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"grievance_events_version_ins", "verifications_tombstone", "verification_items_tombstone"} <= triggers
    reopened.close()


# Typed input ----------------------------------------------------------------------------------

def test_typed_shares_counts_and_seeds():
    assert parse_percent("10") == 0.1 and parse_percent("12,5 %") == 0.125 and parse_percent("１００") == 1.0
    assert parse_count(" 34 ") == 34 and parse_seed("000042") == 42
    for bad in ("0", "101", "-5", "abc", "", "1e3", "nan", "10%%"):
        with pytest.raises(ValidationError):
            parse_percent(bad)
    for bad in ("0", "-1", "3.5", "", "１２３４５６７８"):
        with pytest.raises(ValidationError):
            parse_count(bad)
    for bad in ("-1", "4.2", "1234567890123", "x"):
        with pytest.raises(ValidationError):
            parse_seed(bad)


@given(text=st.text(max_size=20))
def test_any_typed_share_count_or_seed_is_read_or_refused(text):
    for parse in (parse_percent, parse_count, parse_seed):
        try:
            value = parse(text)
        except ValidationError as exc:
            assert exc.problems
        else:
            assert value > 0 or parse is parse_seed


SHARED_DB = hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SHARED_DB
@given(answer=st.sampled_from(["received", "not_received", "different_amount", "unreachable", "", "đã nhận"]),
       amount=st.one_of(st.none(), st.text(max_size=20), st.integers(-10**16, 10**16).map(str)),
       asked_by=st.text(max_size=20), asked_on=st.one_of(st.text(max_size=12), st.dates().map(str)),
       how=st.sampled_from(["phone", "visit", "meeting", "fax"]))
def test_any_typed_answer_is_recorded_or_refused_with_its_problems(ctx, paid, answer, amount, asked_by, asked_on,
                                                                   how):
    if verification.get_verification(ctx.db, paid) is None:
        verification.draw(ctx, paid, DrawSpec("count", count=3), seed=9)
    item = verification.items(ctx.db, paid)[0]
    before = len(verification.answers_of(ctx.db, item["id"]))
    try:
        verification.record_answer(ctx, item["id"], answer, asked_by=asked_by, asked_on=asked_on, asked_how=how,
                                   amount=amount)
    except ValidationError as exc:
        assert exc.problems
        assert len(verification.answers_of(ctx.db, item["id"])) == before
    else:
        assert len(verification.answers_of(ctx.db, item["id"])) == before + 1


def test_an_answer_with_an_amount_beyond_any_line_or_a_pasted_name_is_refused(ctx, paid):
    verification.draw(ctx, paid, DrawSpec("count", count=3), seed=3)
    item = verification.items(ctx.db, paid)[0]
    with pytest.raises(ValidationError) as refused:
        verification.record_answer(ctx, item["id"], "different_amount", asked_by="Trưởng " * 50, asked_on=TODAY,
                                   asked_how="phone", amount="1" + "0" * 15)
    assert set(refused.value.problems) == {"asked_by", "amount_received"}
    assert verification.answers_of(ctx.db, item["id"]) == []
