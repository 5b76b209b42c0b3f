"""Verification and grievance benchmarks (issue 17), on a database file like the laptop's: a
session of some 5,000 paid people verified by the formula's sample and in full, the sheet printed,
answers typed, a year of complaints listed and counted for the monthly report; and the CLI's
``session verify`` and ``print verification`` as whole processes.

Run: ``python bench/bench_verification.py [--people N] [--tickets N]`` — prints the figures.
"""

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commune_payout import demo, documents, grievances, payouts, verification  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402

CLOCK = FixedClock(dt.datetime(2026, 1, 25, 9))


def timed(fn, *args, **kw):
    start = time.perf_counter()
    value = fn(*args, **kw)
    return value, time.perf_counter() - start


def cli(db_path: Path, *argv) -> float:
    """One CLI command as the officer runs it: a whole process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "commune_payout", "--db", str(db_path), *argv], check=True,
                   capture_output=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=6_000)
    parser.add_argument("--tickets", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite"
        ctx = Context(open_db(path), clock=CLOCK, user="bench")
        demo.populate(ctx, size=args.people, seed=17)
        sid = payouts.create_session(ctx, payouts.SessionSpec(
            name="Quà Tết NQ 418", kind="one_off", period="2026-01", session_date=dt.date(2026, 1, 20),
            fixed={"btxh": 400_000, "ncc": 400_000, "htxh": 400_000}))
        payouts.lock_session(ctx, sid)
        lines = payouts.session_lines(ctx.db, sid)
        _, t_pay = timed(lambda: [payouts.pay_line(ctx, line["id"]) for line in lines])
        n = len(lines)
        print(f"setup: {n:,} lines paid one by one in {t_pay:.1f} s")

        vid, t_draw = timed(verification.draw, ctx, sid, seed=418)
        size = verification.get_verification(ctx.db, sid)["size"]
        print(f"draw by the formula (95 %, ±10 %): {size} of {n:,} in {t_draw * 1000:.0f} ms")
        _, t_repeat = timed(verification.repeat, ctx.db, sid)
        print(f"repeat the draw (same seed, population digest): {t_repeat * 1000:.0f} ms")
        out = Path(tmp) / "phieu.pdf"
        _, t_sheet = timed(documents.write, ctx.db, documents.Request("verification", on=CLOCK.today(), session_id=sid),
                           out)
        print(f"verification sheet, {size} people: {t_sheet * 1000:.0f} ms, {out.stat().st_size // 1024} KB")
        samples = []
        for item in verification.items(ctx.db, sid):
            _, took = timed(verification.record_answer, ctx, item["id"], "received", asked_by="Trưởng thôn",
                            asked_on=CLOCK.today(), asked_how="phone")
            samples.append(took * 1000)
        print(f"record_answer x{len(samples)}: median {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms")
        _, t_summary = timed(verification.summary, ctx.db, sid)
        print(f"summary of the {size}-person sample: {t_summary * 1000:.0f} ms")
        t_cli_show = cli(path, "session", "verify", sid[:8])
        print(f"CLI `session verify` (show), whole process: {t_cli_show * 1000:.0f} ms")

        other = payouts.create_session(ctx, payouts.SessionSpec(
            name="Quà Tết địa phương", kind="one_off", period="2026-01", session_date=dt.date(2026, 1, 20),
            fixed={"btxh": 200_000, "ncc": 200_000, "htxh": 200_000}))
        payouts.lock_session(ctx, other)
        for line in payouts.session_lines(ctx.db, other):
            payouts.pay_line(ctx, line["id"])
        _, t_all = timed(verification.draw, ctx, other, verification.DrawSpec("all"), seed=1)
        print(f"draw everyone: {n:,} people in {t_all * 1000:.0f} ms")
        _, t_items = timed(verification.summary, ctx.db, other)
        print(f"summary of {n:,} drawn: {t_items * 1000:.0f} ms")
        t_cli_print = cli(path, "print", "verification", other[:8], "--out", str(Path(tmp) / "all.pdf"))
        print(f"CLI `print verification`, {n:,} people, whole process: {t_cli_print * 1000:.0f} ms")

        people = [line["beneficiary_id"] for line in lines]
        start = time.perf_counter()
        for i in range(args.tickets):
            day = dt.date(2025, 2, 1) + dt.timedelta(days=i * 350 // args.tickets)
            ctx.clock = FixedClock(dt.datetime.combine(day, dt.time(9)))
            gid = grievances.add_grievance(ctx, "not_received", f"Phản ánh số {i}", received_via="phone",
                                           received_on=day, beneficiary_id=people[i % len(people)],
                                           session_id=sid)
            if i % 3:
                grievances.move(ctx, gid, "in_progress")
            if i % 3 == 2:
                grievances.move(ctx, gid, "resolved", resolution="Đã chi lại")
        ctx.clock = CLOCK
        t_add = time.perf_counter() - start
        print(f"{args.tickets:,} tickets recorded and moved: {t_add / args.tickets * 1000:.1f} ms each")
        _, t_list = timed(grievances.list_grievances, ctx.db, CLOCK.today())
        print(f"list_grievances, {args.tickets:,} tickets: {t_list * 1000:.0f} ms")
        _, t_month = timed(grievances.month_counts, ctx.db, "2025-12")
        print(f"month_counts (the monthly report's complaints): {t_month * 1000:.0f} ms")


if __name__ == "__main__":
    main()
