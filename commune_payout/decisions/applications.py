"""Applications (hồ sơ đề nghị): what is asked, for whom, when the file was complete, the check
against the national population database, and the due date of the decision.

Owner of the ``applications`` table. A person already in the register is named by their id; a
new person's details stay on the application until a decision grants them and adds them to the
register. An application for funeral support records the death (status "Đã chết" with its
date) if the register does not have it yet, in the same transaction.
"""

import datetime as dt
import re

from commune_payout import register, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.decisions.model import APPLICATION_STATUSES, CHECK_RESULTS, REQUESTS
from commune_payout.decisions.workdays import Calendar, parse_day
from commune_payout.errors import NotFound, UserError, ValidationError
from commune_payout.money import parse_monthly
from commune_payout.programs import BY_CODE, parse_coefficient
from commune_payout.text import ascii_digits, clean, excerpt

_PERSON_FIELDS = ("full_name", "birth_date", "birth_year", "gender", "id_number", "village")


def _iso(value, field: str, problems: dict, required: bool = False) -> str | None:
    if value in (None, ""):
        if required:
            problems[field] = "Chưa có ngày"
        return None
    try:
        return parse_day(value).isoformat()
    except ValueError:
        problems[field] = f"Ngày “{excerpt(str(value))}” không đúng dạng ngày/tháng/năm"
        return None


def _new_person(person: dict, problems: dict, today: dt.date) -> dict:
    """The details of a person not yet in the register, cleaned and checked like the register's."""
    values, found = register.normalise({k: v for k, v in person.items() if k in _PERSON_FIELDS})
    problems.update(found)
    problems.update({k: v for k, v in register.validate({**values, "status": "active"}, today).items()
                     if k in _PERSON_FIELDS})
    return {k: values.get(k) for k in _PERSON_FIELDS}


