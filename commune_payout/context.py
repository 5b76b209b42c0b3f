"""What every write needs besides the database: the clock and who is acting."""

from dataclasses import dataclass, field

import sqlite_utils

from commune_payout.clock import Clock, current_user


@dataclass
class Context:
    """The database, an injected clock and the acting officer (recorded in history)."""

    db: sqlite_utils.Database
    clock: Clock = field(default_factory=Clock)
    user: str = field(default_factory=current_user)
