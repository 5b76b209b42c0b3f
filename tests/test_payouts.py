"""Payout sessions: amount rules, eligibility, snapshot, the payment ledger and its guards,
carry-forward, suspension candidates, and a whole Tết session on the sample register."""

import datetime as dt
import itertools
import multiprocessing
import sqlite3

import pytest

from commune_payout import bank_results, cashbook, payouts, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import NotFound, UserError, ValidationError
from commune_payout.payouts import SessionSpec

_seq = itertools.count(1)


def add_person(ctx, name, *groups, village="Thôn Đông", status="active", status_date=None, bank=None,
               account=None, receiver="", holder="", birth_year=1944, monthly_amount=None):
    """Add one beneficiary. ``groups`` are category codes or (code, {coefficient|amount|dates}) pairs."""
    memberships = []
    for g in groups:
        code, extra = (g, {}) if isinstance(g, str) else g
        memberships.append({"category": code, **extra})
    data = {"full_name": name, "birth_year": birth_year, "village": village,
            "id_number": f"025{birth_year % 100:03d}{next(_seq):06d}", "status": status,
            "status_date": status_date, "monthly_amount": monthly_amount}
    if account:
        data.update(bank_bin=bank or "970405", account_number=account, account_holder=holder or name.upper())
    if receiver:
        data.update(receiver_name=receiver, receiver_relation="Con")
    return register.create(ctx, data, memberships)


def tet_spec(**kw):
    base = dict(name="Quà Tết Bính Ngọ 2026", kind="tet_gift", period="2026-01", session_date=dt.date(2026, 1, 20),
                gift_high=600_000, gift_low=300_000)
    return SessionSpec(**{**base, **kw})


def monthly_spec(period="2026-01", **kw):
    year, month = map(int, period.split("-"))
    base = dict(name=f"Trợ cấp tháng {month}/{year}", kind="monthly", period=period,
                session_date=dt.date(year, month, 1))
    return SessionSpec(**{**base, **kw})


def line_of(db, sid, bid):
    return next(line for line in payouts.session_lines(db, sid) if line["beneficiary_id"] == bid)


def locked(ctx, spec):
    sid = payouts.create_session(ctx, spec)
    payouts.lock_session(ctx, sid)
    return sid


# --- amounts ---------------------------------------------------------------------------------

def test_president_gift_levels_by_category(ctx):
    mother = add_person(ctx, "Nguyễn Thị Mẹ", "ncc_me_vnah")
    relative = add_person(ctx, "Trần Văn Thân", ("ncc_than_nhan_liet_si", {"amount": 2_789_000}))
    elderly = add_person(ctx, "Lê Văn Già", ("nct_80", {"coefficient": 1.0}))
    preview = payouts.preview_session(ctx.db, tet_spec())
    amounts = {line["beneficiary_id"]: line["total"] for line in preview.lines}
    assert amounts == {mother: 600_000, relative: 300_000}
    assert elderly not in amounts and preview.excluded == []
    assert preview.totals["count"] == 2 and preview.totals["amount"] == 900_000


def test_people_outside_the_session_are_counted_in_its_preview(ctx):
    """A gift with no amount for a programme leaves its people out: the preview says how many,
    so a group forgotten in the amounts is seen before the list is made."""
    add_person(ctx, "Nguyễn Thị Mẹ", "ncc_me_vnah")
    add_person(ctx, "Lê Văn Già", ("nct_80", {"coefficient": 1.0}))
    add_person(ctx, "Lê Văn Cụ", ("nct_80", {"coefficient": 1.0}))
    add_person(ctx, "Đỗ Thị Mất", ("nct_80", {"coefficient": 1.0}), status="deceased", status_date="2025-11-02")
    preview = payouts.preview_session(ctx.db, tet_spec())
    assert preview.warnings[0] == ("Không thuộc đợt chi này (diện của họ không có trong đợt hoặc chưa có mức chi): "
                                   "2 người Bảo trợ xã hội")
    covered = payouts.preview_session(ctx.db, tet_spec(fixed={"btxh": 500_000}))
    assert not any(w.startswith("Không thuộc đợt chi này") for w in covered.warnings)


