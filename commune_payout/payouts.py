"""Payout sessions (đợt chi trả): who is paid what and how, and what happened to each payment.

The model
---------
* A **session** has a name, a kind (``tet_gift``, ``monthly``, ``one_off``), a period
  (``YYYY-MM``), a funding source, an eligibility date (``session_date``), payment dates, and
  its amount **rules** (stored as JSON: fixed amounts per category or programme, the Tết gift
  levels, or coefficient × the dated base level; months, arrears, overrides, one gift per person,
  carry-forward). Its status moves forward only: ``draft`` → ``locked`` → ``closed``.
* Creating a session takes a **snapshot**: one **line** per eligible person with name, ID,
  village, group, the amount broken down (base × months + arrears, or an override with its
  reason, plus any amount carried forward from the last closed monthly session), the channel and
  account. Later edits to the register never change a line. People in scope who are not active
  on the session date are stored in the session's ``excluded`` list with the reason.
* The officer reviews totals by group, village and channel, may override an amount (with a
  reason) while the session is a draft, then **locks** it. Only a locked session takes payments.
* What happens to a line is an **append-only ledger** of entries: ``paid`` (with a receipt
  number sequential per session, who received the money and through which channel),
  ``returned`` (a transfer the bank sent back), ``cancelled``, ``channel`` (switch to another
  channel, e.g. a returned transfer falling back to cash) and ``reversal`` (undoes one earlier
  entry). A line's ``status`` (pending, paid, returned, cancelled) and current ``channel`` are
  derived from its entries by a database trigger. The database refuses a second payment of a
  line (``active_payments`` is keyed by line) and any UPDATE or DELETE of an entry.
* **Closing** needs a balanced cash book (:mod:`commune_payout.cashbook`); afterwards nothing in
  the session changes. Unpaid lines of a closed monthly session carry into the next monthly
  session; someone unpaid in three consecutive closed monthly sessions is a suspension candidate
  (DOMAIN.md, TT 02/2021).

Writes take a :class:`~commune_payout.context.Context`; reads take the database. Every write is
one :func:`~commune_payout.db.write_transaction` (``BEGIN IMMEDIATE``), so two processes paying
at the same moment queue, and the second one is told who already paid.

API (names are stable; documents, sync and the window call them)
----------------------------------------------------------------
Sessions: :class:`SessionSpec`, :func:`validate_spec`, :func:`preview_session` → :class:`Preview`,
:func:`create_session`, :func:`set_override`, :func:`delete_draft`, :func:`lock_session`,
:func:`close_session`, :func:`list_sessions`, :func:`get_session`, :func:`resolve_session`.
Lines: :func:`session_lines`, :func:`find_line`, :func:`get_line`, :func:`line_entries`,
:func:`session_totals`, :func:`totals_of`, :func:`counters`, :func:`payments` (receipt data),
:func:`payment_by_receipt`, :func:`default_receiver`.
Ledger: :func:`pay_line`, :func:`reverse_entry`, :func:`mark_returned`, :func:`cancel_line`,
:func:`change_channel`, :func:`fallback_to_cash`.
Monthly follow-up: :func:`suspension_candidates`, :func:`suspend`.
Transfer files and the bank result: :mod:`commune_payout.transfers`; cash: :mod:`commune_payout.cashbook`.
"""

import datetime as dt
import json
import re
import sqlite3
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from commune_payout import cashbook, register, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import NotFound, UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, PROGRAM_LABELS, monthly_amount, public_label
from commune_payout.text import clean, fold, sort_key

KINDS = {"tet_gift": "Quà Tết", "monthly": "Trợ cấp hằng tháng", "one_off": "Chi một lần"}
SESSION_STATUSES = {"draft": "Đang lập", "locked": "Đã khóa danh sách", "closed": "Đã đóng"}
LINE_STATUSES = {"pending": "Chưa nhận", "paid": "Đã nhận", "returned": "Chuyển khoản bị trả lại",
                 "cancelled": "Đã hủy"}
CHANNELS = register.CHANNELS
CASH_CHANNELS = ("cash_commune", "cash_home")
RECEIVED_BY = {"self": "Bản thân", "authorised": "Người được ủy quyền"}
GIFT_HIGH_LEVEL = 600_000      # Category.gift_level of the higher President's gift
SUSPEND_AFTER = 3              # consecutive monthly sessions not collected (TT 02/2021)

_LINE_COLUMNS = (
    "id", "session_id", "commune_code", "seq", "beneficiary_id", "full_name", "name_fold", "name_sort",
    "birth_year", "id_number", "village", "village_fold", "program", "group_code", "group_label",
    "group_public", "other_groups", "sensitive", "coefficient", "base_amount", "months", "arrears_months",
    "arrears_amount", "carried_forward", "carried_from_line_id", "override_amount", "override_reason",
    "total", "planned_channel", "channel", "bank_bin", "account_number", "account_holder", "receiver_name",
    "receiver_relation", "receiver_id_number", "status",
)


