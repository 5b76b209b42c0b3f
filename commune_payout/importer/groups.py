"""The group columns of a row (diện đối tượng, hệ số, mức hưởng, tỷ lệ, số con) read as memberships.

Kept apart from the rest of the row so the rules for a group's wording, its coefficient and a
typed amount live in one place. Each function returns its problems as
``(field, severity, message)`` instead of recording them, so it can be tested on its own.

A typed coefficient or amount of social assistance or the social pension is a claim, not a rate:
the amount is worked out on each session's date from the group and the age
(:func:`commune_payout.programs.entitlement`). A claim that contradicts the rule on the import
day is reported and kept beside the membership for the session to show; one that agrees is not
kept, so that a later base level or birthday reaches the person. Người có công amounts are set by
decision and are kept as typed. A group not recognised is kept with its words as "Diện chưa xác
định" and reported: it earns nothing until an officer chooses the group, and every session lists
the person as left out, so nobody disappears.
"""

import datetime as dt
import re

from commune_payout.importer.cells import is_number, parse_coefficient, shown
from commune_payout.importer.model import ERROR, WARNING
from commune_payout.money import MAX_MONTHLY, format_vnd, parse_vnd
from commune_payout.programs import (UNRECOGNISED, BaseLevels, Recognised, coefficient_text, entitlement, label_of,
                                     recognise_all)
from commune_payout.text import ascii_digits


def read_amount(raw) -> tuple[int | None, tuple | None]:
    """The monthly amount typed in a row, or a problem: whole đồng, not negative, not absurd."""
    if raw is None or isinstance(raw, str) and not raw.strip():
        return None, None
    if isinstance(raw, str):
        raw = ascii_digits(raw)
    amount = None
    if not isinstance(raw, bool) and (is_number(raw) or isinstance(raw, str)):
        try:
            amount = parse_vnd(raw)
        except (ValueError, OverflowError):
            amount = None
    if amount is None:
        return None, ("amount", ERROR, f"Mức hưởng “{shown(raw)}” không phải số tiền: chưa lưu")
    if amount < 0:
        return None, ("amount", ERROR, f"Mức hưởng “{shown(raw)}” là số âm: chưa lưu")
    if amount > MAX_MONTHLY:
        return None, ("amount", ERROR, f"Mức hưởng “{shown(raw)}” lớn bất thường (quá "
                                       f"{format_vnd(MAX_MONTHLY)} một tháng): chưa lưu")
    return amount, None


def read_coefficient(raw) -> tuple[float | None, tuple | None]:
    coefficient, problem = parse_coefficient(raw)
    return coefficient, (("coefficient", ERROR, problem) if problem else None)


def read_whole(raw, fld: str, low: int, high: int, label: str,
               percent: bool = False) -> tuple[int | None, tuple | None]:
    """A small whole number typed in a row (an injury rate "85" or "85%", a number of children).
    With ``percent``, a fraction is a cell Excel formats as a percentage: 0.85 shows as 85 %."""
    if raw is None:
        return None, None
    if percent and is_number(raw) and 0 < raw < 1 and abs(raw * 100 - round(raw * 100)) < 1e-6:
        raw = round(raw * 100)
    typed = re.fullmatch(r"([0-9]{1,4})(?:[.,]0{1,4})?", ascii_digits(shown(raw)).rstrip("%").strip())
    if typed is None or not low <= int(typed[1]) <= high:      # "8_5" or "1e2" is no rate
        return None, (fld, ERROR, f"{label} “{shown(raw)}” không hợp lý (từ {low} đến {high}): chưa lưu")
    return int(typed[1]), None


def _membership(found: Recognised | str, rate: int | None, children: int | None) -> tuple[dict, list[tuple]]:
    if isinstance(found, str):
        return ({"program": "other", "category": UNRECOGNISED, "wording": found},
                [("category", ERROR, f"Không nhận ra diện đối tượng “{found}”: đã ghi “Diện chưa xác định”, "
                                     "người này chưa được tính tiền cho đến khi chọn đúng diện hưởng")])
    cat = found.category
    m = {"program": cat.program, "category": cat.code}
    problems = []
    rate = found.injury_rate or rate
    if cat.gift == "by_rate":
        if rate is not None and not 1 <= rate <= 100:
            problems.append(("category", ERROR, f"Tỷ lệ suy giảm khả năng lao động {rate}% không hợp lý: chưa lưu"))
        elif rate is not None:
            m["injury_rate"] = rate
    if cat.per_child and (found.children or children):
        m["children"] = found.children or children
    if found.amount is not None:
        m["amount"] = found.amount
    return m, problems


