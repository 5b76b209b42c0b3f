"""The ``commune-payout`` command: a thin layer over the same services the GUI calls.

Each feature module contributes its subcommands through a ``register_cli(subparsers)``
function listed in :data:`FEATURES`; handlers receive the parsed args and return an exit
status. Named errors become one plain line on stderr: status 1, or 2 for an unreadable file.
"""

import argparse
import importlib
import json
import os
import sys

from commune_payout import __version__, applog, cli_parser, paths, settings
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import FileUnreadable, UserError

# Modules that add subcommands (each has register_cli(subparsers)).
FEATURES = [
    "commune_payout.cli_register",
    "commune_payout.cli_config",
    "commune_payout.cli_backup",
    "commune_payout.cli_gui",
    "commune_payout.cli_payouts",
    "commune_payout.cli_decisions",
    "commune_payout.cli_grievances",
    "commune_payout.cli_documents",
    "commune_payout.cli_sync",
]


def build_parser() -> argparse.ArgumentParser:
    cli_parser.install()
    parser = argparse.ArgumentParser(
        prog="commune-payout",
        description="Chi trả an sinh xã hội không dùng tiền mặt — phần mềm cho cán bộ cấp xã.",
    )
    parser.add_argument("--db", metavar="PATH",
                        help=f"tệp cơ sở dữ liệu (mặc định: biến {paths.DB_ENV} hoặc thư mục dữ liệu người dùng)")
    parser.add_argument("--demo", action="store_true",
                        help="mở phần mềm trên một xã mẫu tạm thời (dữ liệu giả, không lưu lại)")
    parser.add_argument("--version", action="version", version=f"commune-payout {__version__}",
                        help="in số phiên bản rồi thoát")
    parser.add_argument("--self-test", action="store_true",
                        help="tự kiểm tra bản cài đặt trên một cơ sở dữ liệu tạm (nhập sổ mẫu, in PDF, "
                             "gói đồng bộ, mở cửa sổ) rồi thoát; không đụng tới dữ liệu thật")
    sub = parser.add_subparsers(dest="command", metavar="LỆNH")
    for name in FEATURES:
        importlib.import_module(name).register_cli(sub)
    return parser


def db_path(args):
    return args.db or paths.default_db_path()


def open_context(args, initialised: bool = True) -> Context:
    """Open the database named by ``--db`` / ``$COMMUNE_PAYOUT_DB`` / the default location.

    With ``initialised`` (the default) a database with no commune set up is refused with a
    message saying how to set it up. The acting officer (recorded as who paid, who changed a
    record) is the one named in the settings, not the computer's login.
    """
    ctx = Context(open_db(db_path(args)))
    if initialised or settings.is_initialised(ctx.db):
        ctx.user = settings.commune(ctx.db)["officer"] or ctx.user
    return ctx


def print_json(value) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def self_test(without_console: bool = False) -> int:
    """``--self-test``; without a console (the windowed program) the result is also shown in
    a message box, since what it prints only reaches the log."""
    from commune_payout import selftest

    try:
        from commune_payout.gui.smoke import display_missing, window_check
    except ImportError as exc:          # a Python without Tk: everything but the window is checked
        window_check, missing = None, f"thiếu thư viện giao diện ({exc})"
    else:
        missing = display_missing()
        window_check = None if missing else window_check
    applog.setup()
    lines: list[str] = []

    def out(line: str) -> None:
        print(line)
        lines.append(line)

    status = selftest.run(out=out, window_check=window_check, window_skipped=missing)
    if without_console:
        _show_in_window("\n".join(lines), error=status != 0)
    return status


def main(argv=None) -> int:
    without_console = applog.capture_missing_console()
    applog.ensure_utf8_output()
    argv = sys.argv[1:] if argv is None else list(argv)
    garbled = next((a for a in argv if _undecodable(a)), None)
    if garbled is not None:
        _tell(f"Lỗi: tham số “{garbled.encode('utf-8', 'replace').decode('utf-8')}” có ký tự không đọc được "
              "(không phải bảng mã UTF-8): hãy gõ lại", without_console)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test(without_console)
    if args.command is None:
        # No command: officers double-click the program and expect the window.
        args = parser.parse_args([*argv, "gui"])
    try:
        return args.handler(args) or 0
    except BrokenPipeError:
        # The reader stopped early (``… | head``): what it wanted was written. Further output,
        # including Python's own flush at exit, goes nowhere instead of failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except FileUnreadable as exc:
        _tell(f"Lỗi: {exc}", without_console)
        return 2
    except UserError as exc:
        problems = getattr(exc, "problems", None) or {}
        _tell("\n".join([f"Lỗi: {exc}", *(f"  - {field}: {message}" for field, message in problems.items())]),
              without_console)
        return 1
    except Exception as exc:  # noqa: BLE001 — a bug: logged with its traceback, told in one line
        log_file = applog.log_internal_error(exc, f"lệnh {args.command}")
        _tell(f"Lỗi bên trong phần mềm ({type(exc).__name__}: {exc}). "
              f"Chi tiết đã ghi vào {log_file}; hãy gửi tệp này cho người hỗ trợ.", without_console)
        return 3


def _undecodable(arg: str) -> bool:
    """Whether an argument holds bytes the terminal could not decode (Python keeps them as lone
    surrogates, which no file, database or screen accepts)."""
    return any("\ud800" <= ch <= "\udfff" for ch in arg)


def _tell(message: str, without_console: bool) -> None:
    """An error for the officer: on stderr, and in a message box when there is no console
    (the windowed Windows build), where stderr only reaches the log file."""
    print(message, file=sys.stderr)
    if without_console:
        _show_in_window(message, error=True)


def _show_in_window(message: str, error: bool) -> None:
    try:
        import tkinter
        from tkinter import messagebox

        root = tkinter.Tk()
        root.withdraw()
        show = messagebox.showerror if error else messagebox.showinfo
        show("Chi trả an sinh xã hội", message, parent=root)
        root.destroy()
    except Exception:  # noqa: BLE001 — no display either: the log has it
        pass
