"""The cash book of a session: received, paid out (derived), handed back, and closing."""

import sqlite3

import pytest

from commune_payout import cashbook, payouts
from commune_payout.errors import UserError, ValidationError
from test_payouts import add_person, line_of, locked, tet_spec


@pytest.fixture
def session(ctx):
    cash = add_person(ctx, "Người Nhận Tiền Mặt", "ncc_me_vnah")
    home = add_person(ctx, "Người Nhận Tại Nhà", "ncc_than_nhan_liet_si")
    bank = add_person(ctx, "Người Có Tài Khoản", "ncc_than_nhan_liet_si", account="55556666")
    sid = locked(ctx, tet_spec())
    return sid, {"cash": cash, "home": home, "bank": bank}


def test_paid_out_is_the_sum_of_live_cash_payments(ctx, session):
    sid, people = session
    cashbook.record(ctx, sid, "received", 900_000)
    payouts.pay_line(ctx, line_of(ctx.db, sid, people["cash"])["id"])
    payouts.pay_line(ctx, line_of(ctx.db, sid, people["bank"])["id"])        # a transfer: not cash
    home = line_of(ctx.db, sid, people["home"])
    payouts.pay_line(ctx, home["id"], channel="cash_home")
    book = cashbook.ledger(ctx.db, sid)
    assert (book["received"], book["paid_out"], book["handed_back"], book["on_hand"]) == (900_000, 900_000, 0, 0)
    payouts.reverse_entry(ctx, payouts.payment_by_receipt(ctx.db, sid, 3)["id"], "Bưu điện chưa chi được")
    assert cashbook.ledger(ctx.db, sid)["on_hand"] == 300_000


def test_closing_refuses_an_unexplained_difference(ctx, session):
    sid, people = session
    cashbook.record(ctx, sid, "received", 1_000_000)
    payouts.pay_line(ctx, line_of(ctx.db, sid, people["cash"])["id"])
    with pytest.raises(UserError) as err:
        payouts.close_session(ctx, sid)
    assert str(err.value).startswith("Sổ quỹ tiền mặt còn thừa 400.000 đ chưa giải trình (đã nhận 1.000.000 đ, "
                                     "đã chi 600.000 đ, đã nộp trả 0 đ)")
    cashbook.record(ctx, sid, "handed_back", 500_000)
    with pytest.raises(UserError, match="thiếu 100.000 đ"):
        payouts.close_session(ctx, sid)
    cashbook.record(ctx, sid, "handed_back", -100_000, "Ghi nhầm số tiền nộp trả")
    payouts.close_session(ctx, sid)
    with pytest.raises(UserError, match="đã đóng"):
        cashbook.record(ctx, sid, "received", 1)


def test_movements_are_validated_and_append_only(ctx, session):
    sid, _ = session
    with pytest.raises(ValidationError) as err:
        cashbook.record(ctx, sid, "borrowed", 0)
    assert set(err.value.problems) == {"kind", "amount"}
    with pytest.raises(ValidationError, match="chưa hợp lệ"):
        cashbook.record(ctx, sid, "received", -5)
    mid = cashbook.record(ctx, sid, "received", 300_000, "Phiếu thu số 1")
    assert cashbook.ledger(ctx.db, sid)["movements"][0]["note"] == "Phiếu thu số 1"
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ctx.db.execute("UPDATE cash_movements SET amount = 1 WHERE id = ?", [mid])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        ctx.db.execute("DELETE FROM cash_movements")


def test_counters_show_cash_on_hand_and_cashless_share(ctx, session):
    sid, people = session
    cashbook.record(ctx, sid, "received", 600_000)
    payouts.pay_line(ctx, line_of(ctx.db, sid, people["cash"])["id"])
    payouts.pay_line(ctx, line_of(ctx.db, sid, people["bank"])["id"])
    figures = payouts.counters(ctx.db, sid)
    assert (figures["paid_count"], figures["remaining_count"], figures["cash_on_hand"]) == (2, 1, 0)
    assert (figures["cashless_count"], figures["cashless_share"]) == (1, 0.5)


@pytest.mark.parametrize("amount, note", [(10**15, ""), (-(10**15), "sửa"), (5_000_000, "x" * 501)])
def test_an_amount_or_note_no_cash_book_holds_is_refused(ctx, session, amount, note):
    sid, _people = session
    with pytest.raises(ValidationError):
        cashbook.record(ctx, sid, "received", amount, note)
    assert cashbook.ledger(ctx.db, sid)["movements"] == []
