"""What the readers build: rows with content, a sheet, and the limits a file must keep to.

:class:`Grid` keeps the cells as they are read, sparse, and applies the limits; :class:`Budget`
is what one file may cost across all its parts.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from commune_payout.errors import FileUnreadable
from commune_payout.text import clean

# Limits for a commune's list: far above any real register, low enough that a hostile file is
# refused in a few seconds on an old laptop.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767          # Excel's own limit for one cell
MAX_MERGED = 100_000
MAX_CELLS = 1_000_000            # cells with content in a file: 50,000 rows of 20 columns
_EXAMPLES_KEPT = 100             # outside or damaged cells kept by reference for the messages
_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})")
COLUMNS: dict[str, int] = {}     # column letters already turned into numbers


class Row(NamedTuple):
    """One row with content: its number as Excel shows it and its cells, ``cells[0]`` in column A."""

    number: int
    cells: tuple


@dataclass(frozen=True)
class Sheet:
    """One sheet: its rows with content in order, merged ranges clipped to them, and what was left out."""

    name: str
    rows: tuple[Row, ...] = ()
    merged: tuple[tuple[int, int, int, int], ...] = ()   # min_row, min_col, max_row, max_col (1-based)
    outside: tuple[str, ...] = ()      # the first references of cells with content beyond MAX_COLUMNS
    outside_count: int = 0
    damaged: tuple[tuple[int, int, str], ...] = ()       # the first (row, 1-based column, why) of unreadable cells
    damaged_count: int = 0
    _numbers: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_numbers", tuple(r.number for r in self.rows))
        object.__setattr__(self, "_index", {r.number: r.cells for r in self.rows})

    def cells(self, number: int) -> tuple:
        """The cells of row ``number`` (an empty tuple for a row without content)."""
        return self._index.get(number, ())

    def value(self, number: int, column: int):
        """The value at row ``number``, 1-based ``column``, or ``None``."""
        cells = self._index.get(number, ())
        return cells[column - 1] if 0 < column <= len(cells) else None

    def numbers_between(self, first: int, last: int) -> tuple[int, ...]:
        """Numbers of the rows with content from ``first`` to ``last`` inclusive."""
        return self._numbers[bisect_left(self._numbers, first):bisect_right(self._numbers, last)]


class Grid:
    """Cells with content as they are read, kept sparse, with the limits applied."""

    def __init__(self, name: str, budget: "Budget"):
        self.name, self.budget = name, budget
        self.rows: dict[int, dict[int, object]] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.outside: list[str] = []
        self.outside_count = 0
        self.damaged: list[tuple[int, int, str]] = []
        self.damaged_count = 0

    def damage(self, row: int, column: int, why: str) -> None:
        """A cell that could not be read: the first few are kept to be reported, all are counted."""
        self.damaged_count += 1
        if len(self.damaged) < _EXAMPLES_KEPT:
            self.damaged.append((row, column, why))

    def put(self, row: int, column: int, value, cleaned: bool = False) -> None:
        """Keep ``value`` at (row, 1-based column); text is cleaned here unless it already is."""
        if isinstance(value, str):
            if len(value) > MAX_CELL_CHARS:
                self.damage(row, column, f"ô dài hơn {MAX_CELL_CHARS:,} ký tự".replace(",", "."))
                return
            if not cleaned:
                value = clean(value)
            if not value:
                return
        elif value is None:
            return
        if column > MAX_COLUMNS:
            self.outside_count += 1
            if len(self.outside) < _EXAMPLES_KEPT:
                self.outside.append(f"{column_letters(column)}{row}")
            return
        cells = self.rows.get(row)
        if cells is None:
            self.budget.count_row(self.name)
            cells = self.rows[row] = {}
        if column not in cells:
            self.budget.count_cell()
        cells[column] = value

    def sheet(self) -> Sheet:
        numbers = sorted(self.rows)
        rows = []
        width = 0
        for n in numbers:
            cells = self.rows[n]
            last = max(cells)
            width = max(width, last)
            rows.append(Row(n, tuple(cells.get(c) for c in range(1, last + 1))))
        merged = []
        if numbers:
            first, last_row = numbers[0], numbers[-1]
            for min_row, min_col, max_row, max_col in self.merged:
                # Clip to the rows and columns that hold something: a signature block merged far
                # past the table costs nothing.
                clipped = (max(min_row, first), min_col, min(max_row, last_row), min(max_col, width))
                if clipped[0] == min_row and clipped[0] <= clipped[2] and clipped[1] <= clipped[3] \
                        and (clipped[0], clipped[1]) != (clipped[2], clipped[3]):
                    merged.append(clipped)
        return Sheet(self.name, tuple(rows), tuple(merged), tuple(self.outside), self.outside_count,
                     tuple(self.damaged), self.damaged_count)


class Budget:
    """What one file may cost: inflated bytes and rows with content, across all its parts."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.bytes_left = MAX_UNCOMPRESSED
        self.rows = 0
        self.cells = 0

    def take(self, n: int, part: str) -> None:
        self.bytes_left -= n
        if self.bytes_left < 0:
            raise FileUnreadable(
                f"Không đọc tệp {self.file_name}: phần “{part}” giải nén ra quá "
                f"{MAX_UNCOMPRESSED // 1024 // 1024} MB, quá lớn với một danh sách của xã (có thể là tệp độc hại)")

    def count_cell(self) -> None:
        self.cells += 1
        if self.cells > MAX_CELLS:
            raise FileUnreadable(f"Tệp {self.file_name} có hơn {MAX_CELLS:,} ô có dữ liệu, quá lớn với một danh sách "
                                 "của xã: hãy chia thành nhiều tệp nhỏ hơn".replace(",", "."))

    def count_row(self, sheet: str) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise FileUnreadable(f"Tệp {self.file_name} có hơn {MAX_ROWS:,} dòng có dữ liệu (trang “{sheet}”): "
                                 "hãy chia thành nhiều tệp nhỏ hơn".replace(",", "."))


def column_letters(column: int) -> str:
    """1 → ``A``, 28 → ``AB`` (any positive column, even beyond Excel's XFD)."""
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    if len(COLUMNS) < 20_000:
        COLUMNS[letters] = n
    return n


def cell_range(ref: str) -> tuple[int, int, int, int] | None:
    """``"A1:C3"`` → (min_row, min_col, max_row, max_col), or None for something else."""
    parts = ref.split(":")
    if len(parts) != 2:
        return None
    a, b = (_REF.fullmatch(p.replace("$", "")) for p in parts)
    if not a or not b:
        return None
    r1, r2 = sorted((int(a[2]), int(b[2])))
    c1, c2 = sorted((column_number(a[1]), column_number(b[1])))
    return (r1, c1, r2, c2) if r1 >= 1 and c1 >= 1 else None


