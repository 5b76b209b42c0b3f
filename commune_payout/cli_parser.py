"""The command line's argument parser, in Vietnamese: "Cách dùng:", "đối số", "tùy chọn" and
argparse's own error messages.

argparse looks every message up through its module's ``_`` (gettext) when it is shown; the
app ships no compiled gettext catalogue, so :func:`install` points that lookup at
:data:`MESSAGES`. Placeholders stay as argparse fills them.
"""

import argparse

MESSAGES = {
    "usage: ": "Cách dùng: ",
    "positional arguments": "đối số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "the following arguments are required: %s": "thiếu đối số bắt buộc: %s",
    "unrecognized arguments: %s": "không hiểu các đối số: %s",
    "argument %(argument_name)s: %(message)s": "đối số %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong: %(choices)s)",
    "invalid %(type)s value: %(value)r": "giá trị %(type)s không hợp lệ: %(value)r",
    "expected one argument": "cần một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected at most one argument": "chỉ nhận tối đa một giá trị",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn không rõ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với đối số %s",
    "one of the arguments %s is required": "cần một trong các đối số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r",
}


def _vietnamese(message: str) -> str:
    return MESSAGES.get(message, message)


def install() -> None:
    """Make argparse speak Vietnamese in this process (help pages and errors)."""
    argparse._ = _vietnamese
