"""The few named exceptions the app raises on purpose.

The GUI and CLI show these as plain messages (already in Vietnamese); anything else
is a bug, logged with its traceback and shown as an internal error.
"""


class UserError(Exception):
    """Something the officer can fix; the message is shown as it is."""


class ValidationError(UserError):
    """A value that breaks a rule; ``problems`` maps field names to messages."""

    def __init__(self, message: str, problems: dict[str, str] | None = None):
        super().__init__(message)
        self.problems = problems or {}


class NotFound(UserError):
    """A beneficiary, session or package that does not exist."""


class FileUnreadable(UserError):
    """An input file that cannot be read at all (CLI exit status 2)."""


class NotInitialised(UserError):
    """The database has no commune set up yet."""


class PackageRejected(UserError):
    """A sync package refused on import; nothing was written. ``kind`` is its class (docs/sync.md)."""

    def __init__(self, message: str, kind: str = "invalid"):
        super().__init__(message)
        self.kind = kind