def _claims(m: dict, amount: int | None, coefficient: float | None, data: dict, today: dt.date,
            levels: BaseLevels) -> list[tuple]:
    """Compare a typed coefficient and amount with the rule on ``today``; keep those that differ."""
    if m["program"] not in ("btxh", "htxh"):          # paid by decision: the typed amount is the amount
        m["coefficient"] = coefficient
        if amount is not None:
            m["amount"] = amount
        return []
    if m["category"] == "don_than_ngheo" and coefficient and "children" not in m and coefficient == int(coefficient):
        m["children"] = int(coefficient)          # "Hệ số 2" of a single parent: two children
    m["coefficient"] = coefficient                # with no age known, the typed coefficient is all there is
    due = entitlement([m], data.get("birth_date"), data.get("birth_year"), today, levels)
    part = due.best
    if part is None:
        m["coefficient"] = None
        return [("category", WARNING, f"“{label_of(code)}”: {why}: chưa được tính tiền") for code, why in due.refused]
    problems = []
    rule = part.coefficient / part.children if part.children else part.coefficient
    stated = coefficient / part.children if part.children and coefficient else coefficient
    if rule is None or due.age is not None and (stated is None or abs(stated - rule) < 1e-9):
        m["coefficient"] = None                   # no coefficient (social pension), or one that agrees
    elif due.age is not None:
        problems.append(("coefficient", WARNING,
                         f"Hệ số ghi {coefficient_text(coefficient)}, theo quy định ({due.age} tuổi) là "
                         f"{coefficient_text(part.coefficient)}: các đợt chi dùng hệ số theo quy định"))
    if amount is not None and amount != part.amount:
        m["amount"] = amount
        problems.append(("amount", WARNING,
                         f"Mức hưởng ghi {format_vnd(amount)} khác mức theo quy định ({part.arithmetic()}): "
                         "đợt chi dùng mức theo quy định; nếu mức trong tệp đúng theo quyết định, hãy điều chỉnh "
                         "số tiền trong đợt chi và ghi lý do"))
    return problems


def memberships(text: str, amount: int | None, coefficient: float | None, rate: int | None,
                children: int | None, data: dict, today: dt.date,
                levels: BaseLevels) -> tuple[tuple[dict, ...], list[tuple]]:
    """The memberships a row states: its group ``text`` (one or several groups, "A; B"), typed
    ``amount`` and ``coefficient``, injury ``rate`` and number of ``children`` columns."""
    found = recognise_all(text) if text else []
    if not found and amount is None and coefficient is None:
        return (), []
    problems = []
    if not found:
        problems.append(("category", ERROR, "Có mức hưởng hoặc hệ số nhưng chưa ghi diện đối tượng: đã ghi “Diện "
                                            "chưa xác định”, chưa được tính tiền cho đến khi chọn đúng diện hưởng"))
        found = [""]
    out = []
    for item in found:
        m, more = _membership(item, rate, children)
        problems += more
        out.append(m)
    if len(out) == 1:
        problems += _claims(out[0], amount, coefficient, data, today, levels)
    elif amount is not None:
        due = entitlement(out, data.get("birth_date"), data.get("birth_year"), today, levels)
        if amount == due.amount:
            pass
        elif all(m["program"] in ("btxh", "htxh") for m in out):
            problems.append(("amount", WARNING,
                             f"Mức hưởng ghi {format_vnd(amount)} cho nhiều diện, theo quy định là "
                             f"{format_vnd(due.amount)}: chưa lưu số tiền, đợt chi dùng mức theo quy định"))
        else:
            problems.append(("amount", WARNING,
                             f"Một mức hưởng {format_vnd(amount)} cho nhiều diện: không rõ của diện nào nên chưa lưu; "
                             "hãy ghi mỗi diện một dòng, hoặc số tiền của diện người có công ngay sau tên diện"))
    return tuple(out), problems
