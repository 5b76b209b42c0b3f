"""Drafting a decision (its number, date, signer, effective month and the people it covers) and
applying it: the one way memberships, status and amounts change under a decision.

Owner of the ``decisions`` and ``decision_items`` tables. A decision is a draft until applied;
a draft can be changed or deleted, an applied decision never (a later decision reverses it).
Applying writes every change of every person covered in one transaction, each named in the
person's history by the decision (``beneficiary_history.decision_id``).

The effective month ``M`` works the same for everyone (docs/domain.md): a grant adds the group
from the 1st of ``M``; a change ends the old group with the month before ``M`` and starts the new
one on the 1st of ``M``; a stop ends every group with the month before ``M`` and sets the person
"Thôi hưởng" from the 1st of ``M``. A decision *recorded* for the record (an earlier one, often
the former district's) links the people to it and changes only what differs.
"""

import datetime as dt
import re
from dataclasses import dataclass

from commune_payout import register, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.decisions import funeral
from commune_payout.decisions.applications import get_application
from commune_payout.decisions.model import REQUESTS, SYMBOL, month_text, number_text
from commune_payout.decisions.queries import get_decision, next_number
from commune_payout.errors import UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, entitlement, load_base_levels, public_label
from commune_payout.text import clean

PROGRAM_NOUNS = {
    "btxh": "trợ cấp xã hội hằng tháng",
    "htxh": "trợ cấp hưu trí xã hội",
    "ncc": "trợ cấp ưu đãi hằng tháng",
    "other": "trợ cấp hằng tháng",
}
_SUBJECTS = {"grant": "Về việc {noun}", "change": "Về việc điều chỉnh {noun}", "stop": "Về việc thôi hưởng {noun}",
             "funeral": "Về việc hỗ trợ chi phí mai táng"}
_ITEM_COLUMNS = ("application_id", "beneficiary_id", "full_name", "birth_year", "gender", "id_number", "village",
                 "action", "category", "coefficient", "amount", "children", "from_category", "monthly_amount",
                 "reason", "receiver_name", "receiver_id_number", "receiver_relation")


@dataclass
class DecisionSpec:
    """What the officer enters for a decision. ``number`` defaults to the next free number of the
    year it is signed; ``signer`` and ``deputy`` to the settings' chairman; ``subject`` (trích
    yếu) to one made from what the decision does."""

    signed_on: dt.date
    effective_month: str
    number: int | None = None
    symbol: str = SYMBOL
    signer: str = ""
    deputy: bool | None = None
    subject: str = ""
    recorded: bool = False