def test_one_gift_per_person_takes_the_highest_and_records_the_others(ctx):
    both = add_person(ctx, "Phạm Văn Hai", ("ncc_thuong_binh", {"injury_rate": 85}), "ncc_than_nhan_liet_si")
    once = payouts.preview_session(ctx.db, tet_spec()).lines[0]
    assert once["beneficiary_id"] == both
    assert once["total"] == 600_000 and once["group_code"] == "ncc_thuong_binh"
    assert once["other_groups"] == "Thân nhân liệt sĩ"
    summed = payouts.preview_session(ctx.db, tet_spec(one_per_person=False)).lines[0]
    assert summed["total"] == 900_000


def test_fixed_amount_per_category_wins_over_programme(ctx):
    mother = add_person(ctx, "Nguyễn Thị Mẹ", "ncc_me_vnah")
    relative = add_person(ctx, "Trần Văn Thân", "ncc_than_nhan_liet_si")
    child = add_person(ctx, "Đỗ Minh Bé", ("tre_mo_coi", {"coefficient": 2.5}), birth_year=2023)
    spec = SessionSpec(name="Quà tỉnh", kind="one_off", period="2026-01", session_date=dt.date(2026, 1, 20),
                       fixed={"ncc": 400_000, "ncc_me_vnah": 1_000_000, "tre_mo_coi": 200_000})
    amounts = {line["beneficiary_id"]: line["total"] for line in payouts.preview_session(ctx.db, spec).lines}
    assert amounts == {mother: 1_000_000, relative: 400_000, child: 200_000}


def test_coefficient_times_dated_base_level(ctx):
    person = add_person(ctx, "Vũ Thị Nặng", ("nkt_nang", {"coefficient": 1.5}), birth_year=1980)
    before = payouts.preview_session(ctx.db, monthly_spec("2024-06")).lines[0]
    after = payouts.preview_session(ctx.db, monthly_spec("2024-07")).lines[0]
    assert before["beneficiary_id"] == person
    assert (before["base_amount"], before["coefficient"]) == (540_000, 1.5)   # 1.5 × 360.000
    assert after["total"] == 750_000                                           # 1.5 × 500.000


def test_highest_coefficient_only_and_programme_filter(ctx):
    add_person(ctx, "Hồ Văn Nhiều", ("nct_80", {"coefficient": 1.0}), ("nkt_dac_biet_nang", {"coefficient": 2.5}),
               ("ncc_thuong_binh", {"amount": 1_800_000}))
    line = payouts.preview_session(ctx.db, monthly_spec()).lines[0]
    assert line["total"] == 1_250_000 and line["group_code"] == "nkt_dac_biet_nang"
    assert line["other_groups"] == "Người từ 80 tuổi không có lương hưu"
    with_ncc = payouts.preview_session(ctx.db, monthly_spec(programs=("btxh", "ncc"))).lines[0]
    assert with_ncc["total"] == 1_250_000 + 1_800_000


def test_months_and_override(ctx):
    # Arrears are worked out from decisions and base levels: tests/test_arrears.py.
    a = add_person(ctx, "Ngô Văn Hai", ("nkt_nang", {"coefficient": 1.5}), birth_year=1980)
    b = add_person(ctx, "Đinh Thị Ba", ("nkt_nang", {"coefficient": 1.5}), birth_year=1980)
    spec = monthly_spec(months=2, overrides={b: (1_000_000, "Quyết định số 12/QĐ-UBND")})
    lines = {line["beneficiary_id"]: line for line in payouts.preview_session(ctx.db, spec).lines}
    assert (lines[a]["base_amount"], lines[a]["months"], lines[a]["arrears_amount"]) == (750_000, 2, 0)
    assert lines[a]["total"] == 750_000 * 2
    assert lines[b]["total"] == 1_000_000 and lines[b]["override_reason"] == "Quyết định số 12/QĐ-UBND"


def test_override_in_draft_needs_a_reason_and_stops_at_lock(ctx):
    bid = add_person(ctx, "Mai Văn Sửa", "ncc_me_vnah")
    sid = payouts.create_session(ctx, tet_spec())
    line = line_of(ctx.db, sid, bid)
    with pytest.raises(ValidationError):
        payouts.set_override(ctx, line["id"], 800_000, "")
    assert payouts.set_override(ctx, line["id"], 800_000, "Bổ sung theo quyết định của UBND xã") == 800_000
    assert payouts.set_override(ctx, line["id"], None) == 600_000
    payouts.lock_session(ctx, sid)
    with pytest.raises(UserError, match="đã khóa"):
        payouts.set_override(ctx, line["id"], 800_000, "muộn")