# Derived keys (SYNC.md rule 2 still holds: UUID keys, never autoincrement). A line's id is
# uuid5 of its session and person, a ledger entry's id is uuid5 of its line and its content, so a
# sync package need not carry them: the office recomputes them from the row (sync/tables.py).
# Rows made before this rule keep their random ids, which packages then carry as they are.
LINE_ID_NAMESPACE = uuid.UUID("5d7a3c2e-1f64-5b8e-9a0d-6c1b2e3f4a51")
ENTRY_ID_NAMESPACE = uuid.UUID("8e2f4b6a-3c1d-5e7f-8a9b-0c1d2e3f4a52")
ENTRY_ID_FIELDS = ("line_id", "kind", "amount", "channel", "receipt_no", "received_by", "receiver_name", "reason",
                   "reverses_entry_id", "created_at", "created_by")


def line_id_for(session_id: str, beneficiary_id: str) -> str:
    """The id of the line of ``beneficiary_id`` in ``session_id`` (unique: one line per person and session)."""
    return str(uuid.uuid5(LINE_ID_NAMESPACE, f"{session_id}/{beneficiary_id}"))


def entry_id_for(entry: dict) -> str:
    """The id of a ledger entry, from its line and content (every field of ENTRY_ID_FIELDS)."""
    content = json.dumps([entry.get(f) for f in ENTRY_ID_FIELDS], ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(ENTRY_ID_NAMESPACE, content))


