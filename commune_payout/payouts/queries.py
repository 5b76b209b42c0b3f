"""Reading sessions, lines and payments: lookups, searches, totals and the desk's counters."""

import json

from commune_payout import cashbook, decisions
from commune_payout.errors import NotFound, UserError
from commune_payout.payouts.model import LINE_STATUSES
from commune_payout.text import clean, fold, search_words, sort_key


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


_MONTH_SELECT = (
    "SELECT l.*, s.name AS session_name, e.created_at AS paid_at, e.channel AS paid_channel "
    "FROM payout_lines l JOIN payout_sessions s ON s.id = l.session_id "
    "LEFT JOIN active_payments a ON a.line_id = l.id LEFT JOIN payout_entries e ON e.id = a.entry_id"
)


def month_lines(db, month: str, by: str = "period") -> list[dict]:
    """The lines of a month (``YYYY-MM``) with their live payment and their session's name: ``by``
    ``"period"`` the lines of the sessions of that month, whenever they were paid; ``"payment"``
    the lines paid in that month, whatever their session (a Tết gift of January paid on 01/12 is
    December's)."""
    if by == "period":
        return [dict(r) for r in db.query(f"{_MONTH_SELECT} WHERE s.period = ? ORDER BY s.created_at, l.seq",
                                          [month])]
    year, mo = int(month[:4]), int(month[5:])
    after = f"{year + mo // 12:04d}-{mo % 12 + 1:02d}-01"
    return [dict(r) for r in db.query(f"{_MONTH_SELECT} WHERE l.status = 'paid' AND e.created_at >= ? "
                                      "AND e.created_at < ? ORDER BY s.created_at, l.seq", [f"{month}-01", after])]


def _search_clause(text: str) -> tuple[str, list]:
    words = search_words(text)
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
    folded = " ".join(search_words(text))
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


def line_carries(db, line_id: str) -> list[dict]:
    """The unpaid lines of earlier sessions that ``line_id`` pays, oldest first: ``from_line_id``,
    ``session_id``, ``session`` (its name), ``period`` and ``amount``."""
    return [dict(r) for r in db.query(
        "SELECT c.from_line_id, s.id AS session_id, s.name AS session, s.period, c.amount "
        "FROM payout_carries c JOIN payout_lines f ON f.id = c.from_line_id "
        "JOIN payout_sessions s ON s.id = f.session_id WHERE c.line_id = ? ORDER BY s.period", [line_id])]


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
        "JOIN payout_entries e ON e.id = a.entry_id WHERE a.session_id = ? AND e.channel IN ('vneid', 'account')",
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


def session_status(db, sid: str) -> str:
    row = db.execute("SELECT status FROM payout_sessions WHERE id = ?", [sid]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy đợt chi có mã {sid}")
    return row[0]


def get_entry(db, entry_id: str) -> dict:
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
    return get_entry(db, row[0])


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


def session_decisions(db, sid: str) -> list[dict]:
    """The decisions a session's lists name as their basis ("kèm theo Quyết định số …"): those the
    officer named, those behind its arrears and those granting its funeral support, by date."""
    rules = json.loads(db.execute("SELECT rules FROM payout_sessions WHERE id = ?", [sid]).fetchone()[0])
    ids = set(rules.get("decisions") or [])
    ids |= {r[0] for r in db.execute("SELECT DISTINCT decision_id FROM payout_arrears WHERE session_id = ? "
                                     "AND decision_id IS NOT NULL", [sid])}
    ids |= {r[0] for r in db.execute("SELECT DISTINCT decision_id FROM payout_lines WHERE session_id = ? "
                                     "AND decision_id IS NOT NULL AND status != 'cancelled'", [sid])}
    return decisions.named(db, ids)
