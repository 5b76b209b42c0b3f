"""Finding a sheet's header row and which column holds which field."""

import re

from commune_payout.importer.model import SheetLayout
from commune_payout.sheets import Sheet
from commune_payout.text import fold

_HEADER_SCAN_ROWS = 40

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
    ("vneid_account", (), ("an sinh", "asxh", "vneid")),
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
    ("injury_rate", ("ty le", "tyle"), ("ty le thuong tat", "ty le suy giam", "suy giam kha nang lao dong",
                                       "suy giam knld", "ty le ton thuong", "ty le mat suc")),
    ("children", ("so con",), ("so con dang nuoi",)),
    ("account_status", (), ("tinh trang tai khoan", "trang thai tai khoan")),
    ("channel", (), ("hinh thuc nhan", "hinh thuc chi tra", "hinh thuc thanh toan", "phuong thuc nhan", "cach nhan")),
    ("status", ("tinh trang", "tinh trang huong"), ("trang thai",)),
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


def filled_row(sheet: Sheet, number: int) -> tuple[list, set[int]]:
    """Row ``number`` with merged cells filled, and the (0-based) columns inside a horizontal merge."""
    row = list(sheet.cells(number))
    horizontal = set()
    for min_row, min_col, max_row, max_col in sheet.merged:
        if min_row <= number <= max_row:
            value = sheet.value(min_row, min_col)
            row.extend([None] * (max_col - len(row)))
            for c in range(min_col - 1, max_col):
                row[c] = value
                if max_col > min_col:
                    horizontal.add(c)
    return row, horizontal


def find_layout(sheet: Sheet) -> SheetLayout | None:
    """Find the header row (a name column and at least two other known columns) and its columns.

    A second header row is used under merged or blank header cells: "Giới tính" over
    "Nam" | "Nữ", "Ngày sinh" over "Nam" | "Nữ" (the date written in the column of the
    person's gender), "Tài khoản" over "Số TK" | "Ngân hàng".
    """
    for number, _cells in sheet.rows[:_HEADER_SCAN_ROWS]:
        top, horizontal = filled_row(sheet, number)
        keys = [column_key(v) for v in top]
        if "full_name" not in keys or len(set(keys) - {None, "stt"}) < 3:
            continue
        below = sheet.cells(number + 1)
        name_column = keys.index("full_name")
        # A second header row has no name of its own (the name header is merged down over it);
        # a first data row does, and must not be taken for headers ("Nam" in a gender column).
        sub = [column_key(v) for v in below] if below and (
            name_column >= len(below) or below[name_column] is None) else []
        top.extend([None] * (len(sub) - len(top)))
        keys.extend([None] * (len(sub) - len(keys)))
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
        width = max(len(r.cells) for r in sheet.rows)
        return SheetLayout(sheet.name, number, number + 1 if used_sub else number, columns, width)
    return None


def problem_column(layout: SheetLayout, fld: str | None) -> int | None:
    """The 0-based column a problem about ``fld`` points at, if the sheet has it."""
    if fld is None:
        return None
    for key in _PROBLEM_COLUMNS.get(fld, (fld,)):
        if key in layout.columns:
            return layout.columns[key]
    return None