def month_start(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def month_before_end(month: str) -> dt.date:
    """The last day of the month before ``month``."""
    return month_start(month) - dt.timedelta(days=1)


def entitlement_in(db, born: dict, memberships: list[dict], month: str):
    """What ``memberships`` earn in ``month`` for a person born as ``born`` says (``birth_date``,
    ``birth_year``): :func:`commune_payout.programs.entitlement`."""
    return entitlement(memberships, born.get("birth_date"), born.get("birth_year"), month_start(month),
                       load_base_levels(db))


def _membership(item: dict, start: dt.date, stated: float | None = None) -> dict:
    """The membership ``item`` grants from ``start``; ``stated``: the coefficient the file states
    (the amount follows the group's rule, docs/domain.md)."""
    cat = BY_CODE[item["category"]]
    return {"program": cat.program, "category": cat.code, "coefficient": stated, "amount": item.get("amount"),
            "children": item.get("children"), "start_date": start.isoformat(), "end_date": None}


def _open_in(m: dict, month: str) -> bool:
    """Does membership ``m`` still run in ``month`` (or later)?"""
    return not m.get("end_date") or m["end_date"][:7] >= month


def _ended_before(ms: list[dict], month: str, keep=lambda m: False) -> list[dict]:
    """``ms`` with every membership still running in ``month`` ended with the month before, except
    those ``keep`` spares; a membership that had not started by ``month`` goes."""
    out = []
    last = month_before_end(month).isoformat()
    for m in ms:
        if keep(m) or not _open_in(m, month):
            out.append(m)
        elif not m.get("start_date") or m["start_date"][:7] < month:
            out.append({**m, "end_date": last})
    return out


def after_change(current: list[dict], item: dict, month: str, stated: float | None = None) -> list[dict]:
    """The memberships a person holds once ``item`` takes effect in ``month``."""
    action = item["action"]
    if action == "grant":
        if any(m["category"] == item["category"] and _open_in(m, month) for m in current):
            return list(current)
        return list(current) + [_membership(item, month_start(month), stated)]
    if action == "change":
        kept = _ended_before(current, month, keep=lambda m: m["category"] != item["from_category"])
        return kept + [_membership(item, month_start(month), stated)]
    if action == "stop":
        return _ended_before(current, month)
    return list(current)


def describe(item: dict, month: str) -> str:
    """What an item does, in a sentence fit for the person's history."""
    action = item["action"]
    label = public_label(item["category"]) if item.get("category") else ""
    amount = f", {format_vnd(item['monthly_amount'])}/tháng" if item.get("monthly_amount") is not None else ""
    if action == "grant":
        return f"Hưởng {label}{amount}, từ {month_text(month)}"
    if action == "change":
        return f"Chuyển từ {public_label(item['from_category'])} sang {label}{amount}, từ {month_text(month)}"
    if action == "stop":
        return f"Thôi hưởng từ {month_text(month)}: {item['reason']}"
    return (f"Hỗ trợ chi phí mai táng {format_vnd(item['amount'])} cho {item['receiver_name']}"
            f" ({item['receiver_relation']})")


def _check_spec(db, spec: DecisionSpec, today: dt.date, own_id: str | None = None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not isinstance(spec.signed_on, dt.date):
        problems["signed_on"] = "Chưa có ngày ký"
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(spec.effective_month or "")):
        problems["effective_month"] = "Tháng hiệu lực phải có dạng NĂM-THÁNG, ví dụ 2026-07"
    if spec.recorded and isinstance(spec.signed_on, dt.date) and spec.signed_on > today:
        problems["signed_on"] = "Quyết định đã ban hành thì ngày ký không sau hôm nay"
    if spec.number is not None and (not isinstance(spec.number, int) or not 0 < spec.number < 1_000_000):
        problems["number"] = "Số quyết định phải là số nguyên dương"
    elif spec.number is not None and isinstance(spec.signed_on, dt.date):
        taken = db.execute("SELECT id FROM decisions WHERE year = ? AND number = ? AND symbol = ?",
                           [spec.signed_on.year, spec.number, spec.symbol]).fetchone()
        if taken and taken[0] != own_id:
            problems["number"] = (f"Số {number_text(spec.number, spec.symbol)} năm {spec.signed_on.year} "
                                  "đã dùng cho quyết định khác")
    if not clean(spec.symbol):
        problems["symbol"] = "Chưa có ký hiệu quyết định"
    return problems


def item_from_application(db, app: dict) -> dict:
    """The decision item an application asks for."""
    item = {key: app.get(key) for key in ("beneficiary_id", "full_name", "birth_year", "gender", "id_number",
                                          "village", "category", "coefficient", "amount", "children",
                                          "from_category", "receiver_name", "receiver_id_number",
                                          "receiver_relation")}
    item.update(application_id=app["id"], action=app["request"], reason=app["details"])
    if app["request"] == "funeral":
        died = db.execute("SELECT status_date FROM beneficiaries WHERE id = ?", [app["beneficiary_id"]]).fetchone()
        item["amount"] = funeral.amount_on(db, dt.date.fromisoformat(died[0])) if died and died[0] else None
    return item


def _person_of(db, item: dict) -> dict | None:
    return register.get(db, item["beneficiary_id"]) if item.get("beneficiary_id") else None


def _item_problems(db, item: dict, month: str, recorded: bool) -> list[str]:
    """Why ``item`` cannot take effect in ``month`` (empty when it can)."""
    out = []
    action = item.get("action")
    person = _person_of(db, item)
    if action not in REQUESTS:
        return ["nội dung không hợp lệ"]
    if action in ("grant", "change") and item.get("category") not in BY_CODE:
        out.append("chưa chọn diện hưởng")
    if person is None:
        if action != "grant" or not item.get("application_id"):
            out.append("chưa chọn người hưởng")
        else:
            id_number = get_application(db, item["application_id"])["id_number"]
            if id_number and register.find_by_id_number(db, id_number):
                out.append(f"số định danh {id_number} đã có trong sổ: hãy chọn người đó trong hồ sơ")
        return out
    current = person["memberships"]
    running = [m for m in current if _open_in(m, month)]
    if action == "grant" and not recorded and any(m["category"] == item.get("category") for m in running) \
            and person["status"] == "active":
        out.append(f"đang hưởng {public_label(item['category'])} rồi")
    if action == "change" and not any(m["category"] == item.get("from_category") for m in running):
        out.append("không đang hưởng diện cần thay đổi")
    if action == "stop":
        if person["status"] != "active":
            out.append(f"đang ở trạng thái “{register.STATUSES[person['status']]}”")
        if not clean(item.get("reason")):
            out.append("chưa ghi lý do thôi hưởng")
    if action == "funeral":
        if person["status"] != "deceased":
            out.append("sổ chưa ghi người này đã mất")
        if not clean(item.get("receiver_name")):
            out.append("chưa ghi người lo mai táng")
        if not item.get("amount"):
            out.append("chưa có số tiền hỗ trợ")
        paid = db.execute("SELECT d.number, d.symbol FROM decision_items i JOIN decisions d ON d.id = i.decision_id "
                          "WHERE i.beneficiary_id = ? AND i.action = 'funeral' AND d.status = 'applied'",
                          [person["id"]]).fetchone()
        if paid:
            out.append(f"đã có quyết định hỗ trợ mai táng số {number_text(*paid)}")
    elif action != "stop" and person["status"] == "deceased":
        out.append("người này đã mất")
    return out


def _program_of(db, items: list[dict]) -> str:
    programs = set()
    for item in items:
        if item.get("category") in BY_CODE:
            programs.add(BY_CODE[item["category"]].program)
        elif item.get("beneficiary_id"):
            held = {r[0] for r in db.execute("SELECT DISTINCT program FROM memberships WHERE beneficiary_id = ?",
                                             [item["beneficiary_id"]])}
            programs.add("btxh" if "btxh" in held else next(iter(sorted(held)), "btxh"))
    if len(programs) > 1:
        raise ValidationError("Quyết định chưa hợp lệ", {
            "items": "Một quyết định chỉ cho một chương trình (bảo trợ xã hội, hưu trí xã hội, người có công)"})
    return programs.pop() if programs else "btxh"


def default_subject(program: str, actions: set[str]) -> str:
    """The summary line (trích yếu) of a decision doing ``actions`` in ``program``."""
    noun = PROGRAM_NOUNS[program]
    if len(actions) == 1:
        return _SUBJECTS[next(iter(actions))].format(noun=noun)
    return f"Về việc điều chỉnh chế độ {noun}"


def _prepared(db, item: dict, month: str) -> dict:
    """``item`` cleaned, with the person's details and the amount in the effective month."""
    out = {key: item.get(key) for key in _ITEM_COLUMNS}
    for key in ("reason", "receiver_name", "receiver_id_number", "receiver_relation", "full_name", "village"):
        out[key] = clean(out.get(key))
    person = _person_of(db, item)
    if person is not None:
        out.update({k: person.get(k) for k in ("full_name", "birth_year", "gender", "id_number", "village")})
        born = {"birth_date": person["birth_date"], "birth_year": person["birth_year"]}
    else:
        app = get_application(db, item["application_id"])
        out.update({k: app[k] for k in ("full_name", "birth_year", "gender", "id_number", "village")})
        born = {"birth_date": app["birth_date"], "birth_year": app["birth_year"]}
    out["monthly_amount"] = None
    if out["action"] in ("grant", "change"):
        earned = entitlement_in(db, born, [_membership(out, month_start(month), out["coefficient"])], month)
        out["coefficient"] = earned.coefficient
        out["monthly_amount"] = earned.amount
    return out


def create_decision(ctx: Context, spec: DecisionSpec, applications=(), items=()) -> str:
    """Draft a decision covering the people of ``applications`` (ids of open applications) and
    ``items`` (dicts with ``beneficiary_id``, ``action`` and what it needs: see :func:`after_change`);
    returns its id. ValidationError lists every problem, person by person."""
    db = ctx.db
    today = ctx.clock.today()
    problems = _check_spec(db, spec, today)
    if problems:
        raise ValidationError("Quyết định chưa hợp lệ", problems)
    wanted = []
    for app_id in applications:
        app = get_application(db, app_id)
        if app["status"] != "open":
            problems[f"application:{app_id[:8]}"] = f"Hồ sơ của {app['full_name']} không còn đang giải quyết"
        wanted.append(item_from_application(db, app))
    wanted += [dict(i) for i in items]
    if not wanted:
        raise ValidationError("Quyết định chưa hợp lệ", {"items": "Quyết định chưa có người nào"})
    prepared = []
    seen: set[str] = set()
    for n, item in enumerate(wanted, start=1):
        found = _item_problems(db, item, spec.effective_month, spec.recorded)
        key = item.get("beneficiary_id") or item.get("application_id")
        if key in seen:
            found.append("có hai lần trong quyết định")
        seen.add(key)
        if found:
            problems[f"item:{n}"] = f"{item.get('full_name') or _person_name(db, item)}: {'; '.join(found)}"
        else:
            prepared.append(_prepared(db, item, spec.effective_month))
    if problems:
        raise ValidationError("Quyết định chưa hợp lệ", problems)
    actions = {i["action"] for i in prepared}
    if "funeral" in actions and len(actions) > 1:
        raise ValidationError("Quyết định chưa hợp lệ", {"items": "Quyết định hỗ trợ chi phí mai táng lập riêng"})
    program = _program_of(db, prepared)
    signers = settings.signers(db)
    did = new_id()
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(db):
        number = spec.number or next_number(db, spec.signed_on.year)
        db.execute(
            "INSERT INTO decisions (id, commune_code, number, year, symbol, signed_on, signer, deputy, "
            "effective_month, program, recorded, subject, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [did, settings.commune(db)["code"], number, spec.signed_on.year, clean(spec.symbol),
             spec.signed_on.isoformat(), clean(spec.signer) or signers["chairman"],
             int(signers["deputy"] if spec.deputy is None else spec.deputy), spec.effective_month, program,
             int(spec.recorded), clean(spec.subject) or default_subject(program, actions),
             now, ctx.user])
        _insert_items(ctx, did, prepared, start=1)
    return did


