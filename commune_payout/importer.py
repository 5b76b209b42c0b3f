"""Importing the beneficiary lists officers keep in Excel or CSV (issue 2, "Import").

The files have passed through many hands: title rows and the national motto above the
header, merged cells, a "(1) (2) (3)" column-number row, village group rows, subtotals, a
total and signature blocks below the table, IDs and account numbers typed as numbers.
:func:`import_file` reads every sheet with a recognisable header, reports every problem
with its sheet, row and field, and writes new and changed people in one transaction.

Decisions:
- A person row with a bad field is imported with that field left empty and the problem
  reported; a row without a name cannot be a register entry and is rejected (error).
- Blank cells never erase data already in the register.
- A person matched by ID whose name in the file is a different name is not touched:
  the ID or the name is wrong and only the officer can tell which.
- A row's programme replaces the memberships of the same programme and keeps the others
  (a btxh list says nothing about someone's người có công allowance).
- The dry run performs the whole import inside the transaction and rolls it back, so its
  counts are exactly those of the real run.
"""

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from commune_payout import register
from commune_payout.atomic import atomic_path
from commune_payout.banks import find_bank
from commune_payout.db import write_transaction
from commune_payout.errors import FileUnreadable, ValidationError
from commune_payout.ids import parse_id
from commune_payout.money import parse_vnd
from commune_payout.programs import BY_CODE, age_on, base_level, find_category
from commune_payout.sheets import Sheet, is_csv, read_sheets
from commune_payout.text import clean, fold

ERROR, WARNING = "error", "warning"
SEVERITY_LABELS = {ERROR: "Lỗi", WARNING: "Cảnh báo"}
ANNOTATION_HEADER = "Lỗi cần sửa"
FIELD_LABELS = {**register.FIELD_LABELS, "amount": "Mức hưởng", "category": "Diện đối tượng",
                "coefficient": "Hệ số"}
_HEADER_SCAN_ROWS = 40
_PROGRESS_EVERY = 500

# Column recognition on the folded header text, first rule that matches wins, so the more
# specific rules come first ("Họ tên người nhận thay" is not the beneficiary's name,
# "Điện thoại" is not "Diện"). Each rule: (column key, exact texts, contained word runs).
_RECEIVER = ("nhan thay", "uy quyen", "nhan ho")
_ID_WORDS = ("cccd", "dinh danh", "ddcn", "cmnd", "can cuoc", "cmt")
_COLUMN_RULES = (
    ("stt", ("stt", "tt", "so tt", "so thu tu"), ()),
    ("receiver_name", (), _RECEIVER),
    ("account_holder", (), ("chu tai khoan", "chu tk", "ten tai khoan", "ten tk")),
    ("full_name", ("ten", "ho ten", "ho va ten"), ("ho va ten", "ho ten", "ten doi tuong", "ten nguoi huong")),
    ("account_number", ("tai khoan", "tk"), ("so tai khoan", "stk", "so tk", "tai khoan so", "tai khoan ngan hang")),
    ("bank_bin", ("nh",), ("ngan hang", "noi mo tai khoan", "noi mo tk")),
    ("id_number", (), _ID_WORDS),
    ("birth_date", (), ("ngay sinh", "ngay thang nam sinh", "nam sinh", "sinh ngay", "ngay thang sinh")),
    ("gender", ("nam nu", "gt"), ("gioi tinh",)),
    ("gender_male", ("nam",), ()),
    ("gender_female", ("nu",), ()),
    ("phone", ("dt",), ("dien thoai", "sdt", "so dt")),
    ("village", ("ap", "ban", "khu"), ("thon xom", "thon", "xom", "to dan pho", "khu pho", "tdp")),
    ("address", (), ("dia chi", "noi o", "cu tru", "thuong tru", "ho khau")),
    ("coefficient", (), ("he so",)),
    ("amount", ("tro cap",), ("muc huong", "so tien", "muc tro cap", "muc tro giup", "tien tro cap", "muc chi")),
    ("category", ("dien",), ("dien doi tuong", "loai doi tuong", "doi tuong", "dien huong", "dien chinh sach")),
    ("notes", (), ("ghi chu",)),
)
# Problem field → the column it is about, when the names differ.
_PROBLEM_COLUMNS = {
    "birth_date": ("birth_date", "birth_male", "birth_female"),
    "birth_year": ("birth_date", "birth_male", "birth_female"),
    "gender": ("gender", "gender_male", "gender_female", "birth_male", "birth_female"),
    "old_id_number": ("id_number",),
}

_VILLAGE_WORDS = ("thon", "xom", "to dan pho", "tdp", "to", "ap", "ban", "buon", "khu pho", "khu", "lang", "khom",
                  "soc", "plei", "to dp")
