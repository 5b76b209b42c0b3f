"""Injected time and machine identity: domain code never calls ``datetime.now()`` itself."""

import datetime as dt
import getpass
import platform
from dataclasses import dataclass, field


@dataclass
class Clock:
    """The wall clock; tests pass a :class:`FixedClock` instead."""

    def now(self) -> dt.datetime:
        return dt.datetime.now().replace(microsecond=0)

    def today(self) -> dt.date:
        return self.now().date()


@dataclass
class FixedClock(Clock):
    """A clock that always says the same time (for tests and reproducible demos)."""

    at: dt.datetime = field(default_factory=lambda: dt.datetime(2026, 1, 15, 9, 0, 0))

    def now(self) -> dt.datetime:
        return self.at


def current_user() -> str:
    """Name recorded in change history when the officer's own name is not set."""
    try:
        return getpass.getuser()
    except Exception:  # no login name on some Windows service accounts
        return platform.node() or "unknown"