def _person_name(db, item: dict) -> str:
    if item.get("beneficiary_id"):
        row = db.execute("SELECT full_name FROM beneficiaries WHERE id = ?", [item["beneficiary_id"]]).fetchone()
        if row:
            return row[0]
    return "(chưa chọn người)"


def _insert_items(ctx: Context, did: str, items: list[dict], start: int) -> None:
    code = settings.commune(ctx.db)["code"]
    cols = ("id", "decision_id", "commune_code", "seq", *_ITEM_COLUMNS)
    ctx.db.conn.executemany(
        f"INSERT INTO decision_items ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
        [[new_id(), did, code, seq, *(item[c] for c in _ITEM_COLUMNS)]
         for seq, item in enumerate(items, start=start)])


def delete_draft(ctx: Context, did: str) -> None:
    """Discard a draft decision (an applied one is never deleted: a later decision reverses it)."""
    with write_transaction(ctx.db):
        decision = get_decision(ctx.db, did)
        if decision["status"] != "draft":
            raise UserError("Quyết định đã áp dụng không xóa được; hãy ban hành quyết định khác để thay đổi")
        ctx.db.execute("DELETE FROM decision_items WHERE decision_id = ?", [did])
        ctx.db.execute("DELETE FROM decisions WHERE id = ?", [did])


