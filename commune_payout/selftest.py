"""``commune-payout --self-test``: does this copy of the program work on this machine?

Run after installing (and by CI on the frozen build). In a fresh folder of the temporary
directory, named with Vietnamese letters on purpose (Windows user names often have them), it
creates a new database, imports the sample register shipped with the program, makes a payout
session and prints its payout list to PDF, seals a sync package for an upstream office and
has the office open it, then (given a window check from the GUI layer) opens the main window
on that database. The officer's own database is never touched. Each step prints one line;
the first failure stops the test, is logged with its traceback, and the exit status is 1.
"""

import datetime as dt
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

from commune_payout import __version__, applog, paths

COMMUNE = "05425"
# The folder name exercises non-ASCII paths in SQLite, reportlab, openpyxl and Tk.
FOLDER_PREFIX = "Tự kiểm tra Nguyễn Văn Đức "


class SelfTestFailed(Exception):
    """A step found something wrong (as opposed to crashing)."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestFailed(message)


def about() -> list[str]:
    """Where this copy runs from and keeps its files (also the first lines of the self-test)."""
    return [
        f"commune-payout {__version__}, Python {platform.python_version()} trên {platform.system()} "
        f"{platform.release()} ({'bản đóng gói' if paths.is_frozen() else 'chạy từ mã nguồn'})",
        f"Chế độ UTF-8 của Python: {'bật' if sys.flags.utf8_mode else 'tắt'}",
        f"Thư mục dữ liệu: {paths.data_dir()}",
        f"Tệp nhật ký: {applog.current_path()}",
        f"Tài nguyên đi kèm: {paths.assets_dir()}",
    ]


def _database(work: Path, state: dict) -> str:
    from commune_payout import settings
    from commune_payout.context import Context
    from commune_payout.db import open_db, schema_version

    state["db_path"] = work / "Sổ theo dõi.sqlite"
    db = open_db(state["db_path"])
    settings.init_commune(db, COMMUNE, officer="Nguyễn Thị Lập")
    state["ctx"] = Context(db, user="tu_kiem_tra")
    return f"{state['db_path'].name}, lược đồ phiên bản {schema_version(db)}, {settings.commune(db)['name']}"


def _import(work: Path, state: dict) -> str:
    from commune_payout import importer, register

    ctx = state["ctx"]
    sample = paths.asset(*paths.SAMPLE_REGISTER)
    first = importer.import_file(ctx, sample)
    errors = [p for p in first.problems if p.severity == "error"]
    _check(first.imported > 0 and not errors and first.rejected == 0,
           f"sổ mẫu nhập được {first.imported} người, {first.rejected} dòng bị từ chối, {len(errors)} lỗi")
    _check(register.count(ctx.db) == first.imported, "số người trong sổ khác số người đã nhập")
    again = importer.import_file(ctx, sample)
    _check(again.unchanged == first.imported and again.imported == again.updated == 0,
           "nhập lại cùng tệp đã làm thay đổi dữ liệu")
    return f"{first.imported} người từ {sample.name}; nhập lại: {again.unchanged} người không đổi"


def _payout_list(work: Path, state: dict) -> str:
    from commune_payout import documents, payouts
    from commune_payout.money import format_vnd
    from commune_payout.payouts import SessionSpec

    ctx = state["ctx"]
    today = ctx.clock.today()
    spec = SessionSpec(name=f"Trợ cấp tháng {today.month}/{today.year} (tự kiểm tra)", kind="monthly",
                       period=f"{today:%Y-%m}", session_date=today)
    sid = payouts.create_session(ctx, spec)
    payouts.lock_session(ctx, sid)
    totals = payouts.session_totals(ctx.db, sid)
    _check(totals["count"] > 0 and totals["amount"] > 0, "đợt chi trả không có ai")
    out = work / "Danh sách chi trả.pdf"
    documents.write(ctx.db, documents.Request(kind="payout-list", on=today, session_id=sid), out)
    data = out.read_bytes()
    _check(data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), "tệp PDF không hoàn chỉnh")
    _check(b"LiberationSerif" in data, "tệp PDF không nhúng phông chữ tiếng Việt")
    return f"{totals['count']} người, {format_vnd(totals['amount'])}; {out.name} {len(data) // 1024} KB"


def _sync(work: Path, state: dict) -> str:
    from commune_payout import register
    from commune_payout.context import Context
    from commune_payout.db import open_db
    from commune_payout.sync import commune, keys, scope
    from commune_payout.sync import office as office_side

    ctx = state["ctx"]
    office_db = open_db(work / "Văn phòng cấp trên.sqlite")
    try:
        office = Context(office_db, user="tu_kiem_tra")
        office_side.init_office(office, "Sở Y tế (tự kiểm tra)")
        office_side.add_commune(office, COMMUNE)
        card = keys.parse_card(office_side.office_keys(office_db).card.to_text())
        commune.set_upstream(ctx, card, scope.PROGRAMS)
        files = commune.save(commune.build(ctx), work / "Gửi cấp trên")
        results = office_side.import_files(office, files)
        _check([r.status for r in results] == ["waiting"], f"gói đầu tiên: {[r.status for r in results]}")
        applied = office_side.confirm_key(office, COMMUNE, commune.status(ctx.db)["fingerprint"])
        _check(applied and all(r.status == "applied" for r in applied),
               f"sau khi xác nhận khóa: {[r.status for r in applied]}")
        people = next(c["people"] for c in office_side.communes_status(office_db) if c["code"] == COMMUNE)
        _check(people == register.count(ctx.db), "cấp trên nhận thiếu người")
        size = sum(f.stat().st_size for f in files)
        return f"gói ký và mã hóa {size // 1024} KB; cấp trên mở được, nhận {people} người"
    finally:
        office_db.close()


STEPS: list[tuple[str, Callable[[Path, dict], str]]] = [
    ("Tạo cơ sở dữ liệu mới", _database),
    ("Nhập sổ mẫu", _import),
    ("In danh sách chi trả (PDF)", _payout_list),
    ("Gói đồng bộ gửi cấp trên", _sync),
]


def run(out: Callable[[str], None] = print, window_check: Callable[[Path], str] | None = None,
        window_skipped: str = "") -> int:
    """Run every step, printing a line each; 0 when all passed, 1 at the first failure.

    ``window_check(db_path)`` opens the main window on the test database and returns what it
    saw; without it the window step prints ``window_skipped`` (why it could not run).
    """
    log = applog.logger()
    for line in about():
        out(line)
    steps = list(STEPS)
    if window_check is not None:
        steps.append(("Mở cửa sổ chính", lambda work, state: window_check(state["db_path"])))
    work = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    state: dict = {}
    started = time.perf_counter()
    try:
        for number, (title, step) in enumerate(steps, start=1):
            try:
                detail = step(work, state)
            except Exception as exc:  # noqa: BLE001 — every failure is reported, then logged
                reason = str(exc) if isinstance(exc, SelfTestFailed) else f"{type(exc).__name__}: {exc}"
                out(f"[{number}/{len(steps)}] {title}: LỖI — {reason}")
                log_file = applog.log_internal_error(exc, f"tự kiểm tra, bước “{title}”")
                out(f"Tự kiểm tra: KHÔNG ĐẠT. Chi tiết ở {log_file}")
                return 1
            out(f"[{number}/{len(steps)}] {title}: đạt — {detail}")
        if window_check is None:
            out(f"Mở cửa sổ chính: bỏ qua — {window_skipped or 'không có giao diện'}")
    finally:
        if "ctx" in state:
            state["ctx"].db.close()
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    out(f"Tự kiểm tra: ĐẠT ({seconds:.1f} giây, {dt.datetime.now():%d/%m/%Y %H:%M})")
    log.info("Tự kiểm tra đạt (%.1f s)", seconds)
    return 0
