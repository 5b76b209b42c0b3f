"""Show a PDF in the system viewer or send it to the default printer, and open a folder in
the file manager (no GUI toolkit here).

Windows: the shell's open and print verbs (``os.startfile``), which use the PDF viewer the
officer already has; a viewer without a print verb (Edge, the usual default) falls back to
SumatraPDF or Adobe Reader when installed, else the PDF opens with a hint to press Ctrl+P.
Linux and macOS: the viewer through ``xdg-open`` / ``open``; printing through CUPS ``lp``,
which prints PDFs itself, with its error messages told in Vietnamese. Printing blocks until
the print system answers (at most :data:`PRINT_TIMEOUT` seconds): the window calls it from a
worker thread.
"""

import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

from commune_payout.errors import UserError


def _existing(path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}")
    return path


def _show(target: Path, system: str, what: str, where: str) -> None:
    """Hand ``target`` to the program the system opens it with, and return at once; ``what``
    names that program and ``where`` introduces the path in the messages."""
    try:
        if system == "Windows":
            os.startfile(str(target))
            return
        command = "open" if system == "Darwin" else "xdg-open"
        if shutil.which(command) is None:
            raise UserError(f"Không mở được {what} (thiếu lệnh {command}). {where} {target}")
        subprocess.Popen([command, str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise UserError(f"Không mở được {what} ({exc}). {where} {target}") from exc


def open_in_viewer(path, system: str | None = None) -> None:
    """Open ``path`` in the default PDF viewer and return at once (the viewer keeps running)."""
    _show(_existing(path), system or platform.system(), "trình xem PDF", "Tệp đã lưu ở")


def open_folder(path, system: str | None = None) -> Path:
    """Show the folder ``path`` (or the folder holding the file ``path``) in the system file
    manager and return at once; returns the folder. Raises UserError when it cannot."""
    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    if not folder.is_dir():
        raise UserError(f"Không tìm thấy thư mục {folder}")
    _show(folder, system or platform.system(), "thư mục", "Thư mục ở")
    return folder


PRINT_TIMEOUT = 60        # seconds lp may take to queue a job before the officer is told
WINDOWS_PRINTERS = (      # PDF readers that print from the command line, tried in order, and where they live
    ("SumatraPDF", (("SumatraPDF", "SumatraPDF.exe"),)),
    ("AcroRd32", (("Adobe", "Acrobat Reader DC", "Reader", "AcroRd32.exe"),
                  ("Adobe", "Reader 11.0", "Reader", "AcroRd32.exe"))),
)
CTRL_P_HINT = ("Máy chưa có phần mềm in tệp PDF trực tiếp. Tệp đã được mở trong trình xem PDF: "
               "hãy bấm Ctrl+P để in.")
# lp's messages (CUPS, any version) and what they mean to the officer, matched in lower case.
CUPS_MESSAGES = (
    ("no default destination", "Máy tính chưa chọn máy in mặc định. Hãy chọn một máy in mặc định, "
                               "hoặc ghi tên máy in."),
    ("does not exist", "Không có máy in tên này trên máy tính. Hãy kiểm tra tên máy in."),
    ("not accepting jobs", "Máy in đang tạm ngừng nhận lệnh in. Hãy bật lại máy in trong phần cài đặt máy in."),
    ("unable to connect", "Dịch vụ in của máy tính (CUPS) chưa chạy. Hãy khởi động lại máy tính rồi in lại."),
    ("scheduler is not running", "Dịch vụ in của máy tính (CUPS) chưa chạy. Hãy khởi động lại máy tính rồi in lại."),
    ("forbidden", "Tài khoản này không có quyền in. Hãy hỏi người quản trị máy tính."),
    ("not authorized", "Tài khoản này không có quyền in. Hãy hỏi người quản trị máy tính."),
    ("unsupported document-format", "Máy in không nhận tệp PDF. Hãy mở tệp và in từ trình xem PDF."),
    ("unable to access", "Không đọc được tệp cần in. Hãy lưu lại tài liệu rồi in lại."),
)


def cups_message(output: str) -> str:
    """What an lp error message means, in Vietnamese (the original follows for the technician)."""
    lowered = output.casefold()
    for needle, meaning in CUPS_MESSAGES:
        if needle in lowered:
            return f"Không in được. {meaning} (Hệ thống in báo: {output})"
    return f"Không in được. Hệ thống in báo: {output}"


def _windows_reader(name: str, places: tuple[tuple[str, ...], ...]) -> str | None:
    """The program ``name`` on the PATH or in the usual install folders."""
    found = shutil.which(name)
    if found:
        return found
    for root in (os.environ.get("PROGRAMFILES"), os.environ.get("PROGRAMFILES(X86)"), os.environ.get("LOCALAPPDATA")):
        for parts in places:
            if root and Path(root, *parts).is_file():
                return str(Path(root, *parts))
    return None


def _print_windows(path: Path, printer: str | None) -> str:
    """The print verb of the PDF viewer; else SumatraPDF or Adobe Reader if installed; else the
    PDF opened in the viewer with a hint to press Ctrl+P."""
    if not printer:
        try:
            os.startfile(str(path), "print")
            return "Đã gửi ra máy in mặc định."
        except OSError:
            pass
    for name, places in WINDOWS_PRINTERS:
        program = _windows_reader(name, places)
        if program is None:
            continue
        if name == "SumatraPDF":
            target = ["-print-to", printer] if printer else ["-print-to-default"]
            command = [program, "-silent", *target, str(path)]
        else:
            command = [program, "/t", str(path)] + ([printer] if printer else [])
        try:
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except OSError:
            continue
        return f"Đã gửi ra máy in{' ' + printer if printer else ' mặc định'} qua {name}."
    open_in_viewer(path, "Windows")
    return CTRL_P_HINT


def print_pdf(path, printer: str | None = None, copies: int = 1, system: str | None = None,
              timeout: float = PRINT_TIMEOUT) -> str:
    """Send ``path`` to ``printer`` (default: the system's default printer); returns a sentence
    for the officer. Raises UserError, in Vietnamese, when it cannot be printed or the print
    system does not answer within ``timeout`` seconds. Blocks: call it off the window's thread."""
    path = _existing(path)
    system = system or platform.system()
    if system == "Windows":
        if copies != 1:
            raise UserError("Trên Windows mỗi lần in một bản; hãy chọn số bản trong hộp thoại in")
        return _print_windows(path, printer)
    if shutil.which("lp") is None:
        raise UserError("Máy này chưa cài hệ thống in (thiếu lệnh lp)")
    command = ["lp"]
    if printer:
        command += ["-d", printer]
    if copies != 1:
        command += ["-n", str(int(copies))]
    command.append(str(path))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise UserError(f"Máy in không trả lời sau {timeout:g} giây. Hãy kiểm tra máy in đã bật và nối dây "
                        f"chưa, rồi in lại. Tệp vẫn ở {path}") from exc
    if done.returncode != 0:
        raise UserError(cups_message((done.stderr or done.stdout).strip() or f"lp trả về mã {done.returncode}"))
    job = re.search(r"request id is (\S+)", done.stdout)
    return "Đã gửi ra máy in" + (f" (lệnh in {job.group(1)})." if job else ".")