def test_spec_problems_are_all_reported(ctx):
    with pytest.raises(ValidationError) as err:
        payouts.preview_session(ctx.db, SessionSpec(name=" ", kind="tet_gift", period="2026-13",
                                                    session_date=dt.date(2026, 1, 1), months=0,
                                                    overrides={"x": (5, "")}))
    assert {"name", "period", "fixed", "months", "overrides"} <= set(err.value.problems)


# --- eligibility -----------------------------------------------------------------------------

def test_inactive_people_are_excluded_with_the_reason(ctx):
    ok = add_person(ctx, "Người Còn Hưởng", ("nct_80", {"coefficient": 1.0}))
    add_person(ctx, "Người Tạm Dừng", ("nct_80", {"coefficient": 1.0}), status="suspended",
               status_date=dt.date(2025, 11, 1))
    add_person(ctx, "Người Đã Mất", ("nct_80", {"coefficient": 1.0}), status="deceased",
               status_date=dt.date(2025, 12, 3))
    later = add_person(ctx, "Người Thôi Sau", ("nct_80", {"coefficient": 1.0}), status="ended",
                       status_date=dt.date(2026, 2, 1))
    add_person(ctx, "Người Hết Diện", ("nct_80", {"coefficient": 1.0, "end_date": "2025-10-31"}))
    preview = payouts.preview_session(ctx.db, monthly_spec())
    assert {line["beneficiary_id"] for line in preview.lines} == {ok, later}
    reasons = {e["full_name"]: e["reason"] for e in preview.excluded}
    assert reasons["Người Tạm Dừng"].startswith("Tạm dừng từ 01/11/2025")
    assert reasons["Người Đã Mất"].startswith("Đã chết ngày 03/12/2025")
    assert reasons["Người Hết Diện"] == "Người từ 80 tuổi không có lương hưu: đã thôi từ 31/10/2025"
    sid = payouts.create_session(ctx, monthly_spec())
    assert [e["full_name"] for e in payouts.get_session(ctx.db, sid)["excluded"]] == \
        [e["full_name"] for e in preview.excluded]


def test_hiv_group_never_appears_in_public_labels(ctx):
    bid = add_person(ctx, "Người Bảo Mật", ("nguoi_hiv_ngheo", {"coefficient": 1.5}))
    line = payouts.preview_session(ctx.db, monthly_spec()).lines[0]
    assert line["beneficiary_id"] == bid and line["sensitive"] == 1
    assert "HIV" not in line["group_public"] and line["group_public"] == "Bảo trợ xã hội"
    sid = payouts.create_session(ctx, monthly_spec())
    assert "HIV" not in str(payouts.session_totals(ctx.db, sid))


def test_account_channel_without_account_falls_back_to_cash_with_a_warning(ctx):
    with_account = add_person(ctx, "Có Tài Khoản", "ncc_me_vnah", account="0123456789")
    receiver = add_person(ctx, "Cụ Ủy Quyền", "ncc_me_vnah", account="99887766", receiver="Lê Văn Con",
                          holder="LE VAN CON")
    sid = payouts.create_session(ctx, tet_spec())
    line = line_of(ctx.db, sid, with_account)
    assert (line["channel"], line["account_number"]) == ("account", "0123456789")
    assert payouts.default_receiver(line) == ("self", "Có Tài Khoản")
    assert payouts.default_receiver(line_of(ctx.db, sid, receiver)) == ("authorised", "Lê Văn Con")


# --- snapshot, lock, payments ----------------------------------------------------------------

