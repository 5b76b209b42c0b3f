"""A session's life before payments: preview, snapshot (create), overrides, lock, and deleting a draft."""

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from commune_payout import register, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.payouts.closing import carry_source
from commune_payout.payouts.model import SESSION_STATUSES, line_id_for, vn_date
from commune_payout.payouts.queries import get_line, session_status, totals_of
from commune_payout.payouts.rules import SessionSpec, amount_for, validate_spec
from commune_payout.programs import BY_CODE, public_label
from commune_payout.text import clean, sort_key

_LINE_COLUMNS = (
    "id", "session_id", "commune_code", "seq", "beneficiary_id", "full_name", "name_fold", "name_sort",
    "birth_year", "id_number", "village", "village_fold", "program", "group_code", "group_label",
    "group_public", "other_groups", "sensitive", "coefficient", "base_amount", "months", "arrears_months",
    "arrears_amount", "carried_forward", "carried_from_line_id", "override_amount", "override_reason",
    "total", "planned_channel", "channel", "bank_bin", "account_number", "account_holder", "receiver_name",
    "receiver_relation", "receiver_id_number", "status",
)


@dataclass
class Preview:
    """What :func:`create_session` would write: the lines, the people left out and why, totals."""

    spec: SessionSpec
    lines: list[dict]
    excluded: list[dict]
    totals: dict
    carried_from_session_id: str | None = None
    warnings: list[str] = field(default_factory=list)


def _status_reason(person: dict) -> str:
    text = f"{register.STATUSES[person['status']]} từ {vn_date(person['status_date'])}"
    if person.get("status_reason"):
        text += f": {person['status_reason']}"
    return text


def _load_people(db) -> tuple[list[dict], dict[str, list[dict]]]:
    people = [dict(r) for r in db.query(
        "SELECT id, full_name, name_fold, name_sort, birth_date, birth_year, id_number, village, village_fold, "
        "status, status_date, "
        "status_reason, monthly_amount, channel, bank_bin, account_number, account_holder, receiver_name, "
        "receiver_relation, receiver_id_number FROM beneficiaries")]
    memberships: dict[str, list[dict]] = defaultdict(list)
    for r in db.query("SELECT beneficiary_id, program, category, coefficient, amount, start_date, end_date "
                      "FROM memberships ORDER BY rowid"):
        memberships[r["beneficiary_id"]].append(dict(r))
    return people, memberships


def preview_session(db, spec: SessionSpec) -> Preview:
    """Work out a session without writing anything: lines, excluded people with reasons, totals.

    Eligibility: a person is in scope when one of their memberships earns an amount under the
    rules; of those, anyone not active on ``session_date`` (suspended, ended, deceased on or
    before it) is excluded, and so is a membership that had ended or not yet started.
    """
    spec = validate_spec(db, spec)
    on = spec.session_date
    people, memberships = _load_people(db)
    carried_from, unpaid = carry_source(db, spec)
    commune_code = settings.commune(db)["code"]
    lines, excluded, warnings = [], [], []
    for person in people:
        try:
            found = amount_for(db, spec, memberships.get(person["id"], []), person, on)
        except LookupError as exc:
            found, reason = None, str(exc)
        else:
            reason = ""
            if found is None:
                continue
        if person["status"] != "active" and (not person["status_date"] or person["status_date"] <= on.isoformat()):
            reason = _status_reason(person)
        if reason:
            carried = unpaid.get(person["id"])
            if carried:
                reason += f" (còn {format_vnd(carried['total'])} chưa nhận của đợt trước)"
            excluded.append({"beneficiary_id": person["id"], "full_name": person["full_name"],
                             "name_sort": person["name_sort"],
                             "birth_year": person["birth_year"], "id_number": person["id_number"],
                             "village": person["village"], "status": person["status"], "reason": reason})
            continue
        base, best, others, coefficient = found
        ms = memberships[person["id"]]
        arrears_months = spec.arrears.get(person["id"], 0)
        override = spec.overrides.get(person["id"])
        carried = unpaid.get(person["id"])
        channel = person["channel"]
        if channel == "account" and not (person["bank_bin"] and person["account_number"]):
            channel = "cash_commune"
            warnings.append(f"{person['full_name']}: chưa có số tài khoản, chi tiền mặt tại xã")
        line = {
            "id": new_id(),
            "commune_code": commune_code,
            "beneficiary_id": person["id"],
            "full_name": person["full_name"],
            "name_fold": person["name_fold"],
            "name_sort": person["name_sort"],
            "birth_year": person["birth_year"],
            "id_number": person["id_number"],
            "village": person["village"],
            "village_fold": person["village_fold"],
            "program": best["program"],
            "group_code": best["category"],
            "group_label": BY_CODE[best["category"]].label if best["category"] in BY_CODE else best["category"],
            "group_public": public_label(best["category"]),
            "other_groups": "; ".join(sorted({public_label(m["category"]) for m in others})),
            "sensitive": int(any(BY_CODE.get(m["category"]) and BY_CODE[m["category"]].sensitive for m in ms)),
            "coefficient": coefficient,
            "base_amount": base,
            "months": 1 if spec.fixed_basis else spec.months,
            "arrears_months": arrears_months,
            "arrears_amount": arrears_months * base,
            "carried_forward": carried["total"] if carried else 0,
            "carried_from_line_id": carried["id"] if carried else None,
            "override_amount": override[0] if override else None,
            "override_reason": clean(override[1]) if override else "",
            "planned_channel": channel,
            "channel": channel,
            "bank_bin": person["bank_bin"],
            "account_number": person["account_number"],
            "account_holder": person["account_holder"],
            "receiver_name": person["receiver_name"],
            "receiver_relation": person["receiver_relation"],
            "receiver_id_number": person["receiver_id_number"],
            "status": "pending",
        }
        line["total"] = _line_total(line)
        lines.append(line)
    known = {line["beneficiary_id"] for line in lines}
    for bid in spec.overrides:
        if bid not in known:
            warnings.append(f"Điều chỉnh cho người không thuộc đợt chi (mã {bid}) không được áp dụng")
    lines.sort(key=lambda line: (sort_key(line["village"]), line["name_sort"], line["beneficiary_id"]))
    for seq, line in enumerate(lines, start=1):
        line["seq"] = seq
    excluded.sort(key=lambda e: (sort_key(e["village"]), e["name_sort"]))
    for e in excluded:
        del e["name_sort"]
    open_before = db.execute(
        "SELECT name FROM payout_sessions WHERE kind = 'monthly' AND status != 'closed' AND period < ?",
        [spec.period]).fetchall()
    if spec.carries and open_before:
        warnings.append("Đợt chi hằng tháng trước chưa đóng, số chưa nhận của đợt đó chưa được chuyển sang: "
                        + ", ".join(r[0] for r in open_before))
    return Preview(spec, lines, excluded, totals_of(lines), carried_from, warnings)


