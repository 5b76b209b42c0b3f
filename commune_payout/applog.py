"""The app's log file and the handling of unexpected errors (Thonny style).

Named errors (:class:`~commune_payout.errors.UserError`) are shown to the officer as they are;
anything else is a bug: it is logged here with its traceback and the officer is told which
file to send to whoever supports the app.
"""

import io
import logging
import sys
from pathlib import Path

from commune_payout import paths

LOGGER_NAME = "commune_payout"
_handler: logging.Handler | None = None


def setup(path: Path | None = None) -> Path:
    """Send the app's log to ``path`` (default :func:`paths.log_path`), rotating at 1 MB; returns it."""
    global _handler
    import logging.handlers     # here, not on top: the CLI's --help and --version never need it

    target = Path(path) if path else paths.log_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    logger = logging.getLogger(LOGGER_NAME)
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
    _handler = logging.handlers.RotatingFileHandler(target, maxBytes=1_000_000, backupCount=3,
                                                    encoding="utf-8")
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(logging.INFO)
    return target


def logger() -> logging.Logger:
    """The app's logger, writing to the log file (set up on first use)."""
    current_path()
    return logging.getLogger(LOGGER_NAME)


def current_path() -> Path:
    """The file the log goes to (set up on first use)."""
    if _handler is None:
        return setup()
    return Path(_handler.baseFilename)


def log_internal_error(exc: BaseException, where: str = "") -> Path:
    """Record an unexpected error with its traceback; returns the log file to name to the officer."""
    path = current_path()
    logging.getLogger(LOGGER_NAME).error("Lỗi không mong đợi%s", f" ({where})" if where else "",
                                         exc_info=(type(exc), exc, exc.__traceback__))
    return path


class _LogStream(io.TextIOBase):
    """A stand-in for a missing ``sys.stdout``/``sys.stderr``: each line goes to the log."""

    def __init__(self, level: int, name: str):
        self.level, self.name, self._pending = level, name, ""

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            if line.strip():
                logger().log(self.level, "[%s] %s", self.name, line)
        return len(text)

    def flush(self) -> None:
        if self._pending.strip():
            logger().log(self.level, "[%s] %s", self.name, self._pending)
        self._pending = ""


def capture_missing_console() -> bool:
    """Give a program started without a console somewhere to print.

    The Windows build is a windowed program: it has no console, so ``sys.stdout`` and
    ``sys.stderr`` are ``None`` and every ``print`` (``--version``, a CLI message, a warning)
    would vanish or crash. Here they are replaced by streams that write to the log file.
    Returns True when there was no console (callers then show errors in a window instead).
    """
    missing = False
    if sys.stdout is None:
        sys.stdout, missing = _LogStream(logging.INFO, "stdout"), True
    if sys.stderr is None:
        sys.stderr, missing = _LogStream(logging.ERROR, "stderr"), True
    return missing


def ensure_utf8_output() -> None:
    """Print Vietnamese even where the console or a redirected file uses an old code page
    (cp1252 on Windows when output goes to a file or a pipe)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "Đặng Thị Ướt".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")
