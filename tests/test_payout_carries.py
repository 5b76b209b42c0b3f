"""Carried amounts (payout_carries) are part of the session's snapshot: the database keeps them as
written, carries a line once, drops them with a deleted draft, and sends them to the office."""

import datetime as dt
import sqlite3

import pytest

from commune_payout import payouts, register
from commune_payout.payouts import SessionSpec
from commune_payout.sync import office as office_side
from test_sync import assert_office_has_the_communes_rows, cctx, linked, office, send, statuses  # noqa: F401


def monthly(period: str) -> SessionSpec:
    year, month = map(int, period.split("-"))
    return SessionSpec(name=f"Tháng {month}/{year}", kind="monthly", period=period,
                       session_date=dt.date(year, month, 1))


def closed(ctx, period: str) -> str:
    sid = payouts.create_session(ctx, monthly(period))
    payouts.lock_session(ctx, sid)
    payouts.close_session(ctx, sid)
    return sid


@pytest.fixture
def absent(ctx):
    return register.create(ctx, {"full_name": "Người Đi Vắng", "birth_year": 1980, "village": "Thôn Đông"},
                           [{"category": "nkt_nang"}])


def test_the_database_carries_a_line_once_and_never_changes_a_carried_amount(ctx, absent):
    closed(ctx, "2026-01")
    feb = payouts.create_session(ctx, monthly("2026-02"))
    [carry] = ctx.db.execute("SELECT id, from_line_id FROM payout_carries WHERE session_id = ?", [feb]).fetchall()
    mar = payouts.create_session(ctx, monthly("2026-03"))        # the same unpaid January line is not taken again
    assert ctx.db.execute("SELECT count(*) FROM payout_carries WHERE session_id = ?", [mar]).fetchone()[0] == 0
    march_line = payouts.session_lines(ctx.db, mar)[0]["id"]
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        ctx.db.execute("INSERT INTO payout_carries (id, session_id, commune_code, line_id, from_line_id, amount) "
                       "VALUES ('x', ?, '05425', ?, ?, 1)", [mar, march_line, carry[1]])
    payouts.lock_session(ctx, feb)
    with pytest.raises(sqlite3.IntegrityError, match="never change"):
        ctx.db.execute("UPDATE payout_carries SET amount = 0 WHERE id = ?", [carry[0]])
    with pytest.raises(sqlite3.IntegrityError, match="cannot be deleted"):
        ctx.db.execute("DELETE FROM payout_carries WHERE id = ?", [carry[0]])


def test_a_deleted_draft_gives_its_carried_lines_back(ctx, absent):
    closed(ctx, "2026-01")
    feb = payouts.create_session(ctx, monthly("2026-02"))
    payouts.delete_draft(ctx, feb)
    assert ctx.db.execute("SELECT count(*) FROM payout_carries").fetchone()[0] == 0
    again = payouts.create_session(ctx, monthly("2026-02"))
    assert payouts.session_lines(ctx.db, again)[0]["total"] == 1_500_000


def test_carried_amounts_reach_the_office_as_they_are(cctx, office, tmp_path, linked):  # noqa: F811
    jan = payouts.create_session(cctx, monthly("2026-01"))
    payouts.lock_session(cctx, jan)
    payouts.close_session(cctx, jan)
    feb = payouts.create_session(cctx, monthly("2026-02"))
    carried = cctx.db.execute("SELECT count(*) FROM payout_carries WHERE session_id = ?", [feb]).fetchone()[0]
    assert carried == len(payouts.session_lines(cctx.db, jan)) > 0
    assert statuses(office_side.import_files(office, send(cctx, tmp_path))) == ["applied"]
    assert_office_has_the_communes_rows(cctx, office)
