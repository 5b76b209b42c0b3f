"""Shared fixtures: a fresh initialised database per test, a fixed clock, the sample register."""

import datetime as dt
import os
from pathlib import Path

import pytest

from commune_payout import paths, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def user_data_folder(tmp_path_factory):
    """Tests never touch the real user data folder: theirs has a Vietnamese name, as Windows
    user folders often do (platformdirs reads XDG_DATA_HOME on Linux)."""
    folder = tmp_path_factory.mktemp("Nguyễn Văn Đức") / "share"
    saved = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = saved


@pytest.fixture
def db():
    database = open_db(":memory:")
    settings.init_commune(database, "05425", officer="Nguyễn Thị Lập")
    yield database
    database.close()


@pytest.fixture
def clock():
    return FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0))


@pytest.fixture
def ctx(db, clock):
    return Context(db, clock=clock, user="can_bo_test")


@pytest.fixture
def sample_xlsx():
    return paths.asset(*paths.SAMPLE_REGISTER)


@pytest.fixture
def sample_truth():
    import json

    return json.loads((DATA / "sample_register.truth.json").read_text(encoding="utf-8"))
