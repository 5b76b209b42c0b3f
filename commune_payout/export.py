"""Export the register to .xlsx or .csv with Vietnamese headers the importer reads back."""

import datetime as dt
from itertools import chain
from pathlib import Path

from commune_payout import settings
from commune_payout.banks import bank_name
from commune_payout.errors import UserError
from commune_payout.programs import BY_CODE
from commune_payout.register import ACCOUNT_STATUSES, GENDERS, STATUSES, list_beneficiaries
from commune_payout.sheet_writer import BOLD, TEXT, Style, Workbook, write_csv

HEADERS = ("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Số CMND cũ", "Thôn/Xóm",
           "Điện thoại", "Diện đối tượng", "Hệ số", "Mức hưởng (đồng)", "Trạng thái", "Ngân hàng",
           "Số tài khoản", "Chủ tài khoản", "Tình trạng tài khoản", "Người nhận thay", "Quan hệ")
TEXT_COLUMNS = {"Số định danh", "Số CMND cũ", "Điện thoại", "Số tài khoản"}
WIDTHS = (6, 26, 12, 9, 15, 12, 16, 13, 34, 7, 14, 12, 13, 18, 24, 18, 22, 10)


def _rows(db, today: dt.date):
    from commune_payout.programs import monthly_amount

    memberships: dict[str, list[dict]] = {}
    for m in db.query("SELECT beneficiary_id, program, category, coefficient, amount, start_date, end_date "
                      "FROM memberships"):
        memberships.setdefault(m["beneficiary_id"], []).append(m)
    for i, p in enumerate(list_beneficiaries(db, order="village"), start=1):
        ms = memberships.get(p["id"], [])
        category = "; ".join(BY_CODE[m["category"]].label if m["category"] in BY_CODE else m["category"] for m in ms)
        coefficient = max((m["coefficient"] for m in ms if m["coefficient"]), default=None)
        birth = (dt.date.fromisoformat(p["birth_date"]).strftime("%d/%m/%Y") if p["birth_date"]
                 else (p["birth_year"] or ""))
        yield [i, p["full_name"], birth, GENDERS.get(p["gender"], ""), p["id_number"] or "",
               p["old_id_number"] or "", p["village"], p["phone"], category,
               coefficient if coefficient is not None else "",
               monthly_amount(db, ms, today, p["monthly_amount"]), STATUSES[p["status"]],
               bank_name(p["bank_bin"]), p["account_number"] or "", p["account_holder"],
               ACCOUNT_STATUSES[p["account_status"]], p["receiver_name"], ""]


def export_register(db, path, today: dt.date) -> int:
    """Write the whole register to ``path`` (.xlsx or .csv, chosen by extension); returns the row count.

    Amounts are the monthly entitlement in force on ``today``.
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