def test_register_edits_do_not_change_the_snapshot(ctx):
    bid = add_person(ctx, "Nguyễn Văn Cũ", ("nkt_nang", {"coefficient": 1.5}), account="111222333", birth_year=1980)
    sid = payouts.create_session(ctx, monthly_spec())
    before = line_of(ctx.db, sid, bid)
    register.update(ctx, bid, {"full_name": "Nguyễn Văn Mới", "village": "Xóm Mới", "account_number": "999888777"},
                    memberships=[{"category": "nkt_dac_biet_nang", "coefficient": 2.5}])
    register.set_status(ctx, bid, "deceased", dt.date(2026, 1, 2))
    after = line_of(ctx.db, sid, bid)
    assert after == before
    assert (after["full_name"], after["total"], after["account_number"]) == ("Nguyễn Văn Cũ", 750_000, "111222333")


def test_payment_flow_receipts_and_double_payment_guard(ctx):
    a = add_person(ctx, "Đặng Văn Đạt", "ncc_me_vnah")
    b = add_person(ctx, "Bùi Thị Bình", "ncc_than_nhan_liet_si", receiver="Bùi Văn Con")
    sid = payouts.create_session(ctx, tet_spec())
    line_a, line_b = line_of(ctx.db, sid, a), line_of(ctx.db, sid, b)
    with pytest.raises(UserError, match="chưa được khóa"):
        payouts.pay_line(ctx, line_a["id"])
    payouts.lock_session(ctx, sid)
    assert payouts.pay_line(ctx, line_a["id"]) == 1
    assert payouts.pay_line(ctx, line_b["id"], received_by="authorised") == 2
    with pytest.raises(UserError, match=r"đã được chi trả trong đợt này, biên nhận số 1"):
        payouts.pay_line(ctx, line_a["id"])
    paid_b = payouts.get_line(ctx.db, line_b["id"])
    assert (paid_b["status"], paid_b["received_by"], paid_b["paid_to"]) == ("paid", "authorised", "Bùi Văn Con")
    assert [p["receipt_no"] for p in payouts.payments(ctx.db, sid)] == [1, 2]
    figures = payouts.counters(ctx.db, sid)
    assert (figures["paid_count"], figures["remaining_count"], figures["paid_amount"]) == (2, 0, 900_000)
    assert figures["cash_paid"] == 900_000 and figures["cashless_share"] == 0.0


def test_database_refuses_second_payment_and_edits_of_the_ledger(ctx):
    bid = add_person(ctx, "Lý Văn Chặn", "ncc_me_vnah")
    sid = locked(ctx, tet_spec())
    line = line_of(ctx.db, sid, bid)
    payouts.pay_line(ctx, line["id"])
    db = ctx.db
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO payout_entries (id, session_id, line_id, commune_code, kind, amount, channel, "
                   "receipt_no, received_by, receiver_name, created_at, created_by) VALUES "
                   "('x', ?, ?, '05425', 'paid', 600000, 'cash_commune', 99, 'self', '', '2026-01-15', 'raw')",
                   [sid, line["id"]])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE payout_entries SET amount = 0")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM payout_entries")
    with pytest.raises(sqlite3.IntegrityError, match="snapshot"):
        db.execute("UPDATE payout_lines SET total = 1, base_amount = 1")
    with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
        db.execute("DELETE FROM payout_lines")
    with pytest.raises(sqlite3.IntegrityError, match="only while the payout session is a draft"):
        db.execute("INSERT INTO payout_lines SELECT 'late', session_id, commune_code, 99, beneficiary_id, "
                   "full_name, name_fold, name_sort, birth_year, id_number, village, village_fold, program, "
                   "group_code, group_label, group_public, other_groups, sensitive, coefficient, base_amount, "
                   "months, arrears_months, arrears_amount, carried_forward, NULL, override_amount, "
                   "override_reason, total, planned_channel, channel, bank_bin, account_number, account_holder, "
                   "receiver_name, receiver_relation, receiver_id_number, 'pending', 0, 'allowance', NULL "
                   "FROM payout_lines")
    with pytest.raises(sqlite3.IntegrityError, match="draft -> locked -> closed"):
        db.execute("UPDATE payout_sessions SET status = 'draft'")
    assert db.execute("SELECT count(*) FROM payout_entries").fetchone()[0] == 1


def _pay_in_process(path, line_id, start, results):
    ctx = Context(open_db(path), clock=FixedClock(), user="process")
    start.wait()
    try:
        results.put(("ok", payouts.pay_line(ctx, line_id)))
    except UserError as exc:
        results.put(("refused", str(exc)))


