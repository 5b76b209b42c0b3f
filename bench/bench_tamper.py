"""Benchmark: the office's peak memory on any package (issue 12: under 200 MB).

Builds an office and a commune of ``--people`` people with ``--months`` paid monthly sessions
(not timed), then imports each package below into a fresh copy of the office database, each in
its own process, and prints that process's peak resident memory and time:

* the commune's genuine package (its key confirmed by phone: the whole year applies);
* a bomb: 100 MiB of JSON in a package of under 1 MiB, signed with the commune's key;
* a bomb within the compression ratio: 12 MiB of empty lists next to incompressible padding;
* 100,000-deep nesting in a member.

Prints figures; asserts nothing.

    .venv/bin/python bench/bench_tamper.py [--people 3000] [--months 12]
"""

import argparse
import datetime as dt
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commune_payout import demo, payouts, settings  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.payouts import SessionSpec  # noqa: E402
from commune_payout.sync import commune, package, reader, scope  # noqa: E402
from commune_payout.sync import office as office_side  # noqa: E402

CLOCK = FixedClock(dt.datetime(2026, 1, 5, 9, 0, 0))


def _import(db_path: str, package_path: str) -> None:
    """Child process: import one package (confirming the key it carries first) and report."""
    office = Context(open_db(db_path), clock=CLOCK, user="so")
    start = time.perf_counter()
    results = office_side.import_files(office, [package_path])
    [held] = office_side.quarantine(office.db) or [None]
    if held:
        results = office_side.confirm_key(office, held["commune_code"], held["fingerprint"])
    elapsed = time.perf_counter() - start
    print(json.dumps({"status": [r.status for r in results], "seconds": elapsed, "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """This process's peak resident memory. ru_maxrss would count the parent that forked it
    (Linux keeps it across exec), so the kernel's per-process high-water mark is read first."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _forged(ctx: Context, office: Context, genuine: bytes, member: bytes, padding: bytes = b"") -> bytes:
    """The genuine package with its people's member replaced, signed again with the commune's key."""
    identity = office_side.office_keys(office.db).identity
    opened = reader.open_package(genuine, identity, lambda fp, mb: commune.ensure_keys(ctx).card.signing_public)
    manifest = {k: v for k, v in opened.manifest.items() if k != "members"}
    members = {m["name"]: opened.member(m["name"]) for m in opened.manifest["members"]}
    members["beneficiaries.json"] = member
    if padding:
        members["padding.bin"] = padding
    data, _ = package.build(manifest, members, commune.ensure_keys(ctx), office_side.office_keys(office.db).card.age_recipient)
    return data


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--import", nargs=2, dest="child", metavar=("DB", "PACKAGE"))
    args = parser.parse_args()
    if args.child:
        _import(*args.child)
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-tamper-"))
    office_db = folder / "office.sqlite"
    office = Context(open_db(office_db), clock=CLOCK, user="so")
    office_side.init_office(office, "Sở Y tế tỉnh Phú Thọ")
    office_side.add_commune(office, "05425")
    ctx = Context(open_db(":memory:"), clock=CLOCK, user="can_bo")
    settings.init_commune(ctx.db, "05425")
    demo.populate(ctx, args.people)
    commune.set_upstream(ctx, office_side.office_keys(office.db).card, scope.PROGRAMS)
    for month in range(1, args.months + 1):
        year, mo = 2025 + (month - 1) // 12, (month - 1) % 12 + 1
        sid = payouts.create_session(ctx, SessionSpec(name=f"Trợ cấp tháng {mo}/{year}", kind="monthly",
                                                      period=f"{year}-{mo:02d}", session_date=dt.date(year, mo, 1)))
        payouts.lock_session(ctx, sid)
        for line in payouts.session_lines(ctx.db, sid):
            payouts.pay_line(ctx, line["id"])
    genuine = b"".join(commune.build(ctx).parts)
    cases = {
        f"genuine: {args.people} people, {args.months} paid months": genuine,
        "bomb: 100 MiB of JSON": _forged(ctx, office, genuine, b"[" + b"0," * (50 * 1024 * 1024) + b"0]"),
        "bomb within the ratio: 12 MiB of []": _forged(ctx, office, genuine, b"[" + b"[]," * (4 * 1024 * 1024) + b"[]]",
                                                       random.Random(1).randbytes(512 * 1024)),
        "100,000-deep nesting": _forged(ctx, office, genuine, b"[" * 100_000 + b"]" * 100_000),
    }
    office.db.close()
    print(f"{'package':<44} {'size':>9} {'outcome':>22} {'peak RSS':>10} {'time':>8}")
    for name, data in cases.items():
        path = folder / "package.cpkg"
        path.write_bytes(data)
        work = folder / "work.sqlite"
        shutil.copy(office_db, work)
        out = subprocess.run([sys.executable, __file__, "--import", str(work), str(path)], capture_output=True,
                             text=True, check=True).stdout
        figures = json.loads(out)
        print(f"{name:<44} {len(data) / 1024:>7.0f} KB {'/'.join(figures['status']):>22} "
              f"{figures['peak_mb']:>7.0f} MB {figures['seconds']:>6.2f} s")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
