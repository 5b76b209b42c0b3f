"""The draw of a session's verification: who is asked, recorded with what repeats it.

Owner of ``verifications`` and ``verification_items``. The population is the session's lines
paid when the draw is made, each in the stratum of its village and the channel it was paid
through. The draw records its method, size, seed and a SHA-256 of the population's line ids, so
that anyone can draw again and get the same people (:func:`repeat`). A draw nobody has been asked
about yet may be replaced by another; once an answer is recorded it stays.
"""

import hashlib

from commune_payout import payouts, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import UserError
from commune_payout.verification.sampling import DrawSpec, draw as draw_lines, new_seed, percent_text


def population(db, sid: str) -> list[dict]:
    """The session's paid lines in list order: ``id``, ``seq``, ``village``, ``channel`` (the
    channel the payment went through)."""
    return [dict(r) for r in db.query(
        "SELECT l.id, l.seq, l.village, coalesce(e.channel, l.channel) AS channel FROM payout_lines l "
        "JOIN active_payments a ON a.line_id = l.id JOIN payout_entries e ON e.id = a.entry_id "
        "WHERE l.session_id = ? ORDER BY l.seq", [sid])]


def _digest(lines: list[dict]) -> str:
    return hashlib.sha256("\n".join(sorted(r["id"] for r in lines)).encode()).hexdigest()


def get_verification(db, sid: str) -> dict | None:
    """The draw of session ``sid``, or ``None`` if it has none."""
    row = db.execute("SELECT * FROM verifications WHERE session_id = ?", [sid]).fetchone()
    if row is None:
        return None
    cols = [d[0] for d in db.execute("SELECT * FROM verifications LIMIT 0").description]
    return dict(zip(cols, row))


def answered_count(db, vid: str) -> int:
    return db.execute("SELECT count(*) FROM verification_answers a JOIN verification_items i ON i.id = a.item_id "
                      "WHERE i.verification_id = ?", [vid]).fetchone()[0]


def draw(ctx: Context, sid: str, spec: DrawSpec | None = None, seed: int | None = None) -> str:
    """Draw who is asked in session ``sid`` (replacing a draw nobody was asked about yet);
    returns the draw's id. ``seed`` ``None``: a new one, recorded."""
    spec = (spec or DrawSpec()).validate()
    db = ctx.db
    session = payouts.get_session(db, sid)
    if session["status"] == "draft":
        raise UserError("Đợt chi còn đang lập; chỉ xác minh được đợt đã khóa danh sách và đã chi trả")
    seed = new_seed() if seed is None else int(seed)
    with write_transaction(db):
        lines = population(db, sid)
        if not lines:
            raise UserError("Đợt chi chưa có ai được ghi là đã nhận tiền; chưa có gì để xác minh")
        old = get_verification(db, sid)
        if old is not None:
            asked = answered_count(db, old["id"])
            if asked:
                raise UserError(f"Đợt chi này đã có mẫu xác minh với {asked} câu trả lời; không rút mẫu lại được")
            db.execute("DELETE FROM verification_items WHERE verification_id = ?", [old["id"]])
            db.execute("DELETE FROM verifications WHERE id = ?", [old["id"]])
        size = spec.size(len(lines))
        vid = new_id()
        commune = settings.commune(db)["code"]
        db.execute(
            "INSERT INTO verifications (id, session_id, commune_code, method, confidence, margin, share, population, "
            "size, seed, population_sha256, drawn_at, drawn_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [vid, sid, commune, spec.method, spec.confidence if spec.method == "formula" else None,
             spec.margin if spec.method == "formula" else None, spec.share if spec.method == "share" else None,
             len(lines), size, seed, _digest(lines), ctx.clock.now().isoformat(sep=" "), ctx.user])
        db.conn.executemany(
            "INSERT INTO verification_items (id, verification_id, session_id, line_id, commune_code, seq, village, "
            "channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(new_id(), vid, sid, d.line_id, commune, n, d.village, d.channel)
             for n, d in enumerate(draw_lines(lines, size, seed), start=1)])
    return vid


def drawn_lines(db, vid: str) -> list[str]:
    """The line ids of a draw, in the order of the sheet."""
    return [r[0] for r in db.execute("SELECT line_id FROM verification_items WHERE verification_id = ? ORDER BY seq",
                                     [vid])]


def repeat(db, sid: str) -> dict:
    """Draw again with the recorded seed on the session's paid lines as they are now:
    ``same_population`` (the lines paid now are those drawn from), ``same_draw`` (the same
    people, in the same order)."""
    recorded = get_verification(db, sid)
    if recorded is None:
        raise UserError("Đợt chi này chưa rút mẫu xác minh")
    lines = population(db, sid)
    again = [d.line_id for d in draw_lines(lines, recorded["size"], recorded["seed"])] if lines else []
    return {"same_population": _digest(lines) == recorded["population_sha256"],
            "same_draw": again == drawn_lines(db, recorded["id"])}


def describe_draw(recorded: dict) -> str:
    """How the people on the sheet were chosen, in one line for its heading."""
    size, population = recorded["size"], recorded["population"]
    if recorded["method"] == "all":
        return f"Hỏi toàn bộ {population} người đã nhận tiền"
    how = {"formula": f"cỡ mẫu theo độ tin cậy {percent_text(recorded['confidence'] or 0)}, "
                      f"sai số ±{percent_text(recorded['margin'] or 0)}",
           "count": "số người do cán bộ chọn",
           "share": f"tỷ lệ {percent_text(recorded['share'] or 0)}"}[recorded["method"]]
    return (f"Mẫu ngẫu nhiên {size}/{population} người đã nhận tiền, chia theo thôn và hình thức nhận ({how}; "
            f"số hạt giống {recorded['seed']})")