_GROUP_PREFIX = re.compile(r"^(?:[IVXLCDM]+|[A-Za-z]|\d{1,3})\s*[.)\-:/]?\s+")
_TOTAL = re.compile(r"^(?:tong cong|tong so|tong|cong)\b")
_SIGNATURE = re.compile(r"nguoi lap|ke toan|chu tich|thu truong|xac nhan|truong ban|ky,? ghi ro|ky ten|"
                        r"\bngay\b.*\bthang\b.*\bnam\b|can bo (?:ldtbxh|lap|chinh sach)|t\.?m\.? ubnd|tm\. ")
_COLUMN_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[A-Za-z])\)?$")
_SCI = re.compile(r"^\d+(?:[.,]\d+)?[eE][+]?\d+$")
_POINT_ZERO = re.compile(r"^(\d+)[.,]0+$")      # "27311259320.0": a number some tool wrote as a float
# A register repeats a handful of category and bank texts thousands of times.
_category = lru_cache(maxsize=4096)(find_category)
_bank = lru_cache(maxsize=4096)(find_bank)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file: where (sheet, 1-based row as Excel shows it, our field name) and what."""

    sheet: str
    row: int | None
    field: str | None
    severity: str
    message: str

    def to_json(self) -> dict:
        return {"row": self.row, "field": self.field, "severity": self.severity, "message": self.message,
                "sheet": self.sheet}


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one person row: imported, updated, unchanged, duplicate or rejected."""

    sheet: str
    row: int
    outcome: str
    beneficiary_id: str | None = None


@dataclass
class SheetLayout:
    """Where a read sheet's header is and which column holds which field (0-based columns)."""

    name: str
    header_row: int
    last_header_row: int
    columns: dict[str, int]


@dataclass
class ImportResult:
    """Counts, problems and per-row outcomes of one import (or dry run) of ``source``."""

    source: Path
    dry_run: bool = False
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    duplicates: int = 0
    problems: list[Problem] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    layouts: dict[str, SheetLayout] = field(default_factory=dict)
    skipped_sheets: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "imported": self.imported, "updated": self.updated, "unchanged": self.unchanged,
            "skipped": self.skipped, "rejected": self.rejected, "duplicates": self.duplicates,
            "dry_run": self.dry_run, "sheets": list(self.layouts), "skipped_sheets": list(self.skipped_sheets),
            "problems": [p.to_json() for p in self.problems],
        }

    def row_problems(self, sheet: str) -> dict[int, list[Problem]]:
        """Problems of one sheet grouped by row."""
        out: dict[int, list[Problem]] = {}
        for p in self.problems:
            if p.sheet == sheet and p.row is not None:
                out.setdefault(p.row, []).append(p)
        return out


@dataclass
class _Person:
    sheet: str
    row: int
    data: dict
    membership: dict | None
    bid: str | None = None


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# ---------------------------------------------------------------- headers

def _header_text(value) -> str:
    text = fold(value)
    text = re.sub(r"\(.*?\)", " ", text)
    return " ".join(re.sub(r"[/\\\-_.,:;()*]", " ", text).split())


def column_key(value) -> str | None:
    """The field a header cell names ("Họ và tên" → ``full_name``), or ``None``."""
    if not isinstance(value, str):
        return None
    text = _header_text(value)
    if not text:
        return None
    padded = f" {text} "
    if any(f" {w} " in padded for w in _RECEIVER) and any(f" {w} " in padded for w in _ID_WORDS):
        return "receiver_id_number"
    for key, exact, contained in _COLUMN_RULES:
        if text in exact or any(f" {w} " in padded for w in contained):
            return key
    return None


def _filled_row(sheet: Sheet, index: int) -> tuple[list, set[int]]:
    """Row ``index`` (0-based) with merged cells filled, and the columns inside a horizontal merge."""
    row = list(sheet.rows[index])
    horizontal = set()
    r = index + 1
    for min_row, min_col, max_row, max_col in sheet.merged:
        if min_row <= r <= max_row:
            value = sheet.rows[min_row - 1][min_col - 1] if min_col - 1 < len(row) else None
            for c in range(min_col - 1, min(max_col, len(row))):
                row[c] = value
                if max_col > min_col:
                    horizontal.add(c)
    return row, horizontal


