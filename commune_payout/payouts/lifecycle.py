"""A session's life before payments: preview, snapshot (create), overrides, lock, and deleting a draft."""

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field

from commune_payout import settings
from commune_payout.context import Context
from commune_payout.db import bulk_insert, new_id, write_transaction
from commune_payout.errors import UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.payouts import arrears as arrears_rules
from commune_payout.payouts import funeral
from commune_payout.payouts.closing import unpaid_lines
from commune_payout.payouts.model import SESSION_STATUSES, TRANSFER_CHANNELS, line_id_for, vn_date
from commune_payout.payouts.queries import get_line, session_status, totals_of
from commune_payout.payouts.rules import MAX_LINE, SessionSpec, amount_for, status_reason, validate_spec
from commune_payout.programs import (BY_CODE, PROGRAM_LABELS, UNRECOGNISED, Entitlement, Part, entitlement,
                                     label_of, load_base_levels, public_label, standing)
from commune_payout.text import clean, sort_key

_LINE_COLUMNS = (
    "id", "session_id", "commune_code", "seq", "beneficiary_id", "full_name", "name_fold", "name_sort",
    "birth_year", "id_number", "village", "village_fold", "program", "group_code", "group_label",
    "group_public", "other_groups", "sensitive", "coefficient", "base_amount", "months", "arrears_months",
    "arrears_amount", "carried_forward", "override_amount", "override_reason", "total", "planned_channel",
    "channel", "bank_bin", "account_number", "account_holder", "receiver_name", "receiver_relation",
    "receiver_id_number", "status", "explain", "purpose", "decision_id",
)


@dataclass
class Preview:
    """What :func:`create_session` would write: the lines, the people left out and why, totals.

    Each line also holds ``carries``: the unpaid lines of closed sessions it pays, as dicts with
    ``line_id``, ``session_id``, ``session``, ``period`` and ``amount``; and ``arrears``: the
    months it pays back (:class:`~commune_payout.payouts.arrears.Owed`).
    """

    spec: SessionSpec
    lines: list[dict]
    excluded: list[dict]
    totals: dict
    warnings: list[str] = field(default_factory=list)


def _load_people(db) -> tuple[list[dict], dict[str, list[dict]]]:
    people = [dict(r) for r in db.query(
        "SELECT id, full_name, name_fold, name_sort, birth_date, birth_year, id_number, village, village_fold, "
        "status, status_date, "
        "status_reason, monthly_amount, channel, bank_bin, account_number, account_holder, receiver_name, "
        "receiver_relation, receiver_id_number FROM beneficiaries")]
    memberships: dict[str, list[dict]] = defaultdict(list)
    for r in db.query("SELECT beneficiary_id, program, category, coefficient, amount, injury_rate, children, "
                      "wording, start_date, end_date FROM memberships ORDER BY rowid"):
        memberships[r["beneficiary_id"]].append(dict(r))
    return people, memberships


def _excluded(person: dict, reason: str, owed: list[dict]) -> dict:
    if owed:
        reason += f" (còn {format_vnd(sum(c['amount'] for c in owed))} chưa nhận của đợt trước)"
    return {"beneficiary_id": person["id"], "full_name": person["full_name"], "name_sort": person["name_sort"],
            "birth_year": person["birth_year"], "id_number": person["id_number"], "village": person["village"],
            "status": person["status"], "reason": reason}


