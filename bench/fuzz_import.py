"""Fuzz run: import a seeded corpus of hostile files (tests/hostile_files.py) plus bombs and
oversized files, each into a fresh database, and print files, results, refusals, crashes,
hangs and the slowest file. Also writes the report and the annotated copy of each result.

A crash is any exception other than the app's plain refusals; a hang is a file that takes
more than 5 s (the run goes on: a watchdog stops that file).

    .venv/bin/python bench/fuzz_import.py [--files 600] [--seed 11]
"""

import argparse
import datetime as dt
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from commune_payout import importer, settings  # noqa: E402
from commune_payout.sheets import grid  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.errors import UserError  # noqa: E402
from hostile_files import HEADER, bomb_xlsx, corpus, person, raw_xlsx, sheet_xml  # noqa: E402

HANG_SECONDS = 5


class Hang(Exception):
    """The watchdog stopped a file."""


def _watchdog(_signum, _frame):
    raise Hang


def extra_files(folder: Path) -> list[Path]:
    """Bombs and files at and past the size limits."""
    import random

    rnd = random.Random(3)
    big = [HEADER] + [person(rnd, n) for n in range(1, grid.MAX_ROWS + 2)]
    return [
        bomb_xlsx(folder / "bomb_sheet_200mb.xlsx", 200 * 1024 * 1024),
        bomb_xlsx(folder / "bomb_shared_100mb.xlsx", 100 * 1024 * 1024, part="shared"),
        raw_xlsx(folder / "rows_50001.xlsx", [("DS", sheet_xml(big))]),
        raw_xlsx(folder / "xfd1048576.xlsx", [("DS", sheet_xml([(1, dict(enumerate(HEADER, 1))),
                                                                (2, dict(enumerate(big[1], 1))),
                                                                (1048576, {16384: "x"})], numbered=True,
                                                               dimension="A1:XFD1048576"))]),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=600)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, _watchdog)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = corpus(folder / "corpus", args.files, args.seed) + extra_files(folder)
        results = refused = crashes = hangs = rows = 0
        slowest = (0.0, "")
        for path in files:
            db = open_db(":memory:")
            settings.init_commune(db, "05425")
            ctx = Context(db, clock=FixedClock(dt.datetime(2026, 1, 15, 9)), user="fuzz")
            start = time.perf_counter()
            signal.alarm(HANG_SECONDS * 2)
            try:
                result = importer.import_file(ctx, path)
                importer.write_report(result, folder / "report.xlsx")
                importer.write_annotated(result, path, folder / "annotated.xlsx")
                results += 1
                rows += len(result.outcomes)
            except UserError:
                refused += 1
            except Hang:
                hangs += 1
                print(f"HANG {path.name}")
            except Exception:  # noqa: BLE001 — counting crashes is the point
                crashes += 1
                print(f"CRASH {path.name}")
                traceback.print_exc(limit=4)
            finally:
                signal.alarm(0)
                db.close()
            elapsed = time.perf_counter() - start
            if elapsed > HANG_SECONDS:
                hangs += 1
                print(f"SLOW {path.name}: {elapsed:.1f} s")
            slowest = max(slowest, (elapsed, path.name))
    print(f"files: {len(files)}  imported with a result: {results} ({rows} rows, each with one outcome)  "
          f"refused plainly: {refused}  crashes: {crashes}  hangs (> {HANG_SECONDS} s): {hangs}")
    print(f"slowest file: {slowest[1]} {slowest[0]:.2f} s (import, report and annotated copy)")
    return 1 if crashes or hangs else 0


if __name__ == "__main__":
    sys.exit(main())
