"""Export the register to .xlsx or .csv with Vietnamese headers the importer reads back."""

import csv
import datetime as dt
import io
from pathlib import Path

from commune_payout import settings
from commune_payout.atomic import atomic_path, write_bytes
from commune_payout.banks import bank_name
from commune_payout.errors import UserError
from commune_payout.programs import BY_CODE
from commune_payout.register import ACCOUNT_STATUSES, GENDERS, STATUSES, list_beneficiaries

HEADERS = ("STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh", "Số CMND cũ", "Thôn/Xóm",
           "Điện thoại", "Diện đối tượng", "Hệ số", "Mức hưởng (đồng)", "Trạng thái", "Ngân hàng",
           "Số tài khoản", "Chủ tài khoản", "Tình trạng tài khoản", "Người nhận thay", "Quan hệ")
TEXT_COLUMNS = {"Số định danh", "Số CMND cũ", "Điện thoại", "Số tài khoản"}


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
    rows = list(_rows(db, today))
    if suffix == ".csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HEADERS)
        writer.writerows(rows)
        # UTF-8 with BOM so that Excel on a Vietnamese Windows shows the diacritics.
        write_bytes(path, buf.getvalue().encode("utf-8-sig"))
        return len(rows)
    from openpyxl import Workbook
    from openpyxl.styles import Font

    info = settings.commune(db)
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append([f"UBND {info['name'].upper()}"])
    ws.append(["DANH SÁCH NGƯỜI HƯỞNG CHÍNH SÁCH AN SINH XÃ HỘI"])
    ws.append([])
    ws.append(list(HEADERS))
    for cell in ws[4]:
        cell.font = Font(bold=True)
    text_cols = [i for i, h in enumerate(HEADERS, start=1) if h in TEXT_COLUMNS]
    for row in rows:
        ws.append(row)
        for c in text_cols:
            ws.cell(ws.max_row, c).number_format = "@"
    for col, width in zip("ABCDEFGHIJKLMNOPQR", (6, 26, 12, 9, 15, 12, 16, 13, 34, 7, 14, 12, 13, 18, 24, 18, 22, 10)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "C5"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return len(rows)
