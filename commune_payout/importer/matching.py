"""Matching parsed rows to the register and writing them: new people, updates, duplicates.

Decisions:
- Blank cells never erase data already in the register.
- A person matched by ID whose name in the file is a different name is not touched:
  the ID or the name is wrong and only the officer can tell which.
- A row's programme replaces the memberships of the same programme and keeps the others
  (a btxh list says nothing about someone's người có công allowance).
"""

from dataclasses import dataclass

from commune_payout import register
from commune_payout.errors import ValidationError
from commune_payout.importer.model import ERROR, WARNING, ImportResult, ParsedRow
from commune_payout.text import fold


@dataclass(frozen=True)
class Match:
    """A row to write and the register entry it is (``None``: a new person)."""

    row: ParsedRow
    bid: str | None


def _file_key(row: ParsedRow):
    if row.data.get("id_number"):
        return ("id", row.data["id_number"])
    if row.birth_year:
        return ("name", fold(row.data["full_name"]), row.birth_year, fold(row.data.get("village")))
    return None


def resolve(db, rows: list[ParsedRow], result: ImportResult) -> tuple[list[Match], list[tuple[Match, ParsedRow]]]:
    """Match rows to the register; returns (rows to write, (first, second) pairs of the same person)."""
    seen: dict = {}
    by_bid: dict = {}
    register_empty = db.execute("SELECT 1 FROM beneficiaries LIMIT 1").fetchone() is None
    kept, duplicates = [], []
    for p in rows:
        key = _file_key(p)
        first = seen.get(key) if key else None
        if first and key[0] == "id" and fold(first.row.data["full_name"]) != fold(p.data["full_name"]):
            result.problem(p.sheet, p.row, "id_number", ERROR,
                           f"Số định danh {key[1]} trùng với dòng {first.row.row} "
                           f"({first.row.data['full_name']}), khác tên: chưa lưu số định danh cho dòng này")
            p = p.without("id_number")
            key = _file_key(p)
            first = seen.get(key) if key else None
        bid = None
        if first is None and not register_empty:
            bid = register.find_match(db, p.data.get("id_number"), p.data["full_name"], p.birth_year,
                                      p.data.get("village", ""))
            first = by_bid.get(bid) if bid else None
        if first:
            _duplicate(first.row, p, result)
            duplicates.append((first, p))
            continue
        match = Match(p, bid)
        if key:
            seen[key] = match
        if bid:
            by_bid[bid] = match
        kept.append(match)
    return kept, duplicates


def _duplicate(first: ParsedRow, second: ParsedRow, result: ImportResult) -> None:
    other_sheet = first.sheet != second.sheet
    where_first = f" trang “{first.sheet}”" if other_sheet else ""
    where_second = f" trang “{second.sheet}”" if other_sheet else ""
    result.problem(second.sheet, second.row, None, WARNING,
                   f"Dòng {second.row} trùng người với dòng {first.row}{where_first} "
                   f"({first.data['full_name']}): chỉ nhập một lần theo dòng {first.row}")
    result.problem(first.sheet, first.row, None, WARNING,
                   f"Người này được ghi hai lần (dòng {first.row} và dòng {second.row}{where_second}): "
                   f"chỉ nhập một lần theo dòng {first.row}")


def _drop_invalid(p: ParsedRow, problems: dict, result: ImportResult) -> ParsedRow:
    for fld, message in problems.items():
        result.problem(p.sheet, p.row, fld, ERROR, f"{message}: chưa lưu")
    return p.without(*problems)


def write(ctx, matches: list[Match], result: ImportResult, source: str) -> None:
    """Write every match, new people in one batch, and record each row's outcome."""
    today = ctx.clock.today()
    new = []
    for m in matches:
        if m.bid:
            _update(ctx, m, result, source)
            continue
        # The parsed values are already in register form; validating here keeps one bad row from
        # aborting insert_many's whole batch.
        row = {"status": "active", "channel": "cash_commune", "account_status": "needs_account", **m.row.data}
        if row.get("birth_date"):
            row["birth_year"] = int(row["birth_date"][:4])
        new.append(_drop_invalid(m.row, register.validate(row, today), result))
    ids = register.insert_many(ctx, ((dict(p.data), [dict(p.membership)] if p.membership else []) for p in new),
                               source)
    for p, bid in zip(new, ids):
        result.outcome(p.sheet, p.row, "imported", bid)


def _worse_spelling(new, old) -> bool:
    """True when ``new`` is ``old`` written worse: marks stripped ("NGUYEN VAN AN") or all in one case."""
    if not isinstance(new, str) or not isinstance(old, str) or new == old or fold(new) != fold(old):
        return False
    marks = sum(not ch.isascii() for ch in new) < sum(not ch.isascii() for ch in old)
    return marks or (new.isupper() and not old.isupper()) or (new.islower() and not old.islower())


def _update(ctx, m: Match, result: ImportResult, source: str) -> None:
    p = m.row
    current = register.get(ctx.db, m.bid)
    if p.data.get("id_number") and current["id_number"] == p.data["id_number"] \
            and current["name_fold"] != fold(p.data["full_name"]):
        result.problem(p.sheet, p.row, "id_number", ERROR,
                       f"Số định danh {p.data['id_number']} đã có trong danh sách với tên "
                       f"“{current['full_name']}”, khác tên trong tệp: chưa cập nhật, hãy kiểm tra lại")
        result.outcome(p.sheet, p.row, "rejected", m.bid)
        return
    changes = {k: v for k, v in p.data.items() if not _worse_spelling(v, current.get(k))}
    if "birth_year" in changes and current["birth_date"] and int(current["birth_date"][:4]) != changes["birth_year"]:
        changes["birth_date"] = None
    if changes.get("bank_bin") and changes.get("account_number") and current["account_status"] != "has_account":
        changes["account_status"] = "has_account"
        if current["channel"] == "cash_commune":
            changes["channel"] = "account"
    memberships = None
    if p.membership:
        same = [ms for ms in current["memberships"] if ms["category"] == p.membership["category"]]
        kept = [ms for ms in current["memberships"] if ms["program"] != p.membership["program"]]
        dates = {"start_date": same[0]["start_date"], "end_date": same[0]["end_date"]} if same else {}
        memberships = kept + [{**p.membership, **dates}]
    try:
        changed = register.update(ctx, m.bid, changes, memberships, source=source)
    except ValidationError as exc:
        _drop_invalid(p, exc.problems, result)
        changed = register.update(ctx, m.bid, {k: v for k, v in changes.items() if k not in exc.problems},
                                  memberships, source=source)
    result.outcome(p.sheet, p.row, "updated" if changed else "unchanged", m.bid)