def add_application(ctx: Context, request: str, completed_on, *, beneficiary_id: str | None = None,
                    person: dict | None = None, category: str | None = None, coefficient=None, amount=None,
                    children=None, from_category: str | None = None, details: str = "",
                    receiver: dict | None = None, died_on=None) -> str:
    """Record an application; returns its id. Raises ValidationError listing every problem.

    ``request`` is a key of :data:`REQUESTS`. The person is ``beneficiary_id`` (someone in the
    register) or ``person`` (a new one: ``full_name``, ``birth_date`` or ``birth_year``,
    ``gender``, ``id_number``, ``village``; only for a grant). A grant or change names the
    ``category`` asked for (and ``children`` for a single parent, ``amount`` for an amount set by
    decision, ``coefficient`` when the file states one); a change also names the group it
    replaces (``from_category``). Funeral support names the ``receiver`` who arranged the funeral
    (``name``, ``id_number``, ``relation``) and, when the register does not have it yet, the
    date of death ``died_on``.
    """
    db = ctx.db
    today = ctx.clock.today()
    problems: dict[str, str] = {}
    details = clean(details)
    if request not in REQUESTS:
        raise ValidationError("Hồ sơ chưa hợp lệ", {"request": "Nội dung đề nghị không hợp lệ"})
    completed = _iso(completed_on, "completed_on", problems, required=True)
    if completed and completed > today.isoformat():
        problems["completed_on"] = "Ngày nhận đủ hồ sơ không được sau hôm nay"
    current = None
    if beneficiary_id:
        current = register.get(db, beneficiary_id)
        snapshot = {k: current.get(k) for k in _PERSON_FIELDS}
    elif person is not None and request == "grant":
        snapshot = _new_person(person, problems, today)
        if snapshot.get("id_number") and register.find_by_id_number(db, snapshot["id_number"]):
            problems["id_number"] = "Số định danh này đã có trong sổ: hãy chọn người đó thay vì thêm người mới"
    else:
        problems["beneficiary_id"] = ("Chưa chọn người hưởng" if request != "grant"
                                      else "Chưa chọn người hưởng hoặc nhập người mới")
    held = {m["category"] for m in (current or {}).get("memberships", [])
            if not m.get("end_date") or m["end_date"] >= today.isoformat()}
    if request in ("grant", "change"):
        if category not in BY_CODE:
            problems["category"] = "Chưa chọn diện hưởng đề nghị"
        if request == "change":
            if from_category not in held:
                problems["from_category"] = "Người này không đang hưởng diện cần thay đổi"
    if request == "stop" and not details:
        problems["details"] = "Ghi lý do thôi hưởng"
    if request in ("stop", "change") and current and current["status"] != "active":
        problems["beneficiary_id"] = f"Người này đang ở trạng thái “{register.STATUSES[current['status']]}”"
    receiver = {k: clean((receiver or {}).get(k)) for k in ("name", "id_number", "relation")}
    receiver["id_number"] = ascii_digits(re.sub(r"[\s.\-]", "", receiver["id_number"]))
    for key, field, limit in (("name", "receiver_name", register.MAX_CHARS["receiver_name"]),
                              ("relation", "receiver_relation", register.MAX_CHARS["receiver_relation"])):
        if len(receiver[key]) > limit:
            problems[field] = f"Dài quá {limit} ký tự"
    if len(details) > register.MAX_CHARS["notes"]:
        problems["details"] = f"Dài quá {register.MAX_CHARS['notes']} ký tự"
    died = None
    if request == "funeral":
        if not receiver["name"]:
            problems["receiver_name"] = "Ghi họ tên người lo mai táng"
        if receiver["id_number"] and not re.fullmatch(r"[0-9]{9}|[0-9]{12}", receiver["id_number"]):
            problems["receiver_id_number"] = "Số định danh người nhận phải có 12 (hoặc 9) chữ số"
        if not receiver["relation"]:
            problems["receiver_relation"] = "Ghi quan hệ với người đã mất"
        died = _iso(died_on, "died_on", problems)
        if current and current["status"] == "deceased":
            died = died or current["status_date"]
        elif current and not died:
            problems["died_on"] = "Ghi ngày mất (sổ chưa ghi người này đã mất)"
        if died and died > today.isoformat():
            problems["died_on"] = "Ngày mất không được sau hôm nay"
    if current is not None:
        open_same = db.execute("SELECT completed_on FROM applications WHERE beneficiary_id = ? AND request = ? "
                               "AND status = 'open'", [beneficiary_id, request]).fetchone()
        if open_same:
            problems["request"] = (f"Người này đã có hồ sơ “{REQUESTS[request]}” đang giải quyết "
                                   f"(nhận đủ ngày {dt.date.fromisoformat(open_same[0]):%d/%m/%Y})")
    try:
        stated = parse_coefficient(coefficient)
    except ValueError:
        stated, problems["coefficient"] = None, "Hệ số từ 0 đến 10, ví dụ 1,5"
    try:
        fixed = parse_monthly(amount)
    except ValueError:
        fixed, problems["amount"] = None, "Số tiền không hợp lệ"
    try:
        kids = None if children in (None, "") else int(children)
    except ValueError:
        kids, problems["children"] = None, "Số con phải là số"
    if kids is not None and not 1 <= kids <= 30:
        problems["children"] = "Số con từ 1 đến 30"
    if problems:
        raise ValidationError("Hồ sơ chưa hợp lệ", problems)
    app_id = new_id()
    now = ctx.clock.now().isoformat(sep=" ")
    due = Calendar.of(db).due_date(dt.date.fromisoformat(completed))
    with write_transaction(db):
        if request == "funeral" and current["status"] != "deceased":
            register.set_status(ctx, beneficiary_id, "deceased", dt.date.fromisoformat(died),
                                f"Hồ sơ đề nghị hỗ trợ chi phí mai táng của {receiver['name']}")
        db.execute(
            "INSERT INTO applications (id, commune_code, beneficiary_id, full_name, birth_date, birth_year, gender, "
            "id_number, village, request, category, coefficient, amount, children, from_category, details, "
            "receiver_name, receiver_id_number, receiver_relation, completed_on, due_on, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [app_id, settings.commune(db)["code"], beneficiary_id, snapshot["full_name"], snapshot["birth_date"],
             snapshot["birth_year"], snapshot["gender"], snapshot["id_number"], snapshot["village"] or "", request,
             category if request in ("grant", "change") else None, stated, fixed, kids,
             from_category if request == "change" else None, details, receiver["name"], receiver["id_number"],
             receiver["relation"], completed, due.isoformat(), now, ctx.user])
    return app_id