def test_two_processes_paying_the_same_line_at_once(tmp_path):
    path = tmp_path / "commune.sqlite"
    db = open_db(path)
    settings.init_commune(db, "05425")
    ctx = Context(db, clock=FixedClock(), user="setup")
    bid = add_person(ctx, "Tạ Thị Hai Lần", "ncc_me_vnah")
    sid = locked(ctx, tet_spec())
    line_id = line_of(db, sid, bid)["id"]
    db.close()
    mp = multiprocessing.get_context("spawn")
    start, results = mp.Event(), mp.Queue()
    workers = [mp.Process(target=_pay_in_process, args=(path, line_id, start, results)) for _ in range(2)]
    for w in workers:
        w.start()
    start.set()
    outcomes = sorted(results.get(timeout=60) for _ in workers)
    for w in workers:
        w.join(timeout=60)
    assert outcomes[0] == ("ok", 1)
    assert outcomes[1][0] == "refused" and "biên nhận số 1" in outcomes[1][1]
    db = open_db(path)
    assert db.execute("SELECT count(*) FROM payout_entries WHERE kind = 'paid'").fetchone()[0] == 1


def test_reversal_reopens_the_line_and_keeps_history(ctx):
    bid = add_person(ctx, "Hoàng Văn Nhầm", "ncc_me_vnah")
    sid = locked(ctx, tet_spec())
    line = line_of(ctx.db, sid, bid)
    payouts.pay_line(ctx, line["id"])
    entry = payouts.payment_by_receipt(ctx.db, sid, 1)
    with pytest.raises(ValidationError):
        payouts.reverse_entry(ctx, entry["id"], " ")
    reversal = payouts.reverse_entry(ctx, entry["id"], "Ghi nhầm người")
    assert payouts.get_line(ctx.db, line["id"])["status"] == "pending"
    with pytest.raises(UserError, match="đã được đảo"):
        payouts.reverse_entry(ctx, entry["id"], "lần hai")
    with pytest.raises(UserError, match="Không đảo một bút toán đảo"):
        payouts.reverse_entry(ctx, reversal, "đảo của đảo")
    assert payouts.pay_line(ctx, line["id"]) == 2
    kinds = [(e["kind"], e["amount"]) for e in payouts.line_entries(ctx.db, line["id"])]
    assert kinds == [("paid", 600_000), ("reversal", -600_000), ("paid", 600_000)]
    with pytest.raises(sqlite3.IntegrityError):
        ctx.db.execute("INSERT INTO payout_entries (id, session_id, line_id, commune_code, kind, amount, reason, "
                       "reverses_entry_id, created_at, created_by) VALUES ('r2', ?, ?, '05425', 'reversal', "
                       "-600000, 'raw', ?, '2026-01-15', 'raw')", [sid, line["id"], entry["id"]])


def test_cancel_and_channel_change_are_entries(ctx):
    bid = add_person(ctx, "Cao Văn Hủy", "ncc_me_vnah", account="123456789")
    sid = locked(ctx, tet_spec())
    line = line_of(ctx.db, sid, bid)
    payouts.change_channel(ctx, line["id"], "cash_home", "Nằm liệt giường, bưu điện chi tại nhà")
    assert payouts.get_line(ctx.db, line["id"])["channel"] == "cash_home"
    cancel = payouts.cancel_line(ctx, line["id"], "Đã mất ngày 16/01/2026")
    assert payouts.get_line(ctx.db, line["id"])["status"] == "cancelled"
    with pytest.raises(UserError, match="hủy"):
        payouts.pay_line(ctx, line["id"])
    payouts.reverse_entry(ctx, cancel, "Hủy nhầm")
    assert payouts.get_line(ctx.db, line["id"])["status"] == "pending"


def test_find_line_is_accent_insensitive_and_by_id_digits(ctx):
    bid = add_person(ctx, "Đặng Văn Đạt", "ncc_me_vnah", village="Thôn Đoài")
    add_person(ctx, "Đặng Thị Hoa", "ncc_me_vnah")
    sid = payouts.create_session(ctx, tet_spec())
    id_number = register.get(ctx.db, bid)["id_number"]
    assert [r["beneficiary_id"] for r in payouts.find_line(ctx.db, sid, "dang dat")] == [bid]
    assert [r["beneficiary_id"] for r in payouts.find_line(ctx.db, sid, id_number[-6:])] == [bid]
    assert len(payouts.find_line(ctx.db, sid, "ĐẶNG")) == 2
    assert [r["full_name"] for r in payouts.session_lines(ctx.db, sid, village="thon doai")] == ["Đặng Văn Đạt"]


