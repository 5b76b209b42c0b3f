"""Where the app keeps its files: the database, backups and the log, in the user data folder."""

import os
from pathlib import Path

import platformdirs

APP_NAME = "commune_payout"
DB_ENV = "COMMUNE_PAYOUT_DB"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


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
    """The shipped ``assets/`` folder (fonts, icons), also inside a PyInstaller bundle."""
    import sys

    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "assets"
    return Path(__file__).resolve().parent.parent / "assets"
