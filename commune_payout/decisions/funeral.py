"""Funeral support (hỗ trợ chi phí mai táng): its dated amount, and the deaths it is proposed for.

When a person receiving social assistance or the social pension dies, whoever arranged the
funeral receives a one-off amount: 20 × the social-assistance base level in force on the day of
death (NĐ 20/2021, Article 11), a dated setting that a province may change (key
``funeral_support``: a multiple of the base level, or a fixed amount, from a date).

A death recorded in the last :data:`PROPOSE_WITHIN_DAYS` days is *proposed* until an application
for it exists (the family's file, with the receiver's name, ID and relation) or the officer
closes the proposal with a reason. The decision that grants it, and its payment, follow the
usual path (docs/domain.md).
"""

import datetime as dt
import re

from commune_payout import settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import UserError, ValidationError
from commune_payout.programs import base_level
from commune_payout.text import ascii_digits, clean

KEY = "funeral_support"
DEFAULT = ({"valid_from": "2021-07-01", "multiple": 20, "amount": None, "note": "NĐ 20/2021/NĐ-CP, Điều 11"},)
PROGRAMS = ("btxh", "htxh")
PROPOSE_WITHIN_DAYS = 366


def levels(db) -> list[dict]:
    """The dated funeral-support settings, oldest first (the shipped default when none is set)."""
    return sorted(settings.get(db, KEY) or [dict(d) for d in DEFAULT], key=lambda e: e["valid_from"])


_MULTIPLE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,2})?")


def parse_multiple(value) -> float | None:
    """The multiple of the base level as typed ("20", "22,5", "２０"): ``None`` when blank;
    ValueError for anything else ("1e1", "2_0", "nan" are not how a multiple is written)."""
    text = ascii_digits(clean(value)).replace(",", ".")
    if not text:
        return None
    if not _MULTIPLE.fullmatch(text):
        raise ValueError(value)
    return float(text)


def set_level(ctx: Context, valid_from: dt.date, *, multiple: float | None = None, amount: int | None = None,
              note: str = "") -> dict:
    """Set the funeral support from ``valid_from``: ``multiple`` × base level, or a fixed ``amount``."""
    if (multiple is None) == (amount is None):
        raise ValidationError("Mức hỗ trợ mai táng chưa hợp lệ",
                              {"funeral_support": "Ghi một trong hai: số lần mức chuẩn, hoặc số tiền"})
    if (multiple is not None and not 0 < multiple <= 100) or (amount is not None and not 0 < amount < 10**10):
        raise ValidationError("Mức hỗ trợ mai táng chưa hợp lệ",
                              {"funeral_support": "Số lần mức chuẩn hoặc số tiền phải dương"})
    entry = {"valid_from": valid_from.isoformat(), "multiple": multiple, "amount": amount, "note": clean(note),
             "set_by": ctx.user, "set_at": ctx.clock.now().isoformat(sep=" ")}
    kept = [e for e in levels(ctx.db) if e["valid_from"] != entry["valid_from"]]
    settings.put(ctx.db, KEY, sorted(kept + [entry], key=lambda e: e["valid_from"]))
    return entry


def amount_on(db, died_on: dt.date) -> int:
    """The funeral support for a death on ``died_on``."""
    entry = None
    for e in levels(db):
        if e["valid_from"] <= died_on.isoformat():
            entry = e
    if entry is None:
        raise UserError(f"Chưa có mức hỗ trợ mai táng cho ngày {died_on:%d/%m/%Y}")
    if entry.get("amount"):
        return int(entry["amount"])
    base = base_level(db, "btxh", died_on)
    if not base:
        raise UserError(f"Chưa có mức chuẩn trợ giúp xã hội cho ngày {died_on:%d/%m/%Y}")
    return round(base * float(entry["multiple"]))


def level_text(entry: dict) -> str:
    """"20 × mức chuẩn" or "7.200.000 đ"."""
    from commune_payout.money import format_vnd

    if entry.get("amount"):
        return format_vnd(int(entry["amount"]))
    return f"{float(entry['multiple']):g} × mức chuẩn".replace(".", ",")


def proposals(db, today: dt.date) -> list[dict]:
    """Deaths that may be owed funeral support and have no application yet: people of the
    social-assistance or social-pension programmes who died in the last year, newest first,
    with the ``amount`` it would be."""
    since = (today - dt.timedelta(days=PROPOSE_WITHIN_DAYS)).isoformat()
    marks = ", ".join("?" * len(PROGRAMS))
    rows = [dict(r) for r in db.query(
        "SELECT b.id AS beneficiary_id, b.full_name, b.birth_year, b.id_number, b.village, b.status_date AS died_on, "
        "b.receiver_name, b.receiver_id_number, b.receiver_relation FROM beneficiaries b "
        "WHERE b.status = 'deceased' AND b.status_date >= ? "
        f"AND EXISTS (SELECT 1 FROM memberships m WHERE m.beneficiary_id = b.id AND m.program IN ({marks})) "
        "AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.beneficiary_id = b.id AND a.request = 'funeral') "
        "AND NOT EXISTS (SELECT 1 FROM decision_items i WHERE i.beneficiary_id = b.id AND i.action = 'funeral') "
        "ORDER BY b.status_date DESC, b.name_sort", [since, *PROGRAMS])]
    for row in rows:
        row["amount"] = amount_on(db, dt.date.fromisoformat(row["died_on"]))
    return rows


def close_proposal(ctx: Context, beneficiary_id: str, reason: str) -> str:
    """Close the proposal for one death without an application (the family did not ask, or it
    was paid before the register was kept here); recorded as a withdrawn application."""
    reason = clean(reason)
    if not reason:
        raise ValidationError("Thiếu lý do", {"status_reason": "Ghi lý do không đề nghị hỗ trợ mai táng"})
    today = ctx.clock.today().isoformat()
    with write_transaction(ctx.db):
        person = ctx.db.execute("SELECT full_name, birth_date, birth_year, gender, id_number, village, status "
                                "FROM beneficiaries WHERE id = ?", [beneficiary_id]).fetchone()
        if person is None or person[6] != "deceased":
            raise UserError("Người này không được ghi là đã mất")
        app_id = new_id()
        ctx.db.execute(
            "INSERT INTO applications (id, commune_code, beneficiary_id, full_name, birth_date, birth_year, gender, "
            "id_number, village, request, completed_on, due_on, status, status_reason, created_at, created_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'funeral', ?, ?, 'withdrawn', ?, ?, ?)",
            [app_id, settings.commune(ctx.db)["code"], beneficiary_id, *person[:6], today, today, reason,
             ctx.clock.now().isoformat(sep=" "), ctx.user])
    return app_id
