"""Reading decisions: one with its people, the list, a person's decisions, and the people whose
entitlement no decision backs (a data-cleaning check), those of one import grouped."""

import datetime as dt
from dataclasses import dataclass

from commune_payout.decisions.model import ENTITLEMENT_FIELDS, number_text
from commune_payout.errors import NotFound, UserError
from commune_payout.text import clean, fold

IMPORT_SOURCE = "import:"       # the history's source for people an import added: "import:FILE"


def _row(db, sql: str, params) -> dict | None:
    cur = db.execute(sql, params)
    row = cur.fetchone()
    return None if row is None else dict(zip([d[0] for d in cur.description], row))


def get_decision(db, did: str) -> dict:
    """One decision with its ``items`` (the people it covers, in order) and ``number_text``."""
    decision = _row(db, "SELECT * FROM decisions WHERE id = ?", [did])
    if decision is None:
        raise NotFound(f"Không tìm thấy quyết định có mã {did}")
    decision["number_text"] = number_text(decision["number"], decision["symbol"])
    decision["items"] = [dict(r) for r in db.query(
        "SELECT * FROM decision_items WHERE decision_id = ? ORDER BY seq", [did])]
    return decision


def resolve_decision(db, text: str) -> str:
    """The id of a decision named by its id (or a unique prefix), or by its number: "12",
    "12/QĐ-UBND" (this year's or the only one with that number), "12/2026"."""
    key = clean(text)
    if not key:
        raise NotFound("Chưa nhập số hoặc mã quyết định")
    number, _, rest = key.partition("/")
    if number.isdecimal() and len(number) <= 9:
        params = [int(number)]
        sql = "SELECT id FROM decisions WHERE number = ?"
        if rest.isdecimal() and len(rest) == 4:
            sql += " AND year = ?"
            params.append(int(rest))
        elif rest:
            sql += " AND symbol = ?"
            params.append(rest)
        rows = db.execute(sql.replace("SELECT id", "SELECT id, year") + " ORDER BY year DESC", params).fetchall()
        if len(rows) == 1:
            return rows[0][0]
        if len(rows) > 1:
            raise UserError(f"Có {len(rows)} quyết định số {number} (các năm khác nhau); ghi thêm năm, ví dụ "
                            f"{number}/{rows[0][1]}")
    rows = db.execute("SELECT id FROM decisions WHERE id LIKE ? || '%' LIMIT 2", [key.lower()]).fetchall()
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise UserError(f"Mã “{text}” khớp nhiều quyết định; hãy nhập thêm ký tự")
    raise NotFound(f"Không tìm thấy quyết định “{text}”")


def list_decisions(db) -> list[dict]:
    """Every decision, newest first, with how many people it covers."""
    rows = [dict(r) for r in db.query(
        "SELECT d.*, count(i.id) AS people FROM decisions d LEFT JOIN decision_items i ON i.decision_id = d.id "
        "GROUP BY d.id ORDER BY d.signed_on DESC, d.year DESC, d.number DESC")]
    for row in rows:
        row["number_text"] = number_text(row["number"], row["symbol"])
    return rows


def named(db, ids) -> list[dict]:
    """The decisions ``ids`` (``id``, ``number``, ``symbol``, ``signed_on``, ``number_text``), by date."""
    ids = sorted(set(ids))
    if not ids:
        return []
    rows = [dict(r) for r in db.query(
        f"SELECT id, number, symbol, signed_on FROM decisions WHERE id IN ({', '.join('?' * len(ids))}) "
        "ORDER BY signed_on, number", ids)]
    for row in rows:
        row["number_text"] = number_text(row["number"], row["symbol"])
    return rows


def decisions_of(db, beneficiary_id: str) -> list[dict]:
    """The applied decisions naming one person, oldest first, with what each did for them."""
    return [dict(r) for r in db.query(
        "SELECT d.id, d.number, d.symbol, d.signed_on, d.effective_month, d.recorded, i.action, i.category, "
        "i.from_category, i.monthly_amount, i.amount, i.reason FROM decision_items i "
        "JOIN decisions d ON d.id = i.decision_id WHERE i.beneficiary_id = ? AND d.status = 'applied' "
        "ORDER BY d.signed_on, d.number", [beneficiary_id])]


def next_number(db, year: int) -> int:
    """The next free decision number of ``year`` (the clerk may give another)."""
    return db.execute("SELECT coalesce(max(number), 0) + 1 FROM decisions WHERE year = ?", [year]).fetchone()[0]