def _line(spec: SessionSpec, person: dict, ms: list[dict], found: Entitlement, owed: list[dict],
          arrears: list[arrears_rules.Owed] = (), purpose: str = "allowance") -> dict:
    """The line of ``person``: ``found`` is what they earn (for an arrears line, what the months it
    pays back are worth: its group is the line's, its amount is not paid), ``owed`` the unpaid
    lines it carries, ``arrears`` the months it pays back."""
    best, others = found.parts[0], found.parts[1:]
    override = spec.overrides.get(person["id"])
    own = found.amount if purpose == "allowance" else 0
    line = {
        "id": new_id(),
        "beneficiary_id": person["id"],
        "full_name": person["full_name"],
        "name_fold": person["name_fold"],
        "name_sort": person["name_sort"],
        "birth_year": person["birth_year"],
        "id_number": person["id_number"],
        "village": person["village"],
        "village_fold": person["village_fold"],
        "program": best.program,
        "group_code": best.code,
        "group_label": label_of(best.code),
        "group_public": public_label(best.code),
        "other_groups": "; ".join(sorted({public_label(p.code) for p in others} - {public_label(best.code)})),
        "sensitive": int(any(BY_CODE.get(m["category"]) and BY_CODE[m["category"]].sensitive for m in ms)),
        "coefficient": found.coefficient if own else None,
        "base_amount": own,
        "months": spec.months if own and spec.basis == "coefficient" else 1,
        "arrears_months": len(arrears),
        "arrears_amount": sum(o.amount for o in arrears),
        "arrears": list(arrears),
        "carried_forward": sum(c["amount"] for c in owed),
        "carries": owed,
        "override_amount": override[0] if override else None,
        "override_reason": clean(override[1]) if override else "",
        "bank_bin": person["bank_bin"],
        "account_number": person["account_number"],
        "account_holder": person["account_holder"],
        "receiver_name": person["receiver_name"],
        "receiver_relation": person["receiver_relation"],
        "receiver_id_number": person["receiver_id_number"],
        "status": "pending",
        "purpose": purpose,
        "decision_id": None,
        "explain": json.dumps({"entitlement": found.to_json(), "carried": owed,
                               "arrears": [asdict(o) for o in arrears]}, ensure_ascii=False),
    }
    line["total"] = line_total(line)
    return line


def _funeral_line(spec: SessionSpec, person: dict, ms: list[dict], item: dict) -> dict:
    """The funeral support of ``person`` (who died), paid to whoever arranged the funeral."""
    part = Part(_main_group(ms), BY_CODE[_main_group(ms)].program, "funeral", item["amount"])
    found = Entitlement(spec.session_date, None, item["amount"], (part,))
    line = _line(spec, {**person, "receiver_name": item["receiver_name"],
                        "receiver_relation": item["receiver_relation"],
                        "receiver_id_number": item["receiver_id_number"]}, ms, found, [], purpose="funeral")
    line.update(base_amount=item["amount"], decision_id=item["decision_id"], explain=json.dumps(
        {"funeral": {k: item[k] for k in ("decision_id", "decision_number", "decision_symbol", "signed_on",
                                          "died_on", "amount", "receiver_name", "receiver_relation")}},
        ensure_ascii=False))
    line["total"] = line_total(line)
    return line


def _main_group(ms: list[dict]) -> str:
    """The group a funeral or arrears line is filed under: social assistance first, then the
    social pension, then any."""
    ranked = sorted(ms, key=lambda m: ({"btxh": 0, "htxh": 1}.get(m["program"], 2), m.get("start_date") or ""))
    return ranked[0]["category"] if ranked and ranked[0]["category"] in BY_CODE else "other"


def _notes(person: dict, found: Entitlement, spec: SessionSpec) -> list[str]:
    """What the officer should know about a person's line: a typed amount the rule overrides, a
    death in the session's month."""
    notes = []
    for p in found.parts:
        if p.stated_amount is not None and p.basis in ("coefficient", "pension") and p.stated_amount != p.amount:
            notes.append(f"{person['full_name']}: hồ sơ ghi mức {format_vnd(p.stated_amount)} cho "
                         f"“{public_label(p.code)}”, theo quy định là {format_vnd(p.amount)}; đợt chi dùng mức theo "
                         "quy định (muốn giữ mức khác, hãy điều chỉnh số tiền và ghi lý do)")
    if person["status"] == "deceased" and found.amount:
        notes.append(f"{person['full_name']}: mất ngày {vn_date(person['status_date'])}, được chi tháng "
                     f"{spec.session_date:%m/%Y} (tháng mất), dừng chi từ tháng sau")
    return notes


