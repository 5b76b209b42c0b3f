"""Recording an earlier decision for many people at once: the one a register names in its title
("Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026"), or the one the officer types for the
people of an import that named none (data cleaning).

A decision recorded this way is a *recorded* decision (docs/domain.md, "Decisions"): it says
what people already receive and changes nothing in their memberships, status or amounts. Each
person gets one item ("grant" of the group they hold) and a line in their history naming the
decision, which is what the cleaning check looks for. The decision is found by its number,
symbol and year; when the app has none, it is created, already applied. People are added to a
recorded decision the app has; a decision drafted and issued in the app is never changed, so
people it does not name are refused. Everything happens in the caller's transaction or one of
its own, in a few statements whatever the number of people.
"""

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from commune_payout import settings
from commune_payout.context import Context
from commune_payout.db import bulk_insert, new_id, triggers_suspended, write_transaction
from commune_payout.decisions.issuing import default_subject, source_text
from commune_payout.decisions.queries import ImportBatch
from commune_payout.decisions.reference import Reference
from commune_payout.errors import NotFound, UserError
from commune_payout.programs import UNRECOGNISED
from commune_payout.text import fold

_PROGRAM_ORDER = ("btxh", "htxh", "ncc", "other")
_ITEM_COLUMNS = ("id", "decision_id", "commune_code", "seq", "beneficiary_id", "full_name", "birth_year", "gender",
                 "id_number", "village", "action", "category", "coefficient", "amount", "children")
_HISTORY_COLUMNS = ("id", "beneficiary_id", "changed_at", "changed_by", "field", "old_value", "new_value", "source",
                    "decision_id")


@dataclass(frozen=True)
class Recorded:
    """What recording a decision did: the decision, how many people it now names that it did not
    (``traced``), how many it named already, and whether the app had it before (``created``)."""

    decision_id: str
    number_text: str        # "12/QĐ-UBND"
    signed_on: str          # ISO date
    traced: int
    already: int
    created: bool

    @property
    def text(self) -> str:
        """"Quyết định số 12/QĐ-UBND ngày 05/01/2026"."""
        return f"Quyết định số {self.number_text} ngày {_vn(self.signed_on)}"


def _vn(day: str | dt.date) -> str:
    return (day if isinstance(day, dt.date) else dt.date.fromisoformat(day)).strftime("%d/%m/%Y")


def _existing(db, ref: Reference) -> dict | None:
    """The app's decision with the reference's number and symbol (and year, when dated)."""
    sql = "SELECT * FROM decisions WHERE number = ? AND symbol = ?"
    params: list = [ref.number, ref.symbol]
    if ref.signed_on:
        sql += " AND year = ?"
        params.append(ref.signed_on.year)
    cur = db.execute(sql, params)
    columns = [d[0] for d in cur.description]
    rows = [dict(zip(columns, r)) for r in cur.fetchall()]
    if len(rows) > 1:
        raise UserError(f"{ref.text()} không ghi ngày ký, mà phần mềm có {len(rows)} quyết định số {ref.number_text} "
                        "(các năm khác nhau): chưa biết là quyết định nào, hãy ghi thêm ngày ký")
    return rows[0] if rows else None


def _refusal(ref: Reference, decision: dict | None, wanted: int, today: dt.date) -> str | None:
    """Why the people cannot be traced to ``ref`` (``decision``: the app's one with its number)."""
    if ref.problem:
        return f"“{ref.wording}”: {ref.problem}"
    if ref.signed_on and ref.signed_on > today:
        return f"{ref.text()} ký sau hôm nay: quyết định đã ban hành thì ngày ký không sau hôm nay"
    if decision is None:
        return None if ref.signed_on else (f"{ref.text()} không ghi ngày ký, và phần mềm chưa có quyết định số "
                                           f"{ref.number_text}: hãy ghi thêm ngày ký")
    known = f"Quyết định số {ref.number_text} ngày {_vn(decision['signed_on'])}"
    if ref.signed_on and decision["signed_on"] != ref.signed_on.isoformat():
        return (f"Phần mềm đã có {known}, khác ngày {_vn(ref.signed_on)}: chưa rõ ngày nào đúng, hãy kiểm tra "
                "số và ngày của quyết định")
    if wanted and decision["status"] != "applied":
        return f"{known} đang là dự thảo trong phần mềm: hãy áp dụng hoặc xóa dự thảo đó trước"
    if wanted and not decision["recorded"]:
        return (f"{known} được lập trong phần mềm và không có {wanted} người này: quyết định đã ban hành không "
                "thêm người được")
    return None


