"""Payout-session benchmarks (issue 4): create a session for 10,000 people (target < 2 s) and
mark one person paid (target < 50 ms), on a database file like the laptop's.

Run: ``python bench/bench_payouts.py [--people N] [--payments N]`` — prints the figures.
"""

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commune_payout import demo, payouts, transfers  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402


def timed(fn, *args, **kw):
    start = time.perf_counter()
    value = fn(*args, **kw)
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--payments", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Context(open_db(Path(tmp) / "bench.sqlite"), clock=FixedClock(), user="bench")
        demo.populate(ctx, size=args.people, seed=11)
        # A one-off gift that reaches everyone in the register: one line per person.
        everyone = payouts.SessionSpec(name="Quà Tết NQ 418", kind="one_off", period="2026-01",
                                       session_date=dt.date(2026, 1, 20),
                                       fixed={"btxh": 400_000, "ncc": 400_000, "htxh": 400_000})
        preview, t_preview = timed(payouts.preview_session, ctx.db, everyone)
        sid, t_create = timed(payouts.create_session, ctx, everyone)
        lines = preview.totals["count"]
        print(f"preview_session, {lines:,} lines: {t_preview * 1000:.0f} ms")
        print(f"create_session, {lines:,} lines (preview + snapshot in one transaction): "
              f"{t_create * 1000:.0f} ms (target < 2000 ms)")
        monthly = payouts.SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                      session_date=dt.date(2026, 1, 1))
        msid, t_monthly = timed(payouts.create_session, ctx, monthly)
        print(f"create_session monthly (coefficient × base level), "
              f"{payouts.session_totals(ctx.db, msid)['count']:,} lines: {t_monthly * 1000:.0f} ms")

        payouts.lock_session(ctx, sid)
        pending = payouts.session_lines(ctx.db, sid, channel="cash_commune", limit=args.payments)
        samples = []
        for line in pending:
            _, took = timed(payouts.pay_line, ctx, line["id"])
            samples.append(took * 1000)
        samples.sort()
        print(f"pay_line x{len(samples)}: median {statistics.median(samples):.2f} ms, "
              f"p95 {samples[int(len(samples) * 0.95) - 1]:.2f} ms, max {samples[-1]:.2f} ms (target < 50 ms)")
        _, t_find = timed(payouts.find_line, ctx.db, sid, "nguyen thi h")
        print(f"find_line 'nguyen thi h': {t_find * 1000:.1f} ms")
        _, t_counters = timed(payouts.counters, ctx.db, sid)
        print(f"counters: {t_counters * 1000:.1f} ms")
        files, t_export = timed(transfers.export_transfers, ctx.db, sid, Path(tmp) / "banks")
        print(f"export_transfers, {sum(f.count for f in files):,} transfers in {len(files)} banks: "
              f"{t_export * 1000:.0f} ms")


if __name__ == "__main__":
    main()
