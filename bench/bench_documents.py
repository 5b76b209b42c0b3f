"""Benchmark: printed documents on a large commune, as the officer meets them.

Targets (issue 15): the payout list of a 5,000-person session, from the database to the PDF on
disk, under 1 s of CPU and at least 3 times faster than LibreOffice turning an .xlsx of the same
5,000 rows into a PDF (measured in the same run; skipped when ``soffice`` is not installed);
1,000 receipts under 1 s; a 1,500-person Tết list at 15 people a page or more. Also: the whole
``print payout-list`` command as a process, and the other documents' times and page counts.
Times are the best of ``--repeat`` runs; CPU is this process's (or the child's) user + system.

    python bench/bench_documents.py [--people N] [--receipts N] [--repeat N]
"""

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from commune_payout import demo, payouts, settings  # noqa: E402
from commune_payout.clock import FixedClock  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.documents import (campaign, cleaning, fonts, payout_list, progress_report, receipts,  # noqa: E402
                                      transfer_list)

ON = dt.date(2027, 1, 5)
ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, work) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the fastest of ``repeat`` runs of ``work``."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def child_run(command: list[str], repeat: int, env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of the fastest of ``repeat`` runs of ``command``."""
    runs = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append((time.perf_counter() - wall,
                     after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime))
    return min(runs)


def pages(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def session(ctx, name: str) -> str:
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name=name, kind="tet_gift", period="2027-01", session_date=ON,
        gift_high=600_000, gift_low=300_000, fixed={"btxh": 500_000, "htxh": 500_000}))
    payouts.lock_session(ctx, sid)
    return sid


def commune(folder: Path, people: int) -> Context:
    folder.mkdir()
    ctx = Context(open_db(folder / "commune.sqlite"), clock=FixedClock(dt.datetime(2027, 1, 5, 8)), user="bench")
    settings.put_signers(ctx.db, {"accountant": "Phạm Thị Kế", "treasurer": "Đỗ Văn Quỹ", "chairman": "Lê Văn Chủ"})
    demo.populate(ctx, people)
    return ctx


def xlsx_of(lines: list[payout_list.PayoutListLine], path: Path) -> None:
    """The same list as an officer would keep it in Excel: landscape A4, the header row on every
    page, rows as tall as ours (8.5 mm) so that a person can sign in them."""
    book = Workbook()
    sheet = book.active
    sheet.append(["STT", "Họ và tên", "Năm sinh", "Số định danh", "Thôn", "Diện", "Số tiền", "Hình thức",
                  "Người nhận thay", "Ký nhận"])
    for n, line in enumerate(lines, start=1):
        sheet.append([n, line.full_name, line.birth_year, line.id_number, line.village, line.short_group,
                      line.total, payout_list.CHANNEL_CODES[line.channel],
                      payout_list.receiver_text(line.receiver_name, line.receiver_relation), ""])
    for n in range(2, len(lines) + 2):
        sheet.row_dimensions[n].height = payout_list.ROW_HEIGHT_MM * 72 / 25.4
    for column, width in zip("ABCDEFGHIJ", (5, 28, 8, 15, 14, 16, 11, 8, 24, 20)):
        sheet.column_dimensions[column].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    book.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--receipts", type=int, default=1_000)
    parser.add_argument("--tet", type=int, default=1_500, help="people in the Tết list whose density is measured")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_documents_"))
    started = time.perf_counter()
    ctx = commune(folder / "big", args.people)
    sid = session(ctx, "Quà Tết Đinh Mùi 2027")
    lines = payouts.session_lines(ctx.db, sid)
    for line in lines[: args.receipts]:
        payouts.pay_line(ctx, line["id"], channel="cash_commune")
    small = commune(folder / "tet", args.tet)
    tet = session(small, "Quà Tết Đinh Mùi 2027")
    fonts.register()
    paid = min(args.receipts, len(lines))
    print(f"commune of {args.people:,} people, session with {len(lines):,} lines, {paid:,} paid in cash; "
          f"a second commune of {args.tet:,}: {time.perf_counter() - started:.2f} s (not counted)")

    results, failed = [], False

    def row(label, wall, cpu, n_pages, verdict=""):
        results.append(f"{label:<44} {wall:6.2f} s  CPU {cpu:5.2f} s  {n_pages:5d} pages  {verdict}".rstrip())

    def check(ok: bool, text: str) -> str:
        nonlocal failed
        failed |= not ok
        return f"({text}: {'ok' if ok else 'NOT MET'})"

    out = folder / "payout_list.pdf"
    wall, cpu = best_of(args.repeat, lambda: payout_list.write(ctx.db, sid, out, on=ON))
    list_wall, list_cpu = wall, cpu
    row(f"payout list, {len(lines):,} people", wall, cpu, pages(out), check(cpu < 1.0, "CPU < 1 s"))
    cli = [sys.executable, "-m", "commune_payout", "--db", str(folder / "big" / "commune.sqlite"), "print",
           "payout-list", sid[:8], "--out", str(folder / "cli.pdf"), "--date", "05/01/2027"]
    wall, cpu = child_run(cli, args.repeat, env={**os.environ, "PYTHONPATH": str(ROOT)})
    row("  the same as a CLI command (whole process)", wall, cpu, pages(folder / "cli.pdf"))

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice:
        sheet = folder / "payout_list.xlsx"
        xlsx_of(payout_list.session_list_lines(ctx.db, sid), sheet)
        profile = (folder / "lo-profile").as_uri()
        convert = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(folder / "lo"), str(sheet)]
        child_run(convert, 1)                       # the first start builds LibreOffice's profile
        wall, cpu = child_run(convert, args.repeat)
        ratio = wall / list_wall
        row("  LibreOffice: the same rows .xlsx → PDF", wall, cpu, pages(folder / "lo" / "payout_list.pdf"),
            check(ratio >= 3, f"ours {ratio:.1f}× faster (CPU {cpu / list_cpu:.1f}×), goal ≥ 3×"))
    else:
        results.append("  LibreOffice comparison skipped: soffice is not installed")

    out = folder / "tet.pdf"
    people = payout_list.write(small.db, tet, out, on=ON)
    n_pages = pages(out)
    row(f"Tết list, {people:,} people", *best_of(1, lambda: payout_list.write(small.db, tet, out, on=ON)), n_pages,
        check(people / n_pages >= 15, f"{people / n_pages:.1f} people a page, goal ≥ 15"))

    for per_page in (4, 2):
        out = folder / f"receipts{per_page}.pdf"
        wall, cpu = best_of(args.repeat, lambda: receipts.write(ctx.db, sid, out, per_page=per_page))
        row(f"receipts, {paid:,} at {per_page} a page", wall, cpu, pages(out), check(wall < 1.0, "< 1 s"))
    for label, fn, name in (
        ("transfer list, every bank", lambda o: transfer_list.write(ctx.db, sid, o, on=ON), "transfers.pdf"),
        ("account campaign list", lambda o: campaign.write(ctx.db, o, on=ON), "campaign.pdf"),
        ("data-cleaning list", lambda o: cleaning.write(ctx.db, o, on=ON), "cleaning.pdf"),
        ("monthly progress report", lambda o: progress_report.write(ctx.db, "2027-01", o, on=ON), "report.pdf"),
    ):
        out = folder / name
        row(label, *best_of(args.repeat, lambda: fn(out)), pages(out))
    print("\n".join(results))
    print(f"PDFs in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
