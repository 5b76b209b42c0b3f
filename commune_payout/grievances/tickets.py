"""Grievance tickets: recording a complaint, moving it through its states, reading them back.

Owner of ``grievances`` and ``grievance_events``. Every write is one transaction that also adds
its event (who, when, the state and due date after it), so the history is complete by
construction; the events are append-only in the database.
"""

import datetime as dt
import re

from commune_payout import payouts, register, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.decisions.workdays import Calendar, parse_day
from commune_payout.errors import NotFound, UserError, ValidationError
from commune_payout.grievances import fixes
from commune_payout.grievances.deadlines import due_date
from commune_payout.grievances.model import (ACTIONS, KIND_OF_ANSWER, KINDS, NEXT_STATES, OPEN_STATES, RECEIVED_VIA,
                                             STATES, TEXT_LIMIT, number_text)
from commune_payout.money import format_vnd
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.text import ascii_digits, clean
from commune_payout.verification import ANSWERS, ASKED_HOW, NEGATIVE, get_answer

PROGRAMS = ("btxh", "htxh", "ncc", "other")


NAME_LIMIT = 200


def clean_text(value) -> str:
    """Free text typed by the officer, cleaned line by line (NFC, invisible characters out);
    its line breaks are kept and blank lines dropped."""
    lines = (clean(line) for line in str(value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _too_long(problems: dict, texts: dict[str, tuple[str, int]]) -> None:
    """A problem for each of ``texts`` ({field: (text, limit)}) longer than its limit: what the
    officer typed is kept whole or refused, never cut without a word."""
    for field, (text, limit) in texts.items():
        if len(text) > limit:
            problems[field] = f"Dài quá {limit} ký tự ({len(text)}): hãy rút gọn"


def _day(value, field: str, problems: dict, today: dt.date) -> dt.date | None:
    if value in (None, ""):
        return today
    try:
        day = parse_day(value)
    except ValueError:
        problems[field] = f"“{str(value)[:30]}” không phải ngày (dd/mm/yyyy)"
        return None
    if day > today:
        problems[field] = "Ngày tiếp nhận không được sau hôm nay"
    return day


def _programs_of(person: dict, today: dt.date) -> list[str]:
    held = {m["program"] for m in person.get("memberships", [])
            if not m.get("end_date") or m["end_date"] >= today.isoformat()}
    return [p for p in PROGRAMS if p in held]


def add_grievance(ctx: Context, kind: str, description: str, *, received_via: str, received_on=None,
                  beneficiary_id: str | None = None, person: dict | None = None, complainant: str = "",
                  program: str | None = None, session_id: str | None = None, line_id: str | None = None,
                  answer_id: str | None = None) -> str:
    """Record a complaint; returns its id. ValidationError lists every problem.

    The person is ``beneficiary_id`` (in the register) or ``person`` (``full_name``, ``village``,
    ``phone``: someone the register does not have, who says they were left out). A payout line
    (``line_id``) names its session, person and programme; a session with a person in the
    register finds that person's line in it. ``program`` decides which office receives the ticket;
    it is needed only when the line and the person's groups leave it open. ``complainant``: who
    complained, when not the person (a son, a neighbour)."""
    db, today = ctx.db, ctx.clock.today()
    problems: dict[str, str] = {}
    description, complainant = clean_text(description), clean(complainant)
    _too_long(problems, {"description": (description, TEXT_LIMIT), "complainant": (complainant, NAME_LIMIT)})
    if kind not in KINDS:
        problems["kind"] = "Chọn loại khiếu nại: " + ", ".join(KINDS.values())
    if received_via not in RECEIVED_VIA:
        problems["received_via"] = "Chọn cách tiếp nhận: " + ", ".join(RECEIVED_VIA.values())
    if not description:
        problems["description"] = "Ghi nội dung khiếu nại, phản ánh"
    received = _day(received_on, "received_on", problems, today)
    line = payouts.get_line(db, line_id) if line_id else None
    if line is not None:
        if beneficiary_id and beneficiary_id != line["beneficiary_id"]:
            problems["line_id"] = "Dòng chi trả này là của người khác"
        if session_id and session_id != line["session_id"]:
            problems["session_id"] = "Dòng chi trả này thuộc đợt chi khác"
        beneficiary_id, session_id = line["beneficiary_id"], line["session_id"]
    elif session_id:
        payouts.get_session(db, session_id)
        if beneficiary_id:
            found = db.execute("SELECT id FROM payout_lines WHERE session_id = ? AND beneficiary_id = ?",
                               [session_id, beneficiary_id]).fetchone()
            line = payouts.get_line(db, found[0]) if found else None
    snapshot = {"full_name": "", "village": "", "phone": ""}
    held: list[str] = []
    if beneficiary_id:
        current = register.get(db, beneficiary_id)
        snapshot = {k: current.get(k) or "" for k in snapshot}
        held = _programs_of(current, today)
    elif person:
        snapshot = {k: clean(person.get(k)) for k in snapshot}
        _too_long(problems, {k: (v, NAME_LIMIT) for k, v in snapshot.items()})
        snapshot["phone"] = ascii_digits(re.sub(r"[\s.\-]", "", snapshot["phone"]))
        if snapshot["phone"] and not re.fullmatch(r"[0-9]{8,12}", snapshot["phone"]):
            problems["phone"] = "Số điện thoại gồm 8 đến 12 chữ số"
    if not snapshot["full_name"]:
        problems["full_name"] = "Chọn người hưởng trong sổ, hoặc ghi họ tên người khiếu nại"
    if line is not None:
        if program and program != line["program"]:
            problems["program"] = f"Dòng chi trả thuộc chương trình {PROGRAM_LABELS[line['program']]}"
        program = line["program"]
    elif program is None and len(held) == 1:
        program = held[0]
    if program not in PROGRAMS:
        problems["program"] = ("Chọn chương trình (quyết định cơ quan nhận phiếu): "
                               + ", ".join(f"{p} ({PROGRAM_LABELS[p]})" for p in (held or PROGRAMS)))
    if answer_id and db.execute("SELECT 1 FROM grievances WHERE answer_id = ?", [answer_id]).fetchone():
        problems["answer_id"] = "Câu trả lời xác minh này đã có phiếu khiếu nại"
    if problems:
        raise ValidationError("Phiếu khiếu nại chưa hợp lệ", problems)
    gid = new_id()
    now = ctx.clock.now().isoformat(sep=" ")
    due = due_date(db, kind, received).isoformat()
    with write_transaction(db):
        year = received.year
        number = db.execute("SELECT coalesce(max(number), 0) + 1 FROM grievances WHERE year = ?", [year]).fetchone()[0]
        db.execute(
            "INSERT INTO grievances (id, commune_code, year, number, beneficiary_id, full_name, village, phone, "
            "complainant, program, session_id, line_id, answer_id, kind, received_via, description, received_on, "
            "due_on, handled_by, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?)",
            [gid, settings.commune(db)["code"], year, number, beneficiary_id, snapshot["full_name"],
             snapshot["village"], snapshot["phone"], complainant, program, session_id,
             line["id"] if line else None, answer_id, kind, received_via, description, received.isoformat(), due, "",
             now, ctx.user])
        _event(ctx, gid, None, "new", due, f"Tiếp nhận: {RECEIVED_VIA[received_via].lower()}")
    return gid


def _event(ctx: Context, gid: str, from_state: str | None, to_state: str, due_on: str, note: str) -> None:
    ctx.db.execute(
        "INSERT INTO grievance_events (id, grievance_id, commune_code, from_state, to_state, due_on, note, at, by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [new_id(), gid, settings.commune(ctx.db)["code"], from_state, to_state, due_on, note,
         ctx.clock.now().isoformat(sep=" "), ctx.user])


def open_from_answer(ctx: Context, answer_id: str, description: str = "") -> str:
    """Open a ticket from a negative verification answer (not received, a different amount): the
    person, the session, the line and the programme come from the answer's line, the kind from
    the answer; ``description`` adds to the text made from the answer. Returns the ticket's id."""
    answer = get_answer(ctx.db, answer_id)
    if answer["answer"] not in NEGATIVE:
        raise UserError(f"Câu trả lời “{ANSWERS[answer['answer']]}” không mở phiếu khiếu nại")
    item = answer["item"]
    session = payouts.get_session(ctx.db, item["session_id"])
    said = ANSWERS[answer["answer"]].lower()
    if answer["answer"] == "different_amount":
        said += f" ({format_vnd(answer['amount_received'])}, đã chi {format_vnd(item['total'])})"
    else:
        said += f" {format_vnd(item['total'])}"
    text = (f"Xác minh chi trả đợt “{session['name']}”: người hưởng trả lời {said}. "
            f"Hỏi ngày {dt.date.fromisoformat(answer['asked_on']):%d/%m/%Y}, "
            f"{ASKED_HOW[answer['asked_how']].lower()}, người hỏi: {answer['asked_by']}.")
    extra = "\n".join(t for t in (answer["note"], clean_text(description)) if t)
    problems: dict[str, str] = {}
    _too_long(problems, {"description": (clean_text(description), TEXT_LIMIT - len(text) - len(answer["note"]) - 2)})
    if problems:
        raise ValidationError("Phiếu khiếu nại chưa hợp lệ", problems)
    return add_grievance(ctx, KIND_OF_ANSWER[answer["answer"]], text + ("\n" + extra if extra else ""),
                         received_via="verification", received_on=answer["asked_on"], line_id=item["line_id"],
                         answer_id=answer_id)


def move(ctx: Context, gid: str, to_state: str, *, note: str = "", resolution: str = "", handled_by: str = "",
         fix: tuple[str, str] | None = None) -> None:
    """Move a ticket to ``to_state`` along :data:`NEXT_STATES`; anything else is refused.

    Being handled (from new) records ``handled_by`` (default: the acting officer). Resolved needs
    the ``resolution`` and may link its ``fix`` (kind, reference). Reopening (from resolved or
    closed) needs the reason in ``note`` and sets a new due date from today."""
    db = ctx.db
    note, resolution, handled_by = clean_text(note), clean_text(resolution), clean(handled_by)
    problems: dict[str, str] = {}
    _too_long(problems, {"note": (note, TEXT_LIMIT), "resolution": (resolution, TEXT_LIMIT),
                         "handled_by": (handled_by, NAME_LIMIT)})
    if problems:
        raise ValidationError("Phiếu khiếu nại chưa hợp lệ", problems)
    with write_transaction(db):
        ticket = get_grievance(db, gid)
        state = ticket["state"]
        if to_state not in STATES:
            raise ValidationError("Trạng thái không hợp lệ", {"state": "Chọn: " + ", ".join(STATES)})
        if to_state not in NEXT_STATES[state]:
            allowed = "; ".join(f"{ACTIONS[(state, s)]} ({STATES[s]})" for s in NEXT_STATES[state])
            raise UserError(f"Phiếu {ticket['number_text']} đang “{STATES[state]}”, không chuyển sang "
                            f"“{STATES[to_state]}” được. Được làm: {allowed}.")
        today = ctx.clock.today().isoformat()
        due, changes = ticket["due_on"], {"state": to_state}
        if state == "new":
            changes["handled_by"] = handled_by or ctx.user
        elif to_state == "resolved":
            if not resolution:
                raise ValidationError("Thiếu kết quả giải quyết", {"resolution": "Ghi kết quả giải quyết"})
            changes.update(resolution=resolution, resolved_on=today)
            if fix:
                fixes.check(db, ticket, *fix)
                changes.update(fix_kind=fix[0], fix_ref=fix[1])
            note = "\n".join(t for t in (resolution, note) if t)
        elif to_state == "closed":
            changes["closed_on"] = today
        else:
            if not note:
                raise ValidationError("Thiếu lý do mở lại", {"note": "Ghi lý do mở lại phiếu"})
            due = due_date(db, ticket["kind"], ctx.clock.today()).isoformat()
            changes.update(due_on=due, closed_on=None, resolved_on=None)
        if to_state == "in_progress" and handled_by:
            changes["handled_by"] = handled_by
        db.execute(f"UPDATE grievances SET {', '.join(f'{k} = ?' for k in changes)} WHERE id = ?",
                   [*changes.values(), gid])
        _event(ctx, gid, state, to_state, due, note)


def add_note(ctx: Context, gid: str, note: str) -> None:
    """A note on a ticket's history (a call made, a paper asked for) without changing its state."""
    note = clean_text(note)
    if not note:
        raise ValidationError("Thiếu nội dung", {"note": "Ghi nội dung cần lưu"})
    problems: dict[str, str] = {}
    _too_long(problems, {"note": (note, TEXT_LIMIT)})
    if problems:
        raise ValidationError("Ghi chú chưa hợp lệ", problems)
    with write_transaction(ctx.db):
        ticket = get_grievance(ctx.db, gid)
        _event(ctx, gid, ticket["state"], ticket["state"], ticket["due_on"], note)


def link_fix(ctx: Context, gid: str, kind: str, ref: str) -> None:
    """Link a ticket being handled or resolved to the fix that put things right (a fix made after
    the resolution was written, such as a line of next month's session)."""
    with write_transaction(ctx.db):
        ticket = get_grievance(ctx.db, gid)
        if ticket["state"] not in ("in_progress", "resolved"):
            raise UserError(f"Phiếu {ticket['number_text']} đang “{STATES[ticket['state']]}”: chỉ gắn cách khắc phục "
                            "khi đang xử lý hoặc đã giải quyết")
        label = fixes.check(ctx.db, ticket, kind, ref)
        ctx.db.execute("UPDATE grievances SET fix_kind = ?, fix_ref = ? WHERE id = ?", [kind, ref, gid])
        _event(ctx, gid, ticket["state"], ticket["state"], ticket["due_on"], f"Khắc phục: {label}")


# -- reading ---------------------------------------------------------------------------------
def _decorate(db, rows: list[dict], today: dt.date | None) -> list[dict]:
    calendar = Calendar.of(db)
    for row in rows:
        row["number_text"] = number_text(row["number"], row["year"])
        is_open = today is not None and row["state"] in OPEN_STATES
        due = dt.date.fromisoformat(row["due_on"])
        row["overdue"] = is_open and due < today
        row["working_days_left"] = calendar.working_days_between(today, due) if is_open else None
    return rows


def get_grievance(db, gid: str, today: dt.date | None = None) -> dict:
    """One ticket (with ``overdue`` and ``working_days_left`` as of ``today`` when given);
    NotFound if there is none."""
    row = db.execute("SELECT * FROM grievances WHERE id = ?", [gid]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy phiếu khiếu nại có mã {gid}")
    cols = [d[0] for d in db.execute("SELECT * FROM grievances LIMIT 0").description]
    return _decorate(db, [dict(zip(cols, row))], today)[0]


def events(db, gid: str) -> list[dict]:
    """The history of a ticket, oldest first."""
    return [dict(r) for r in db.query("SELECT * FROM grievance_events WHERE grievance_id = ? ORDER BY at, rowid",
                                      [gid])]


def resolve_grievance(db, text: str) -> str:
    """The id of the ticket named by its number (``3/2026``; ``3``: the latest year that has a
    number 3) or by its id or the first characters of it."""
    key = clean(text).lower()
    numbered = re.fullmatch(r"(\d{1,6})(?:/(\d{4}))?", key)
    if numbered:
        params = [int(numbered[1])] + ([int(numbered[2])] if numbered[2] else [])
        row = db.execute("SELECT id FROM grievances WHERE number = ?" + (" AND year = ?" if numbered[2] else "")
                         + " ORDER BY year DESC LIMIT 1", params).fetchone()
        if row:
            return row[0]
    rows = db.execute("SELECT id FROM grievances WHERE id LIKE ? || '%' LIMIT 2",
                      [key.replace("%", "").replace("_", "")]).fetchall() if len(key) >= 4 else []
    if not rows:
        raise NotFound(f"Không tìm thấy phiếu khiếu nại “{text}”")
    if len(rows) > 1:
        raise UserError(f"Mã “{text}” khớp nhiều phiếu; hãy nhập thêm ký tự")
    return rows[0][0]


def list_grievances(db, today: dt.date, *, state: str | None = None, open_only: bool = False,
                    beneficiary_id: str | None = None, session_id: str | None = None,
                    kind: str | None = None) -> list[dict]:
    """Tickets, the open ones first by due date (the overdue on top), then the others newest
    first; with ``number_text``, ``overdue`` and ``working_days_left`` (negative once overdue)."""
    where, params = [], []
    for column, value in (("state", state), ("beneficiary_id", beneficiary_id), ("session_id", session_id),
                          ("kind", kind)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if open_only:
        where.append("state IN ('new', 'in_progress')")
    sql = ("SELECT * FROM grievances" + (f" WHERE {' AND '.join(where)}" if where else "")
           + " ORDER BY state NOT IN ('new', 'in_progress'), CASE WHEN state IN ('new', 'in_progress') "
             "THEN due_on END, received_on DESC, year DESC, number DESC")
    return _decorate(db, [dict(r) for r in db.query(sql, params)], today)


def for_items(db, item_ids) -> dict[str, dict]:
    """The ticket opened from an answer of each verification item that has one: {item id: ticket}."""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = db.query(
        "SELECT a.item_id, g.id, g.number, g.year, g.state FROM grievances g "
        f"JOIN verification_answers a ON a.id = g.answer_id WHERE a.item_id IN ({', '.join('?' * len(ids))}) "
        "ORDER BY g.year, g.number", ids)
    return {r["item_id"]: {**r, "number_text": number_text(r["number"], r["year"])} for r in rows}


def state_on(db, day: dt.date) -> list[dict]:
    """Every ticket received by ``day`` as it stood at the end of that day, from its history:
    ``program``, ``received_on``, ``state`` and ``due_on`` then, ``resolved_on`` (the day it was
    last resolved by then, or ``None``). A ticket typed in after ``day`` about a complaint
    received before it counts as new then, with its first due date."""
    end = f"{day.isoformat()} 23:59:59"
    tickets = {r["id"]: {**r, "state": None, "due_on": None, "resolved_on": None} for r in db.query(
        "SELECT id, program, received_on FROM grievances WHERE received_on <= ?", [day.isoformat()])}
    for e in db.query("SELECT grievance_id, from_state, to_state, due_on, at FROM grievance_events "
                      "ORDER BY at, rowid"):
        ticket = tickets.get(e["grievance_id"])
        if ticket is None:
            continue
        if e["at"] <= end or ticket["state"] is None:
            ticket["state"] = e["to_state"] if e["at"] <= end else "new"
            ticket["due_on"] = e["due_on"]
        if e["at"] <= end and e["to_state"] == "resolved" and e["from_state"] != "resolved":
            ticket["resolved_on"] = e["at"][:10]
    return [t for t in tickets.values() if t["state"] is not None]


def month_counts(db, period: str, until: dt.date | None = None) -> dict[str, dict[str, int]]:
    """For the monthly report, per programme: tickets ``received`` in the month ``period``
    (``YYYY-MM``), ``resolved`` in it, and at its end (or on ``until``, when the month is not over)
    those still ``open`` and of them those ``overdue``."""
    first = dt.date.fromisoformat(f"{period}-01")
    end = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    day = min(end, until) if until else end
    out: dict[str, dict[str, int]] = {}
    for ticket in state_on(db, day):
        counts = out.setdefault(ticket["program"], dict.fromkeys(("received", "resolved", "open", "overdue"), 0))
        counts["received"] += ticket["received_on"][:7] == period
        counts["resolved"] += (ticket["resolved_on"] or "")[:7] == period
        if ticket["state"] in OPEN_STATES:
            counts["open"] += 1
            counts["overdue"] += ticket["due_on"] < day.isoformat()
    return out
