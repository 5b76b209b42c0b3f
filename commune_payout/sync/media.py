"""Removable media: copying package files to a USB stick or a shared folder safely, and finding
the sticks that are plugged in (docs/sync.md rule 9)."""

import ctypes
import getpass
import hashlib
import os
import string
import sys
from pathlib import Path

from commune_payout.errors import UserError, os_reason

def copy_verified(sources, folder) -> list[Path]:
    """Copy files to a stick or a shared folder safely: ``*.partial``, fsync, rename, read back.

    Only when every copy reads back with the same SHA-256 may the officer remove the stick.
    (The read-back may be served from the operating system's cache; the fsync before it is what
    forces the bytes onto the device.)
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"Không thấy thư mục {folder} (USB đã cắm chưa?).")
    done = []
    for src in map(Path, sources):
        data = src.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        final = folder / src.name
        partial = folder / (src.name + ".partial")
        try:
            with open(partial, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, final)
            _fsync_dir(folder)
            if hashlib.sha256(final.read_bytes()).hexdigest() != digest:
                raise UserError(f"Tệp {final.name} chép ra bị sai khi đọc lại. Hãy thử USB khác.")
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise UserError(f"Không ghi được vào {folder}: {os_reason(exc)}. "
                            "USB có thể đã đầy, bị khóa ghi hoặc bị rút ra.") from exc
        done.append(final)
    return done


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; the file fsync suffices there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


DRIVE_REMOVABLE = 2


def removable_drives(user: str | None = None, roots=None) -> list[Path]:
    """Mounted removable drives: drive letters of type removable on Windows, else the desktop's
    automount folders (``/media/$USER/*``, ``/run/media/$USER/*``, ``/Volumes/*`` on macOS).
    ``roots`` replaces the automount parents (tests)."""
    if sys.platform == "win32" and roots is None:
        kernel32 = ctypes.windll.kernel32
        mask = kernel32.GetLogicalDrives()
        return [Path(f"{letter}:\\") for i, letter in enumerate(string.ascii_uppercase)
                if mask >> i & 1 and kernel32.GetDriveTypeW(f"{letter}:\\") == DRIVE_REMOVABLE]
    if roots is None:
        user = user or getpass.getuser()
        roots = [Path("/media") / user, Path("/run/media") / user]
        if sys.platform == "darwin":
            roots = [Path("/Volumes")]
    found = []
    for root in map(Path, roots):
        try:
            children = sorted(root.iterdir())
        except OSError:
            continue
        found += [p for p in children if p.is_dir() and os.access(p, os.W_OK) and not p.is_symlink()]
    return found
