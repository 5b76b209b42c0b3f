"""Export the register to .xlsx or .csv with Vietnamese headers the importer reads back."""

import datetime as dt
from itertools import chain
from pathlib import Path

from commune_payout import settings
from commune_payout.banks import bank_name
from commune_payout.errors import UserError
from commune_payout.programs import entitlement, load_base_levels, membership_text
from commune_payout.register import ACCOUNT_STATUSES, GENDERS, STATUSES, list_beneficiaries
from commune_payout.sheet_writer import BOLD, TEXT, Style, Workbook, write_csv

HEADERS = ("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Số CMND cũ", "Thôn/Xóm",
           "Điện thoại", "Diện đối tượng", "Hệ số", "Mức hưởng (đồng)", "Trạng thái", "Ngân hàng",
           "Số tài khoản", "Chủ tài khoản", "Tình trạng tài khoản", "Người nhận thay", "Quan hệ")
TEXT_COLUMNS = {"Số định danh", "Số CMND cũ", "Điện thoại", "Số tài khoản"}
WIDTHS = (6, 26, 12, 9, 15, 12, 16, 13, 34, 7, 14, 12, 13, 18, 24, 18, 22, 10)


def status_text(status: str, status_date: str | None) -> str:
    """A status as the importer reads it back, with its date: "Đã chết 15/10/2026",
    "Tạm dừng từ 20/11/2026"."""
    if status == "active" or not status_date:
        return STATUSES[status]
    day = dt.date.fromisoformat(status_date).strftime("%d/%m/%Y")
    return f"{STATUSES[status]} {day}" if status == "deceased" else f"{STATUSES[status]} từ {day}"


def _rows(db, today: dt.date):
    levels = load_base_levels(db)
    memberships: dict[str, list[dict]] = {}
    for m in db.query("SELECT beneficiary_id, program, category, coefficient, amount, injury_rate, children, "
                      "wording, start_date, end_date FROM memberships ORDER BY rowid"):
        memberships.setdefault(m["beneficiary_id"], []).append(m)
    status_dates = dict(db.execute("SELECT id, status_date FROM beneficiaries").fetchall())
    for i, p in enumerate(list_beneficiaries(db, order="village"), start=1):
        ms = memberships.get(p["id"], [])
        due = entitlement(ms, p["birth_date"], p["birth_year"], today, levels, p["monthly_amount"])
        birth = (dt.date.fromisoformat(p["birth_date"]).strftime("%d/%m/%Y") if p["birth_date"]
                 else (p["birth_year"] or ""))
        yield [i, p["full_name"], birth, GENDERS.get(p["gender"], ""), p["id_number"] or "",
               p["old_id_number"] or "", p["village"], p["phone"], "; ".join(membership_text(m) for m in ms),
               due.coefficient if due.coefficient is not None else "", due.amount,
               status_text(p["status"], status_dates[p["id"]]),
               bank_name(p["bank_bin"]), p["account_number"] or "", p["account_holder"],
               ACCOUNT_STATUSES[p["account_status"]], p["receiver_name"], ""]


def export_register(db, path, today: dt.date) -> int:
    """Write the whole register to ``path`` (.xlsx or .csv, chosen by extension); returns the row count.

    Amounts and coefficients are the monthly entitlement in ``today``'s month; groups carry their
    injury rate or number of children and statuses their date, so that the file reads back the same.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UserError("Chỉ xuất được ra tệp .xlsx hoặc .csv")
    if suffix == ".csv":
        return write_csv(path, chain([HEADERS], _rows(db, today))) - 1
    info = settings.commune(db)
    book = Workbook()
    sheet = book.sheet("Danh sách", widths=WIDTHS, freeze="C5")
    sheet.append([f"UBND {info['name'].upper()}"])
    sheet.append(["DANH SÁCH NGƯỜI HƯỞNG CHÍNH SÁCH AN SINH XÃ HỘI"])
    sheet.append([])
    sheet.append(HEADERS, style=BOLD)
    text = {i: Style(number_format=TEXT) for i, h in enumerate(HEADERS) if h in TEXT_COLUMNS}
    for row in _rows(db, today):
        sheet.append(row, columns=text)
    book.save(path)
    return sheet.rows - 4