def record_check(ctx: Context, app_id: str, checked_on, checked_by: str, result: str, note: str = "") -> None:
    """Record the check of an application against the national population database."""
    problems: dict[str, str] = {}
    day = _iso(checked_on, "checked_on", problems, required=True)
    if day and day > ctx.clock.today().isoformat():
        problems["checked_on"] = "Ngày đối chiếu không được sau hôm nay"
    checked_by = clean(checked_by)
    if not checked_by:
        problems["checked_by"] = "Ghi người đối chiếu (công an xã hoặc cán bộ)"
    if result not in CHECK_RESULTS:
        problems["check_result"] = "Chọn kết quả đối chiếu"
    note = clean(note)
    if result in ("mismatch", "not_found") and not note:
        problems["check_note"] = "Ghi điểm khác biệt hoặc lý do"
    if problems:
        raise ValidationError("Kết quả đối chiếu chưa hợp lệ", problems)
    with write_transaction(ctx.db):
        app = get_application(ctx.db, app_id)
        if app["status"] != "open":
            raise UserError(f"Hồ sơ này {APPLICATION_STATUSES[app['status']].lower()}; không ghi thêm được")
        ctx.db.execute("UPDATE applications SET checked_on = ?, checked_by = ?, check_result = ?, check_note = ? "
                       "WHERE id = ?", [day, checked_by, result, note, app_id])


def withdraw(ctx: Context, app_id: str, reason: str) -> None:
    """Close an open application without a decision (withdrawn, or returned as not eligible)."""
    reason = clean(reason)
    if not reason:
        raise ValidationError("Thiếu lý do", {"status_reason": "Ghi lý do rút hoặc trả hồ sơ"})
    with write_transaction(ctx.db):
        app = get_application(ctx.db, app_id)
        if app["status"] != "open":
            raise UserError(f"Hồ sơ này {APPLICATION_STATUSES[app['status']].lower()}")
        ctx.db.execute("UPDATE applications SET status = 'withdrawn', status_reason = ? WHERE id = ?",
                       [reason, app_id])


def get_application(db, app_id: str) -> dict:
    """One application; NotFound if there is none."""
    row = db.execute("SELECT * FROM applications WHERE id = ?", [app_id]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã {app_id}")
    cols = [d[0] for d in db.execute("SELECT * FROM applications LIMIT 0").description]
    return dict(zip(cols, row))


def resolve_application(db, text: str) -> str:
    """The id of the application named by its id or a unique prefix of it."""
    key = clean(text).lower()
    rows = db.execute("SELECT id FROM applications WHERE id LIKE ? || '%' LIMIT 2", [key]).fetchall() if key else []
    if not rows:
        raise NotFound(f"Không tìm thấy hồ sơ có mã {text}")
    if len(rows) > 1:
        raise UserError(f"Mã “{text}” khớp nhiều hồ sơ; hãy nhập thêm ký tự")
    return rows[0][0]


def list_applications(db, today: dt.date, status: str | None = None) -> list[dict]:
    """Applications with their due dates, the open ones first by due date, then the others newest
    first. Extra keys: ``working_days_left`` (negative once overdue) and ``overdue``; a decided
    application also has its decision's ``decision_number``."""
    where, params = "", []
    if status:
        where, params = " WHERE a.status = ?", [status]
    rows = [dict(r) for r in db.query(
        "SELECT a.*, d.number AS decision_number, d.symbol AS decision_symbol, d.signed_on AS decision_signed_on "
        f"FROM applications a LEFT JOIN decisions d ON d.id = a.decision_id{where} "
        "ORDER BY a.status != 'open', CASE WHEN a.status = 'open' THEN a.due_on END, a.completed_on DESC", params)]
    calendar = Calendar.of(db)
    for row in rows:
        due = dt.date.fromisoformat(row["due_on"])
        row["working_days_left"] = calendar.working_days_between(today, due) if row["status"] == "open" else None
        row["overdue"] = row["status"] == "open" and due < today
    return rows
