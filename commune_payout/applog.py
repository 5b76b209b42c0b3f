"""The app's log file and the handling of unexpected errors (Thonny style).

Named errors (:class:`~commune_payout.errors.UserError`) are shown to the officer as they are;
anything else is a bug: it is logged here with its traceback and the officer is told which
file to send to whoever supports the app.
"""

import logging
import logging.handlers
from pathlib import Path

from commune_payout import paths

LOGGER_NAME = "commune_payout"
_handler: logging.Handler | None = None


def setup(path: Path | None = None) -> Path:
    """Send the app's log to ``path`` (default :func:`paths.log_path`), rotating at 1 MB; returns it."""
    global _handler
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
