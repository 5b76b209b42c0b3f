"""The office's consolidated views over every commune's rows, and their .xlsx exports.

Rows are read from the consolidated copies (``up_rows``), whatever schema version each
commune is on: a field a commune does not send yet is simply empty.
"""

from commune_payout.payouts import KINDS, SESSION_STATUSES
from commune_payout.register import ACCOUNT_STATUSES, CHANNELS, GENDERS, STATUSES
from commune_payout.sheet_writer import BOLD, Workbook
from commune_payout.text import name_sort_key


def _field(name: str) -> str:
    return f"json_extract(r.data, '$.{name}')"


def people(db, commune_code: str | None = None) -> list[dict]:
    """Every person on file at the office, by commune then in Vietnamese name order."""
    fields = ("full_name", "birth_year", "gender", "id_number", "village", "status", "account_status",
              "channel", "bank_bin", "account_number", "receiver_name")
    sql = (f"SELECT r.commune_code, c.name AS commune_name, {', '.join(f'{_field(f)} AS {f}' for f in fields)} "
           "FROM up_rows r JOIN up_communes c ON c.code = r.commune_code WHERE r.table_name = 'beneficiaries'")
    params = []
    if commune_code:
        sql += " AND r.commune_code = ?"
        params.append(commune_code)
    rows = [dict(r) for r in db.query(sql, params)]
    rows.sort(key=lambda r: (r["commune_code"], name_sort_key(r["full_name"])))
    return rows


def coverage(db) -> list[dict]:
    """Account coverage of active beneficiaries per commune (the monthly report to the province)."""
    counts = {}
    for code, status, n in db.execute(
            f"SELECT r.commune_code, {_field('account_status')}, count(*) FROM up_rows r "
            f"WHERE r.table_name = 'beneficiaries' AND {_field('status')} = 'active' GROUP BY 1, 2"):
        counts.setdefault(code, {})[status] = n
    out = []
    for code, name in db.execute("SELECT code, name FROM up_communes ORDER BY code").fetchall():
        c = counts.get(code, {})
        active = sum(c.values())
        row = {"commune_code": code, "commune_name": name, "active": active}
        row.update({s: c.get(s, 0) for s in ACCOUNT_STATUSES})
        row["coverage_pct"] = round(100 * c.get("has_account", 0) / active, 1) if active else None
        out.append(row)
    return out


def payouts_by_session(db) -> list[dict]:
    """Each commune's payout sessions: lines and amounts planned, paid, and paid by transfer."""
    sessions = {r["id"]: r for r in (dict(x) for x in db.query(
        f"SELECT r.commune_code, c.name AS commune_name, r.row_id AS id, {_field('name')} AS name, "
        f"{_field('kind')} AS kind, {_field('period')} AS period, {_field('status')} AS status "
        "FROM up_rows r JOIN up_communes c ON c.code = r.commune_code WHERE r.table_name = 'payout_sessions'"))}
    for r in sessions.values():
        r.update(lines=0, total=0, paid_lines=0, paid_amount=0, paid_by_transfer=0)
    for sid, status, channel, lines, total in db.execute(
            f"SELECT {_field('session_id')}, {_field('status')}, {_field('channel')}, count(*), sum({_field('total')}) "
            "FROM up_rows r WHERE r.table_name = 'payout_lines' GROUP BY 1, 2, 3"):
        s = sessions.get(sid)
        if s is None:
            continue
        s["lines"] += lines
        s["total"] += total or 0
        if status == "paid":
            s["paid_lines"] += lines
            s["paid_amount"] += total or 0
            if channel == "account":
                s["paid_by_transfer"] += lines
    return sorted(sessions.values(), key=lambda r: (r["commune_code"], r["period"] or "", r["name"] or ""))


# Codes shown as words in the workbooks, per column of each report.
_PEOPLE_LABELS = {"gender": GENDERS, "status": STATUSES, "account_status": ACCOUNT_STATUSES, "channel": CHANNELS}
_SESSION_LABELS = {"kind": KINDS, "status": SESSION_STATUSES}

REPORTS = {
    "people": ("Danh sách người hưởng", people, _PEOPLE_LABELS, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("full_name", "Họ và tên"), ("birth_year", "Năm sinh"),
        ("gender", "Giới tính"), ("id_number", "Số định danh"), ("village", "Thôn/xóm"), ("status", "Trạng thái"),
        ("account_status", "Tài khoản"), ("channel", "Hình thức nhận"), ("bank_bin", "Ngân hàng"),
        ("account_number", "Số tài khoản"), ("receiver_name", "Người nhận thay")]),
    "coverage": ("Tỷ lệ có tài khoản", coverage, {}, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("active", "Đang hưởng"),
        *((s, label) for s, label in ACCOUNT_STATUSES.items()), ("coverage_pct", "Tỷ lệ có tài khoản (%)")]),
    "payouts": ("Chi trả theo đợt", payouts_by_session, _SESSION_LABELS, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("name", "Đợt chi trả"), ("kind", "Loại"),
        ("period", "Kỳ"), ("status", "Trạng thái"), ("lines", "Số người"), ("total", "Tổng tiền (đ)"),
        ("paid_lines", "Đã chi (người)"), ("paid_amount", "Đã chi (đ)"), ("paid_by_transfer", "Chuyển khoản (người)")]),
}


def table(db, report: str, commune_code: str | None = None) -> tuple[list[str], list[list]]:
    """One report as (column headers, rows of display values), optionally for one commune."""
    _title, fetch, labels, columns = REPORTS[report]
    found = fetch(db, commune_code) if fetch is people else [
        r for r in fetch(db) if commune_code is None or r["commune_code"] == commune_code]
    values = [[labels[key].get(row.get(key), row.get(key)) if key in labels else row.get(key) for key, _ in columns]
              for row in found]
    return [label for _, label in columns], values


def export_xlsx(db, report: str, path, commune_code: str | None = None) -> int:
    """Write one consolidated report to an .xlsx file atomically; returns the number of rows."""
    headers, rows = table(db, report, commune_code)
    book = Workbook()
    sheet = book.sheet(REPORTS[report][0])
    sheet.append(headers, style=BOLD)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return len(rows)
