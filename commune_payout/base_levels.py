"""Setting the dated base levels (mức chuẩn), and the history of every level ever set.

Owner of the writes to ``base_levels`` (the levels in force, which
:mod:`commune_payout.programs` reads) and of ``base_level_history``. A level comes from one of
three sources: ``law`` (shipped with the app), ``office`` (a package the upstream office sent
down) or ``local`` (set on this laptop: a province that decides a higher level, or a decree that
arrives before the office's package). A local level stands in until the office speaks: accepting
a level from the office for a programme replaces every local level of that programme, and a
local level cannot replace one the office sent. Every level set, and every replacement, stays in
the history with who did it and when (docs/domain.md, "Base levels").

A level set with a date in the past changes what months already paid were owed: those months
are paid the difference by an arrears session (:mod:`commune_payout.payouts`).
"""

import datetime as dt

from commune_payout.context import Context
from commune_payout.db import write_transaction
from commune_payout.errors import UserError, ValidationError
from commune_payout.money import format_vnd
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.text import clean

SOURCES = {"law": "Có sẵn theo văn bản", "office": "Cơ quan cấp trên gửi", "local": "Xã tự đặt"}
PROGRAMS = ("btxh", "htxh", "ncc")
_COLUMNS = "program, valid_from, amount, note, source"


def in_force(db) -> list[dict]:
    """The levels in force, by programme and date."""
    return [dict(r) for r in db.query(f"SELECT {_COLUMNS} FROM base_levels ORDER BY program, valid_from")]


def history(db, program: str | None = None) -> list[dict]:
    """Every level ever set (newest first), with ``source``, ``set_at``/``set_by`` and, for one
    no longer in force, ``replaced_at``/``replaced_by``."""
    where, params = ("WHERE program = ?", [program]) if program else ("", [])
    return [dict(r) for r in db.query(
        f"SELECT * FROM base_level_history {where} ORDER BY coalesce(set_at, '') DESC, id DESC", params)]


def _check(program: str, valid_from, amount) -> dict[str, str]:
    problems = {}
    if program not in PROGRAMS:
        problems["program"] = "Chương trình là btxh (bảo trợ xã hội), htxh (hưu trí xã hội) hoặc ncc (người có công)"
    if not isinstance(valid_from, dt.date):
        problems["valid_from"] = "Chưa có ngày áp dụng"
    if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount < 100_000_000:
        problems["amount"] = "Mức chuẩn phải là số tiền dương (đồng/tháng)"
    return problems


def _retire(ctx: Context, program: str, valid_from: str, by: str) -> None:
    ctx.db.execute("UPDATE base_level_history SET replaced_at = ?, replaced_by = ? "
                   "WHERE program = ? AND valid_from = ? AND replaced_at IS NULL",
                   [ctx.clock.now().isoformat(sep=" "), by, program, valid_from])


def _record(ctx: Context, program: str, valid_from: str, amount: int, note: str, source: str) -> None:
    ctx.db.execute("INSERT OR REPLACE INTO base_levels (program, valid_from, amount, note, source) "
                   "VALUES (?, ?, ?, ?, ?)", [program, valid_from, amount, note, source])
    ctx.db.execute("INSERT INTO base_level_history (program, valid_from, amount, note, source, set_at, set_by) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [program, valid_from, amount, note, source, ctx.clock.now().isoformat(sep=" "), ctx.user])


def set_local(ctx: Context, program: str, valid_from: dt.date, amount: int, note: str = "") -> None:
    """Set ``program``'s base level from ``valid_from`` on this laptop (source ``local``).

    Refused when the office has sent a level for that date: the office's level wins.
    """
    problems = _check(program, valid_from, amount)
    if problems:
        raise ValidationError("Mức chuẩn chưa hợp lệ", problems)
    day = valid_from.isoformat()
    with write_transaction(ctx.db):
        held = ctx.db.execute("SELECT amount, source FROM base_levels WHERE program = ? AND valid_from = ?",
                              [program, day]).fetchone()
        if held and held[1] == "office":
            raise UserError(f"Mức chuẩn {PROGRAM_LABELS[program]} từ ngày {valid_from:%d/%m/%Y} là "
                            f"{format_vnd(held[0])} do cơ quan cấp trên gửi; mức của cấp trên được giữ.")
        if held:
            _retire(ctx, program, day, ctx.user)
        _record(ctx, program, day, amount, clean(note), "local")


def remove_local(ctx: Context, program: str, valid_from: dt.date) -> None:
    """Take back a level set on this laptop (a typing mistake); it stays in the history."""
    day = valid_from.isoformat()
    with write_transaction(ctx.db):
        held = ctx.db.execute("SELECT source FROM base_levels WHERE program = ? AND valid_from = ?",
                              [program, day]).fetchone()
        if held is None or held[0] != "local":
            raise UserError(f"Không có mức chuẩn do xã tự đặt cho {PROGRAM_LABELS.get(program, program)} "
                            f"từ ngày {valid_from:%d/%m/%Y}")
        ctx.db.execute("DELETE FROM base_levels WHERE program = ? AND valid_from = ?", [program, day])
        _retire(ctx, program, day, ctx.user)


def accept_from_office(ctx: Context, items: list[dict], title: str) -> None:
    """Put the levels of an accepted office package in force (``program``, ``valid_from``,
    ``amount``, optional ``note``); each programme's local levels give way to them. Runs inside
    the caller's transaction."""
    with write_transaction(ctx.db):
        for program in sorted({item["program"] for item in items}):
            for (day,) in ctx.db.execute("SELECT valid_from FROM base_levels WHERE program = ? AND source = 'local'",
                                         [program]).fetchall():
                ctx.db.execute("DELETE FROM base_levels WHERE program = ? AND valid_from = ?", [program, day])
                _retire(ctx, program, day, f"{ctx.user} (nhận mức cấp trên gửi)")
        for item in items:
            _retire(ctx, item["program"], item["valid_from"], f"{ctx.user} (nhận mức cấp trên gửi)")
            _record(ctx, item["program"], item["valid_from"], int(item["amount"]), clean(item.get("note") or title),
                    "office")


def sessions_paid_from(db, program: str, valid_from: dt.date) -> list[dict]:
    """Monthly sessions already locked or closed for months from ``valid_from`` on, with people of
    ``program``: their months were paid at the level in force before (arrears are owed)."""
    return [dict(r) for r in db.query(
        "SELECT s.id, s.name, s.period, s.status FROM payout_sessions s WHERE s.kind = 'monthly' "
        "AND s.status != 'draft' AND s.period >= ? "
        "AND EXISTS (SELECT 1 FROM payout_lines l WHERE l.session_id = s.id AND l.program = ?) ORDER BY s.period",
        [valid_from.isoformat()[:7], program])]
