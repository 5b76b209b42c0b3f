"""The group columns of a row (diện đối tượng, hệ số, mức hưởng) read as a membership.

Kept apart from the rest of the row so the rules for a group's wording, its coefficient and a
typed amount live in one place. Each function returns its problems as
``(field, severity, message)`` instead of recording them, so it can be tested on its own.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from commune_payout.importer.cells import parse_coefficient, present, shown
from commune_payout.importer.model import ERROR, WARNING
from commune_payout.money import parse_vnd
from commune_payout.programs import BY_CODE, age_on, base_level, find_category

# A register repeats a handful of category texts thousands of times.
category_of = lru_cache(maxsize=4096)(find_category)


@dataclass(frozen=True)
class BaseLevels:
    """The base levels in force on the import day, against which a typed amount is compared."""

    btxh: int | None
    htxh: int | None

    @classmethod
    def on(cls, db, day: dt.date) -> "BaseLevels":
        return cls(base_level(db, "btxh", day), base_level(db, "htxh", day))


def read_amount(raw) -> tuple[int | None, tuple | None]:
    """The monthly amount typed in a row, or a problem."""
    try:
        amount = parse_vnd(raw)
        if amount is not None and amount < 0:
            raise ValueError(amount)
    except ValueError:
        return None, ("amount", ERROR, f"Mức hưởng “{shown(raw)}” không phải số tiền: chưa lưu")
    return amount, None


def read_coefficient(raw) -> tuple[float | None, tuple | None]:
    if not present(raw):
        return None, None
    try:
        return parse_coefficient(raw), None
    except ValueError:
        return None, ("coefficient", ERROR, f"Hệ số “{shown(raw)}” không phải số: chưa lưu")


def membership(text: str, amount: int | None, coefficient: float | None, data: dict, today: dt.date,
               bases: BaseLevels) -> tuple[dict | None, list[tuple]]:
    """The membership a row states with its group ``text``, typed ``amount`` and ``coefficient``.

    A coefficient or amount is kept only where it differs from what the group gives, so that
    a later change of the base level reaches the person.
    """
    if not text and amount is None and coefficient is None:
        return None, []
    problems = []
    category = category_of(text) if text else None
    if category is None:
        if text:
            problems.append(("category", WARNING, f"Không nhận ra diện đối tượng “{text}”: "
                                                  "đã ghi diện “Khác” với mức hưởng trong tệp"))
        else:
            problems.append(("category", WARNING, "Chưa ghi diện đối tượng: đã ghi diện “Khác”"))
        category = BY_CODE["other"]
    m = {"program": category.program, "category": category.code, "coefficient": None, "amount": None}
    if category.program == "btxh":
        age = age_on(data.get("birth_date"), data.get("birth_year"), today)
        m["coefficient"] = coefficient if coefficient is not None else category.coefficient_at(age)
        expected = round(m["coefficient"] * bases.btxh) if bases.btxh and m["coefficient"] else None
        if amount is not None and amount != expected:
            m["amount"] = amount
    elif category.program == "htxh":
        m["amount"] = amount if amount is not None and amount != bases.htxh else None
    else:
        m["coefficient"], m["amount"] = coefficient, amount
    return m, problems