def _layout(sheet: Sheet) -> SheetLayout | None:
    """Find the header row (a name column and at least two other known columns) and its columns.

    A second header row is used under merged or blank header cells: "Giới tính" over
    "Nam" | "Nữ", "Ngày sinh" over "Nam" | "Nữ" (the date written in the column of the
    person's gender), "Tài khoản" over "Số TK" | "Ngân hàng".
    """
    for index in range(min(len(sheet.rows), _HEADER_SCAN_ROWS)):
        top, horizontal = _filled_row(sheet, index)
        keys = [column_key(v) for v in top]
        if "full_name" not in keys or len(set(keys) - {None, "stt"}) < 3:
            continue
        below = sheet.rows[index + 1] if index + 1 < len(sheet.rows) else []
        # A second header row has no name of its own (the name header is merged down over it);
        # a first data row does, and must not be taken for headers ("Nam" in a gender column).
        sub = [column_key(v) for v in below] if below and below[keys.index("full_name")] is None else []
        columns: dict[str, int] = {}
        used_sub = False
        for c, key in enumerate(keys):
            subkey = sub[c] if c < len(sub) else None
            if subkey and (c in horizontal or top[c] is None):
                used_sub = True
                if key == "birth_date" and subkey in ("gender_male", "gender_female"):
                    subkey = "birth_male" if subkey == "gender_male" else "birth_female"
                key = subkey
            if key and key not in columns:
                columns[key] = c
        last = index + 1 if used_sub else index
        return SheetLayout(sheet.name, index + 1, last + 1, columns)
    return None


# ---------------------------------------------------------------- cell values