def test_resolve_session_by_prefix(ctx):
    add_person(ctx, "Người Một", "ncc_me_vnah")
    sid = payouts.create_session(ctx, tet_spec())
    assert payouts.resolve_session(ctx.db, sid[:6]) == sid
    with pytest.raises(NotFound):
        payouts.resolve_session(ctx.db, "zzzz")


# --- close, carry-forward, suspension --------------------------------------------------------

def test_closed_session_takes_nothing_more(ctx):
    bid = add_person(ctx, "Tô Văn Đóng", "ncc_me_vnah")
    sid = locked(ctx, tet_spec())
    line = line_of(ctx.db, sid, bid)
    payouts.pay_line(ctx, line["id"])
    cashbook.record(ctx, sid, "received", 600_000)
    figures = payouts.close_session(ctx, sid)
    assert figures["paid_count"] == 1 and payouts.get_session(ctx.db, sid)["status"] == "closed"
    with pytest.raises(UserError, match="đã đóng"):
        payouts.reverse_entry(ctx, payouts.payment_by_receipt(ctx.db, sid, 1)["id"], "muộn")
    with pytest.raises(sqlite3.IntegrityError, match="locked payout session"):
        ctx.db.execute("INSERT INTO payout_entries (id, session_id, line_id, commune_code, kind, amount, reason, "
                       "created_at, created_by) VALUES ('c', ?, ?, '05425', 'cancelled', 0, 'raw', '', 'raw')",
                       [sid, line["id"]])
    with pytest.raises(sqlite3.IntegrityError, match="closed"):
        ctx.db.execute("UPDATE payout_sessions SET name = 'khác'")


def _close(ctx, sid):
    book = cashbook.ledger(ctx.db, sid)
    if book["paid_out"]:
        cashbook.record(ctx, sid, "received", book["paid_out"])
    payouts.close_session(ctx, sid)


def test_unpaid_monthly_lines_carry_forward_once(ctx):
    paid = add_person(ctx, "Người Đã Nhận", ("nct_80", {"coefficient": 1.0}))
    unpaid = add_person(ctx, "Người Chưa Nhận", ("nct_80", {"coefficient": 1.0}))
    jan = locked(ctx, monthly_spec("2026-01"))
    payouts.pay_line(ctx, line_of(ctx.db, jan, paid)["id"])
    preview_open = payouts.preview_session(ctx.db, monthly_spec("2026-02"))
    assert any("chưa đóng" in w for w in preview_open.warnings)
    _close(ctx, jan)
    feb = locked(ctx, monthly_spec("2026-02"))
    carried = line_of(ctx.db, feb, unpaid)
    assert (carried["carried_forward"], carried["total"]) == (500_000, 1_000_000)
    assert [c["from_line_id"] for c in payouts.line_carries(ctx.db, carried["id"])] == \
        [line_of(ctx.db, jan, unpaid)["id"]]
    assert line_of(ctx.db, feb, paid)["carried_forward"] == 0
    # A second session of another kind in the same period carries nothing.
    gift = payouts.preview_session(ctx.db, tet_spec(gift_high=None, gift_low=None, fixed={"btxh": 400_000},
                                                    period="2026-02"))
    assert all(line["carried_forward"] == 0 for line in gift.lines)