def vn_date(value) -> str:
    """``2026-01-05`` (or a date) → ``05/01/2026``."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return day.strftime("%d/%m/%Y")


@dataclass
class SessionSpec:
    """What the officer asks for when creating a session (also stored as the session's rules).

    Amounts come from ``fixed`` (keys are category codes such as ``ncc_me_vnah`` or programme
    codes such as ``ncc``; a category key wins over its programme) and the Tết gift levels
    ``gift_high`` / ``gift_low`` (people whose category has the 600,000 đ President's gift level
    get ``gift_high``, other người có công get ``gift_low``). With none of these the session pays
    coefficient × base level on ``session_date`` for the programmes in ``programs``
    (:func:`commune_payout.programs.monthly_amount`), times ``months``.

    ``arrears`` maps a beneficiary id to months owed (paid at the monthly amount);
    ``overrides`` maps a beneficiary id to ``(amount, reason)``. ``one_per_person`` (default:
    on for Tết gifts) pays the highest of several gifts instead of their sum; ``carry_forward``
    (default: on for monthly sessions) adds the unpaid lines of the last closed monthly session.
    """

    name: str
    kind: str
    period: str
    session_date: dt.date
    funding_source: str = ""
    pay_from: dt.date | None = None
    pay_to: dt.date | None = None
    fixed: dict[str, int] = field(default_factory=dict)
    gift_high: int | None = None
    gift_low: int | None = None
    programs: tuple[str, ...] = ("btxh", "htxh")
    months: int = 1
    one_per_person: bool | None = None
    arrears: dict[str, int] = field(default_factory=dict)
    overrides: dict[str, tuple[int, str]] = field(default_factory=dict)
    carry_forward: bool | None = None

    @property
    def fixed_basis(self) -> bool:
        return bool(self.fixed) or self.gift_high is not None or self.gift_low is not None

    @property
    def gift_once(self) -> bool:
        return self.kind == "tet_gift" if self.one_per_person is None else self.one_per_person

    @property
    def carries(self) -> bool:
        return self.kind == "monthly" if self.carry_forward is None else self.carry_forward

    def rules(self) -> dict:
        """The JSON stored on the session: everything that decided the amounts."""
        return {
            "basis": "fixed" if self.fixed_basis else "coefficient",
            "fixed": dict(self.fixed),
            "gift_high": self.gift_high,
            "gift_low": self.gift_low,
            "programs": list(self.programs),
            "months": self.months,
            "one_per_person": self.gift_once,
            "carry_forward": self.carries,
            "arrears": dict(self.arrears),
            "overrides": {k: {"amount": a, "reason": r} for k, (a, r) in self.overrides.items()},
        }


@dataclass
class Preview:
    """What :func:`create_session` would write: the lines, the people left out and why, totals."""

    spec: SessionSpec
    lines: list[dict]
    excluded: list[dict]
    totals: dict
    carried_from_session_id: str | None = None
    warnings: list[str] = field(default_factory=list)


def validate_spec(db, spec: SessionSpec) -> SessionSpec:
    """Clean ``spec`` and check it; ValidationError lists every problem by field."""
    problems: dict[str, str] = {}
    spec.name = clean(spec.name)
    spec.funding_source = clean(spec.funding_source)
    if not spec.name:
        problems["name"] = "Chưa đặt tên đợt chi"
    if spec.kind not in KINDS:
        problems["kind"] = "Loại đợt chi là quà Tết, trợ cấp hằng tháng hoặc chi một lần"
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(spec.period or "")):
        problems["period"] = "Kỳ chi phải có dạng NĂM-THÁNG, ví dụ 2026-01"
    if not isinstance(spec.session_date, dt.date):
        problems["session_date"] = "Chưa có ngày xét đối tượng"
    if spec.pay_from and spec.pay_to and spec.pay_from > spec.pay_to:
        problems["pay_to"] = "Ngày kết thúc chi trả trước ngày bắt đầu"
    for key, amount in spec.fixed.items():
        if key not in BY_CODE and key not in PROGRAM_LABELS:
            problems["fixed"] = f"Không có diện hoặc chương trình “{key}”"
        elif not isinstance(amount, int) or amount <= 0:
            problems["fixed"] = f"Mức chi cho “{key}” phải là số tiền dương"
    for name in ("gift_high", "gift_low"):
        value = getattr(spec, name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            problems[name] = "Mức quà phải là số tiền dương"
    if spec.kind == "tet_gift" and not spec.fixed_basis:
        problems["fixed"] = "Đợt quà Tết cần mức quà (mức cao/mức thấp hoặc mức theo diện)"
    if any(p not in PROGRAM_LABELS for p in spec.programs):
        problems["programs"] = "Chương trình không hợp lệ"
    if not isinstance(spec.months, int) or spec.months < 1:
        problems["months"] = "Số tháng chi phải từ 1 trở lên"
    if spec.arrears and spec.fixed_basis:
        problems["arrears"] = "Truy lĩnh chỉ áp dụng cho đợt chi theo hệ số"
    if any(not isinstance(m, int) or m < 0 for m in spec.arrears.values()):
        problems["arrears"] = "Số tháng truy lĩnh phải là số nguyên không âm"
    for amount, reason in spec.overrides.values():
        if not isinstance(amount, int) or amount < 0:
            problems["overrides"] = "Số tiền điều chỉnh phải là số không âm"
        elif not clean(reason):
            problems["overrides"] = "Điều chỉnh số tiền phải ghi lý do"
    if spec.kind == "monthly" and not problems.get("period"):
        dup = db.execute("SELECT name FROM payout_sessions WHERE kind = 'monthly' AND period = ?",
                         [spec.period]).fetchone()
        if dup:
            problems["period"] = f"Đã có đợt chi hằng tháng kỳ {spec.period}: “{dup[0]}”"
    if problems:
        raise ValidationError("Thông tin đợt chi chưa hợp lệ", problems)
    return spec


def _active_on(m: dict, on: str) -> bool:
    return not (m.get("start_date") and m["start_date"] > on) and not (m.get("end_date") and m["end_date"] < on)


def _fixed_amount(spec: SessionSpec, m: dict) -> int | None:
    cat = BY_CODE.get(m["category"])
    if m["category"] in spec.fixed:
        return spec.fixed[m["category"]]
    if m["program"] in spec.fixed:
        return spec.fixed[m["program"]]
    if cat is not None and cat.gift_level:
        return spec.gift_high if cat.gift_level >= GIFT_HIGH_LEVEL else spec.gift_low
    return None


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


def _carry_source(db, spec: SessionSpec) -> tuple[str | None, dict[str, dict]]:
    """The last closed monthly session before ``spec.period`` and its unpaid, not yet carried lines."""
    if not spec.carries:
        return None, {}
    row = db.execute(
        "SELECT id FROM payout_sessions WHERE kind = 'monthly' AND status = 'closed' AND period < ? "
        "ORDER BY period DESC, closed_at DESC LIMIT 1", [spec.period]).fetchone()
    if row is None:
        return None, {}
    unpaid = {r["beneficiary_id"]: dict(r) for r in db.query(
        "SELECT l.id, l.beneficiary_id, l.total FROM payout_lines l WHERE l.session_id = ? "
        "AND l.status IN ('pending', 'returned') "
        "AND NOT EXISTS (SELECT 1 FROM payout_lines n WHERE n.carried_from_line_id = l.id)", [row[0]])}
    return row[0], unpaid


def _amount_for(db, spec: SessionSpec, ms: list[dict], person: dict, on: dt.date):
    """(base amount, chosen membership, other memberships, coefficient) or ``None`` if out of scope.

    Raises ``LookupError`` with a reason when the person is in scope but nothing is payable.
    """
    iso = on.isoformat()
    if spec.fixed_basis:
        scoped = [(a, m) for m in ms if (a := _fixed_amount(spec, m)) is not None]
        if not scoped:
            return None
        live = [(a, m) for a, m in scoped if _active_on(m, iso)]
        if not live:
            raise LookupError(f"Diện hưởng không còn hiệu lực ngày {vn_date(on)}")
        live.sort(key=lambda am: -am[0])
        best_amount, best = live[0]
        base = best_amount if spec.gift_once else sum(a for a, _ in live)
        return base, best, [m for _, m in live[1:]], None
    scoped = [m for m in ms if m["program"] in spec.programs]
    if not scoped:
        return None
    live = [m for m in scoped if _active_on(m, iso)]
    if not live:
        raise LookupError(f"Diện hưởng không còn hiệu lực ngày {vn_date(on)}")
    base = monthly_amount(db, live, on, person.get("monthly_amount"))
    if base <= 0:
        raise LookupError("Chưa xác định được mức hưởng (thiếu hệ số hoặc số tiền)")
    ranked = sorted(live, key=lambda m: -monthly_amount(db, [m], on))
    return base, ranked[0], ranked[1:], ranked[0].get("coefficient")


def _receiver_holds_account(line: dict) -> bool:
    return bool(line.get("receiver_name")) and fold(line.get("account_holder")) == fold(line["receiver_name"])


def preview_session(db, spec: SessionSpec) -> Preview:
    """Work out a session without writing anything: lines, excluded people with reasons, totals.

    Eligibility: a person is in scope when one of their memberships earns an amount under the
    rules; of those, anyone not active on ``session_date`` (suspended, ended, deceased on or
    before it) is excluded, and so is a membership that had ended or not yet started.
    """
    spec = validate_spec(db, spec)
    on = spec.session_date
    people, memberships = _load_people(db)
    carried_from, unpaid = _carry_source(db, spec)
    commune_code = settings.commune(db)["code"]
    lines, excluded, warnings = [], [], []
    for person in people:
        try:
            found = _amount_for(db, spec, memberships.get(person["id"], []), person, on)
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


def totals_of(lines) -> dict:
    """Count and amount overall and by group (public label), village and channel."""
    def group(key):
        acc: dict[str, list[int]] = {}
        for line in lines:
            slot = acc.setdefault(line[key], [0, 0])
            slot[0] += 1
            slot[1] += line["total"]
        ordered = sorted(acc.items(), key=lambda kv: sort_key(kv[0]))
        return [{"key": k, "count": c, "amount": a} for k, (c, a) in ordered]

    return {
        "count": len(lines),
        "amount": sum(line["total"] for line in lines),
        "by_group": group("group_public"),
        "by_village": group("village"),
        "by_channel": group("channel"),
    }


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


def resolve_session(db, text: str) -> str:
    """The id of the session named by its full id or a unique prefix of it."""
    key = clean(text).lower()
    if not key:
        raise NotFound("Chưa nhập mã đợt chi")
    rows = db.execute("SELECT id FROM payout_sessions WHERE id LIKE ? || '%' ESCAPE '\\' LIMIT 2",
                      [key.replace("%", "\\%").replace("_", "\\_")]).fetchall()
    if not rows:
        raise NotFound(f"Không tìm thấy đợt chi có mã {text}")
    if len(rows) > 1:
        raise UserError(f"Mã “{text}” khớp nhiều đợt chi; hãy nhập thêm ký tự")
    return rows[0][0]


def get_session(db, sid: str) -> dict:
    """One session with its rules and excluded list decoded; NotFound if there is none."""
    row = db.execute("SELECT * FROM payout_sessions WHERE id = ?", [sid]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy đợt chi có mã {sid}")
    cols = [d[0] for d in db.execute("SELECT * FROM payout_sessions LIMIT 0").description]
    out = dict(zip(cols, row))
    out["rules"] = json.loads(out["rules"])
    out["excluded"] = json.loads(out["excluded"])
    return out


def list_sessions(db) -> list[dict]:
    """Every session, newest period first, with line count, total and how much is paid."""
    return [dict(r) for r in db.query(
        "SELECT s.id, s.name, s.kind, s.period, s.session_date, s.status, s.funding_source, s.created_at, "
        "s.locked_at, s.closed_at, count(l.id) AS count, coalesce(sum(l.total), 0) AS amount, "
        "coalesce(sum(l.status = 'paid'), 0) AS paid_count, "
        "coalesce(sum(CASE WHEN l.status = 'paid' THEN l.total END), 0) AS paid_amount "
        "FROM payout_sessions s LEFT JOIN payout_lines l ON l.session_id = s.id "
        "GROUP BY s.id ORDER BY s.period DESC, s.created_at DESC")]


_LINE_SELECT = (
    "SELECT l.*, a.receipt_no, e.received_by, e.receiver_name AS paid_to, e.created_at AS paid_at, "
    "e.created_by AS paid_by, e.channel AS paid_channel, e.id AS payment_entry_id "
    "FROM payout_lines l LEFT JOIN active_payments a ON a.line_id = l.id "
    "LEFT JOIN payout_entries e ON e.id = a.entry_id"
)


def session_lines(db, sid: str, village=None, status=None, search=None, channel=None,
                  limit: int | None = None, offset: int = 0) -> list[dict]:
    """Lines of a session in list order (village, then name), with the live payment if any.

    ``search`` is accent-insensitive (see :func:`find_line`). Extra keys: ``receipt_no``,
    ``received_by``, ``paid_to``, ``paid_at``, ``paid_by``, ``paid_channel``, ``payment_entry_id``.
    """
    where, params = ["l.session_id = ?"], [sid]
    if village:
        where.append("l.village_fold = ?")
        params.append(fold(village))
    if status:
        where.append("l.status = ?")
        params.append(status)
    if channel:
        where.append("l.channel = ?")
        params.append(channel)
    if search:
        clause, extra = _search_clause(search)
        where.append(clause)
        params += extra
    sql = f"{_LINE_SELECT} WHERE {' AND '.join(where)} ORDER BY l.seq"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [dict(r) for r in db.query(sql, params)]


def _search_clause(text: str) -> tuple[str, list]:
    words = re.findall(r"\w+", fold(text))
    if not words:
        return "0", []
    if len(words) == 1 and words[0].isdigit():
        return "(l.id_number = ? OR l.id_number LIKE '%' || ?)", [words[0], words[0]]
    return " AND ".join("(' ' || l.name_fold) LIKE ?" for _ in words), [f"% {w}%" for w in words]


def find_line(db, sid: str, text: str, limit: int = 20) -> list[dict]:
    """Lines whose person matches ``text``: an ID number (or its last digits), or name words.

    Each word must begin a word of the name, accents and đ ignored ("dang dat" finds "Đặng Văn
    Đạt"). Exact name matches come first.
    """
    clause, params = _search_clause(text)
    folded = " ".join(re.findall(r"\w+", fold(text)))
    return [dict(r) for r in db.query(
        f"{_LINE_SELECT} WHERE l.session_id = ? AND {clause} "
        "ORDER BY (l.name_fold = ?) DESC, (l.id_number = ?) DESC, l.seq LIMIT ?",
        [sid, *params, folded, folded, limit])]


def get_line(db, line_id: str) -> dict:
    """One line with its live payment; NotFound if there is none."""
    row = db.execute(f"{_LINE_SELECT} WHERE l.id = ?", [line_id]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy dòng chi trả có mã {line_id}")
    cols = [d[0] for d in db.execute(f"{_LINE_SELECT} LIMIT 0").description]
    return dict(zip(cols, row))


def line_entries(db, line_id: str) -> list[dict]:
    """The ledger of one line, oldest first (append-only)."""
    return [dict(r) for r in db.query(
        "SELECT * FROM payout_entries WHERE line_id = ? ORDER BY rowid", [line_id])]


def session_totals(db, sid: str) -> dict:
    """Totals of a session like :func:`totals_of`, plus ``by_status``."""
    lines = [dict(r) for r in db.query(
        "SELECT group_public, village, channel, status, total FROM payout_lines WHERE session_id = ?", [sid])]
    totals = totals_of(lines)
    by_status: dict[str, list[int]] = {s: [0, 0] for s in LINE_STATUSES}
    for line in lines:
        by_status[line["status"]][0] += 1
        by_status[line["status"]][1] += line["total"]
    totals["by_status"] = [{"key": k, "count": c, "amount": a} for k, (c, a) in by_status.items()]
    return totals


def counters(db, sid: str) -> dict:
    """The payout desk's live figures: paid and remaining (people, đồng), cash on hand, cashless share.

    ``cashless_share`` is the share of people paid so far who were paid by transfer (0..1).
    """
    row = db.execute(
        "SELECT count(*), coalesce(sum(total), 0), "
        "coalesce(sum(status = 'paid'), 0), coalesce(sum(CASE WHEN status = 'paid' THEN total END), 0), "
        "coalesce(sum(status IN ('pending', 'returned')), 0), "
        "coalesce(sum(CASE WHEN status IN ('pending', 'returned') THEN total END), 0), "
        "coalesce(sum(status = 'returned'), 0), coalesce(sum(status = 'cancelled'), 0) "
        "FROM payout_lines WHERE session_id = ?", [sid]).fetchone()
    cashless = db.execute(
        "SELECT count(*), coalesce(sum(e.amount), 0) FROM active_payments a "
        "JOIN payout_entries e ON e.id = a.entry_id WHERE a.session_id = ? AND e.channel = 'account'",
        [sid]).fetchone()
    book = cashbook.ledger(db, sid)
    paid_count = row[2]
    return {
        "count": row[0], "amount": row[1],
        "paid_count": paid_count, "paid_amount": row[3],
        "remaining_count": row[4], "remaining_amount": row[5],
        "returned_count": row[6], "cancelled_count": row[7],
        "cashless_count": cashless[0], "cashless_amount": cashless[1],
        "cashless_share": cashless[0] / paid_count if paid_count else 0.0,
        "cash_received": book["received"], "cash_paid": book["paid_out"],
        "cash_handed_back": book["handed_back"], "cash_on_hand": book["on_hand"],
    }


def _session_status(db, sid: str) -> str:
    row = db.execute("SELECT status FROM payout_sessions WHERE id = ?", [sid]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy đợt chi có mã {sid}")
    return row[0]


def _require_open(db, sid: str) -> None:
    status = _session_status(db, sid)
    if status == "draft":
        raise UserError("Danh sách đợt chi chưa được khóa; hãy rà soát và khóa danh sách trước khi chi trả")
    if status == "closed":
        raise UserError("Đợt chi đã đóng; không thể ghi thêm")


def lock_session(ctx: Context, sid: str) -> None:
    """Freeze the reviewed list: from now on lines keep their amounts and payments can be recorded."""
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        status = _session_status(ctx.db, sid)
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
        status = _session_status(ctx.db, sid)
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
        if _session_status(ctx.db, line["session_id"]) != "draft":
            raise UserError("Danh sách đã khóa; không sửa được số tiền")
        line.update(override_amount=amount, override_reason=reason if amount is not None else "")
        total = _line_total(line)
        ctx.db.execute("UPDATE payout_lines SET override_amount = ?, override_reason = ?, total = ? WHERE id = ?",
                       [line["override_amount"], line["override_reason"], total, line_id])
    return total


def _insert_entry(ctx: Context, line: dict, kind: str, **values) -> str:
    row = {"session_id": line["session_id"], "line_id": line["id"], "commune_code": line["commune_code"],
           "kind": kind, "amount": line["total"], "channel": None, "receipt_no": None, "received_by": None,
           "receiver_name": "", "reason": "", "reverses_entry_id": None,
           "created_at": ctx.clock.now().isoformat(sep=" "), "created_by": ctx.user, **values}
    eid = entry_id_for(row)
    if ctx.db.execute("SELECT 1 FROM payout_entries WHERE id = ?", [eid]).fetchone():
        eid = new_id()  # the same entry content twice in one second (a frozen clock): a random id
    row = {"id": eid, **row}
    ctx.db.execute(f"INSERT INTO payout_entries ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                   list(row.values()))
    return eid


def _already_paid_message(line: dict) -> str:
    return (f"Người này đã được chi trả trong đợt này, biên nhận số {line['receipt_no']} "
            f"(lúc {line['paid_at']}, người chi: {line['paid_by']}).")


def default_receiver(line: dict) -> tuple[str, str]:
    """(received_by, receiver name) a line is paid to when nobody says otherwise.

    A transfer goes to whoever holds the account: the authorised receiver when the account is
    theirs, else the person. Cash goes to the person.
    """
    if line["channel"] == "account" and _receiver_holds_account(line):
        return "authorised", line["receiver_name"]
    return "self", line["full_name"]


def pay_line(ctx: Context, line_id: str, received_by: str | None = None, receiver_name: str = "",
             channel: str | None = None) -> int:
    """Record that a line was paid; returns the receipt number (sequential per session).

    ``received_by`` is ``'self'`` or ``'authorised'`` (then ``receiver_name``, default the
    recorded authorised receiver, is required); by default it follows :func:`default_receiver`.
    ``channel`` defaults to the line's channel. A second payment of the same line is refused
    with the receipt number of the first, by this check and, underneath, by the database.
    """
    receiver_name = clean(receiver_name)
    if channel is not None and channel not in CHANNELS:
        raise ValidationError("Hình thức nhận không hợp lệ", {"channel": channel})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["status"] == "paid":
            raise UserError(_already_paid_message(line))
        if line["status"] == "cancelled":
            raise UserError("Dòng chi trả này đã bị hủy; không chi được")
        channel = channel or line["channel"]
        if line["status"] == "returned" and channel == "account":
            raise UserError("Chuyển khoản cho người này đã bị trả lại; hãy chuyển sang chi tiền mặt")
        if channel == "account" and not line["account_number"]:
            raise UserError("Người này chưa có số tài khoản; chỉ chi tiền mặt được")
        if received_by is None:
            received_by, default_name = default_receiver({**line, "channel": channel})
            receiver_name = receiver_name or default_name
        elif received_by == "authorised":
            receiver_name = receiver_name or line["receiver_name"]
            if not receiver_name:
                raise ValidationError("Thiếu tên người nhận thay", {"receiver_name": "Ghi họ tên người nhận thay"})
        elif received_by == "self":
            receiver_name = line["full_name"]
        else:
            raise ValidationError("Người nhận không hợp lệ", {"received_by": received_by})
        receipt_no = ctx.db.execute(
            "SELECT coalesce(max(receipt_no), 0) + 1 FROM payout_entries WHERE session_id = ?",
            [line["session_id"]]).fetchone()[0]
        try:
            _insert_entry(ctx, line, "paid", channel=channel, receipt_no=receipt_no, received_by=received_by,
                          receiver_name=receiver_name)
        except sqlite3.IntegrityError as exc:
            if "active_payments" not in str(exc):
                raise
            raise UserError(_already_paid_message(get_line(ctx.db, line_id))) from exc
    return receipt_no


def _get_entry(db, entry_id: str) -> dict:
    row = db.execute("SELECT * FROM payout_entries WHERE id = ?", [entry_id]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy bút toán có mã {entry_id}")
    cols = [d[0] for d in db.execute("SELECT * FROM payout_entries LIMIT 0").description]
    return dict(zip(cols, row))


def payment_by_receipt(db, sid: str, receipt_no: int) -> dict:
    """The payment entry with receipt number ``receipt_no`` in a session; NotFound otherwise."""
    row = db.execute("SELECT id FROM payout_entries WHERE session_id = ? AND receipt_no = ?",
                     [sid, int(receipt_no)]).fetchone()
    if row is None:
        raise NotFound(f"Không có biên nhận số {receipt_no} trong đợt chi này")
    return _get_entry(db, row[0])


def reverse_entry(ctx: Context, entry_id: str, reason: str) -> str:
    """Undo one earlier entry (a payment, a return, a cancellation or a channel switch) by
    recording a reversal; returns the reversal's id. Nothing is edited or deleted."""
    reason = clean(reason)
    if not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Bút toán đảo phải ghi lý do"})
    with write_transaction(ctx.db):
        entry = _get_entry(ctx.db, entry_id)
        _require_open(ctx.db, entry["session_id"])
        if entry["kind"] == "reversal":
            raise UserError("Không đảo một bút toán đảo; hãy ghi lại nghiệp vụ đúng")
        if ctx.db.execute("SELECT 1 FROM payout_entries WHERE reverses_entry_id = ?", [entry_id]).fetchone():
            raise UserError("Bút toán này đã được đảo trước đó")
        line = get_line(ctx.db, entry["line_id"])
        if entry["kind"] != "paid" and line["status"] == "paid":
            raise UserError("Người này đã nhận tiền; hãy đảo khoản chi trước")
        return _insert_entry(ctx, line, "reversal", amount=-entry["amount"], reverses_entry_id=entry_id,
                             reason=reason)


def mark_returned(ctx: Context, line_id: str, reason: str) -> str:
    """Record that the bank sent a transfer back; returns the entry id."""
    reason = clean(reason) or "Ngân hàng trả lại"
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["channel"] != "account" or line["status"] != "pending":
            raise UserError(f"Chỉ ghi trả lại cho dòng chuyển khoản chưa nhận; dòng này "
                            f"“{LINE_STATUSES[line['status']]}”, {CHANNELS[line['channel']].lower()}")
        return _insert_entry(ctx, line, "returned", channel="account", reason=reason)


def cancel_line(ctx: Context, line_id: str, reason: str) -> str:
    """Cancel an unpaid line (for example the person died before payment); returns the entry id."""
    reason = clean(reason)
    if not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Hủy dòng chi trả phải ghi lý do"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["status"] in ("paid", "cancelled"):
            raise UserError(f"Dòng này “{LINE_STATUSES[line['status']]}”, không hủy được")
        return _insert_entry(ctx, line, "cancelled", reason=reason)


def change_channel(ctx: Context, line_id: str, channel: str, reason: str) -> str:
    """Switch an unpaid line to another channel (recorded as an entry); returns the entry id."""
    reason = clean(reason)
    if channel not in CHANNELS:
        raise ValidationError("Hình thức nhận không hợp lệ", {"channel": channel})
    if not reason:
        raise ValidationError("Thiếu lý do", {"reason": "Đổi hình thức nhận phải ghi lý do"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        _require_open(ctx.db, line["session_id"])
        if line["status"] in ("paid", "cancelled"):
            raise UserError(f"Dòng này “{LINE_STATUSES[line['status']]}”, không đổi hình thức nhận được")
        if channel == line["channel"] and line["status"] != "returned":
            raise UserError(f"Dòng này đã là “{CHANNELS[channel]}”")
        if channel == "account" and not line["account_number"]:
            raise UserError("Người này chưa có số tài khoản")
        return _insert_entry(ctx, line, "channel", amount=0, channel=channel, reason=reason)


def fallback_to_cash(ctx: Context, line_id: str, channel: str = "cash_commune") -> str:
    """One action for a returned transfer: the line becomes a pending cash payment."""
    if channel not in CASH_CHANNELS:
        raise ValidationError("Hình thức nhận không hợp lệ", {"channel": "Chọn tiền mặt tại xã hoặc tại nhà"})
    with write_transaction(ctx.db):
        line = get_line(ctx.db, line_id)
        if line["status"] != "returned":
            raise UserError("Chỉ chuyển sang tiền mặt cho dòng chuyển khoản bị trả lại")
        return change_channel(ctx, line_id, channel, "Chuyển khoản bị trả lại, chi tiền mặt")


def payments(db, sid: str, receipt_nos=None) -> list[dict]:
    """Live (not reversed) payments of a session in receipt order: the data of each receipt.

    Each dict has the line fields plus ``receipt_no``, ``received_by``, ``paid_to`` (the name
    of who received the money), ``paid_at``, ``paid_by`` (the officer), ``paid_channel``.
    """
    where, params = "a.session_id = ?", [sid]
    if receipt_nos:
        nos = [int(n) for n in receipt_nos]
        where += f" AND a.receipt_no IN ({', '.join('?' * len(nos))})"
        params += nos
    return [dict(r) for r in db.query(
        f"{_LINE_SELECT} WHERE l.id IN (SELECT line_id FROM active_payments a WHERE {where}) "
        "ORDER BY a.receipt_no", params)]


def close_session(ctx: Context, sid: str) -> dict:
    """Close a locked session once its cash book balances; returns what was paid and left unpaid.

    Nothing can be recorded afterwards. Unpaid lines of a monthly session are carried into the
    next monthly session when it is created.
    """
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        status = _session_status(ctx.db, sid)
        if status != "locked":
            raise UserError(f"Chỉ đóng được đợt chi đã khóa danh sách (đợt này “{SESSION_STATUSES[status]}”)")
        cashbook.ensure_balanced(ctx.db, sid)
        figures = counters(ctx.db, sid)
        ctx.db.execute("UPDATE payout_sessions SET status = 'closed', closed_at = ?, closed_by = ? WHERE id = ?",
                       [now, ctx.user, sid])
    return figures


def suspension_candidates(db, months: int = SUSPEND_AFTER) -> list[dict]:
    """Active people left unpaid in each of the last ``months`` closed monthly sessions.

    DOMAIN.md (TT 02/2021): three consecutive months not collected → suspended. The officer
    decides; :func:`suspend` applies the decision.
    """
    recent = [r[0] for r in db.execute(
        "SELECT id FROM payout_sessions WHERE kind = 'monthly' AND status = 'closed' "
        "ORDER BY period DESC LIMIT ?", [months])]
    if len(recent) < months:
        return []
    marks = ", ".join("?" * months)
    return [dict(r) for r in db.query(
        f"SELECT l.beneficiary_id, b.full_name, b.village, b.id_number, count(*) AS sessions, "
        f"group_concat(s.period, ', ') AS periods, "
        f"(SELECT l2.total FROM payout_lines l2 WHERE l2.beneficiary_id = l.beneficiary_id "
        f" AND l2.session_id = ?) AS unpaid_amount "
        f"FROM payout_lines l JOIN payout_sessions s ON s.id = l.session_id "
        f"JOIN beneficiaries b ON b.id = l.beneficiary_id "
        f"WHERE l.session_id IN ({marks}) AND l.status IN ('pending', 'returned') AND b.status = 'active' "
        f"GROUP BY l.beneficiary_id HAVING count(*) = ? ORDER BY b.village_fold, b.name_sort",
        [recent[0], *recent, months])]


def suspend(ctx: Context, beneficiary_ids, on: dt.date) -> int:
    """Suspend the given people (after the officer's decision) in one transaction; returns how many."""
    ids = list(beneficiary_ids)
    reason = f"Không nhận trợ cấp {SUSPEND_AFTER} tháng liên tiếp"
    with write_transaction(ctx.db):
        for bid in ids:
            register.set_status(ctx, bid, "suspended", on, reason)
    return len(ids)


def preview_dict(preview: Preview) -> dict:
    """A JSON-ready view of a preview (CLI ``--json``)."""
    return {"spec": asdict(preview.spec), "totals": preview.totals, "excluded": preview.excluded,
            "warnings": preview.warnings, "carried_from_session_id": preview.carried_from_session_id,
            "lines": [{k: line[k] for k in ("seq", "beneficiary_id", "full_name", "village", "group_public",
                                             "total", "channel")} for line in preview.lines]}