def source_text(decision: dict) -> str:
    """"Quyết định số 12/QĐ-UBND ngày 20/10/2026": how the history names a decision."""
    return (f"Quyết định số {number_text(decision['number'], decision['symbol'])} ngày "
            f"{dt.date.fromisoformat(decision['signed_on']):%d/%m/%Y}")


def apply_decision(ctx: Context, did: str) -> list[str]:
    """Make a signed decision take effect: every change for every person it covers, in one
    transaction, each named in the person's history by the decision. Returns one line per person.

    Everything is checked again first (the register may have changed since the draft), and
    nothing is written when anything is wrong.
    """
    db = ctx.db
    with write_transaction(db):
        decision = get_decision(db, did)
        if decision["status"] != "draft":
            raise UserError(f"Quyết định {decision['number_text']} đã được áp dụng")
        if decision["signed_on"] > ctx.clock.today().isoformat():
            raise UserError(f"Quyết định ký ngày {dt.date.fromisoformat(decision['signed_on']):%d/%m/%Y}: "
                            "chỉ áp dụng sau khi đã ký")
        month = decision["effective_month"]
        problems = {}
        for item in decision["items"]:
            found = _item_problems(db, item, month, bool(decision["recorded"]))
            if found:
                problems[f"item:{item['seq']}"] = f"{item['full_name']}: {'; '.join(found)}"
        if problems:
            raise ValidationError("Chưa áp dụng được quyết định", problems)
        source = source_text(decision)
        done = []
        for item in decision["items"]:
            bid = _apply_item(ctx, decision, item, source)
            done.append(f"{item['full_name']}: {describe(item, month)}")
            if item["application_id"]:
                db.execute("UPDATE applications SET status = 'decided', decision_id = ?, beneficiary_id = ? "
                           "WHERE id = ?", [did, bid, item["application_id"]])
        db.execute("UPDATE decisions SET status = 'applied', applied_at = ?, applied_by = ? WHERE id = ?",
                   [ctx.clock.now().isoformat(sep=" "), ctx.user, did])
    return done