def _line_total(line: dict) -> int:
    own = line["override_amount"]
    if own is None:
        own = line["base_amount"] * line["months"] + line["arrears_amount"]
    return own + line["carried_forward"]


def create_session(ctx: Context, spec: SessionSpec) -> str:
    """Snapshot the session described by ``spec`` in one transaction; returns its id (a draft)."""
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        preview = preview_session(ctx.db, spec)
        if not preview.lines:
            raise UserError("Không có ai đủ điều kiện nhận trong đợt chi này")
        sid = new_id()
        ctx.db.execute(
            "INSERT INTO payout_sessions (id, commune_code, name, kind, period, funding_source, session_date, "
            "pay_from, pay_to, status, rules, excluded, carried_from_session_id, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)",
            [sid, settings.commune(ctx.db)["code"], spec.name, spec.kind, spec.period, spec.funding_source,
             spec.session_date.isoformat(), spec.pay_from and spec.pay_from.isoformat(),
             spec.pay_to and spec.pay_to.isoformat(), json.dumps(spec.rules(), ensure_ascii=False),
             json.dumps(preview.excluded, ensure_ascii=False), preview.carried_from_session_id, now, ctx.user])
        for line in preview.lines:
            line["session_id"] = sid
            line["id"] = line_id_for(sid, line["beneficiary_id"])
        ctx.db.conn.executemany(
            f"INSERT INTO payout_lines ({', '.join(_LINE_COLUMNS)}) VALUES ({', '.join('?' * len(_LINE_COLUMNS))})",
            [[line[c] for c in _LINE_COLUMNS] for line in preview.lines])
    return sid


def lock_session(ctx: Context, sid: str) -> None:
    """Freeze the reviewed list: from now on lines keep their amounts and payments can be recorded."""
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        status = session_status(ctx.db, sid)
        if status != "draft":
            raise UserError(f"Đợt chi đang ở trạng thái “{SESSION_STATUSES[status]}”, không khóa lại được")
        ctx.db.execute("UPDATE payout_sessions SET status = 'locked', locked_at = ?, locked_by = ? WHERE id = ?",
                       [now, ctx.user, sid])


def delete_draft(ctx: Context, sid: str) -> None:
    """Discard a draft session and its lines (a mistaken draft would otherwise block its period).

    A locked or closed session is a record of payments and is never deleted (the database
    refuses too).
    """
    with write_transaction(ctx.db):
        status = session_status(ctx.db, sid)
        if status != "draft":
            raise UserError("Chỉ xóa được đợt chi đang lập; đợt đã khóa danh sách là chứng từ, không xóa được")
        ctx.db.execute("DELETE FROM payout_lines WHERE session_id = ?", [sid])
        ctx.db.execute("DELETE FROM payout_sessions WHERE id = ?", [sid])


def set_override(ctx: Context, line_id: str, amount: int | None, reason: str = "") -> int:
    """Override (or with ``None`` restore) one draft line's amount, with a reason; returns the new total."""
    reason = clean(reason)
    if amount is not None and (not isinstance(amount, int) or amount < 0):
        raise ValidationError("Số tiền không hợp lệ", {"amount": "Số tiền phải là số không âm"})
    if amount is not None and not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Điều chỉnh số tiền phải ghi lý do"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        if session_status(ctx.db, line["session_id"]) != "draft":
            raise UserError("Danh sách đã khóa; không sửa được số tiền")
        line.update(override_amount=amount, override_reason=reason if amount is not None else "")
        total = _line_total(line)
        ctx.db.execute("UPDATE payout_lines SET override_amount = ?, override_reason = ?, total = ? WHERE id = ?",
                       [line["override_amount"], line["override_reason"], total, line_id])
    return total


def preview_dict(preview: Preview) -> dict:
    """A JSON-ready view of a preview (CLI ``--json``)."""
    return {"spec": asdict(preview.spec), "totals": preview.totals, "excluded": preview.excluded,
            "warnings": preview.warnings, "carried_from_session_id": preview.carried_from_session_id,
            "lines": [{k: line[k] for k in ("seq", "beneficiary_id", "full_name", "village", "group_public",
                                             "total", "channel")} for line in preview.lines]}
