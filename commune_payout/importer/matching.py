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


def resolve(db, rows: list[ParsedRow], result: ImportResult) -> tuple[list[Match], list[tuple[Match, ParsedRow]]]:
    """Match rows to earlier rows of the file and to the register, by the same rules
    (:func:`register.pick_namesakes`); returns (rows to write, (first, second) pairs of one person).

    A row that may be several people is rejected with a problem rather than guessed. A second
    row of one person that names other groups adds them to the first.
    """
    kept: list[Match] = []
    by_id: dict[str, int] = {}              # the indexes in ``kept`` of what was matched so far
    by_name: dict[tuple, list[int]] = {}
    by_bid: dict[str, int] = {}
    register_empty = db.execute("SELECT 1 FROM beneficiaries LIMIT 1").fetchone() is None
    duplicates = []
    for p in rows:
        first = by_id.get(p.data.get("id_number"))
        if first is not None and fold(kept[first].row.data["full_name"]) != fold(p.data["full_name"]):
            earlier = kept[first].row
            result.problem(p.sheet, p.row, "id_number", ERROR,
                           f"Số định danh {p.data['id_number']} trùng với dòng {earlier.row} "
                           f"({earlier.data['full_name']}), khác tên: chưa lưu số định danh cho dòng này")
            p = p.without("id_number")
            first = None
        name_key = (fold(p.data["full_name"]), fold(p.data.get("village")))
        if first is None:
            namesakes = [(i, kept[i].row.data.get("id_number"), kept[i].row.birth_year)
                         for i in by_name.get(name_key, ())]
            found = register.pick_namesakes(namesakes, p.data.get("id_number"), p.birth_year)
            if len(found) > 1:
                _ambiguous(p, [f"dòng {kept[i].row.row}" for i in found], result)
                continue
            first = found[0] if found else None
        bid = None
        if first is None and not register_empty:
            candidates = register.match_candidates(db, p.data.get("id_number"), p.data["full_name"], p.birth_year,
                                                   p.data.get("village", ""))
            if len(candidates) > 1:
                _ambiguous(p, [f"{len(candidates)} người trong sổ"], result)
                continue
            bid = candidates[0] if candidates else None
            first = by_bid.get(bid) if bid else None
        if first is not None:
            earlier = kept[first]
            added = _new_groups(earlier.row, p)
            if added:
                kept[first] = Match(earlier.row.with_memberships((*earlier.row.memberships, *added)), earlier.bid)
                _merged(earlier.row, p, added, result)
            else:
                _duplicate(earlier.row, p, result)
            duplicates.append((kept[first], p))
            continue
        index = len(kept)
        kept.append(Match(p, bid))
        if p.data.get("id_number"):
            by_id[p.data["id_number"]] = index
        by_name.setdefault(name_key, []).append(index)
        if bid:
            by_bid[bid] = index
    return kept, duplicates


def _ambiguous(p: ParsedRow, who: list[str], result: ImportResult) -> None:
    year = f", sinh năm {p.birth_year}" if p.birth_year else ""
    village = p.data.get("village") or "không ghi thôn"
    result.problem(p.sheet, p.row, None, ERROR,
                   f"{p.data['full_name']} ({village}{year}) có thể là {' hoặc '.join(who)} cùng tên: không biết "
                   "dòng này là ai nên chưa nhập. Hãy ghi thêm số định danh (hoặc năm sinh) rồi nhập lại")
    result.outcome(p.sheet, p.row, "rejected")


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
    """Write every match, new people in one batch, and record each row's outcome.

    A new person's row is cleaned and validated once (:func:`register.prepare_new`); a field
    the register refuses is reported and left out, so one bad cell never stops the batch.
    """
    today = ctx.clock.today()
    new = []
    for m in matches:
        if m.bid:
            _update(ctx, m, result, source)
            continue
        p = m.row
        if p.data.get("status", "active") != "active" and not p.data.get("status_date"):
            p = p.with_data(status_date=undated_from(p.data["status"], today).isoformat())
        row, problems = register.prepare_new(dict(p.data), today)
        if problems:
            p = _drop_invalid(p, problems, result)
            row, problems = register.prepare_new(dict(p.data), today)
        if problems:    # a rule that involves several fields: the row cannot be kept
            result.problem(p.sheet, p.row, None, ERROR, "Dòng này không nhập được: " + "; ".join(problems.values()))
            result.outcome(p.sheet, p.row, "rejected")
            continue
        if not p.memberships and "category" in result.layouts[p.sheet].columns:
            result.problem(p.sheet, p.row, "category", WARNING, "Chưa ghi diện đối tượng: người này chưa thuộc danh "
                                                                "sách chi nào cho đến khi có diện hưởng")
        new.append((p, row))
    ids = register.insert_prepared(ctx, [(row, [dict(m) for m in p.memberships]) for p, row in new], source)
    for (p, _row), bid in zip(new, ids):
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
        if current["channel"] == "cash_commune" and "channel" not in changes:
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
