"""Matching parsed rows to the register and writing them: new people, updates, duplicates.

Decisions:
- Blank cells never erase data already in the register.
- A person matched by ID whose name in the file is a different name is not touched:
  the ID or the name is wrong and only the officer can tell which.
- A row's groups are added to the person's groups, never put in their place: a group the person
  already has is updated with what the row says of it (injury rate, children, a typed amount or
  coefficient), another group is added. A person may hold several groups from one file or
  across files; removing a group is done in the person's record, never by an import. A second
  row for the same person naming other groups adds them too.
- A status from the file (a death, a suspension, an end) is applied with its date. An import never
  brings the dead back, and puts a suspended or ended person back on the list only when the file
  gives the date of resumption ("Hưởng lại từ …"); otherwise it reports the difference.
"""

from dataclasses import dataclass

from commune_payout import register
from commune_payout.errors import ValidationError
from commune_payout.importer.model import ERROR, WARNING, ImportResult, ParsedRow
from commune_payout.programs import membership_text
from commune_payout.status_text import undated_from
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
    """Match rows to the register; returns (rows to write, (first, second) pairs of the same person).

    A second row of a person already met adds the groups it names to that person's first row.
    """
    seen: dict = {}       # file key → position in ``kept``
    by_bid: dict = {}     # register id → position in ``kept``
    register_empty = db.execute("SELECT 1 FROM beneficiaries LIMIT 1").fetchone() is None
    kept, duplicates = [], []

    def at(index):
        return kept[index] if index is not None else None

    for p in rows:
        key = _file_key(p)
        first = at(seen.get(key)) if key else None
        if first and key[0] == "id" and fold(first.row.data["full_name"]) != fold(p.data["full_name"]):
            result.problem(p.sheet, p.row, "id_number", ERROR,
                           f"Số định danh {key[1]} trùng với dòng {first.row.row} "
                           f"({first.row.data['full_name']}), khác tên: chưa lưu số định danh cho dòng này")
            p = p.without("id_number")
            key = _file_key(p)
            first = at(seen.get(key)) if key else None
        bid = None
        if first is None and not register_empty:
            bid = register.find_match(db, p.data.get("id_number"), p.data["full_name"], p.birth_year,
                                      p.data.get("village", ""))
            first = at(by_bid.get(bid)) if bid else None
        if first:
            added = _new_groups(first.row, p)
            if added:
                index = kept.index(first)
                first = kept[index] = Match(first.row.with_memberships((*first.row.memberships, *added)), first.bid)
                _merged(first.row, p, added, result)
            else:
                _duplicate(first.row, p, result)
            duplicates.append((first, p))
            continue
        if key:
            seen[key] = len(kept)
        if bid:
            by_bid[bid] = len(kept)
        kept.append(Match(p, bid))
    return kept, duplicates


def _new_groups(first: ParsedRow, second: ParsedRow) -> list:
    held = {m["category"] for m in first.memberships}
    return [m for m in second.memberships if m["category"] not in held]


def _merged(first: ParsedRow, second: ParsedRow, added: list, result: ImportResult) -> None:
    where = f" trang “{first.sheet}”" if first.sheet != second.sheet else ""
    groups = ", ".join(f"“{membership_text(m)}”" for m in added)
    result.problem(second.sheet, second.row, None, WARNING,
                   f"Dòng {second.row} là cùng người với dòng {first.row}{where} ({first.data['full_name']}): "
                   f"đã thêm diện {groups} cho người này; các thông tin khác lấy theo dòng {first.row}")


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
        if row["status"] != "active" and not row.get("status_date"):
            row["status_date"] = undated_from(row["status"], today).isoformat()
            m = Match(m.row.with_data(status_date=row["status_date"]), None)
        if row.get("birth_date"):
            row["birth_year"] = int(row["birth_date"][:4])
        new.append(_drop_invalid(m.row, register.validate(row, today), result))
    for p in new:
        if not p.memberships and "category" in result.layouts[p.sheet].columns:
            result.problem(p.sheet, p.row, "category", WARNING, "Chưa ghi diện đối tượng: người này chưa thuộc danh "
                                                                "sách chi nào cho đến khi có diện hưởng")
    ids = register.insert_many(ctx, ((dict(p.data), [dict(m) for m in p.memberships]) for p in new), source)
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
    _status_change(current, changes, p, ctx.clock.today(), result)
    memberships = _added_groups(current["memberships"], p.memberships)
    try:
        changed = register.update(ctx, m.bid, changes, memberships, source=source)
    except ValidationError as exc:
        _drop_invalid(p, exc.problems, result)
        changed = register.update(ctx, m.bid, {k: v for k, v in changes.items() if k not in exc.problems},
                                  memberships, source=source)
    result.outcome(p.sheet, p.row, "updated" if changed else "unchanged", m.bid)


def _added_groups(held: list[dict], stated) -> list[dict] | None:
    """The person's groups with a row's groups added (see the module docstring), or ``None`` when
    the row changes nothing about them."""
    out = [dict(m) for m in held]
    for new in stated:
        same = next((m for m in out if m["category"] == new["category"]
                     and m.get("wording", "") == new.get("wording", "")), None)
        if same is None:
            out.append({"start_date": None, "end_date": None, **new})
        else:
            same.update({k: v for k, v in new.items() if v is not None})
    return out if stated else None


def _status_change(current: dict, changes: dict, p: ParsedRow, today, result: ImportResult) -> None:
    """Keep in ``changes`` only the status change an import may make (see the module docstring)."""
    if "status" not in changes:
        return
    status = changes["status"]
    said = p.data.get("status_reason") or register.STATUSES[status]
    now = register.STATUSES[current["status"]]
    if current["status_date"]:
        day = current["status_date"]
        now += f" {'ngày' if current['status'] == 'deceased' else 'từ'} {day[8:10]}/{day[5:7]}/{day[:4]}"
    refuse = None
    if status == current["status"]:
        date = changes.get("status_date")
        refuse = "" if not date or date == current["status_date"] or status == "active" else (
            f"Trong danh sách người này {now.lower()}, tệp ghi “{said}”: chưa đổi ngày; nếu ngày trong tệp "
            "đúng, hãy sửa trong hồ sơ")
    elif current["status"] == "deceased":
        refuse = f"Trong danh sách người này {now.lower()}; tệp ghi “{said}”: chưa đổi"
    elif status == "active" and not changes.get("status_date"):
        refuse = (f"Trong danh sách người này đang “{now}”, tệp ghi “{said}”: chưa đổi; muốn cho hưởng lại, hãy "
                  "ghi “Hưởng lại từ ngày …” hoặc đổi trạng thái trong hồ sơ")
    if refuse is None:
        changes.setdefault("status_date", undated_from(status, today).isoformat())
        changes.setdefault("status_reason", "")
        return
    for key in ("status", "status_date", "status_reason"):
        changes.pop(key, None)
    if refuse:
        result.problem(p.sheet, p.row, "status", WARNING, refuse)