def preview_session(db, spec: SessionSpec) -> Preview:
    """Work out a session without writing anything: lines, excluded people with reasons, totals.

    Every amount is worked out for ``session_date`` from the register as it stands
    (:func:`~commune_payout.payouts.rules.amount_for`): memberships in force that month, the age
    reached that month, the base level in force, the status and its date. A person is in scope
    when one of their groups is; in scope but earning nothing (not entitled at their age, a
    membership ended, not active) they are listed in ``excluded`` with the reason, and so is anyone
    with a group the import could not recognise, whatever the session's scope. Two register
    entries with one ID number get one line: the second is excluded and reported.

    A monthly session also pays back what is owed for earlier months (:mod:`.arrears`: decisions
    that took effect before its month; the new base level on the months it carries) and the
    funeral support granted and not yet paid (:mod:`.funeral`). An ``arrears`` session pays only
    the difference owed for months already paid at an old base level; a one-off ``funeral``
    session only funeral support.
    """
    spec = validate_spec(db, spec)
    levels = load_base_levels(db)
    people, memberships = _load_people(db)
    basis = spec.basis
    unpaid = unpaid_lines(db, spec)
    monthly = spec.kind == "monthly"
    decided = arrears_rules.applied_decisions(db, spec.period) if monthly else {}
    run = arrears_rules.months_run(db) if decided else set()
    if basis == "arrears":
        settled = arrears_rules.settled_months(db)
    elif monthly:       # only people a decision or a carried line may owe something to
        settled = arrears_rules.settled_months(db, set(decided) | set(unpaid))
    else:
        settled = {}
    paid = arrears_rules.paid_lines(db) if basis == "arrears" else set()
    funerals = funeral.payable(db) if spec.pays_funeral else {}
    lines, excluded, warnings = [], [], []
    outside: Counter = Counter()      # active people none of whose groups the session pays, by programme
    for person in people:
        ms = memberships.get(person["id"], [])
        owed = unpaid.get(person["id"], [])
        months = settled.get(person["id"], {})
        line = None
        if basis == "arrears":
            back = arrears_rules.rate_owed(months, levels, paid)
            if back:
                line = _line(spec, person, ms, _worth(person, ms, levels, back), [], back, purpose="arrears")
        elif basis != "funeral":
            found = amount_for(spec, ms, person, levels)
            if found is None:
                unknown = [m for m in ms if m["category"] == UNRECOGNISED]
                if unknown:   # a group no session can place is never left out silently
                    excluded.append(_excluded(person, status_reason(person, spec) or "; ".join(
                        f"{public_label(UNRECOGNISED)}: {standing(m, None, spec.session_date)}" for m in unknown),
                        owed))
                elif ms and person["status"] == "active":
                    outside[" + ".join(sorted({PROGRAM_LABELS[m["program"]] for m in ms}))] += 1
                continue
            back = _owed_back(person, [m for m in ms if m["program"] in spec.programs], decided.get(person["id"]),
                              months, levels, spec.period, run, {c["line_id"] for c in owed}) if monthly else []
            reason = status_reason(person, spec)
            if reason is None and found.amount <= 0:
                reason = "; ".join(f"{public_label(code)}: {why}" for code, why in found.refused) \
                    or "chưa xác định được mức hưởng"
            if reason and back:
                line = _line(spec, person, ms, _worth(person, ms, levels, back), [], back, purpose="arrears")
                warnings.append(f"{person['full_name']}: {reason}; chỉ chi truy lĩnh "
                                f"{arrears_rules.months_text([o.month for o in back])}")
            elif reason:
                excluded.append(_excluded(person, reason, owed))
            else:
                line = _line(spec, person, ms, found, owed, back)
                warnings += _notes(person, found, spec)
        if line is not None:
            lines.append(_with_channel(line, person, warnings))
        item = funerals.get(person["id"])
        if item is not None:
            if line is None:
                lines.append(_with_channel(_funeral_line(spec, person, ms, item), person, warnings, cash=True))
            else:
                warnings.append(f"{person['full_name']}: đã có dòng trợ cấp trong đợt này; hỗ trợ chi phí mai táng "
                                "chi ở đợt sau hoặc đợt chi riêng")
    known = {line["beneficiary_id"] for line in lines}
    for bid in spec.overrides:
        if bid not in known:
            warnings.append(f"Điều chỉnh cho người không thuộc đợt chi (mã {bid}) không được áp dụng")
    lines.sort(key=lambda line: (sort_key(line["village"]), line["name_sort"], line["beneficiary_id"]))
    lines = _one_line_per_id_number(lines, people, excluded, warnings)
    commune_code = settings.commune(db)["code"]
    for seq, line in enumerate(lines, start=1):
        line.update(seq=seq, commune_code=commune_code)
    excluded.sort(key=lambda e: (sort_key(e["village"]), e["name_sort"]))
    for e in excluded:
        del e["name_sort"]
    if outside:
        warnings.insert(0, "Không thuộc đợt chi này (diện của họ không có trong đợt hoặc chưa có mức chi): " + ", ".join(
            f"{count} người {label}" for label, count in sorted(outside.items())))
    open_before = db.execute(
        "SELECT name FROM payout_sessions WHERE kind = 'monthly' AND status != 'closed' AND period < ?",
        [spec.period]).fetchall()
    if spec.carries and open_before:
        warnings.append("Đợt chi hằng tháng trước chưa đóng, số chưa nhận của đợt đó chưa được chuyển sang: "
                        + ", ".join(r[0] for r in open_before))
    return Preview(spec, lines, excluded, totals_of(lines), warnings)


