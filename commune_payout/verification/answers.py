"""What the people drawn answered, and what that says about the session.

Owner of ``verification_answers`` (append-only). Each attempt to ask a person is a row: the
answer, who asked, on which day and how; the latest one is the person's answer (an attempt that
could not reach them is followed by another). The session's **verification rate** is the share
of the people drawn who answered (received, not received or a different amount); its
**problems** are the people whose answer is not received or a different amount.
"""

import datetime as dt
import re

from commune_payout import payouts, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.decisions.workdays import parse_day
from commune_payout.errors import NotFound, UserError, ValidationError
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.text import clean, fold
from commune_payout.verification.draws import get_verification

ANSWERS = {"received": "Đã nhận đủ", "not_received": "Chưa nhận được", "different_amount": "Nhận số tiền khác",
           "unreachable": "Không liên lạc được"}
PENDING = "Chưa hỏi"
NEGATIVE = ("not_received", "different_amount")
ANSWERED = ("received", *NEGATIVE)
ASKED_HOW = {"phone": "Gọi điện thoại", "visit": "Đến nhà", "at_commune": "Tại UBND xã", "meeting": "Họp thôn"}
NOTE_LIMIT = 500


def _item_select(where: str) -> str:
    # The latest answer of each item: the last by the day asked, then by when it was typed in.
    return (
        "SELECT i.id, i.seq, i.line_id, i.village, i.channel, i.verification_id, l.session_id, l.beneficiary_id, "
        "l.full_name, l.birth_year, l.id_number, l.total, l.program, l.receiver_name, b.phone, "
        "a.id AS answer_id, a.answer, a.amount_received, a.asked_by, a.asked_on, a.asked_how, a.note, "
        "(SELECT count(*) FROM verification_answers x WHERE x.item_id = i.id) AS attempts "
        "FROM verification_items i JOIN payout_lines l ON l.id = i.line_id "
        "LEFT JOIN beneficiaries b ON b.id = l.beneficiary_id "
        "LEFT JOIN verification_answers a ON a.id = (SELECT y.id FROM verification_answers y WHERE y.item_id = i.id "
        "ORDER BY y.asked_on DESC, y.created_at DESC, y.rowid DESC LIMIT 1) "
        f"WHERE {where} ORDER BY i.seq")


def items(db, sid: str) -> list[dict]:
    """The people drawn in session ``sid`` in the sheet's order, each with their line (name, ID,
    amount, programme), phone and latest answer (``answer`` ``None``: not asked yet)."""
    return [dict(r) for r in db.query(_item_select("i.session_id = ?"), [sid])]


def get_item(db, item_id: str) -> dict:
    rows = [dict(r) for r in db.query(_item_select("i.id = ?"), [item_id])]
    if not rows:
        raise NotFound(f"Không tìm thấy người trong mẫu xác minh có mã {item_id}")
    return rows[0]


def find_item(db, sid: str, text: str) -> dict:
    """The person drawn named by their number on the sheet (``#12``, or ``12``: up to three
    digits are a number on the sheet when the sheet has it), an ID number or its last digits,
    or words of the name."""
    key = clean(text)
    drawn = items(db, sid)
    if not drawn:
        raise UserError("Đợt chi này chưa rút mẫu xác minh")
    number = re.fullmatch(r"#?(\d{1,5})", key)
    found = []
    if number and (key.startswith("#") or len(number[1]) <= 3):
        found = [r for r in drawn if r["seq"] == int(number[1])]
    if not found and not key.startswith("#"):
        words = fold(key).split()
        found = [r for r in drawn if key and (
            (key.isdigit() and (r["id_number"] or "").endswith(key))
            or (words and all(f" {w}" in " " + fold(r["full_name"]) for w in words)))]
    if not found:
        raise NotFound(f"Không có ai trong mẫu xác minh khớp “{text}”")
    exact = [r for r in found if fold(r["full_name"]) == fold(key)]
    if len(found) > 1 and len(exact) != 1:
        raise UserError(f"“{text}” khớp {len(found)} người trong mẫu: "
                        + ", ".join(f"#{r['seq']} {r['full_name']}" for r in found[:5])
                        + "; hãy ghi số thứ tự trên phiếu (#12) hoặc số định danh")
    return exact[0] if len(found) > 1 else found[0]


