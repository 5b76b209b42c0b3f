"""What a person is entitled to on a given date, and why (docs/domain.md, "Programmes").

Nothing here is frozen when a person is entered: the amount follows from the memberships in force
in the month of the date, the age reached in that month, the base level in force on the date and,
for a single parent, the number of children. :func:`entitlement` works it out from plain values
(no database), so that a session, the person form, the export and the checks agree to the đồng;
:meth:`Entitlement.explain` says it in words.

Whole months: a membership counts for every month it touches, and a person who turns 4, 16, 60,
75 or 80 during a month counts at the new age for that whole month ("từ tháng đủ 80 tuổi").
"""

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from commune_payout.money import format_vnd
from commune_payout.programs.categories import BY_CODE, UNRECOGNISED, public_label
from commune_payout.text import ascii_digits

_BASIS_WORDS = {"gift_high": "quà mức cao", "gift_low": "quà mức thấp", "fixed": "mức cố định của đợt chi"}


def age_on(birth_date: str | None, birth_year: int | None, on: dt.date) -> int | None:
    """Age in whole years on the day ``on``; from the year alone when that is all we know."""
    if birth_date:
        born = dt.date.fromisoformat(birth_date)
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if birth_year:
        return on.year - birth_year
    return None


def month_end(on: dt.date) -> dt.date:
    """The last day of ``on``'s month."""
    following = (on.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def age_in_month(birth_date: str | None, birth_year: int | None, on: dt.date) -> int | None:
    """The age a person reaches in ``on``'s month: whoever turns 80 in December is 80 for December."""
    return age_on(birth_date, birth_year, month_end(on))


def _times(base: int, coefficient: float) -> int:
    """``base × coefficient`` in whole đồng, halves rounded up (coefficients are written 1,5 or 2,5)."""
    return int((Decimal(base) * Decimal(str(coefficient))).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class BaseLevels:
    """The dated base levels of every programme (mức chuẩn), as loaded by :func:`load_base_levels`."""

    by_program: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)

    def on(self, program: str, day: dt.date) -> int | None:
        """The level of ``program`` in force on ``day``, or ``None`` before the first one."""
        found = None
        for valid_from, amount in self.by_program.get(program, ()):
            if valid_from <= day.isoformat():
                found = amount
        return found


def load_base_levels(db) -> BaseLevels:
    """Every programme's dated base levels, oldest first."""
    out: dict[str, list[tuple[str, int]]] = {}
    for program, valid_from, amount in db.execute(
            "SELECT program, valid_from, amount FROM base_levels ORDER BY program, valid_from"):
        out.setdefault(program, []).append((valid_from, amount))
    return BaseLevels({p: tuple(rows) for p, rows in out.items()})


def base_level(db, program: str, on: dt.date) -> int | None:
    """The dated base level (mức chuẩn) of ``program`` in force on ``on``."""
    return load_base_levels(db).on(program, on)


def _month(iso: str) -> str:
    return iso[:7]


def standing(m: dict, age: int | None, on: dt.date) -> str | None:
    """Why membership ``m`` earns nothing in ``on``'s month (not started, ended, outside its ages,
    unknown group), or ``None`` when it stands."""
    cat = BY_CODE.get(m["category"])
    if cat is None:
        return f"diện “{m['category']}” không có trong danh mục"
    if cat.code == UNRECOGNISED:
        return f"chưa nhận ra diện “{m.get('wording') or ''}”: hãy chọn đúng diện hưởng trong hồ sơ"
    month = on.isoformat()[:7]
    if m.get("start_date") and _month(m["start_date"]) > month:
        return f"hưởng từ tháng {_mm_yyyy(m['start_date'])}"
    if m.get("end_date") and _month(m["end_date"]) < month:
        return f"đã thôi từ {_dd_mm_yyyy(m['end_date'])}"
    if not cat.entitled_at(age):
        return f"{age} tuổi, diện này {cat.ages_text()}"
    return None


@dataclass(frozen=True)
class Part:
    """What one membership earns on the date.

    ``basis``: ``coefficient`` (× base level), ``pension`` (the social pension's own level),
    ``decision`` (người có công and other amounts set by decision), or a session's own amount
    (``gift_high``, ``gift_low``, ``fixed``). ``paid`` is false for an entitlement that is not
    cumulated (a lower coefficient, the lower of pension and assistance, a second gift).
    ``stated_coefficient`` / ``stated_amount`` are what a file or form said, kept to compare.
    """

    code: str
    program: str
    basis: str
    amount: int
    coefficient: float | None = None
    base: int | None = None
    children: int | None = None
    injury_rate: int | None = None
    paid: bool = True
    stated_coefficient: float | None = None
    stated_amount: int | None = None

    def arithmetic(self) -> str:
        """How the amount comes about, e.g. "hệ số 2 × mức chuẩn 500.000 đ = 1.000.000 đ"."""
        if self.basis == "coefficient":
            factor = (f"hệ số {coefficient_text(self.coefficient / self.children)} × {self.children} con"
                      if self.children else f"hệ số {coefficient_text(self.coefficient)}")
            return f"{factor} × mức chuẩn {format_vnd(self.base)} = {format_vnd(self.amount)}"
        if self.basis == "pension":
            return f"mức trợ cấp hưu trí xã hội {format_vnd(self.amount)}"
        if self.basis == "decision":
            return f"theo quyết định {format_vnd(self.amount)}"
        return f"{_BASIS_WORDS[self.basis]} {format_vnd(self.amount)}"

    def words(self) -> str:
        """This part in words, e.g. "Người khuyết tật nặng: hệ số 2 × mức chuẩn 500.000 đ = 1.000.000 đ"."""
        label = public_label(self.code)
        if self.injury_rate:
            label += f" (tỷ lệ {self.injury_rate}%)"
        return f"{label}: {self.arithmetic()}"


@dataclass(frozen=True)
class Entitlement:
    """A person's amount on ``on`` with every part that made it and every membership that did not.

    ``parts`` come paid ones first, the best first. ``own_amount`` is the person's own amount on
    the register (mức hưởng riêng), which replaces the rule when set.
    """

    on: dt.date
    age: int | None
    amount: int
    parts: tuple[Part, ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    own_amount: int | None = None

    @property
    def best(self) -> Part | None:
        return self.parts[0] if self.parts else None

    @property
    def coefficient(self) -> float | None:
        """The coefficient the amount is, when it is exactly coefficient × base level (the single
        parent's per-child coefficient included); ``None`` for a mix or an amount set otherwise."""
        paid = [p for p in self.parts if p.paid]
        if self.own_amount is not None or not paid or any(p.basis != "coefficient" for p in paid):
            return None
        return round(sum(p.coefficient for p in paid), 4)

    def explain(self) -> list[str]:
        """The arithmetic in words, one line each (sensitive groups named only by their programme)."""
        lines = []
        if self.refused or any(p.basis in ("coefficient", "pension") for p in self.parts):
            lines.append(f"Tuổi tính đến hết tháng {self.on:%m/%Y}: {self.age} tuổi" if self.age is not None
                         else "Chưa có ngày hoặc năm sinh: hệ số theo diện như đã ghi")
        for p in self.parts:
            text = p.words()
            if not p.paid:
                text += " (không cộng: chỉ hưởng một mức cao nhất)"
            lines.append(text)
            stated = _stated_words(p)
            if stated:
                lines.append(stated)
        for code, reason in self.refused:
            lines.append(f"Không tính {public_label(code)}: {reason}")
        if self.own_amount is not None:
            lines.append(f"Mức hưởng riêng ghi trong hồ sơ: {format_vnd(self.own_amount)}")
        lines.append(f"Mức hưởng: {format_vnd(self.amount)}")
        return lines

    def priced_at(self, levels: "BaseLevels", on: dt.date) -> "Entitlement":
        """The same groups, coefficients and ages priced at the base levels ``levels`` has for
        ``on``: what a month paid under this entitlement is worth once a level changes (arrears).
        Amounts set by decision, and the person's own amount, do not move with a base level."""
        parts = []
        for p in self.parts:
            if p.basis == "coefficient" and levels.on("btxh", on) is not None:
                base = levels.on("btxh", on)
                p = replace(p, base=base, amount=_times(base, p.coefficient))
            elif p.basis == "pension" and levels.on("htxh", on) is not None:
                p = replace(p, amount=levels.on("htxh", on))
            parts.append(replace(p, paid=True))
        combined = _combine(parts)
        amount = sum(p.amount for p in combined if p.paid)
        return replace(self, on=on, parts=combined, amount=amount if self.own_amount is None else self.own_amount)

    def to_json(self) -> dict:
        return {"on": self.on.isoformat(), "age": self.age, "amount": self.amount,
                "parts": [dict(vars(p)) for p in self.parts], "refused": [list(r) for r in self.refused],
                "own_amount": self.own_amount}

    @classmethod
    def from_json(cls, data: dict) -> "Entitlement":
        return cls(dt.date.fromisoformat(data["on"]), data["age"], data["amount"],
                   tuple(Part(**p) for p in data["parts"]), tuple(tuple(r) for r in data["refused"]),
                   data["own_amount"])


def _stated_words(p: Part) -> str:
    differs = []
    if p.stated_coefficient is not None and p.coefficient is not None and p.children is None \
            and abs(p.stated_coefficient - p.coefficient) > 1e-9:
        differs.append(f"hệ số {coefficient_text(p.stated_coefficient)}")
    if p.stated_amount is not None and p.basis in ("coefficient", "pension") and p.stated_amount != p.amount:
        differs.append(format_vnd(p.stated_amount))
    if not differs:
        return ""
    return f"  (hồ sơ ghi {', '.join(differs)}: không dùng, mức theo quy định ở trên)"


def coefficient_text(value: float) -> str:
    """A coefficient the Vietnamese way: 1,5, not 1.5."""
    return f"{value:g}".replace(".", ",")


MAX_COEFFICIENT = 10


def parse_coefficient(value) -> float | None:
    """A coefficient as typed (``1,5``, ``1.5``, ``１,５``): ``None`` when blank, else a number
    above 0 and at most :data:`MAX_COEFFICIENT` (NĐ 20 coefficients are 1–3); ``ValueError``
    for anything else: NaN, infinities, exponents and "1_5" are not coefficients."""
    if value is None or isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        if not 0 < value <= MAX_COEFFICIENT:     # also NaN
            raise ValueError(value)
        return float(value)
    text = ascii_digits(str(value)).strip().replace(",", ".")
    if not _COEFFICIENT.fullmatch(text) or not 0 < float(text) <= MAX_COEFFICIENT:
        raise ValueError(value)
    return float(text)


_COEFFICIENT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?")


def _mm_yyyy(iso: str) -> str:
    return f"{iso[5:7]}/{iso[:4]}"


def _dd_mm_yyyy(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _rule_part(m: dict, age: int | None, on: dt.date, levels: BaseLevels) -> Part | str:
    """The part membership ``m`` earns by the rules, or why it earns nothing."""
    cat = BY_CODE[m["category"]]
    stated = {"stated_coefficient": m.get("coefficient"), "stated_amount": m.get("amount")}
    if cat.program == "btxh":
        base = levels.on("btxh", on)
        if base is None:
            return "chưa có mức chuẩn trợ giúp xã hội cho ngày này"
        children = None
        if cat.per_child:
            children = m.get("children") or max(1, round((m.get("coefficient") or cat.coefficient) / cat.coefficient))
            coefficient = cat.coefficient * children
        elif age is None and m.get("coefficient"):
            coefficient = float(m["coefficient"])
        else:
            coefficient = cat.coefficient_at(age)
        return Part(cat.code_at(age), "btxh", "coefficient", _times(base, coefficient), coefficient, base,
                    children, **stated)
    if cat.program == "htxh":
        level = levels.on("htxh", on)
        if level is None:
            return "chưa có mức trợ cấp hưu trí xã hội cho ngày này"
        return Part(cat.code, "htxh", "pension", level, **stated)
    if m.get("amount") is None:
        return "chưa có số tiền theo quyết định"
    return Part(cat.code, cat.program, "decision", int(m["amount"]), injury_rate=m.get("injury_rate"))


def entitlement(memberships, birth_date: str | None, birth_year: int | None, on: dt.date, levels: BaseLevels,
                own_amount: int | None = None) -> Entitlement:
    """The monthly entitlement in ``on``'s month from a person's memberships (docs/domain.md).

    Social assistance pays only its highest amount, except that a poor single parent's per-child
    amount is added; the social pension and social assistance are not cumulated (the higher is
    paid); người có công and other amounts add on. Two memberships of one group count once.
    ``own_amount`` (the person's own amount on the register) replaces the result when set.
    """
    age = age_in_month(birth_date, birth_year, on)
    refused, earned = [], []
    for m in memberships:
        reason = standing(m, age, on)
        part = reason or _rule_part(m, age, on, levels)
        if isinstance(part, str):
            refused.append((m["category"], part))
        else:
            earned.append(part)
    parts = _combine(earned)
    amount = sum(p.amount for p in parts if p.paid)
    return Entitlement(on, age, amount if own_amount is None else int(own_amount), parts, tuple(refused),
                       own_amount)


def _combine(earned: list[Part]) -> tuple[Part, ...]:
    """Mark which parts are paid, paid ones first, each best first."""
    by_code: dict[str, Part] = {}
    for p in earned:
        if p.code not in by_code or p.amount > by_code[p.code].amount:
            by_code[p.code] = p
    parts = sorted(by_code.values(), key=lambda p: -p.amount)
    single = [p for p in parts if p.program == "btxh" and BY_CODE[p.code].per_child]
    exclusive = [p for p in parts if p.program in ("btxh", "htxh") and p not in single]
    others = [p for p in parts if p.program not in ("btxh", "htxh")]
    kept = exclusive[:1]
    dropped = [replace(p, paid=False) for p in exclusive[1:]]
    return tuple(kept + single + others + dropped)
