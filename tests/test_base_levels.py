"""Base levels set on the laptop, the office's level winning when its package arrives, and the
history of every level with who set it; decisions travel up to the office."""

import datetime as dt

import pytest

from commune_payout import base_levels, decisions, payouts, register
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.errors import UserError, ValidationError
from commune_payout.programs import base_level
from commune_payout.sync import commune
from commune_payout.sync import office as office_side
from test_sync import cctx, linked, office, send, statuses  # noqa: F401 (fixtures)

JULY = dt.date(2026, 7, 1)


def test_a_local_level_is_in_force_and_in_the_history(ctx):
    base_levels.set_local(ctx, "btxh", JULY, 540_000, "NĐ mới, chưa có gói của cấp trên")
    assert base_level(ctx.db, "btxh", dt.date(2026, 8, 1)) == 540_000
    assert base_level(ctx.db, "btxh", dt.date(2026, 6, 30)) == 500_000
    row = base_levels.history(ctx.db, "btxh")[0]
    assert (row["amount"], row["source"], row["set_by"], row["set_at"], row["replaced_at"]) == (
        540_000, "local", "can_bo_test", "2026-01-15 09:00:00", None)
    later = Context(ctx.db, clock=FixedClock(dt.datetime(2026, 1, 16, 8)), user="truong_ban")
    base_levels.set_local(later, "btxh", JULY, 550_000)
    newest, replaced = base_levels.history(ctx.db, "btxh")[:2]
    assert (newest["amount"], replaced["amount"], replaced["replaced_by"]) == (550_000, 540_000, "truong_ban")
    assert [r["amount"] for r in base_levels.in_force(ctx.db) if r["program"] == "btxh"] == [
        360_000, 500_000, 550_000]


def test_a_local_level_refuses_what_is_not_a_level(ctx):
    with pytest.raises(ValidationError) as err:
        base_levels.set_local(ctx, "khac", "2026-07-01", -5)
    assert set(err.value.problems) == {"program", "valid_from", "amount"}
    with pytest.raises(UserError, match="Không có mức chuẩn do xã tự đặt"):
        base_levels.remove_local(ctx, "btxh", dt.date(2024, 7, 1))     # the decree's level stays


def test_a_mistaken_local_level_is_taken_back(ctx):
    base_levels.set_local(ctx, "btxh", JULY, 5_400_000)
    base_levels.remove_local(ctx, "btxh", JULY)
    assert base_level(ctx.db, "btxh", dt.date(2026, 8, 1)) == 500_000
    assert base_levels.history(ctx.db, "btxh")[0]["replaced_at"] == "2026-01-15 09:00:00"


def test_the_office_level_wins_when_its_package_arrives(cctx, office, tmp_path, linked):  # noqa: F811
    base_levels.set_local(cctx, "btxh", JULY, 540_000, "báo chí")
    base_levels.set_local(cctx, "btxh", dt.date(2026, 10, 1), 560_000, "tỉnh dự kiến")
    path = office_side.send_down(office, "05425", "base_level", "Mức chuẩn NĐ 335/2026",
                              [{"program": "btxh", "valid_from": "2026-07-01", "amount": 545_000}], tmp_path)
    pkg = commune.read_down(cctx, path.read_bytes())
    commune.decide_down(cctx, pkg.id, accept=True)
    assert base_level(cctx.db, "btxh", dt.date(2026, 11, 1)) == 545_000      # both local levels gave way
    sources = {(r["valid_from"], r["amount"], r["source"], r["replaced_at"] is None)
               for r in base_levels.history(cctx.db, "btxh") if r["valid_from"] >= "2026"}
    assert sources == {("2026-07-01", 540_000, "local", False), ("2026-10-01", 560_000, "local", False),
                       ("2026-07-01", 545_000, "office", True)}
    with pytest.raises(UserError, match="do cơ quan cấp trên gửi"):
        base_levels.set_local(cctx, "btxh", JULY, 600_000)
    base_levels.set_local(cctx, "btxh", dt.date(2027, 1, 1), 600_000)      # a later date is the commune's to set


def test_months_paid_at_the_old_level_are_named(ctx):
    register.create(ctx, {"full_name": "Trần Thị Một", "birth_year": 1950}, [{"category": "nct_ngheo_60_80"}])
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 7", kind="monthly", period="2026-07",
                                                          session_date=dt.date(2026, 7, 10)))
    assert base_levels.sessions_paid_from(ctx.db, "btxh", JULY) == []          # a draft was not paid yet
    payouts.lock_session(ctx, sid)
    assert [s["period"] for s in base_levels.sessions_paid_from(ctx.db, "btxh", JULY)] == ["2026-07"]
    assert base_levels.sessions_paid_from(ctx.db, "htxh", JULY) == []


def test_decisions_travel_up_to_the_office(cctx, office, tmp_path, linked):  # noqa: F811
    bid = register.list_beneficiaries(cctx.db)[0]["id"]
    app = decisions.add_application(cctx, "grant", "2026-01-05", person={"full_name": "Người Mới Hẳn",
                                                                           "birth_year": 1950}, category="nkt_nang")
    did = decisions.create_decision(cctx, decisions.DecisionSpec(dt.date(2026, 1, 15), "2026-01", number=3),
                                    applications=[app], items=[
                                        {"beneficiary_id": bid, "action": "stop", "reason": "Chuyển đi nơi khác"}])
    decisions.apply_decision(cctx, did)
    assert statuses(office_side.import_files(office, send(cctx, tmp_path))) == ["applied"]
    held = {table: office.db.execute(f"SELECT count(*) FROM office_{table}").fetchone()[0]
            for table in ("decisions", "decision_items", "applications")}
    # the demo commune's recorded decisions travel too, every row of them
    assert held == {table: cctx.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in held}
    assert office.db.execute("SELECT count(*) FROM office_decision_items WHERE decision_id = ?",
                             [did]).fetchone()[0] == 2 and held["applications"] == 1