def _present(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _shown(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return clean(value)


def parse_birth(value, today: dt.date) -> tuple[str | None, int | None, str | None]:
    """(ISO birth date, birth year, problem) from an Excel date, dd/mm/yyyy text or a bare year."""
    if not _present(value):
        return None, None, None
    date = year = None
    if isinstance(value, dt.datetime):
        date = value.date()
    elif isinstance(value, dt.date):
        date = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if value == int(value) and 1000 <= value <= 2999:
            year = int(value)
        elif 3000 <= value < 80000:
            date = from_excel(value).date()   # a date cell whose format was lost: Excel's day count
    else:
        text = clean(value).lower().removeprefix("năm").strip()
        m = re.fullmatch(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})", text)
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        try:
            if m:
                date = dt.date(int(m[3]), int(m[2]), int(m[1]))
            elif iso:
                date = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            return None, None, f"Ngày sinh “{_shown(value)}” không có thật (ngày/tháng/năm)"
        if date is None:
            m = re.fullmatch(r"(?:\d{1,2}\s*[/\-.]\s*)?(\d{4})", text)
            if m:
                year = int(m[1])
    if date is None and year is None:
        return None, None, f"Không đọc được ngày sinh “{_shown(value)}” (cần ngày/tháng/năm hoặc năm sinh)"
    year = date.year if date else year
    if not 1880 <= year <= today.year or (date and date > today):
        return None, None, f"Ngày sinh “{_shown(value)}” không hợp lý"
    return (date.isoformat() if date else None), year, None


def parse_gender(value) -> tuple[str | None, str | None]:
    if not _present(value):
        return None, None
    key = fold(value).strip(" .")
    if key in ("nam", "m", "male", "trai"):
        return "M", None
    if key in ("nu", "f", "female", "gai"):
        return "F", None
    return None, f"Giới tính “{_shown(value)}” không rõ (ghi Nam hoặc Nữ)"


def parse_account(value) -> tuple[str | None, tuple[str, str] | None]:
    """(account number, (severity, message)) — an account Excel has rounded is never returned."""
    rounded = (ERROR, "Số tài khoản đã bị Excel làm tròn ({}) nên không còn đúng: chưa lưu. Hãy gõ lại số tài "
                      "khoản dạng chữ (thêm dấu ' ở đầu) theo sổ/thẻ ngân hàng")
    if not _present(value):
        return None, None
    if isinstance(value, bool):
        return None, (ERROR, "Số tài khoản không hợp lệ")
    if isinstance(value, float):
        return None, (rounded[0], rounded[1].format(_shown(value)))
    if isinstance(value, int):
        digits = str(abs(value))
        if len(digits.rstrip("0")) > 15 or len(digits) > 15:
            return None, (rounded[0], rounded[1].format(digits))
        account, problem = digits, (WARNING, "Số tài khoản được gõ dạng số: nếu số thật bắt đầu bằng 0 thì Excel "
                                             "đã làm mất số 0 ở đầu, hãy đối chiếu sổ/thẻ ngân hàng")
    else:
        text = clean(value).lstrip("'").strip()
        if _SCI.fullmatch(text.replace(" ", "")):
            return None, (rounded[0], rounded[1].format(text))
        if _POINT_ZERO.fullmatch(text):
            return parse_account(int(_POINT_ZERO.fullmatch(text)[1]))
        account, problem = re.sub(r"[\s.\-]", "", text), None
        if not account.isdigit():
            return None, (WARNING, f"“{text}” không phải số tài khoản: chưa lưu")
    if not 6 <= len(account) <= 19:
        return None, (ERROR, f"Số tài khoản {account} có {len(account)} chữ số (thường 6–19): chưa lưu")
    return account, problem


def _parse_coefficient(value) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float(clean(value).replace(",", "."))


def _phone(value) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        digits = str(int(value))
        return "0" + digits if len(digits) == 9 else digits   # Excel dropped the leading 0
    return re.sub(r"[\s.\-]", "", clean(value))


def _title(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in clean(text).split())


def _village_of(label: str) -> str | None:
    folded = fold(label)
    if any(folded == w or folded.startswith(w + " ") for w in _VILLAGE_WORDS):
        return _title(label)
    return None


# ---------------------------------------------------------------- rows

class _SheetReader:
    """Classifies and parses the rows of one sheet below its header."""

    def __init__(self, sheet: Sheet, layout: SheetLayout, ctx, result: ImportResult):
        self.sheet, self.layout, self.result = sheet, layout, result
        self.today = ctx.clock.today()
        self.base = base_level(ctx.db, "btxh", self.today)
        self.htxh_base = base_level(ctx.db, "htxh", self.today)
        self.village = ""
        self.category_text = ""
        self.in_signatures = False
        self._fill_vertical_merges()

    def _fill_vertical_merges(self) -> None:
        # A village or category column merged down over its group: every row gets the value.
        for min_row, min_col, max_row, _ in self.sheet.merged:
            if max_row > min_row and min_row > self.layout.last_header_row:
                value = self.sheet.rows[min_row - 1][min_col - 1]
                for r in range(min_row, max_row):
                    if self.sheet.rows[r][min_col - 1] is None:
                        self.sheet.rows[r][min_col - 1] = value

    def problem(self, row: int, fld: str | None, severity: str, message: str) -> None:
        self.result.problems.append(Problem(self.sheet.name, row, fld, severity, message))

    def get(self, cells: list, key: str):
        c = self.layout.columns.get(key)
        return cells[c] if c is not None and c < len(cells) else None

    def read(self, row: int, cells: list) -> _Person | None:
        """The person on this row, or ``None`` for a row that is not one (counted or reported)."""
        filled = [v for v in cells if _present(v)]
        if not filled or self._is_column_numbers(filled):
            self.result.skipped += 1
            return None
        name = self.get(cells, "full_name")
        stt = self.get(cells, "stt")
        numbered = isinstance(stt, (int, float)) and not isinstance(stt, bool)
        if numbered and len(filled) == 1:   # a numbered but empty line of a template
            self.result.skipped += 1
            return None
        has_core = any(_present(self.get(cells, k)) for k in
                       ("id_number", "birth_date", "birth_male", "birth_female"))
        if not has_core and not numbered:
            label = clean(name) if isinstance(name, str) else ""
            if not label:
                label = next((clean(v) for v in filled if isinstance(v, str)), "")
            folded = fold(label)
            if _TOTAL.match(folded):
                if folded.startswith("tong"):
                    self.in_signatures = True
                self.result.skipped += 1
                return None
            if _SIGNATURE.search(fold(" ".join(str(v) for v in filled))):
                self.in_signatures = True
            if self.in_signatures:
                self.result.skipped += 1
                return None
            data_keys = ("account_number", "amount", "coefficient", "category", "gender", "gender_male",
                         "gender_female", "village", "phone")
            if not any(_present(self.get(cells, k)) for k in data_keys):
                self._group_row(row, label)
                self.result.skipped += 1
                return None
        elif self.in_signatures and not _present(name):
            self.result.skipped += 1
            return None
        return self._person(row, cells)

    @staticmethod
    def _is_column_numbers(filled: list) -> bool:
        return len(filled) >= 3 and all(_COLUMN_NUMBER.match(_shown(v)) for v in filled)

    def _group_row(self, row: int, label: str) -> None:
        text = _GROUP_PREFIX.sub("", label)
        village = _village_of(text)
        if village:
            self.village = village
            return
        if _category(text):
            self.category_text = text
            return
        if not _GROUP_PREFIX.match(label) and not label.isupper():
            self.problem(row, None, WARNING,
                         f"Dòng chỉ có chữ “{label}”, không có số liệu của người hưởng: đã bỏ qua. "
                         "Nếu đây là một người, hãy bổ sung ngày sinh, số định danh…")

    def _person(self, row: int, cells: list) -> _Person | None:
        data: dict = {}
        name = clean(self.get(cells, "full_name"))
        if not name:
            self.problem(row, "full_name", ERROR, "Thiếu họ và tên: dòng này không nhập được")
            self.result.rejected += 1
            self.result.outcomes.append(RowOutcome(self.sheet.name, row, "rejected"))
            return None
        data["full_name"] = name
        self._birth_gender(row, cells, data)
        self._ids(row, cells, data)
        village = clean(self.get(cells, "village"))
        address = clean(self.get(cells, "address"))
        if address:
            data["address"] = address
            if not village and "village" not in self.layout.columns:
                village = _village_of(address.split(",")[0]) or ""
        village = _title(village) if village.isupper() else village or self.village
        if village:
            data["village"] = village
        self._account(row, cells, data)
        for key in ("account_holder", "receiver_name", "notes"):
            value = clean(self.get(cells, key))
            if value:
                data[key] = value
        if _present(self.get(cells, "phone")):
            data["phone"] = _phone(self.get(cells, "phone"))
        membership = self._membership(row, cells, data)
        return _Person(self.sheet.name, row, data, membership)

    def _birth_gender(self, row: int, cells: list, data: dict) -> None:
        raw, gender = self.get(cells, "birth_date"), None
        male, female = self.get(cells, "birth_male"), self.get(cells, "birth_female")
        if not {"birth_date", "birth_male", "birth_female"} & self.layout.columns.keys():
            # Plain "Nam" | "Nữ" columns without a birth column hold the birth date or year, not an x.
            male, female = (v if _present(v) and not parse_birth(v, self.today)[2] else None
                            for v in (self.get(cells, "gender_male"), self.get(cells, "gender_female")))
        if not _present(raw) and (_present(male) or _present(female)):
            raw, gender = (male, "M") if _present(male) else (female, "F")
        birth_date, birth_year, problem = parse_birth(raw, self.today)
        if problem:
            self.problem(row, "birth_date", ERROR, problem + ": chưa lưu ngày sinh")
        if birth_date:
            data["birth_date"] = birth_date
        elif birth_year:
            data["birth_year"] = birth_year
        if gender is None:
            gender, problem = parse_gender(self.get(cells, "gender"))
            if problem:
                self.problem(row, "gender", WARNING, problem)
        if gender is None:
            marked_m, marked_f = (_present(self.get(cells, k)) for k in ("gender_male", "gender_female"))
            if marked_m and marked_f:
                self.problem(row, "gender", WARNING, "Đánh dấu cả Nam và Nữ: chưa lưu giới tính")
            elif marked_m or marked_f:
                gender = "M" if marked_m else "F"
        if gender:
            data["gender"] = gender

    def _ids(self, row: int, cells: list, data: dict) -> None:
        raw = self.get(cells, "id_number")
        if isinstance(raw, str) and _POINT_ZERO.fullmatch(raw.strip()):
            raw = int(_POINT_ZERO.fullmatch(raw.strip())[1])   # parse_id would read the ".0" as digits
        parsed = parse_id(raw)
        if parsed.problem:
            self.problem(row, "id_number", ERROR, parsed.problem + ": chưa lưu số định danh")
        if parsed.value:
            data["id_number"] = parsed.value
        if parsed.old_cmnd:
            data["old_id_number"] = parsed.old_cmnd
        receiver = parse_id(self.get(cells, "receiver_id_number"))
        if receiver.problem:
            self.problem(row, "receiver_id_number", ERROR, receiver.problem + " (người nhận thay): chưa lưu")
        if receiver.value or receiver.old_cmnd:
            data["receiver_id_number"] = receiver.value or receiver.old_cmnd

    def _account(self, row: int, cells: list, data: dict) -> None:
        account, problem = parse_account(self.get(cells, "account_number"))
        if problem:
            self.problem(row, "account_number", *problem)
        bank_text = self.get(cells, "bank_bin")
        if _present(bank_text):
            bank = _bank(_shown(bank_text))
            if bank:
                data["bank_bin"] = bank.bin
            else:
                self.problem(row, "bank_bin", WARNING, f"Không nhận ra ngân hàng “{_shown(bank_text)}”"
                             + (": đã lưu số tài khoản, cần chọn ngân hàng" if account else ""))
        elif account:
            self.problem(row, "bank_bin", WARNING, "Có số tài khoản nhưng chưa ghi ngân hàng")
        if account:
            data["account_number"] = account

    def _membership(self, row: int, cells: list, data: dict) -> dict | None:
        text = clean(self.get(cells, "category")) or self.category_text
        amount = coefficient = None
        raw_amount = self.get(cells, "amount")
        try:
            amount = parse_vnd(raw_amount)
            if amount is not None and amount < 0:
                raise ValueError(amount)
        except ValueError:
            self.problem(row, "amount", ERROR, f"Mức hưởng “{_shown(raw_amount)}” không phải số tiền: chưa lưu")
        raw_coefficient = self.get(cells, "coefficient")
        if _present(raw_coefficient):
            try:
                coefficient = _parse_coefficient(raw_coefficient)
            except ValueError:
                self.problem(row, "coefficient", ERROR, f"Hệ số “{_shown(raw_coefficient)}” không phải số: chưa lưu")
        if not text and amount is None and coefficient is None:
            return None
        category = _category(text) if text else None
        if category is None:
            if text:
                self.problem(row, "category", WARNING, f"Không nhận ra diện đối tượng “{text}”: "
                                                       "đã ghi diện “Khác” với mức hưởng trong tệp")
            else:
                self.problem(row, "category", WARNING, "Chưa ghi diện đối tượng: đã ghi diện “Khác”")
            category = BY_CODE["other"]
        m = {"program": category.program, "category": category.code, "coefficient": None, "amount": None}
        if category.program == "btxh":
            age = age_on(data.get("birth_date"), data.get("birth_year"), self.today)
            m["coefficient"] = coefficient if coefficient is not None else category.coefficient_at(age)
            expected = round(m["coefficient"] * self.base) if self.base and m["coefficient"] else None
            if amount is not None and amount != expected:
                m["amount"] = amount
        elif category.program == "htxh":
            m["amount"] = amount if amount is not None and amount != self.htxh_base else None
        else:
            m["coefficient"], m["amount"] = coefficient, amount
        return m


# ---------------------------------------------------------------- import

def import_file(ctx, path, dry_run: bool = False, progress=None) -> ImportResult:
    """Import the register in ``path`` (.xlsx or .csv) into ``ctx.db``; see the module docstring.

    ``progress(done, total)`` is called now and then with rows read so far. Raises
    FileUnreadable (nothing written) when no sheet can be read as a register.
    """
    path = Path(path)
    sheets = read_sheets(path)
    result = ImportResult(source=path, dry_run=dry_run)
    found = []
    for sheet in sheets:
        layout = _layout(sheet)
        if layout is None:
            result.skipped_sheets.append(sheet.name)
            if sheet.rows:    # an empty "Sheet2" is not worth a warning
                result.problems.append(Problem(sheet.name, None, None, WARNING,
                                               f"Trang “{sheet.name}” không có dòng tiêu đề cột (Họ và tên, Ngày sinh, "
                                               "Số CCCD…): đã bỏ qua"))
            continue
        result.layouts[sheet.name] = layout
        found.append((sheet, layout))
    if not found:
        raise FileUnreadable(
            f"Không tìm thấy dòng tiêu đề cột (Họ và tên, Ngày sinh, Số CCCD…) trong tệp {path.name}")
    total = sum(len(s.rows) - layout.last_header_row for s, layout in found)
    done = 0
    people: list[_Person] = []
    for sheet, layout in found:
        reader = _SheetReader(sheet, layout, ctx, result)
        for index in range(layout.last_header_row, len(sheet.rows)):
            person = reader.read(index + 1, sheet.rows[index])
            if person:
                people.append(person)
            done += 1
            if progress and done % _PROGRESS_EVERY == 0:
                progress(done, total)
    people, duplicates = _resolve(ctx, people, result)
    try:
        with write_transaction(ctx.db):
            _write(ctx, people, result, f"import:{path.name}")
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    for first, second in duplicates:
        result.outcomes.append(RowOutcome(second.sheet, second.row, "duplicate", first.bid))
    order = {name: i for i, name in enumerate(s.name for s in sheets)}
    result.problems.sort(key=lambda p: (order.get(p.sheet, 0), p.row or 0))
    result.outcomes.sort(key=lambda o: (order.get(o.sheet, 0), o.row))
    if progress:
        progress(total, total)
    return result


def _file_key(data: dict):
    if data.get("id_number"):
        return ("id", data["id_number"])
    year = data.get("birth_year") or (int(data["birth_date"][:4]) if data.get("birth_date") else None)
    if year:
        return ("name", fold(data["full_name"]), year, fold(data.get("village")))
    return None


def _resolve(ctx, people: list[_Person], result: ImportResult):
    """Match rows to the register; returns (rows to write, (first, second) pairs of the same person)."""
    seen: dict = {}
    by_bid: dict = {}
    register_empty = ctx.db.execute("SELECT 1 FROM beneficiaries LIMIT 1").fetchone() is None
    kept, duplicates = [], []
    for p in people:
        key = _file_key(p.data)
        first = seen.get(key) if key else None
        if first and key[0] == "id" and fold(first.data["full_name"]) != fold(p.data["full_name"]):
            result.problems.append(Problem(p.sheet, p.row, "id_number", ERROR,
                                           f"Số định danh {key[1]} trùng với dòng {first.row} "
                                           f"({first.data['full_name']}), khác tên: chưa lưu số định danh cho dòng này"))
            p.data.pop("id_number")
            key = _file_key(p.data)
            first = seen.get(key) if key else None
        if first is None and not register_empty:
            year = p.data.get("birth_year") or (int(p.data["birth_date"][:4]) if p.data.get("birth_date") else None)
            p.bid = register.find_match(ctx.db, p.data.get("id_number"), p.data["full_name"], year,
                                        p.data.get("village", ""))
            first = by_bid.get(p.bid) if p.bid else None
        if first:
            _duplicate(first, p, result)
            duplicates.append((first, p))
            continue
        if key:
            seen[key] = p
        if p.bid:
            by_bid[p.bid] = p
        kept.append(p)
    return kept, duplicates


def _duplicate(first: _Person, second: _Person, result: ImportResult) -> None:
    other_sheet = first.sheet != second.sheet
    where_first = f" trang “{first.sheet}”" if other_sheet else ""
    where_second = f" trang “{second.sheet}”" if other_sheet else ""
    result.problems.append(Problem(second.sheet, second.row, None, WARNING,
                                   f"Dòng {second.row} trùng người với dòng {first.row}{where_first} "
                                   f"({first.data['full_name']}): chỉ nhập một lần theo dòng {first.row}"))
    result.problems.append(Problem(first.sheet, first.row, None, WARNING,
                                   f"Người này được ghi hai lần (dòng {first.row} và dòng {second.row}{where_second}): "
                                   f"chỉ nhập một lần theo dòng {first.row}"))
    result.duplicates += 1


def _drop_invalid(p: _Person, problems: dict, result: ImportResult) -> None:
    for fld, message in problems.items():
        result.problems.append(Problem(p.sheet, p.row, fld, ERROR, f"{message}: chưa lưu"))
        p.data.pop(fld, None)
        if fld == "birth_date":
            p.data.pop("birth_year", None)


def _write(ctx, people: list[_Person], result: ImportResult, source: str) -> None:
    today = ctx.clock.today()
    new = []
    for p in people:
        if p.bid:
            _update(ctx, p, result, source)
            continue
        # The parsed values are already in register form; validating here keeps one bad row from
        # aborting insert_many's whole batch.
        row = {"status": "active", "channel": "cash_commune", "account_status": "needs_account", **p.data}
        if row.get("birth_date"):
            row["birth_year"] = int(row["birth_date"][:4])
        _drop_invalid(p, register.validate(row, today), result)
        new.append(p)
    ids = register.insert_many(ctx, ((p.data, [p.membership] if p.membership else []) for p in new), source)
    for p, bid in zip(new, ids):
        p.bid = bid
        result.outcomes.append(RowOutcome(p.sheet, p.row, "imported", bid))
    result.imported += len(ids)


def _worse_spelling(new, old) -> bool:
    """True when ``new`` is ``old`` written worse: marks stripped ("NGUYEN VAN AN") or all in one case."""
    if not isinstance(new, str) or not isinstance(old, str) or new == old or fold(new) != fold(old):
        return False
    marks = sum(not ch.isascii() for ch in new) < sum(not ch.isascii() for ch in old)
    return marks or (new.isupper() and not old.isupper()) or (new.islower() and not old.islower())


def _update(ctx, p: _Person, result: ImportResult, source: str) -> None:
    current = register.get(ctx.db, p.bid)
    if p.data.get("id_number") and current["id_number"] == p.data["id_number"] \
            and current["name_fold"] != fold(p.data["full_name"]):
        result.problems.append(Problem(p.sheet, p.row, "id_number", ERROR,
                                       f"Số định danh {p.data['id_number']} đã có trong danh sách với tên "
                                       f"“{current['full_name']}”, khác tên trong tệp: chưa cập nhật, hãy kiểm tra lại"))
        result.rejected += 1
        result.outcomes.append(RowOutcome(p.sheet, p.row, "rejected", p.bid))
        return
    changes = {k: v for k, v in p.data.items() if not _worse_spelling(v, current.get(k))}
    if "birth_year" in changes and current["birth_date"] and int(current["birth_date"][:4]) != changes["birth_year"]:
        changes["birth_date"] = None
    if changes.get("bank_bin") and changes.get("account_number") and current["account_status"] != "has_account":
        changes["account_status"] = "has_account"
        if current["channel"] == "cash_commune":
            changes["channel"] = "account"
    memberships = None
    if p.membership:
        same = [m for m in current["memberships"] if m["category"] == p.membership["category"]]
        kept = [m for m in current["memberships"] if m["program"] != p.membership["program"]]
        dates = {"start_date": same[0]["start_date"], "end_date": same[0]["end_date"]} if same else {}
        memberships = kept + [{**p.membership, **dates}]
    try:
        changed = register.update(ctx, p.bid, changes, memberships, source=source)
    except ValidationError as exc:
        _drop_invalid(p, exc.problems, result)
        changed = register.update(ctx, p.bid, {k: v for k, v in changes.items() if k not in exc.problems},
                                  memberships, source=source)
    outcome = "updated" if changed else "unchanged"
    setattr(result, outcome, getattr(result, outcome) + 1)
    result.outcomes.append(RowOutcome(p.sheet, p.row, outcome, p.bid))


# ---------------------------------------------------------------- reports

_FILLS = {ERROR: PatternFill("solid", fgColor="FFC7CE"), WARNING: PatternFill("solid", fgColor="FFEB9C")}


def _message_line(p: Problem) -> str:
    label = FIELD_LABELS.get(p.field, "")
    return f"{SEVERITY_LABELS[p.severity]}{f' ({label})' if label else ''}: {p.message}"


def write_report(result: ImportResult, out_path) -> Path:
    """The problems report as .xlsx (summary, then one line per problem), written atomically."""
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = "Tóm tắt"
    summary.append([f"Kết quả {'chạy thử ' if result.dry_run else ''}nhập tệp {result.source.name}"])
    summary["A1"].font = Font(bold=True, size=13)
    for label, value in (("Người mới", result.imported), ("Cập nhật", result.updated),
                         ("Không thay đổi", result.unchanged), ("Dòng bỏ qua (không phải người)", result.skipped),
                         ("Dòng không nhập được", result.rejected), ("Dòng trùng người", result.duplicates),
                         ("Số lỗi", sum(p.severity == ERROR for p in result.problems)),
                         ("Số cảnh báo", sum(p.severity == WARNING for p in result.problems))):
        summary.append([label, value])
    summary.column_dimensions["A"].width = 34
    sheet = wb.create_sheet("Danh sách lỗi")
    sheet.append(["Trang tính", "Dòng", "Cột", "Mức độ", "Nội dung"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for p in result.problems:
        sheet.append([p.sheet, p.row, FIELD_LABELS.get(p.field, p.field or ""), SEVERITY_LABELS[p.severity],
                      p.message])
        sheet.cell(sheet.max_row, 4).fill = _FILLS[p.severity]
    for col, width in zip("ABCDE", (18, 8, 18, 10, 90)):
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "A2"
    with atomic_path(out_path) as tmp:
        wb.save(tmp)
    return Path(out_path)


def write_annotated(result: ImportResult, source_path, out_path) -> Path:
    """A copy of the imported file for the officer to correct: problem cells coloured with the
    message as a comment, and a "Lỗi cần sửa" column. A CSV source gives an .xlsx copy."""
    source_path = Path(source_path)
    if is_csv(source_path):
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        targets = {}
        for sheet in read_sheets(source_path):
            ws = wb.create_sheet(_sheet_title(sheet.name))
            for row in sheet.rows:
                ws.append(row)
            if sheet.name in result.layouts:
                targets[sheet.name] = ws
    else:
        try:
            wb = openpyxl.load_workbook(source_path)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise FileUnreadable(
                f"Không mở được tệp {source_path.name} để ghi chú lỗi (tệp đã bị đổi hoặc xóa?)") from exc
        targets = {name: wb[name] for name in result.layouts if name in wb.sheetnames}
    for name, ws in targets.items():
        layout = result.layouts[name]
        note_col = max(ws.max_column, max(layout.columns.values()) + 1) + 1
        header = ws.cell(layout.header_row, note_col, ANNOTATION_HEADER)
        header.font = Font(bold=True, color="9C0006")
        ws.column_dimensions[get_column_letter(note_col)].width = 60
        for row, problems in result.row_problems(name).items():
            worst = ERROR if any(p.severity == ERROR for p in problems) else WARNING
            note = ws.cell(row, note_col, "\n".join(_message_line(p) for p in problems))
            note.fill = _FILLS[worst]
            for p in problems:
                col = _problem_column(layout, p.field)
                if col is None:
                    continue
                cell = ws.cell(row, col + 1)
                if isinstance(cell, MergedCell):
                    continue
                cell.fill = _FILLS[p.severity]
                text = _message_line(p) if cell.comment is None else f"{cell.comment.text}\n{_message_line(p)}"
                cell.comment = Comment(text, "commune_payout", width=320, height=120)
    with atomic_path(out_path) as tmp:
        wb.save(tmp)
    return Path(out_path)


def _sheet_title(name: str) -> str:
    """A CSV file name as an Excel sheet name (at most 31 characters, none of []:*?/\\)."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31].strip()


def _problem_column(layout: SheetLayout, fld: str | None) -> int | None:
    if fld is None:
        return None
    for key in _PROBLEM_COLUMNS.get(fld, (fld,)):
        if key in layout.columns:
            return layout.columns[key]
    return None
