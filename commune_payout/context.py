"""What every write needs besides the database: the clock and who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from commune_payout.clock import Clock, current_user

if TYPE_CHECKING:
    import sqlite_utils


@dataclass
class Context:
    """The database, an injected clock and the acting officer (recorded in history)."""

    db: sqlite_utils.Database
    clock: Clock = field(default_factory=Clock)
    user: str = field(default_factory=current_user)