def record_answer(ctx: Context, item_id: str, answer: str, *, asked_by: str, asked_on, asked_how: str,
                  amount=None, note: str = "") -> str:
    """Record one attempt to ask a person drawn; returns the answer's id. ``amount`` (what the
    person says they received) only with ``different_amount``. ValidationError lists every problem."""
    problems: dict[str, str] = {}
    asked_by, note = clean(asked_by), clean(note)
    if len(note) > NOTE_LIMIT:          # kept whole or refused, never cut without a word
        problems["note"] = f"Ghi chú dài quá {NOTE_LIMIT} ký tự ({len(note)}): hãy rút gọn"
    item = get_item(ctx.db, item_id)
    if answer not in ANSWERS:
        problems["answer"] = "Chọn câu trả lời: " + ", ".join(ANSWERS.values())
    if not asked_by:
        problems["asked_by"] = "Ghi người đã hỏi (trưởng thôn, cán bộ)"
    elif len(asked_by) > settings.NAME_LIMIT:
        problems["asked_by"] = f"Tên người đã hỏi dài quá {settings.NAME_LIMIT} ký tự"
    if asked_how not in ASKED_HOW:
        problems["asked_how"] = "Chọn cách hỏi: " + ", ".join(ASKED_HOW.values())
    day = _day(asked_on, problems)
    if day and day > ctx.clock.today():
        problems["asked_on"] = "Ngày hỏi không được sau hôm nay"
    drawn_on = dt.date.fromisoformat(get_verification(ctx.db, item["session_id"])["drawn_at"][:10])
    if day and day < drawn_on:
        problems["asked_on"] = f"Ngày hỏi trước ngày rút mẫu ({drawn_on:%d/%m/%Y})"
    received = None
    if answer == "different_amount":
        try:
            received = parse_vnd(amount)
        except ValueError:
            problems["amount_received"] = f"“{str(amount)[:30]}” không phải số tiền (đồng)"
        else:
            if received is None:
                problems["amount_received"] = "Ghi số tiền người hưởng nói đã nhận"
            elif received > payouts.MAX_LINE:
                problems["amount_received"] = (f"Số tiền lớn hơn mọi khoản chi ({format_vnd(payouts.MAX_LINE)}): "
                                               "hãy xem lại")
            elif received <= 0:
                problems["amount_received"] = "Nhận 0 đồng là chưa nhận được: hãy chọn “Chưa nhận được”"
            elif received == item["total"]:
                problems["amount_received"] = (f"Bằng đúng số đã chi ({format_vnd(item['total'])}): "
                                               "hãy chọn “Đã nhận đủ”")
    elif amount not in (None, ""):
        problems["amount_received"] = "Chỉ ghi số tiền khi người hưởng nhận số tiền khác"
    if problems:
        raise ValidationError("Câu trả lời chưa hợp lệ", problems)
    aid = new_id()
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT INTO verification_answers (id, item_id, commune_code, answer, amount_received, asked_by, asked_on, "
            "asked_how, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [aid, item_id, settings.commune(ctx.db)["code"], answer, received, asked_by, day.isoformat(), asked_how,
             note, ctx.clock.now().isoformat(sep=" "), ctx.user])
    return aid


def _day(value, problems: dict) -> dt.date | None:
    if value in (None, ""):
        problems["asked_on"] = "Ghi ngày hỏi"
        return None
    try:
        return parse_day(value)
    except ValueError:
        problems["asked_on"] = f"“{str(value)[:30]}” không phải ngày (dd/mm/yyyy)"
        return None


def get_answer(db, answer_id: str) -> dict:
    """One answer with its person's line; NotFound if there is none."""
    row = db.execute("SELECT item_id FROM verification_answers WHERE id = ?", [answer_id]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy câu trả lời xác minh có mã {answer_id}")
    answer = next(iter(db.query("SELECT * FROM verification_answers WHERE id = ?", [answer_id])))
    return {**answer, "item": get_item(db, row[0])}


def answers_of(db, item_id: str) -> list[dict]:
    """Every attempt to ask one person drawn, oldest first."""
    return [dict(r) for r in db.query("SELECT * FROM verification_answers WHERE item_id = ? "
                                      "ORDER BY asked_on, created_at, rowid", [item_id])]


def summary(db, sid: str) -> dict | None:
    """The verification of session ``sid``: the draw (``verification``), counts by latest answer
    (``counts``, with ``pending``), ``answered``, ``rate`` (answered / drawn), ``problem_rate``
    (problems / answered), ``problems`` (items), ``missing_amount`` (what the problems say was not
    received), ``paid_now`` (paid lines today; more than the population once more were paid).
    ``None`` when the session has no draw."""
    recorded = get_verification(db, sid)
    if recorded is None:
        return None
    rows = items(db, sid)
    counts = {key: 0 for key in (*ANSWERS, "pending")}
    for r in rows:
        counts[r["answer"] or "pending"] += 1
    answered = sum(counts[a] for a in ANSWERED)
    problems = [r for r in rows if r["answer"] in NEGATIVE]
    missing = sum(max(0, r["total"] - (r["amount_received"] or 0)) for r in problems)
    paid_now = payouts.counters(db, sid)["paid_count"]
    return {"verification": recorded, "size": len(rows), "counts": counts, "answered": answered,
            "rate": answered / len(rows) if rows else 0.0,
            "problem_rate": len(problems) / answered if answered else 0.0,
            "problems": problems, "missing_amount": missing, "paid_now": paid_now}


def answer_text(row: dict) -> str:
    """A person's latest answer in words: "Nhận số tiền khác: 500.000 đ", "Chưa hỏi"."""
    if not row.get("answer"):
        return PENDING
    text = ANSWERS[row["answer"]]
    if row["answer"] == "different_amount":
        text += f": {format_vnd(row['amount_received'])}"
    return text


def line_counts(db, line_ids) -> dict[str, dict[str, int]]:
    """For the monthly report, per programme, of the people drawn among the payout lines
    ``line_ids``: ``drawn``, ``answered`` and ``problems`` (by their latest answers)."""
    ids = list(line_ids)
    out: dict[str, dict[str, int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in db.query(_item_select(f"i.line_id IN ({', '.join('?' * len(chunk))})"), chunk):
            counts = out.setdefault(row["program"], dict.fromkeys(("drawn", "answered", "problems"), 0))
            counts["drawn"] += 1
            counts["answered"] += row["answer"] in ANSWERED
            counts["problems"] += row["answer"] in NEGATIVE
    return out