def _owed_back(person: dict, ms: list[dict], decided: list[dict] | None, months: dict, levels, period: str,
               run: set[str], carrying: set[str]) -> list[arrears_rules.Owed]:
    """The months a monthly session pays ``person`` back: those decisions made owed, then the new
    base level on the months of the lines it carries (a month is owed for one cause only)."""
    back = arrears_rules.decision_owed(person, ms, decided, months, levels, period, run) if decided else []
    taken = {o.month for o in back}
    back += [o for o in arrears_rules.rate_owed(months, levels, carrying) if o.month not in taken]
    return sorted(back, key=lambda o: o.month)


def _worth(person: dict, ms: list[dict], levels, back: list[arrears_rules.Owed]) -> Entitlement:
    """What the latest month paid back is worth by the register: its group files the line."""
    found = entitlement(ms, person["birth_date"], person["birth_year"], arrears_rules.month_start(back[-1].month),
                        levels, person["monthly_amount"])
    if found.parts:
        return found
    code = _main_group(ms)
    return Entitlement(found.on, found.age, found.amount, (Part(code, BY_CODE[code].program, "decision", 0),))


def _with_channel(line: dict, person: dict, warnings: list[str], cash: bool = False) -> dict:
    """The line paid as the person is (by account only when one is on record); funeral support
    in cash to whoever arranged the funeral (``cash``)."""
    if cash:
        line["planned_channel"] = line["channel"] = "cash_commune"
    elif person["channel"] in TRANSFER_CHANNELS and not (person["bank_bin"] and person["account_number"]):
        line["planned_channel"] = line["channel"] = "cash_commune"
        warnings.append(f"{person['full_name']}: chưa có số tài khoản, chi tiền mặt tại xã")
    else:
        line["planned_channel"] = line["channel"] = person["channel"]
    return line


def _one_line_per_id_number(lines: list[dict], people: list[dict], excluded: list[dict],
                            warnings: list[str]) -> list[dict]:
    """Keep the first line of each ID number; the register holds the others twice by mistake."""
    by_id = {p["id"]: p for p in people}
    kept, first = [], {}
    for line in lines:
        number = line["id_number"]
        if number and number in first:
            other = first[number]
            reason = (f"Trùng số định danh {number} với {other['full_name']} ({other['village']}) đã có trong "
                      "danh sách: một người chỉ nhận một lần; hãy gộp hai hồ sơ")
            excluded.append(_excluded(by_id[line["beneficiary_id"]], reason, []))
            warnings.append(f"{line['full_name']}: {reason}")
            continue
        if number:
            first[number] = line
        kept.append(line)
    return kept


def line_total(line: dict) -> int:
    """A line's total: the override when there is one (it replaces everything, carried amounts
    and arrears included), else base × months + arrears + carried."""
    if line["override_amount"] is not None:
        return line["override_amount"]
    return line["base_amount"] * line["months"] + line["arrears_amount"] + line["carried_forward"]


