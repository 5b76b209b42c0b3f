"""Where the app keeps its files, and where it finds the files it ships.

The officer's files (the database, its backups, previews and the log) live in the user data
folder (``%LOCALAPPDATA%\\commune_payout`` on Windows, ``~/.local/share/commune_payout`` on
Linux), never next to the program: an installed program's folder may be read-only, and a
copied one is replaced by the next version. Shipped files (fonts, icons, the sample register)
are read from the ``assets`` folder: inside the PyInstaller bundle when frozen, else in the
source tree. Every path may contain Vietnamese letters (Windows user names often do).
"""

import os
import sys
from pathlib import Path

from commune_payout.errors import UserError

APP_NAME = "commune_payout"
DB_ENV = "COMMUNE_PAYOUT_DB"
SAMPLE_REGISTER = ("samples", "sample_register.xlsx")


def is_frozen() -> bool:
    """True inside the PyInstaller build (the .exe officers install)."""
    return bool(getattr(sys, "frozen", False))


def is_dir(path) -> bool:
    """Whether ``path`` names a folder; False, never an error, for a name the system refuses
    (too long, a NUL byte) or cannot look at: the caller then treats it as a file name and
    reports that file's own refusal."""
    try:
        return Path(path).is_dir()
    except (OSError, ValueError):
        return False


def exists(path) -> bool:
    """Whether anything is at ``path``; False for a name the system refuses, as :func:`is_dir`."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def data_dir() -> Path:
    import platformdirs     # here, not on top: the CLI's --help and --version never need it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False, roaming=False))


def default_db_path() -> Path:
    """``$COMMUNE_PAYOUT_DB`` if set, else ``register.sqlite`` in the user data folder."""
    env = os.environ.get(DB_ENV)
    return Path(env) if env else data_dir() / "register.sqlite"


def log_path() -> Path:
    return data_dir() / "logs" / "commune_payout.log"


def backups_dir(db_path) -> Path:
    """Backups sit beside the database they protect, in ``backups/``."""
    return Path(db_path).resolve().parent / "backups"


def assets_dir() -> Path:
    """The shipped ``assets/`` folder (fonts, icons, the sample register), also when frozen."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"


def asset(*parts: str) -> Path:
    """One shipped file; a plain message when it is missing (a copy of the program left out
    part of its folder), instead of a crash deep inside a library."""
    path = assets_dir().joinpath(*parts)
    if not path.is_file():
        raise UserError(f"Thiếu tệp {'/'.join(parts)} của phần mềm (tìm ở {path}). "
                        "Hãy chép lại toàn bộ thư mục phần mềm hoặc cài lại.")
    return path


def _windows_short_path(path: str) -> str:
    """The 8.3 short name of an existing path on Windows ("" when there is none)."""
    import ctypes

    size = ctypes.windll.kernel32.GetShortPathNameW(path, None, 0)
    if not size:
        return ""
    buffer = ctypes.create_unicode_buffer(size)
    ctypes.windll.kernel32.GetShortPathNameW(path, buffer, size)
    return buffer.value


def ascii_tcl_library(environ=None, short_path=None) -> list[str]:
    """On Windows, give Tcl its library folders by their ASCII short names; returns the
    variables changed.

    The built program tells Tcl where its library is through ``TCL_LIBRARY``/``TK_LIBRARY``,
    folders inside the program folder. Tcl 8.6 on Windows misreads non-ASCII letters in those
    variables and stops with "Can't find a usable init.tcl" — which is what happens when the
    program is unpacked under a user folder such as ``C:\\Users\\Đức``. The short (8.3) name of
    the same folder is plain ASCII. Left as it is when no short name exists (8.3 names can be
    turned off on a drive). Call before the first Tk window.
    """
    environ = os.environ if environ is None else environ
    short_path = short_path or _windows_short_path
    changed = []
    for name in ("TCL_LIBRARY", "TK_LIBRARY"):
        value = environ.get(name, "")
        if value and not value.isascii():
            short = short_path(value)
            if short and short.isascii():
                environ[name] = short
                changed.append(name)
    return changed
