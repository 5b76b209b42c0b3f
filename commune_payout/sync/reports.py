"""The office's consolidated views over every commune's rows, and their .xlsx exports.

Rows are read from the consolidated copies (``office_<table>``, :mod:`.consolidate`), whatever
schema version each commune is on: a field a commune does not send yet is simply empty. Every
view can be narrowed to one commune and to one programme (a person is in a programme when one
of their memberships on file is). The people view is streamed in the order of the copy's index,
so exporting a province of half a million people holds one row at a time.
"""

import datetime as dt
from collections.abc import Iterator

from commune_payout import grievances as grievance_model
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


def verification(db, commune_code: str | None = None, program: str | None = None) -> list[dict]:
    """Each commune's verified sessions (the people drawn of the programme): drawn, answered (by
    their latest answer), received, not received, a different amount, could not reach, not asked
    yet, the verification rate, and the tickets opened from the answers."""
    where, params = _where("i", commune_code, None)
    if program:
        where += " AND l.program = ?"
        params.append(program)
    # Every answer read once, in order: the last one of each item is its answer (the copies have no
    # index on the item, and a province has thousands of them).
    latest = {(code, item): answer for code, item, answer in db.execute(
        "SELECT commune_code, item_id, answer FROM office_verification_answers ORDER BY asked_on, created_at")}
    out = {}
    for row in db.query(
            "SELECT i.commune_code, c.name AS commune_name, i.id, i.session_id, s.name, s.period "
            "FROM office_verification_items i JOIN office_communes c ON c.code = i.commune_code "
            "JOIN office_payout_lines l ON l.commune_code = i.commune_code AND l.id = i.line_id "
            "JOIN office_payout_sessions s ON s.commune_code = i.commune_code AND s.id = i.session_id "
            f"WHERE 1{where}", params):
        key = (row["commune_code"], row["session_id"])
        r = out.setdefault(key, {**{k: row[k] for k in ("commune_code", "commune_name", "name", "period")},
                                 "drawn": 0, "pending": 0, **dict.fromkeys(VERIFICATION_ANSWERS, 0)})
        answer = latest.get((row["commune_code"], row["id"]))
        r["drawn"] += 1
        r[answer if answer in VERIFICATION_ANSWERS else "pending"] += 1
    tickets = {(code, sid): n for code, sid, n in db.execute(
        "SELECT commune_code, session_id, count(*) FROM office_grievances WHERE received_via = 'verification' "
        "GROUP BY 1, 2")}
    for key, r in out.items():
        r["answered"] = r["received"] + r["not_received"] + r["different_amount"]
        r["rate_pct"] = round(100 * r["answered"] / r["drawn"], 1)
        r["grievances"] = tickets.get(key, 0)
    return sorted(out.values(), key=lambda r: (r["commune_code"], r["period"] or "", r["name"] or ""))


def grievances(db, commune_code: str | None = None, program: str | None = None,
               today: dt.date | None = None) -> list[dict]:
    """Each commune's grievance tickets (of the programme), the open ones first by due date;
    ``overdue`` ("Quá hạn") when still open after its due date on ``today``."""
    where, params = _where("g", commune_code, None)
    if program:
        where += " AND g.program = ?"
        params.append(program)
    rows = [dict(r) for r in db.query(
        "SELECT g.commune_code, c.name AS commune_name, g.year, g.number, g.received_on, g.kind, g.program, "
        "g.full_name, g.village, g.received_via, g.state, g.due_on, g.resolved_on, g.closed_on, g.fix_kind, "
        "g.description, g.resolution FROM office_grievances g JOIN office_communes c ON c.code = g.commune_code "
        f"WHERE 1{where} ORDER BY g.commune_code, g.state NOT IN ('new', 'in_progress'), g.due_on, g.number",
        params)]
    for r in rows:
        r["number"] = grievance_model.number_text(r["number"], r["year"])
        r["overdue"] = "Quá hạn" if (today and r["state"] in grievance_model.OPEN_STATES
                                     and r["due_on"] < today.isoformat()) else ""
    return rows


# Codes shown as words in the workbooks, per column of each report.
_PEOPLE_LABELS = {"gender": GENDERS, "status": STATUSES, "account_status": ACCOUNT_STATUSES, "channel": CHANNELS}
_SESSION_LABELS = {"kind": KINDS, "status": SESSION_STATUSES}

_GRIEVANCE_LABELS = {"kind": grievance_model.KINDS, "program": PROGRAM_LABELS,
                     "received_via": grievance_model.RECEIVED_VIA, "state": grievance_model.STATES,
                     "fix_kind": grievance_model.FIXES}
VERIFICATION_ANSWERS = ("received", "not_received", "different_amount", "unreachable")

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
    "verification": ("Xác minh chi trả", verification, {}, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("name", "Đợt chi trả"), ("period", "Kỳ"),
        ("drawn", "Số người xác minh"), ("answered", "Đã trả lời"), ("rate_pct", "Tỷ lệ trả lời (%)"),
        ("received", "Đã nhận đủ"), ("not_received", "Chưa nhận được"), ("different_amount", "Nhận số tiền khác"),
        ("unreachable", "Không liên lạc được"), ("pending", "Chưa hỏi"), ("grievances", "Phiếu khiếu nại đã mở")]),
    "grievances": ("Khiếu nại, phản ánh", grievances, _GRIEVANCE_LABELS, [
        ("commune_code", "Mã xã"), ("commune_name", "Xã"), ("number", "Số phiếu"), ("received_on", "Ngày tiếp nhận"),
        ("kind", "Loại"), ("program", "Chương trình"), ("full_name", "Người hưởng"), ("village", "Thôn/xóm"),
        ("received_via", "Cách tiếp nhận"), ("state", "Trạng thái"), ("due_on", "Hạn trả lời"),
        ("overdue", "Quá hạn"), ("resolved_on", "Ngày giải quyết"), ("closed_on", "Ngày đóng"),
        ("fix_kind", "Cách khắc phục"), ("description", "Nội dung"), ("resolution", "Kết quả giải quyết")]),
}
# Reports whose rows depend on the day they are made (a ticket is overdue or not).
DATED = ("grievances",)


def rows(db, report: str, commune_code: str | None = None, program: str | None = None,
         today: dt.date | None = None) -> Iterator[list]:
    """One report's rows as display values (codes in words), one at a time; ``today`` for a
    report of :data:`DATED`."""
    _title, fetch, labels, columns = REPORTS[report]
    for row in fetch(db, commune_code, program, **({"today": today} if report in DATED else {})):
        yield [labels[key].get(row.get(key), row.get(key)) if key in labels else row.get(key) for key, _ in columns]


def headers(report: str) -> list[str]:
    return [label for _, label in REPORTS[report][3]]


def title(report: str, program: str | None = None) -> str:
    """The report's title, with its programme when it is narrowed to one."""
    return REPORTS[report][0] + (f" — {PROGRAM_LABELS.get(program, program)}" if program else "")


def export_xlsx(db, report: str, path, commune_code: str | None = None, program: str | None = None,
                today: dt.date | None = None) -> int:
    """Write one consolidated report to an .xlsx file atomically, streamed; returns the number of rows."""
    book = Workbook()
    sheet = book.sheet(title(report, program))
    sheet.append(headers(report), style=BOLD)
    for row in rows(db, report, commune_code, program, today):
        sheet.append(row)
    book.save(path)
    return sheet.rows - 1
