"""Shared fixtures: a fresh initialised database per test, a fixed clock, the sample register."""

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from commune_payout import paths, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db

DATA = Path(__file__).parent / "data"

# Property tests assert what a result is, not how fast it comes: speed is measured in bench/.
# No deadline and no "too slow" check, so a loaded machine cannot fail a correct example.
# "ci" (set by .ci/run) also draws the same examples every run, so CI passes or fails on the
# code, not on the draw; a developer's run ("dev", the default) draws new ones each time, and
# the *_FUZZ_EXAMPLES variables run the long searches. An example found that way becomes a
# test of its own (as in test_cli_hostile.py).
hypothesis_settings.register_profile("dev", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("ci", parent=hypothesis_settings.get_profile("dev"), derandomize=True,
                                     database=None, print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


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
