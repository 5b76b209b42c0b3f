"""Back-pay and decision benchmarks (issue 14), on a database file like the laptop's: a commune of
N people paid monthly for a year, then a base level set in the past.

What the officer waits for: creating the next monthly session (it now looks for back pay),
creating the arrears session (every month paid at the old level is priced again), printing its
payout list, applying a decision for 200 people and printing it, the cleaning checks with the
decision checks.

Run: ``python bench/bench_arrears.py [--people N] [--months N]`` — prints the figures.
"""

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commune_payout import base_levels, cashbook, checks, decisions, demo, documents, payouts, register  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.documents import decision as decision_document  # noqa: E402


def timed(fn, *args, **kw):
    start = time.perf_counter()
    value = fn(*args, **kw)
    return value, time.perf_counter() - start


def at(db, day: dt.date) -> Context:
    return Context(db, clock=FixedClock(dt.datetime.combine(day, dt.time(9))), user="bench")


def month(start: dt.date, n: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 10)


def run_month(db, day: dt.date) -> str:
    ctx = at(db, day)
    sid = payouts.create_session(ctx, payouts.SessionSpec(name=f"Tháng {day:%m/%Y}", kind="monthly",
                                                          period=day.strftime("%Y-%m"), session_date=day))
    payouts.lock_session(ctx, sid)
    with db.conn:
        for line in payouts.session_lines(db, sid):
            if line["seq"] % 10:            # one in ten does not come
                payouts.pay_line(ctx, line["id"])
    paid = cashbook.ledger(db, sid)["paid_out"]
    if paid:
        cashbook.record(ctx, sid, "received", paid)
    payouts.close_session(ctx, sid)
    return sid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3_000)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    first = dt.date(2025, 12, 10)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "bench.sqlite")
        demo.populate(at(db, first), size=args.people, seed=14)
        start = time.perf_counter()
        for n in range(args.months):
            run_month(db, month(first, n))
        print(f"setup: {args.people:,} people, {args.months} monthly sessions paid and closed "
              f"({time.perf_counter() - start:.0f} s)")
        after = month(first, args.months)
        ctx = at(db, after)
        people = [r["id"] for r in register.list_beneficiaries(db, status="active")
                  if all(m["category"] != "nkt_nang" for m in register.memberships_of(db, r["id"]))][:200]
        items = [{"beneficiary_id": bid, "action": "grant", "category": "nkt_nang"} for bid in people]
        did, t_draft = timed(decisions.create_decision, ctx, decisions.DecisionSpec(
            after, month(first, args.months - 3).strftime("%Y-%m"), recorded=False), items=items)
        _, t_apply = timed(decisions.apply_decision, ctx, did)
        print(f"decision for {len(items)} people: draft {t_draft * 1000:.0f} ms, apply {t_apply * 1000:.0f} ms")
        out = Path(tmp) / "qd.pdf"
        _, t_print = timed(decision_document.write, db, did, out)
        print(f"print the decision with its list of {len(items)}: {t_print * 1000:.0f} ms")
        problems, t_checks = timed(checks.run_checks, db, after)
        print(f"cleaning checks with the decision checks: {t_checks * 1000:.0f} ms "
              f"({sum(p.code in checks.OFFICE_ONLY for p in problems):,} decision problems)")
        base_levels.set_local(ctx, "btxh", month(first, 1).replace(day=1), 540_000)
        arrears_spec = payouts.SessionSpec(name="Truy lĩnh", kind="arrears", period=after.strftime("%Y-%m"),
                                           session_date=after)
        sid, t_arrears = timed(payouts.create_session, ctx, arrears_spec)
        totals = payouts.session_totals(db, sid)
        rows = db.execute("SELECT count(*) FROM payout_arrears WHERE session_id = ?", [sid]).fetchone()[0]
        print(f"create the arrears session: {totals['count']:,} lines, {rows:,} months priced again, "
              f"{t_arrears * 1000:.0f} ms")
        _, t_list = timed(documents.write, db, documents.Request("payout-list", after, session_id=sid),
                          Path(tmp) / "list.pdf")
        print(f"print its payout list: {t_list * 1000:.0f} ms")
        monthly = payouts.SessionSpec(name="Tháng sau", kind="monthly", period=after.strftime("%Y-%m"),
                                      session_date=after)
        nid, t_monthly = timed(payouts.create_session, ctx, monthly)
        back = db.execute("SELECT count(*) FROM payout_arrears WHERE session_id = ?", [nid]).fetchone()[0]
        print(f"create the next monthly session (back pay of the decision and of the carried months): "
              f"{payouts.session_totals(db, nid)['count']:,} lines, {back:,} months owed, {t_monthly * 1000:.0f} ms")
        db.close()


if __name__ == "__main__":
    main()