def _apply_item(ctx: Context, decision: dict, item: dict, source: str) -> str:
    """Apply one person's change; returns the person's id (a new person is added to the register)."""
    db = ctx.db
    month = decision["effective_month"]
    did = decision["id"]
    app = get_application(db, item["application_id"]) if item["application_id"] else {}
    stated = app.get("coefficient")
    if item["action"] == "grant" and not item["beneficiary_id"]:
        data = {k: app[k] for k in ("full_name", "birth_date", "birth_year", "gender", "id_number", "village")}
        bid = register.create(ctx, {k: v for k, v in data.items() if v not in (None, "")},
                              [_membership(item, month_start(month), stated)], source=source, decision_id=did)
        db.execute("UPDATE decision_items SET beneficiary_id = ? WHERE id = ?", [bid, item["id"]])
    else:
        bid = item["beneficiary_id"]
        person = register.get(db, bid)
        changes = {}
        if item["action"] == "grant" and person["status"] != "active":
            changes = {"status": "active", "status_date": month_start(month), "status_reason": source}
        elif item["action"] == "stop":
            changes = {"status": "ended", "status_date": month_start(month), "status_reason": item["reason"]}
        memberships = None
        if item["action"] != "funeral":
            memberships = after_change(person["memberships"], item, month, stated)
        register.update(ctx, bid, changes, memberships=memberships, source=source, decision_id=did)
    register.note(ctx, bid, "decision", describe(item, month), source, decision_id=did)
    return bid