@dataclass(frozen=True)
class ImportBatch:
    """The active people of one import (a file, a day) that no decision backs: they rest on the
    decision the file followed, which the officer records for all of them at once."""

    file: str
    imported_on: str                                # ISO date
    people: tuple[str, ...]                         # ids, by name
    villages: tuple[tuple[str, tuple[str, ...]], ...]   # (village, its people), the largest first

    @property
    def label(self) -> str:
        """"Nhập từ tệp danh_sach.xlsx ngày 01/12/2026"."""
        return f"Nhập từ tệp {self.file} ngày {dt.date.fromisoformat(self.imported_on):%d/%m/%Y}"


def without_decision(db) -> tuple[list[ImportBatch], list[dict]]:
    """Active people no applied decision backs: none grants them or changes their group, or their
    memberships, status or own amount were changed after their last decision without one.

    Returns (import batches, people): those no decision grants who came in by an import, one
    :class:`ImportBatch` per file and day, oldest first; then, one by one, the others no decision
    grants (code ``no_decision``: added by hand) and those changed without a decision (code
    ``changed_without_decision``, with the change's date and field).
    """
    fields = ", ".join("?" * len(ENTITLEMENT_FIELDS))
    backed = ("EXISTS (SELECT 1 FROM decision_items i JOIN decisions d ON d.id = i.decision_id "
              "WHERE i.beneficiary_id = b.id AND d.status = 'applied' AND i.action IN ('grant', 'change'))")
    batches: dict[tuple[str, str], list[tuple[str, str]]] = {}
    people = []
    for r in db.query(
            "SELECT b.id, b.full_name, b.village, (SELECT h.source || '|' || substr(h.changed_at, 1, 10) "
            "  FROM beneficiary_history h WHERE h.beneficiary_id = b.id AND h.field = 'created') AS came "
            f"FROM beneficiaries b WHERE b.status = 'active' AND NOT {backed} ORDER BY b.name_sort"):
        source, _, day = (r["came"] or "").rpartition("|")
        if source.startswith(IMPORT_SOURCE):
            batches.setdefault((day, source.removeprefix(IMPORT_SOURCE)), []).append((r["id"], r["village"] or ""))
        else:
            people.append({"id": r["id"], "full_name": r["full_name"], "code": "no_decision"})
    people += [dict(r, code="changed_without_decision") for r in db.query(
        "SELECT b.id, b.full_name, max(h.changed_at) AS changed_at, h.field FROM beneficiaries b "
        "JOIN beneficiary_history h ON h.beneficiary_id = b.id "
        f"WHERE b.status = 'active' AND {backed} AND h.decision_id IS NULL AND h.field IN ({fields}) "
        "AND h.changed_at > (SELECT max(h2.changed_at) FROM beneficiary_history h2 "
        "                    WHERE h2.beneficiary_id = b.id AND h2.decision_id IS NOT NULL) "
        "GROUP BY b.id ORDER BY b.name_sort", list(ENTITLEMENT_FIELDS))]
    return [_batch(file, day, rows) for (day, file), rows in sorted(batches.items())], people


def _batch(file: str, day: str, rows: list[tuple[str, str]]) -> ImportBatch:
    by_village: dict[str, list[str]] = {}
    for bid, village in rows:
        by_village.setdefault(village, []).append(bid)
    villages = sorted(by_village.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return ImportBatch(file, day, tuple(bid for bid, _ in rows), tuple((v, tuple(ids)) for v, ids in villages))


def import_batch(db, file: str, imported_on: dt.date | None = None) -> ImportBatch:
    """The batch of :func:`without_decision` of the import of ``file`` (its name, in any case or
    accents), on ``imported_on`` when the same file was imported on several days."""
    batches = [b for b in without_decision(db)[0] if fold(b.file) == fold(file)
               and (imported_on is None or b.imported_on == imported_on.isoformat())]
    if not batches:
        raise NotFound(f"Không có người nào nhập từ tệp “{file}”{'' if imported_on is None else f' ngày {imported_on:%d/%m/%Y}'}"
                       " còn thiếu căn cứ quyết định (xem: commune-payout check)")
    if len(batches) > 1:
        days = ", ".join(f"{dt.date.fromisoformat(b.imported_on):%d/%m/%Y}" for b in batches)
        raise UserError(f"Tệp “{file}” được nhập vào các ngày {days}: hãy ghi thêm ngày nhập (--imported-on)")
    return batches[0]
