"""Benchmark: the operations of issue 18 as the officer meets them, in one table of goal and measured.

Each command is a whole ``commune-payout`` process, started afresh for every run: Python's start,
the imports, opening the database, the work, the file written. Bytecode is compiled as in the
installed program (a warm-up run first, ``PYTHONDONTWRITEBYTECODE`` removed from the children's
environment). The window's cold start is a fresh process from its start until the register table
shows its rows, on a copy of the database with no backup yet, so it makes the day's backup as the
first start of a day does. Search is the query as the window makes it (up to 1,000 hits) at
100,000 people. The office row, with ``--office``, runs ``bench/bench_sync.py`` (minutes).

Every operation runs ``--runs`` times (default 5); the table gives the median, the range and the
CPU time of the process (user + system), and the load average around the runs. The machine is
shared: wall time under load is noisy, CPU time much less so. Needs a display for the window
(``xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python bench/run_all.py``); without one
its row says so.

    .venv/bin/python bench/run_all.py [--runs 5] [--people 10000] [--search-people 100000] [--office]
"""

import argparse
import contextlib
import io
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_import  # noqa: E402
from commune_payout import cli, demo, register  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402

# The window's process: its main loop returns once the register table shows rows, and prints
# the seconds since the parent started it (the parent's clock, passed in BENCH_T0).
WINDOW_CHILD = """
import os, sys, time, tkinter
from commune_payout.gui.smoke import drawn_table

def mainloop(root, n=0):
    while drawn_table(root) is None:
        root.update()
    root.update_idletasks()
    print(f"DRAWN {time.time() - float(os.environ['BENCH_T0']):.4f}", flush=True)
    root.destroy()

tkinter.Misc.mainloop = mainloop
from commune_payout import cli
sys.exit(cli.main(["--db", sys.argv[1]]))
"""

