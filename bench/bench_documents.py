"""Benchmark: printed documents on a large commune.

Measures (issue 5 targets): the payout list of a 5,000-person session, from the database to the
PDF on disk, under 2 s; 1,000 receipts under 3 s. Also prints the other documents' times and
page counts for the same session. Wall-clock times, best of ``--repeat`` runs.

    /work/venv/bin/python bench/bench_documents.py [--people N] [--receipts N] [--repeat N]
"""

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader  # noqa: E402

from commune_payout import demo, payouts  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.documents import (campaign, cleaning, fonts, payout_list, progress_report, receipts,  # noqa: E402
                                      transfer_list)

ON = dt.date(2027, 1, 5)


def best_of(repeat: int, work) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def pages(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--receipts", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_documents_"))
    ctx = Context(open_db(folder / "commune.sqlite"), clock=FixedClock(dt.datetime(2027, 1, 5, 8)), user="bench")
    started = time.perf_counter()
    demo.populate(ctx, args.people)
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name="Quà Tết Đinh Mùi 2027", kind="tet_gift", period="2027-01", session_date=ON,
        gift_high=600_000, gift_low=300_000, fixed={"btxh": 500_000, "htxh": 500_000}))
    payouts.lock_session(ctx, sid)
    lines = payouts.session_lines(ctx.db, sid)
    for line in lines[: args.receipts]:
        payouts.pay_line(ctx, line["id"])
    fonts.register()
    print(f"commune of {args.people:,} people, session with {len(lines):,} lines, {min(args.receipts, len(lines)):,} "
          f"paid: {time.perf_counter() - started:.2f} s (not counted)")

    results = []
    out = folder / "payout_list.pdf"
    seconds = best_of(args.repeat, lambda: payout_list.write(ctx.db, sid, out, on=ON))
    results.append((f"payout list, {len(lines):,} people", seconds, pages(out), 2.0))
    out = folder / "receipts.pdf"
    seconds = best_of(args.repeat, lambda: receipts.write(ctx.db, sid, out, per_page=4))
    results.append((f"receipts, {min(args.receipts, len(lines)):,} at 4 a page", seconds, pages(out), 3.0))
    out = folder / "receipts2.pdf"
    seconds = best_of(args.repeat, lambda: receipts.write(ctx.db, sid, out, per_page=2))
    results.append((f"receipts, {min(args.receipts, len(lines)):,} at 2 a page", seconds, pages(out), 3.0))
    for label, fn, name in (
        ("transfer list, every bank", lambda o: transfer_list.write(ctx.db, sid, o, on=ON), "transfers.pdf"),
        ("account campaign list", lambda o: campaign.write(ctx.db, o, on=ON), "campaign.pdf"),
        ("data-cleaning list", lambda o: cleaning.write(ctx.db, o, on=ON), "cleaning.pdf"),
        ("monthly progress report", lambda o: progress_report.write(ctx.db, "2027-01", o, on=ON), "report.pdf"),
    ):
        out = folder / name
        seconds = best_of(args.repeat, lambda: fn(out))
        results.append((label, seconds, pages(out), None))

    failed = False
    for label, seconds, n_pages, target in results:
        verdict = ""
        if target is not None:
            ok = seconds < target
            failed |= not ok
            verdict = f"  (target < {target:.0f} s: {'ok' if ok else 'TOO SLOW'})"
        print(f"{label:<40} {seconds:6.2f} s  {n_pages:5d} pages{verdict}")
    print(f"PDFs in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
