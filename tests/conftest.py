"""Shared fixtures: a fresh initialised database per test, a fixed clock, the sample register."""

import datetime as dt
from pathlib import Path

import pytest

from commune_payout import settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def db():
    database = open_db(":memory:")
    settings.init_commune(database, "05425", officer="Nguyễn Thị Lập", upstream="Sở Y tế tỉnh Phú Thọ")
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
    return DATA / "sample_register.xlsx"


@pytest.fixture
def sample_truth():
    import json

    return json.loads((DATA / "sample_register.truth.json").read_text(encoding="utf-8"))