def copy_db(source: Path, target: Path) -> None:
    """A whole copy of a database (its write-ahead log included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()


def child_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


class Row:
    """One line of the table: an operation, its goal, and what the runs measured (seconds).

    The goal is held when the median (or, for a goal on the 95th percentile, ``p95``) is within ``limit``."""

    def __init__(self, name: str, goal: str, limit: float, unit: str = "s", statistic: str = "median"):
        self.name, self.goal, self.limit, self.unit, self.statistic = name, goal, limit, unit, statistic
        self.wall: list[float] = []
        self.cpu: list[float] = []
        self.load: list[float] = []
        self.note = ""

    def cells(self) -> list[str]:
        if not self.wall:
            return [self.name, self.goal, "—", "—", "—", "—", self.note or "not run"]
        fmt = (lambda v: f"{v * 1000:.1f} ms") if self.unit == "ms" else (lambda v: f"{v:.2f} s")
        ordered = sorted(self.wall)
        value = (ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if self.statistic == "p95"
                 else statistics.median(ordered))
        cpu = fmt(statistics.median(self.cpu)) if self.cpu else "—"
        held = "yes" if value <= self.limit else "NO"
        return [self.name, self.goal, f"{self.statistic} {fmt(value)}", f"{fmt(ordered[0])}–{fmt(ordered[-1])}",
                cpu, f"{min(self.load):.1f}–{max(self.load):.1f}", f"{held}{'; ' + self.note if self.note else ''}"]


def timed_process(row: Row, argv: list[str], runs: int, before=None) -> None:
    """Run ``commune-payout argv`` ``runs`` times as a fresh process (once more first, not counted),
    ``before`` each run."""
    command = [sys.executable, "-m", "commune_payout", *argv]
    for run in range(runs + 1):
        if before:
            before()
        load = os.getloadavg()[0]
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=child_env(), capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
        if run:         # the first compiled the bytecode
            row.wall.append(wall)
            row.cpu.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
            row.load.append(load)


def window_start(row: Row, people_db: Path, folder: Path, runs: int) -> None:
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        row.note = "no display: run under xvfb-run"
        return
    for run in range(runs + 1):
        copy = folder / f"window{run}" / "xa.sqlite"
        copy.parent.mkdir()
        copy_db(people_db, copy)
        load = os.getloadavg()[0]
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        env = {**child_env(), "BENCH_T0": repr(time.time())}
        done = subprocess.run([sys.executable, "-c", WINDOW_CHILD, str(copy)], env=env, capture_output=True,
                              text=True, cwd=ROOT, timeout=120)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        drawn = re.search(r"DRAWN ([\d.]+)", done.stdout)
        if done.returncode != 0 or not drawn:
            raise SystemExit(f"window start failed: {done.stderr}")
        if run:         # the first compiled the bytecode
            row.wall.append(float(drawn[1]))
            row.cpu.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
            row.load.append(load)
    row.note = "CPU until the window closed"


def search_as_the_window(names: Row, digits: Row, people: int, folder: Path, rounds: int) -> None:
    """The queries of bench_gui.py, as the register view makes them."""
    from bench_gui import QUERIES as SEARCH_QUERIES
    from commune_payout.gui.register_view import SEARCH_LIMIT

    ctx = Context(open_db(folder / "search.sqlite"))
    demo.populate(ctx, size=people, seed=7)
    for query in SEARCH_QUERIES:        # a warm page cache, as for an officer's second search
        register.search(ctx.db, query, limit=SEARCH_LIMIT)
    for _ in range(rounds):
        for query in SEARCH_QUERIES:
            row = digits if query.isdigit() else names
            row.load.append(os.getloadavg()[0])
            started, cpu = time.perf_counter(), time.process_time()
            register.search(ctx.db, query, limit=SEARCH_LIMIT)
            row.wall.append(time.perf_counter() - started)
            row.cpu.append(time.process_time() - cpu)
    ctx.db.close()
    for row in (names, digits):
        row.note = f"median {statistics.median(row.wall) * 1000:.1f} ms over {len(row.wall)} queries"


def office(row: Row, communes: int) -> None:
    """Relay bench_sync.py's office import (whole commands) into the table."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_sync.py"), "--communes", str(communes)],
                          env=child_env(), capture_output=True, text=True, cwd=ROOT)
    print(done.stdout)
    found = re.findall(r"office import of (\d+) packages.*?whole command: ([\d.]+) s.*?peak (\d+) MB", done.stdout)
    if done.returncode != 0 or not found:
        row.note = f"bench_sync.py did not report ({done.returncode})"
        return
    peaks = ", ".join(f"{n} packages {mb} MB" for n, _, mb in found)
    row.wall.append(float(found[-1][1]))
    row.load.append(os.getloadavg()[0])
    row.note = f"peak memory {peaks}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--problems", type=int, default=2_000)
    parser.add_argument("--search-people", type=int, default=100_000)
    parser.add_argument("--office", action="store_true", help="also the office's 170 communes (bench_sync.py)")
    args = parser.parse_args()
    n = f"{args.people:,}"
    rows = {
        "import": Row(f"`import` {n} rows (CLI, fresh database)", "< 3 s", 3),
        "export": Row(f"`export` {n} people to .xlsx", "< 2 s", 2),
        "check": Row(f"`check --report` of {n} people with {args.problems:,} planted problems", "< 2 s", 2),
        "record": Row(f"`decision record` for the {n} people of an import that named no decision", "< 2 s", 2),
        "version": Row("`--version`", "< 0.25 s", 0.25, "ms"),
        "help": Row("`--help`", "< 0.25 s", 0.25, "ms"),
        "import_help": Row("`import --help`", "< 0.25 s", 0.25, "ms"),
        "window": Row(f"window cold start to table drawn, {n} people", "< 1 s", 1),
        "search_names": Row(f"search as the window calls it, {args.search_people:,} people, names", "p95 < 30 ms",
                            0.030, "ms", "p95"),
        "search_digits": Row(f"search as the window calls it, {args.search_people:,} people, digits", "p95 < 30 ms",
                             0.030, "ms", "p95"),
        "office": Row("office: 170 communes × 3,000 consolidated (`office import`)", "< 45 s, peak memory flat", 45),
    }
    folder = Path(tempfile.mkdtemp(prefix="bench_run_all_"))
    try:
        started = time.perf_counter()
        source, planted = folder / "register.xlsx", folder / "planted.xlsx"
        bench_import.generate(source, args.people)
        bench_import.generate(planted, args.people, problems=args.problems, seed=11, decision=None)
        fresh, people, problems = folder / "fresh.sqlite", folder / "people.sqlite", folder / "problems.sqlite"
        for db, register_file in ((fresh, None), (people, source), (problems, planted)):
            with contextlib.redirect_stdout(io.StringIO()):
                cli.main(["--db", str(db), "init", "--commune", "05425", "--officer", "Nguyễn Thị Lập"])
            if register_file:
                with contextlib.redirect_stdout(io.StringIO()):
                    cli.main(["--db", str(db), "import", "--json", str(register_file)])
        print(f"registers generated and imported in {time.perf_counter() - started:.0f} s (not counted); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)

        target = folder / "import.sqlite"

        def fresh_copy():
            shutil.rmtree(folder / "backups", ignore_errors=True)
            for leftover in folder.glob("import.sqlite*"):
                leftover.unlink()
            copy_db(fresh, target)

        timed_process(rows["import"], ["--db", str(target), "import", str(source)], args.runs, before=fresh_copy)
        timed_process(rows["export"], ["--db", str(people), "export", str(folder / "export.xlsx")], args.runs)
        timed_process(rows["check"], ["--db", str(problems), "check", "--report", str(folder / "check.xlsx")],
                      args.runs)
        recorded = folder / "recorded.sqlite"
        timed_process(rows["record"], ["--db", str(recorded), "decision", "record", "--import", planted.name,
                                       "--number", "12/QĐ-UBND", "--date", "05/01/2026"], args.runs,
                      before=lambda: copy_db(problems, recorded))
        timed_process(rows["version"], ["--version"], args.runs)
        timed_process(rows["help"], ["--help"], args.runs)
        timed_process(rows["import_help"], ["import", "--help"], args.runs)
        window_start(rows["window"], people, folder, args.runs)
        search_as_the_window(rows["search_names"], rows["search_digits"], args.search_people, folder, args.runs)
        if args.office:
            office(rows["office"], 170)
        else:
            rows["office"].note = "run with --office (bench_sync.py, minutes)"
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    head = ["operation, end to end", "goal", "measured", "range", "CPU (median)", "load", "goal held"]
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows.values():
        print("| " + " | ".join(row.cells()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
