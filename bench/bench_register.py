"""Register benchmarks (issue 2): search over 100,000 people, ``list --json`` of 10,000 people.

Run: ``python bench/bench_register.py`` — prints the figures that go in the README.
"""

import contextlib
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

from commune_payout import cli, demo
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.register import search

QUERIES = ("dang dat", "nguyen thi h", "thon dong", "hoa", "tran van", "0912", "le minh", "025150",
           "xom moi", "pham thu", "bui", "d", "vu thanh thuy", "phuong", "ngo quang")


def bench_search(tmp: Path) -> None:
    path = tmp / "search.sqlite"
    ctx = Context(open_db(path))
    start = time.perf_counter()
    demo.populate(ctx, size=100_000, seed=7)
    print(f"demo commune of 100,000 people built in {time.perf_counter() - start:.1f} s")
    for q in QUERIES:  # warm the page cache as an officer's second search would
        search(ctx.db, q)
    timings = []
    for _ in range(5):
        for q in QUERIES:
            t = time.perf_counter()
            search(ctx.db, q, limit=50)
            timings.append((time.perf_counter() - t) * 1000)
    print(f"search over 100,000 people: median {statistics.median(timings):.1f} ms, "
          f"p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms, max {max(timings):.1f} ms "
          f"({len(timings)} queries; target: median < 20 ms)")


def bench_list_json(tmp: Path) -> None:
    path = tmp / "list.sqlite"
    ctx = Context(open_db(path))
    demo.populate(ctx, size=10_000, seed=8)
    ctx.db.close()
    runs = []
    for _ in range(5):
        out = io.StringIO()
        t = time.perf_counter()
        with contextlib.redirect_stdout(out):
            cli.main(["--db", str(path), "list", "--json"])
        runs.append(time.perf_counter() - t)
    print(f"list --json of 10,000 people: median {statistics.median(runs) * 1000:.0f} ms "
          f"({len(out.getvalue()) // 1024} KB of JSON; target: < 1 s)")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        bench_search(Path(tmp))
        bench_list_json(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