def test_three_unpaid_months_make_a_suspension_candidate(ctx):
    regular = add_person(ctx, "Người Đều Đặn", ("nct_80", {"coefficient": 1.0}))
    absent = add_person(ctx, "Người Vắng Mặt", ("nct_80", {"coefficient": 1.0}))
    for period in ("2026-01", "2026-02", "2026-03"):
        sid = locked(ctx, monthly_spec(period))
        assert payouts.suspension_candidates(ctx.db) == []
        payouts.pay_line(ctx, line_of(ctx.db, sid, regular)["id"])
        _close(ctx, sid)
    candidates = payouts.suspension_candidates(ctx.db)
    assert [c["beneficiary_id"] for c in candidates] == [absent]
    assert candidates[0]["unpaid_amount"] == 1_500_000
    assert candidates[0]["periods"] == ["2026-01", "2026-02", "2026-03"]
    assert payouts.suspend(ctx, [absent], dt.date(2026, 4, 1)) == 1
    assert register.get(ctx.db, absent)["status"] == "suspended"
    assert payouts.suspension_candidates(ctx.db) == []
    april = payouts.preview_session(ctx.db, monthly_spec("2026-04"))
    excluded = {e["beneficiary_id"]: e["reason"] for e in april.excluded}
    assert "còn 1.500.000 đ chưa nhận" in excluded[absent]


def test_duplicate_monthly_period_is_refused_until_the_draft_is_deleted(ctx):
    add_person(ctx, "Người Một", ("nct_80", {"coefficient": 1.0}))
    draft = payouts.create_session(ctx, monthly_spec())
    with pytest.raises(ValidationError) as err:
        payouts.create_session(ctx, monthly_spec())
    assert "period" in err.value.problems
    payouts.delete_draft(ctx, draft)
    assert payouts.list_sessions(ctx.db) == []
    again = locked(ctx, monthly_spec())
    with pytest.raises(UserError, match="không xóa được"):
        payouts.delete_draft(ctx, again)


# --- the sample register, start to finish ----------------------------------------------------

