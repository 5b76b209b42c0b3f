"""The office's consolidated views over every commune's rows, and their .xlsx exports.

Rows are read from the consolidated copies (``office_<table>``, :mod:`.consolidate`), whatever
schema version each commune is on: a field a commune does not send yet is simply empty. Every
view can be narrowed to one commune and to one programme (a person is in a programme when one
of their memberships on file is). The people view is streamed in the order of the copy's index,
so exporting a province of half a million people holds one row at a time.
"""

from collections.abc import Iterator

from commune_payout.payouts import KINDS, SESSION_STATUSES
from commune_payout.programs import BY_CODE, PROGRAM_LABELS
from commune_payout.register import ACCOUNT_STATUSES, CHANNELS, GENDERS, STATUSES, TRANSFER_CHANNELS
from commune_payout.sheet_writer import BOLD, Workbook

PEOPLE_FIELDS = ("full_name", "birth_year", "gender", "id_number", "village", "status", "account_status",
                 "channel", "bank_bin", "account_number", "receiver_name")


def _where(alias: str, commune_code: str | None, program: str | None, person: str = "id") -> tuple[str, list]:
    """SQL conditions (and their parameters) for one commune and the people of one programme."""
    sql, params = [], []
    if commune_code:
        sql.append(f"{alias}.commune_code = ?")
        params.append(commune_code)
    if program:
        sql.append(f"EXISTS (SELECT 1 FROM office_memberships m INDEXED BY ix_office_memberships_person WHERE m.commune_code = {alias}.commune_code "
                   f"AND m.beneficiary_id = {alias}.{person} AND m.program = ?)")
        params.append(program)
    return (" AND " + " AND ".join(sql)) if sql else "", params


def people(db, commune_code: str | None = None, program: str | None = None,
           limit: int | None = None) -> Iterator[dict]:
    """Every person on file at the office (of one commune, of one programme), by commune then in
    Vietnamese name order, one at a time; ``groups`` names their memberships on file."""
    where, params = _where("b", commune_code, program)
    sql = (f"SELECT b.commune_code, c.name AS commune_name, {', '.join('b.' + f for f in PEOPLE_FIELDS)}, "
           "(SELECT group_concat(m.category, char(31)) FROM office_memberships m INDEXED BY ix_office_memberships_person WHERE m.commune_code = b.commune_code "
           "AND m.beneficiary_id = b.id) AS groups "
           "FROM office_beneficiaries b JOIN office_communes c ON c.code = b.commune_code "
           f"WHERE 1{where} ORDER BY b.commune_code, b.name_sort"
           + (f" LIMIT {int(limit)}" if limit is not None else ""))
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        out = dict(zip(names, row))
        out["groups"] = "; ".join(dict.fromkeys(
            BY_CODE[g].label if g in BY_CODE else g for g in (out["groups"] or "").split("\x1f") if g))
        yield out


def count_people(db, commune_code: str | None = None, program: str | None = None) -> int:
    where, params = _where("b", commune_code, program)
    return db.execute(f"SELECT count(*) FROM office_beneficiaries b WHERE 1{where}", params).fetchone()[0]


def coverage(db, commune_code: str | None = None, program: str | None = None) -> list[dict]:
    """Account coverage of active beneficiaries per commune (the monthly report to the province)."""
    where, params = _where("b", commune_code, program)
    counts = {}
    for code, status, n in db.execute(
            f"SELECT b.commune_code, b.account_status, count(*) FROM office_beneficiaries b "
            f"WHERE b.status = 'active'{where} GROUP BY 1, 2", params):
        counts.setdefault(code, {})[status] = n
    out = []
    for code, name in db.execute("SELECT code, name FROM office_communes ORDER BY code").fetchall():
        if commune_code and code != commune_code:
            continue
        c = counts.get(code, {})
        active = sum(c.values())
        row = {"commune_code": code, "commune_name": name, "active": active}
        row.update({s: c.get(s, 0) for s in ACCOUNT_STATUSES})
        row["coverage_pct"] = round(100 * c.get("has_account", 0) / active, 1) if active else None
        out.append(row)
    return out


