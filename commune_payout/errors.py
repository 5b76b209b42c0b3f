"""The few named exceptions the app raises on purpose.

The GUI and CLI show these as plain messages (already in Vietnamese); anything else
is a bug, logged with its traceback and shown as an internal error.
"""

import errno

# What the system says, in the officer's words (its own text is English on most machines).
_REASONS = {
    errno.ENOENT: "không có tệp này",
    errno.EACCES: "không có quyền đọc hoặc ghi",
    errno.EPERM: "không có quyền đọc hoặc ghi",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EISDIR: "đây là một thư mục",
    errno.ENOTDIR: "đường dẫn không đúng",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EIO: "lỗi đọc ghi ổ đĩa",
}


def os_reason(exc: OSError) -> str:
    """Why the system refused a file, in Vietnamese when the reason is a common one."""
    return _REASONS.get(exc.errno, exc.strerror or str(exc))


def unreadable(path, exc: OSError) -> "FileUnreadable":
    """The refusal for a file the system would not open: its name (cut to a readable length)
    and why."""
    shown = str(path)
    shown = shown if len(shown) <= 120 else shown[:119] + "…"
    return FileUnreadable(f"Không đọc được tệp {shown}: {os_reason(exc)}.")


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