def create_session(ctx: Context, spec: SessionSpec) -> str:
    """Snapshot the session described by ``spec`` in one transaction; returns its id (a draft)."""
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        preview = preview_session(ctx.db, spec)
        if not preview.lines:
            raise UserError("Không có ai đủ điều kiện nhận trong đợt chi này")
        sid = new_id()
        commune_code = settings.commune(ctx.db)["code"]
        ctx.db.execute(
            "INSERT INTO payout_sessions (id, commune_code, name, kind, period, funding_source, session_date, "
            "pay_from, pay_to, status, rules, excluded, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
            [sid, commune_code, spec.name, spec.kind, spec.period, spec.funding_source,
             spec.session_date.isoformat(), spec.pay_from and spec.pay_from.isoformat(),
             spec.pay_to and spec.pay_to.isoformat(), json.dumps(spec.rules(), ensure_ascii=False),
             json.dumps(preview.excluded, ensure_ascii=False), now, ctx.user])
        for line in preview.lines:
            line["session_id"] = sid
            line["id"] = line_id_for(sid, line["beneficiary_id"])
        bulk_insert(ctx.db, "payout_lines", list(_LINE_COLUMNS),
                    [[line[c] for c in _LINE_COLUMNS] for line in preview.lines])
        bulk_insert(ctx.db, "payout_carries", ["id", "session_id", "commune_code", "line_id", "from_line_id", "amount"],
                    [[new_id(), sid, commune_code, line["id"], c["line_id"], c["amount"]]
                     for line in preview.lines for c in line["carries"]])
        bulk_insert(ctx.db, "payout_arrears", ["id", "session_id", "commune_code", "line_id", "month", "cause",
                                               "decision_id", "owed", "settled", "amount"],
                    [[new_id(), sid, commune_code, line["id"], o.month, o.cause, o.decision_id, o.owed, o.settled,
                      o.amount] for line in preview.lines for o in line["arrears"]])
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
        ctx.db.execute("DELETE FROM payout_carries WHERE session_id = ?", [sid])
        ctx.db.execute("DELETE FROM payout_arrears WHERE session_id = ?", [sid])
        ctx.db.execute("DELETE FROM payout_lines WHERE session_id = ?", [sid])
        ctx.db.execute("DELETE FROM payout_sessions WHERE id = ?", [sid])


def set_override(ctx: Context, line_id: str, amount: int | None, reason: str = "") -> int:
    """Override (or with ``None`` restore) one draft line's amount, with a reason; returns the new total.

    The override is the whole amount of the line: what the person is paid in this session. Amounts
    carried from earlier sessions are then not added on top; they stay recorded as paid by this
    line, so they are not carried again, and the line's explanation shows what was replaced.
    """
    reason = clean(reason)
    if amount is not None and (not isinstance(amount, int) or not 0 <= amount <= MAX_LINE):
        raise ValidationError("Số tiền không hợp lệ", {"amount": "Số tiền phải là số không âm, không quá "
                                                                  + format_vnd(MAX_LINE)})
    if amount is not None and not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Điều chỉnh số tiền phải ghi lý do"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        if session_status(ctx.db, line["session_id"]) != "draft":
            raise UserError("Danh sách đã khóa; không sửa được số tiền")
        carried = ctx.db.execute("SELECT coalesce(sum(amount), 0) FROM payout_carries WHERE line_id = ?",
                                 [line_id]).fetchone()[0]
        line.update(override_amount=amount, override_reason=reason if amount is not None else "",
                    carried_forward=carried if amount is None else 0)
        total = line_total(line)
        ctx.db.execute("UPDATE payout_lines SET override_amount = ?, override_reason = ?, carried_forward = ?, "
                       "total = ? WHERE id = ?",
                       [line["override_amount"], line["override_reason"], line["carried_forward"], total, line_id])
    return total


def preview_dict(preview: Preview) -> dict:
    """A JSON-ready view of a preview (CLI ``--json``)."""
    return {"spec": asdict(preview.spec), "totals": preview.totals, "excluded": preview.excluded,
            "warnings": preview.warnings,
            "lines": [{k: line[k] for k in ("seq", "beneficiary_id", "full_name", "village", "group_public",
                                             "coefficient", "base_amount", "carried_forward", "total", "channel")}
                      for line in preview.lines]}