def test_whole_tet_session_on_the_sample_register(ctx, sample_xlsx, tmp_path):
    from commune_payout import importer, transfers

    imported = importer.import_file(ctx, sample_xlsx)
    assert imported.imported == 120
    deceased = register.list_beneficiaries(ctx.db, limit=1)[0]
    register.set_status(ctx, deceased["id"], "deceased", dt.date(2026, 1, 5), "Giấy báo tử số 3")
    spec = SessionSpec(name="Quà Tết Bính Ngọ (NQ 418/NQ-CP)", kind="tet_gift", period="2026-01",
                       session_date=dt.date(2026, 1, 20), funding_source="Ngân sách trung ương",
                       pay_from=dt.date(2026, 1, 25), pay_to=dt.date(2026, 2, 10), fixed={"btxh": 400_000})
    preview = payouts.preview_session(ctx.db, spec)
    excluded = {e["full_name"]: e["reason"] for e in preview.excluded}
    assert excluded.pop(deceased["full_name"]).startswith("Đã chết ngày 05/01/2026")
    # The sample files some people under 60 as elderly poor: not in that group, so no gift for it.
    assert excluded and all(r.endswith("tuổi, diện này từ 60 tuổi trở lên") for r in excluded.values())
    count = 119 - len(excluded)
    assert preview.totals["count"] == count and preview.totals["amount"] == count * 400_000
    sid = payouts.create_session(ctx, spec)
    assert payouts.session_totals(ctx.db, sid)["amount"] == preview.totals["amount"]
    payouts.lock_session(ctx, sid)

    files = transfers.export_transfers(ctx.db, sid, tmp_path / "bank")
    account_lines = payouts.session_lines(ctx.db, sid, channel="account")
    assert sum(f.count for f in files) == len(account_lines)
    result_csv = tmp_path / "ketqua.csv"
    rows = [f"{r['account_number']},{r['total']},{'Trả lại' if i == 0 else 'Thành công'},Tài khoản đã đóng"
            for i, r in enumerate(account_lines)]
    result_csv.write_text("Số tài khoản,Số tiền,Trạng thái,Lý do\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = bank_results.import_results(ctx, sid, result_csv)
    assert (result.paid, result.returned, result.unmatched) == (len(account_lines) - 1, 1, [])
    payouts.fallback_to_cash(ctx, account_lines[0]["id"])

    cash_lines = payouts.session_lines(ctx.db, sid, status="pending")
    cashbook.record(ctx, sid, "received", 400_000 * len(cash_lines))
    for line in cash_lines[:-2]:
        payouts.pay_line(ctx, line["id"])
    payouts.pay_line(ctx, cash_lines[-2]["id"], received_by="authorised", receiver_name="Nguyễn Văn Nhận Thay")
    with pytest.raises(UserError, match="thừa 400.000 đ"):
        payouts.close_session(ctx, sid)
    cashbook.record(ctx, sid, "handed_back", 400_000, "Người hưởng đi vắng, nộp trả kho bạc")
    figures = payouts.close_session(ctx, sid)
    assert (figures["paid_count"], figures["remaining_count"]) == (count - 1, 1)
    assert figures["paid_amount"] == (count - 1) * 400_000
    assert figures["cashless_count"] == len(account_lines) - 1
    assert payouts.list_sessions(ctx.db)[0]["status"] == "closed"


# --- values typed at the wizard and the desk that once reached an internal error ------------

@pytest.mark.parametrize("text", ["dang " * 1500, "x" * 100_000])
def test_a_search_pasted_far_beyond_a_name_finds_nobody_instead_of_failing(ctx, text):
    # 1.500 words: "Expression tree is too large (maximum depth 1000)"; one 100.000-character
    # word: "LIKE or GLOB pattern too complex"; both reached the desk as internal errors.
    add_person(ctx, "Đặng Văn Đạt", "ncc_me_vnah")
    sid = payouts.create_session(ctx, tet_spec())
    assert len(payouts.find_line(ctx.db, sid, text)) <= 1


def test_a_search_typed_in_fullwidth_digits_finds_the_id_and_underscore_is_no_wildcard(ctx):
    bid = add_person(ctx, "Đặng Văn Đạt", "ncc_me_vnah")
    add_person(ctx, "Lò Thị Páo", "ncc_me_vnah")
    sid = payouts.create_session(ctx, tet_spec())
    tail = register.get(ctx.db, bid)["id_number"][-6:]
    fullwidth = "".join(chr(0xFF10 + int(d)) for d in tail)
    assert [r["beneficiary_id"] for r in payouts.find_line(ctx.db, sid, fullwidth)] == [bid]
    assert payouts.find_line(ctx.db, sid, "_") == []


@pytest.mark.parametrize("change, field", [
    ({"months": 10**6}, "months"),
    ({"gift_high": 10**15}, "gift_high"),
    ({"fixed": {"btxh": 10**15}}, "fixed"),
    ({"session_date": dt.date(9999, 12, 31)}, "session_date"),     # preview: OverflowError
    ({"session_date": dt.date(1, 1, 1)}, "session_date"),
    ({"period": "２０２６-01"}, None),                                # read as 2026-01
    ({"name": "Quà " * 100}, "name"),
])
def test_a_session_beyond_any_real_one_is_refused(ctx, change, field):
    # months 10**6 × 10**15 đ made a session of 2,4·10**16 đ, past what amounts in words can read.
    spec = tet_spec(**change)
    if field is None:
        assert payouts.validate_spec(ctx.db, spec).period == "2026-01"
        return
    with pytest.raises(ValidationError) as refused:
        payouts.validate_spec(ctx.db, spec)
    assert field in refused.value.problems


def test_an_override_beyond_any_line_is_refused(ctx):
    add_person(ctx, "Đặng Văn Đạt", "ncc_me_vnah")
    sid = payouts.create_session(ctx, tet_spec())
    line = payouts.session_lines(ctx.db, sid)[0]
    with pytest.raises(ValidationError):
        payouts.set_override(ctx, line["id"], 10**15, "Gõ nhầm")


def test_a_receiver_or_reason_pasted_far_beyond_a_name_is_refused(ctx):
    add_person(ctx, "Đặng Văn Đạt", "ncc_me_vnah")
    sid = locked(ctx, tet_spec())
    line = payouts.session_lines(ctx.db, sid)[0]
    with pytest.raises(ValidationError):
        payouts.pay_line(ctx, line["id"], "authorised", "Nguyễn " * 1000)
    assert payouts.get_line(ctx.db, line["id"])["status"] == "pending"
    payouts.pay_line(ctx, line["id"], "authorised", "Nguyễn Văn Nhận")
    entry = payouts.get_line(ctx.db, line["id"])["payment_entry_id"]
    with pytest.raises(ValidationError):
        payouts.reverse_entry(ctx, entry, "x" * 100_000)
    assert payouts.get_line(ctx.db, line["id"])["status"] == "paid"
