"""Benchmark: sync package sizes and the office's consolidation of many communes.

Targets (issue 6): a full package for 3,000 people under 500 KB; a monthly incremental package
under 50 KB; consolidating 150 communes of 3,000 people each in under 60 s.

The communes are generated first (in parallel, not timed): each is a demo commune with its
own code from the official list, its own key pair and its first package. The office then
imports all the packages in one batch (each waits for its key to be confirmed by phone) and
confirms the 150 keys, which applies them; that import + confirmation is the timed
consolidation. Prints figures; asserts nothing.

    /work/venv/bin/python bench/bench_sync.py [--communes 150] [--people 3000]
"""

import argparse
import datetime as dt
import multiprocessing
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commune_payout import demo, geo, payouts, register, settings  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.payouts import SessionSpec  # noqa: E402
from commune_payout.sync import commune, keys, reports, upstream  # noqa: E402

CLOCK = FixedClock(dt.datetime(2026, 1, 5, 9, 0, 0))


def _commune_package(job):
    """Worker: a demo commune, its key, its first package saved to ``folder``."""
    index, code, people, card_text, folder = job
    ctx = Context(open_db(":memory:"), clock=CLOCK, user="can_bo")
    settings.init_commune(ctx.db, code, officer="Cán bộ")
    demo.populate(ctx, people, seed=index)
    commune.set_upstream(ctx, keys.parse_card(card_text))
    pkg = commune.build(ctx)
    paths = commune.save(pkg, folder)
    return code, commune.status(ctx.db)["fingerprint"], pkg.size, [str(p) for p in paths]


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


def sizes(people: int, office: Context, folder: Path) -> None:
    """A full package, then a month of register changes, then a month with a paid monthly session."""
    ctx = Context(open_db(":memory:"), clock=CLOCK, user="can_bo")
    settings.init_commune(ctx.db, "05425")
    demo.populate(ctx, people)
    commune.set_upstream(ctx, upstream.office_keys(office.db).card)
    start = time.perf_counter()
    full = commune.build(ctx)
    built = time.perf_counter() - start
    print(f"full package, {people:,} people: {_kb(full.size)} (target < 500 KB), built in {built:.2f} s; "
          f"rows {full.counts}")
    upstream.add_commune(office, "05425")
    upstream.import_files(office, commune.save(full, folder))
    upstream.confirm_key(office, "05425", commune.status(ctx.db)["fingerprint"])
    commune.record_ack_file(ctx, upstream.make_ack(office, "05425")[0])

    rng = random.Random(1)
    ids = [r["id"] for r in register.list_beneficiaries(ctx.db)]
    for bid in rng.sample(ids, people // 50):
        register.update(ctx, bid, {"phone": f"09{rng.randint(10**7, 10**8 - 1)}"})
    for bid in rng.sample(ids, people // 100):
        register.set_account(ctx, bid, account_status="has_account", bank_bin="970405",
                             account_number=str(rng.randint(10**11, 10**12)), account_holder="NGUYEN VAN A")
    for bid in rng.sample(ids, max(1, people // 600)):
        register.set_status(ctx, bid, "deceased", dt.date(2026, 1, 3), "Đã mất")
    for _ in range(people // 300):
        register.create(ctx, {"full_name": "Đinh Thị Mới", "birth_year": 1944, "village": "Thôn Đông"},
                        [{"category": "nct_80"}])
    month = commune.build(ctx)
    print(f"monthly incremental, register only ({people // 50} phones, {people // 100} new accounts, "
          f"{max(1, people // 600)} deaths, {people // 300} new people): {_kb(month.size)} (target < 50 KB); "
          f"rows {month.counts}")

    # The same month as it really goes: the register changes and the month's payout session,
    # everyone paid in the order they came to the desk. That package is not acknowledged yet,
    # so this one repeats the register changes (docs/sync.md rule 4).
    sid = payouts.create_session(ctx, SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                                  session_date=dt.date(2026, 1, 1)))
    payouts.lock_session(ctx, sid)
    lines = payouts.session_lines(ctx.db, sid)
    rng.shuffle(lines)
    for line in lines:
        payouts.pay_line(ctx, line["id"])
    start = time.perf_counter()
    session = commune.build(ctx)
    built = time.perf_counter() - start
    print(f"monthly incremental with the paid monthly session ({len(lines):,} lines and payments): "
          f"{_kb(session.size)} (target < 50 KB), built in {built:.2f} s; rows {session.counts}")
    start = time.perf_counter()
    results = upstream.import_files(office, commune.save(session, folder))
    assert [r.status for r in results] == ["applied"], [r.message for r in results]
    print(f"  imported at the office in {time.perf_counter() - start:.2f} s")
    commune.record_ack_file(ctx, upstream.make_ack(office, "05425")[0])


def consolidation(n: int, people: int, office: Context, folder: Path) -> None:
    codes = [c.code for c in geo.all_communes() if c.code != "05425"][:n]
    card = upstream.office_keys(office.db).card.to_text()
    start = time.perf_counter()
    with multiprocessing.Pool() as pool:
        made = pool.map(_commune_package, [(i, code, people, card, folder) for i, code in enumerate(codes)])
    print(f"generated {n} communes × {people:,} people and their packages in {time.perf_counter() - start:.0f} s "
          f"(not timed); package sizes {_kb(min(m[2] for m in made))} – {_kb(max(m[2] for m in made))}")
    for code in codes:
        upstream.add_commune(office, code)

    start = time.perf_counter()
    results = upstream.import_files(office, [p for m in made for p in m[3]])
    received = time.perf_counter() - start
    assert {r.status for r in results} == {"waiting"}, {r.message for r in results if r.status != "waiting"}
    for code, fingerprint, _, _ in made:
        upstream.confirm_key(office, code, fingerprint)
    total = time.perf_counter() - start
    rows = office.db.execute("SELECT count(*) FROM up_rows").fetchone()[0]
    print(f"consolidated {n} communes ({rows:,} rows): {total:.1f} s (target < 60 s); "
          f"receiving the batch {received:.1f} s, confirming keys and applying {total - received:.1f} s")

    start = time.perf_counter()
    cover = reports.coverage(office.db)
    print(f"coverage report over {sum(r['active'] for r in cover):,} active people: "
          f"{time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    upstream.communes_status(office.db)
    print(f"status of {len(cover)} communes: {time.perf_counter() - start:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=150)
    parser.add_argument("--people", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        office = Context(open_db(folder / "office.sqlite"), clock=CLOCK, user="so_y_te")
        upstream.init_office(office, "Sở Y tế tỉnh Phú Thọ")
        sizes(args.people, office, folder / "sizes")
        consolidation(args.communes, args.people, office, folder / "packages")
        office.db.close()


if __name__ == "__main__":
    main()