def payouts_by_session(db, commune_code: str | None = None, program: str | None = None) -> list[dict]:
    """Each commune's payout sessions (with lines of the programme): lines and amounts planned,
    paid, and paid by transfer."""
    where, params = _where("s", commune_code, None)
    sessions = {(r["commune_code"], r["id"]): r for r in (dict(x) for x in db.query(
        "SELECT s.commune_code, c.name AS commune_name, s.id, s.name, s.kind, s.period, s.status "
        f"FROM office_payout_sessions s JOIN office_communes c ON c.code = s.commune_code WHERE 1{where}", params))}
    for r in sessions.values():
        r.update(lines=0, total=0, paid_lines=0, paid_amount=0, paid_by_transfer=0, paid_by_vneid=0)
    line_where, line_params = _where("l", commune_code, None)
    if program:
        line_where += " AND l.program = ?"
        line_params.append(program)
    for code, sid, status, channel, lines, total in db.execute(
            "SELECT l.commune_code, l.session_id, l.status, l.channel, count(*), sum(l.total) "
            f"FROM office_payout_lines l WHERE 1{line_where} GROUP BY 1, 2, 3, 4", line_params):
        s = sessions.get((code, sid))
        if s is None:
            continue
        s["lines"] += lines
        s["total"] += total or 0
        if status == "paid":
            s["paid_lines"] += lines
            s["paid_amount"] += total or 0
            if channel in TRANSFER_CHANNELS:
                s["paid_by_transfer"] += lines
            if channel == "vneid":
                s["paid_by_vneid"] += lines
    found = [s for s in sessions.values() if s["lines"] or not program]
    return sorted(found, key=lambda r: (r["commune_code"], r["period"] or "", r["name"] or ""))


# Codes shown as words in the workbooks, per column of each report.
_PEOPLE_LABELS = {"gender": GENDERS, "status": STATUSES, "account_status": ACCOUNT_STATUSES, "channel": CHANNELS}
_SESSION_LABELS = {"kind": KINDS, "status": SESSION_STATUSES}

REPORTS = {
    "people": ("Danh sách người hưởng", people, _PEOPLE_LABELS, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("full_name", "Họ và tên"), ("birth_year", "Năm sinh"),
        ("gender", "Giới tính"), ("id_number", "Số định danh"), ("village", "Thôn/xóm"), ("groups", "Diện hưởng"),
        ("status", "Trạng thái"), ("account_status", "Tài khoản"), ("channel", "Hình thức nhận"),
        ("bank_bin", "Ngân hàng"), ("account_number", "Số tài khoản"), ("receiver_name", "Người nhận thay")]),
    "coverage": ("Tỷ lệ có tài khoản", coverage, {}, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("active", "Đang hưởng"),
        *((s, label) for s, label in ACCOUNT_STATUSES.items()), ("coverage_pct", "Tỷ lệ có tài khoản (%)")]),
    "payouts": ("Chi trả theo đợt", payouts_by_session, _SESSION_LABELS, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("name", "Đợt chi trả"), ("kind", "Loại"),
        ("period", "Kỳ"), ("status", "Trạng thái"), ("lines", "Số người"), ("total", "Tổng tiền (đ)"),
        ("paid_lines", "Đã chi (người)"), ("paid_amount", "Đã chi (đ)"), ("paid_by_transfer", "Chuyển khoản (người)"),
        ("paid_by_vneid", "trong đó TK an sinh VNeID (người)")]),
}


def rows(db, report: str, commune_code: str | None = None, program: str | None = None) -> Iterator[list]:
    """One report's rows as display values (codes in words), one at a time."""
    _title, fetch, labels, columns = REPORTS[report]
    for row in fetch(db, commune_code, program):
        yield [labels[key].get(row.get(key), row.get(key)) if key in labels else row.get(key) for key, _ in columns]


def headers(report: str) -> list[str]:
    return [label for _, label in REPORTS[report][3]]


def title(report: str, program: str | None = None) -> str:
    """The report's title, with its programme when it is narrowed to one."""
    return REPORTS[report][0] + (f" — {PROGRAM_LABELS.get(program, program)}" if program else "")


def export_xlsx(db, report: str, path, commune_code: str | None = None, program: str | None = None) -> int:
    """Write one consolidated report to an .xlsx file atomically, streamed; returns the number of rows."""
    book = Workbook()
    sheet = book.sheet(title(report, program))
    sheet.append(headers(report), style=BOLD)
    for row in rows(db, report, commune_code, program):
        sheet.append(row)
    book.save(path)
    return sheet.rows - 1