def _people(db, ids: list[str]) -> list[dict]:
    """The people ``ids`` (in that order) with the group each holds (an item needs one)."""
    params = [json.dumps(ids)]
    people = {r["id"]: dict(r) for r in db.query(
        "SELECT id, full_name, birth_year, gender, id_number, village FROM beneficiaries "
        "WHERE id IN (SELECT value FROM json_each(?))", params)}
    held: dict[str, list[dict]] = {}
    for m in db.query("SELECT beneficiary_id, program, category, coefficient, amount, children, end_date "
                      "FROM memberships WHERE beneficiary_id IN (SELECT value FROM json_each(?)) ORDER BY rowid",
                      params):
        held.setdefault(m["beneficiary_id"], []).append(dict(m))
    out = []
    for bid in ids:
        if bid in people:
            ms = sorted(held.get(bid, []), key=lambda m: (m["end_date"] is not None, m["category"] == UNRECOGNISED))
            out.append({**people[bid], "membership": ms[0] if ms else None})
    return out


def record_decision(ctx: Context, ref: Reference, people, note: str) -> Recorded | None:
    """Trace ``people`` (ids) to the decision ``ref`` names, recorded (see the module docstring);
    ``note`` is the line each person's history gets. ``None`` when there is nobody to trace;
    UserError, with nothing written, when they cannot be traced to it."""
    db = ctx.db
    ids = list(dict.fromkeys(people))
    if not ids:
        return None
    with write_transaction(db):
        decision = None if ref.problem or ref.number is None else _existing(db, ref)
        already = set()
        if decision is not None:
            already = {r[0] for r in db.execute("SELECT beneficiary_id FROM decision_items WHERE decision_id = ?",
                                                [decision["id"]])}
        wanted = [bid for bid in ids if bid not in already]
        refusal = _refusal(ref, decision, len(wanted), ctx.clock.today())
        if refusal:
            raise UserError(refusal)
        rows = _people(db, wanted)
        created = decision is None
        if created:
            decision = _create(ctx, ref, rows)
        _trace(ctx, decision, rows, note)
    return Recorded(decision["id"], ref.number_text, decision["signed_on"], len(rows), len(ids) - len(wanted), created)


def _create(ctx: Context, ref: Reference, rows: list[dict]) -> dict:
    """A new recorded decision, applied: it records, it changes nothing."""
    counts = Counter(r["membership"]["program"] for r in rows if r["membership"])
    program = min(counts, key=lambda p: (-counts[p], _PROGRAM_ORDER.index(p))) if counts else "btxh"
    now = ctx.clock.now().isoformat(sep=" ")
    decision = {
        "id": new_id(), "commune_code": settings.commune(ctx.db)["code"], "number": ref.number,
        "year": ref.signed_on.year, "symbol": ref.symbol, "signed_on": ref.signed_on.isoformat(),
        "effective_month": f"{ref.signed_on:%Y-%m}", "program": program, "recorded": 1,
        "subject": default_subject(program, {"grant"}), "status": "applied", "applied_at": now,
        "applied_by": ctx.user, "created_at": now, "created_by": ctx.user,
    }
    ctx.db.execute(f"INSERT INTO decisions ({', '.join(decision)}) VALUES ({', '.join('?' * len(decision))})",
                   list(decision.values()))
    return decision


def _trace(ctx: Context, decision: dict, rows: list[dict], note: str) -> None:
    """One item and one history line per person, each in one statement for everyone."""
    db = ctx.db
    code = settings.commune(db)["code"]
    start = db.execute("SELECT coalesce(max(seq), 0) FROM decision_items WHERE decision_id = ?",
                       [decision["id"]]).fetchone()[0]
    items = []
    for seq, r in enumerate(rows, start=start + 1):
        m = r["membership"] or {"category": UNRECOGNISED}
        items.append([new_id(), decision["id"], code, seq, r["id"], r["full_name"], r["birth_year"], r["gender"],
                      r["id_number"], r["village"] or "", "grant", m["category"], m.get("coefficient"),
                      m.get("amount"), m.get("children")])
    # The decision was checked above to take people (recorded, or new): its guard need not run per row.
    with triggers_suspended(db, "decision_items_no_insert"):
        bulk_insert(db, "decision_items", list(_ITEM_COLUMNS), items)
    now = ctx.clock.now().isoformat(sep=" ")
    source = source_text(decision)
    bulk_insert(db, "beneficiary_history", list(_HISTORY_COLUMNS),
                [[new_id(), r["id"], now, ctx.user, "decision", None, note, source, decision["id"]] for r in rows])


def record_for_import(ctx: Context, ref: Reference, batch: ImportBatch, village: str | None = None) -> Recorded:
    """Trace the people of an import that named no decision (of one of its villages, when given)
    to the decision the officer typed (:func:`commune_payout.decisions.reference.typed_reference`)."""
    people = batch.people
    if village is not None:
        found = [ids for name, ids in batch.villages if fold(name) == fold(village)]
        if not found:
            known = ", ".join(name or "(chưa ghi thôn)" for name, _ in batch.villages)
            raise NotFound(f"Trong những người {batch.label.lower()} không có ai ở “{village}” (có: {known})")
        people = found[0]
    return record_decision(ctx, ref, people, f"{batch.label}; quyết định ghi lại khi làm sạch dữ liệu")
