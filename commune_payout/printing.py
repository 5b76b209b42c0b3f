"""Show a PDF in the system viewer or send it to the default printer, and open a folder in
the file manager (no GUI toolkit here).

Windows: the shell's open and print verbs (``os.startfile``), which use the PDF viewer the
officer already has. Linux and macOS: the viewer through ``xdg-open`` / ``open``; printing
through CUPS ``lp``, which prints PDFs itself.
"""

import os
import platform
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


def print_pdf(path, printer: str | None = None, copies: int = 1, system: str | None = None) -> str:
    """Send ``path`` to ``printer`` (default: the system's default printer); returns what the
    print system said (the job id on CUPS). Raises UserError when it cannot be printed."""
    path = _existing(path)
    system = system or platform.system()
    if system == "Windows":
        if printer or copies != 1:
            raise UserError("Trên Windows chỉ in được ra máy in mặc định, mỗi lần một bản")
        try:
            os.startfile(str(path), "print")
        except OSError as exc:
            raise UserError(f"Không in được: chưa có phần mềm đọc PDF hỗ trợ lệnh in ({exc})") from exc
        return "Đã gửi lệnh in"
    if shutil.which("lp") is None:
        raise UserError("Máy này chưa cài hệ thống in (thiếu lệnh lp)")
    command = ["lp"]
    if printer:
        command += ["-d", printer]
    if copies != 1:
        command += ["-n", str(int(copies))]
    command.append(str(path))
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip() or f"lp trả về mã {done.returncode}"
        raise UserError(f"Không in được: {message}")
    return done.stdout.strip()
