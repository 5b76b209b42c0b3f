"""What a session asks for (:class:`SessionSpec`) and the amount each person's memberships earn under it."""

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from commune_payout import register
from commune_payout.errors import ValidationError
from commune_payout.payouts.model import KINDS, vn_date
from commune_payout.programs import (BY_CODE, PROGRAM_LABELS, BaseLevels, Entitlement, Part, age_in_month,
                                     entitlement, gift_level, standing)
from commune_payout.money import MAX_MONTHLY
from commune_payout.text import ascii_digits, clean

MAX_MONTHS = 120            # a session paying more than ten years at once is a typing slip
MAX_LINE = MAX_MONTHLY * MAX_MONTHS     # the most one person's line can hold
MAX_NAME = 200              # a session's name and funding source head every list printed
# The days a session can be dated: the date tables (base levels, ages) hold nothing outside them.
FIRST_SESSION_DAY, LAST_SESSION_DAY = dt.date(2000, 1, 1), dt.date(2099, 12, 31)


@dataclass
class SessionSpec:
    """What the officer asks for when creating a session (also stored as the session's rules).

    Amounts come from ``fixed`` (keys are category codes such as ``ncc_me_vnah`` or programme
    codes such as ``ncc``; a category key wins over its programme) and the Tết gift levels
    ``gift_high`` / ``gift_low`` (people whose category has the 600,000 đ President's gift level
    get ``gift_high``, other người có công get ``gift_low``). With none of these the session pays
    each person's entitlement on ``session_date`` for the programmes in ``programs``
    (:func:`commune_payout.programs.entitlement`: coefficient by age on that date × the base
    level then in force), times ``months``.

    ``overrides`` maps a beneficiary id to ``(amount, reason)``: the whole amount of that
    person's line, carried amounts included. ``one_per_person`` (default: on for Tết gifts) pays
    the highest of several gifts instead of their sum; ``carry_forward`` (default: on for monthly
    sessions) adds every unpaid, not yet carried line of the closed monthly sessions before it.

    Back pay (:mod:`.arrears`): a monthly session adds what decisions and base levels make owed
    for earlier months; a session of kind ``arrears`` pays only the difference owed for months
    already paid at an old base level. ``funeral`` (default: on for monthly sessions) adds the
    funeral support granted and not yet on a line; a ``one_off`` session with ``funeral`` and no
    fixed amounts pays funeral support alone. ``decisions`` are the ids of decisions the lists
    name as their basis ("kèm theo Quyết định số …"), besides those behind its arrears and
    funeral lines.
    """

    name: str
    kind: str
    period: str
    session_date: dt.date
    funding_source: str = ""
    pay_from: dt.date | None = None
    pay_to: dt.date | None = None
    fixed: dict[str, int] = field(default_factory=dict)
    gift_high: int | None = None
    gift_low: int | None = None
    programs: tuple[str, ...] = ("btxh", "htxh")
    months: int = 1
    one_per_person: bool | None = None
    overrides: dict[str, tuple[int, str]] = field(default_factory=dict)
    carry_forward: bool | None = None
    funeral: bool | None = None
    decisions: tuple[str, ...] = ()

    @property
    def fixed_basis(self) -> bool:
        return bool(self.fixed) or self.gift_high is not None or self.gift_low is not None

    @property
    def basis(self) -> str:
        """How the session's amounts arise: ``fixed`` amounts, ``coefficient`` (each person's
        entitlement), ``arrears`` (differences owed) or ``funeral`` (funeral support alone)."""
        if self.kind == "arrears":
            return "arrears"
        if self.fixed_basis:
            return "fixed"
        if self.kind == "one_off" and self.funeral:
            return "funeral"
        return "coefficient"

    @property
    def pays_funeral(self) -> bool:
        return self.basis == "funeral" or (self.kind == "monthly" and self.funeral is not False)

    @property
    def gift_once(self) -> bool:
        return self.kind == "tet_gift" if self.one_per_person is None else self.one_per_person

    @property
    def carries(self) -> bool:
        return self.kind == "monthly" if self.carry_forward is None else self.carry_forward

    def rules(self) -> dict:
        """The JSON stored on the session: everything that decided the amounts."""
        return {
            "basis": self.basis,
            "fixed": dict(self.fixed),
            "gift_high": self.gift_high,
            "gift_low": self.gift_low,
            "programs": list(self.programs),
            "months": self.months,
            "one_per_person": self.gift_once,
            "carry_forward": self.carries,
            "funeral": self.pays_funeral,
            "decisions": list(self.decisions),
            "overrides": {k: {"amount": a, "reason": r} for k, (a, r) in self.overrides.items()},
        }


_MAX_TEXT = f"{MAX_MONTHLY:,} đ".replace(",", ".")


def validate_spec(db, spec: SessionSpec) -> SessionSpec:
    """Clean ``spec`` and check it; ValidationError lists every problem by field."""
    problems: dict[str, str] = {}
    spec.name = clean(spec.name)
    spec.funding_source = clean(spec.funding_source)
    spec.period = ascii_digits(clean(spec.period))
    if not spec.name:
        problems["name"] = "Chưa đặt tên đợt chi"
    for key in ("name", "funding_source"):
        if len(getattr(spec, key)) > MAX_NAME:
            problems[key] = f"Dài quá {MAX_NAME} ký tự: tên này in ở đầu mọi danh sách, hãy viết gọn"
    if spec.kind not in KINDS:
        problems["kind"] = "Loại đợt chi là quà Tết, trợ cấp hằng tháng, chi một lần hoặc truy lĩnh"
    if not re.fullmatch(r"20[0-9]{2}-(0[1-9]|1[0-2])", spec.period):
        problems["period"] = "Kỳ chi phải có dạng NĂM-THÁNG, ví dụ 2026-01"
    if not isinstance(spec.session_date, dt.date):
        problems["session_date"] = "Chưa có ngày xét đối tượng"
    elif not FIRST_SESSION_DAY <= spec.session_date <= LAST_SESSION_DAY:
        problems["session_date"] = (f"Ngày xét đối tượng phải trong các năm "
                                    f"{FIRST_SESSION_DAY.year}–{LAST_SESSION_DAY.year}")
    elif spec.kind == "monthly" and not problems.get("period") and spec.session_date.strftime("%Y-%m") != spec.period:
        problems["session_date"] = (f"Ngày xét đối tượng của đợt hằng tháng phải thuộc kỳ chi "
                                    f"{spec.period[5:]}/{spec.period[:4]}")
    if spec.pay_from and spec.pay_to and spec.pay_from > spec.pay_to:
        problems["pay_to"] = "Ngày kết thúc chi trả trước ngày bắt đầu"
    for key, amount in spec.fixed.items():
        if key not in BY_CODE and key not in PROGRAM_LABELS:
            problems["fixed"] = f"Không có diện hoặc chương trình “{key}”"
        elif not isinstance(amount, int) or not 0 < amount <= MAX_MONTHLY:
            problems["fixed"] = f"Mức chi cho “{key}” phải là số tiền dương, không quá {_MAX_TEXT}"
    for name in ("gift_high", "gift_low"):
        value = getattr(spec, name)
        if value is not None and (not isinstance(value, int) or not 0 < value <= MAX_MONTHLY):
            problems[name] = f"Mức quà phải là số tiền dương, không quá {_MAX_TEXT}"
    if spec.kind == "tet_gift" and not spec.fixed_basis:
        problems["fixed"] = "Đợt quà Tết cần mức quà (mức cao/mức thấp hoặc mức theo diện)"
    if any(p not in PROGRAM_LABELS for p in spec.programs):
        problems["programs"] = "Chương trình không hợp lệ"
    if not isinstance(spec.months, int) or not 1 <= spec.months <= MAX_MONTHS:
        problems["months"] = f"Số tháng chi phải từ 1 đến {MAX_MONTHS}"
    if spec.kind == "arrears" and spec.fixed_basis:
        problems["fixed"] = "Đợt truy lĩnh chi phần chênh lệch theo mức chuẩn, không theo mức cố định"
    if spec.kind == "arrears" and spec.months != 1:
        problems["months"] = "Đợt truy lĩnh tính theo từng tháng đã chi, không ghi số tháng"
    known = {r[0] for r in db.execute("SELECT id FROM decisions WHERE status = 'applied'")} if spec.decisions else set()
    if any(d not in known for d in spec.decisions):
        problems["decisions"] = "Chỉ ghi kèm theo quyết định đã áp dụng"
    for amount, reason in spec.overrides.values():
        if not isinstance(amount, int) or not 0 <= amount <= MAX_LINE:
            problems["overrides"] = "Số tiền điều chỉnh phải là số không âm"
        elif not clean(reason):
            problems["overrides"] = "Điều chỉnh số tiền phải ghi lý do"
    if spec.kind == "monthly" and not problems.get("period"):
        dup = db.execute("SELECT name FROM payout_sessions WHERE kind = 'monthly' AND period = ?",
                         [spec.period]).fetchone()
        if dup:
            problems["period"] = f"Đã có đợt chi hằng tháng kỳ {spec.period}: “{dup[0]}”"
    if problems:
        raise ValidationError("Thông tin đợt chi chưa hợp lệ", problems)
    return spec


def status_reason(person: dict, spec: SessionSpec) -> str | None:
    """Why a person's status keeps them out of the session, or ``None``.

    Suspended or ended on or before the eligibility date: out. Deceased: a monthly amount is
    still paid for the month of death and stops from the next month; a gift or a fixed one-off
    amount goes only to people alive on the eligibility date (docs/domain.md).
    """
    status, date = person["status"], person["status_date"]
    if status == "active":
        return None
    on = spec.session_date.isoformat()
    if status == "deceased" and date and not spec.fixed_basis:
        if date[:7] >= on[:7]:
            return None
    elif date and date > on:
        return None
    text = register.STATUSES[status]
    if date:
        text += f" {'ngày' if status == 'deceased' else 'từ'} {vn_date(date)}"
    if person.get("status_reason"):
        text += f": {person['status_reason']}"
    return text


def _fixed_amount(spec: SessionSpec, m: dict) -> tuple[str, int] | None:
    """(basis, amount) a fixed-amount session gives membership ``m``, or ``None``."""
    if m["category"] in spec.fixed:
        return "fixed", spec.fixed[m["category"]]
    if m["program"] in spec.fixed:
        return "fixed", spec.fixed[m["program"]]
    level = gift_level(m["category"], m.get("injury_rate"))
    amount = {"high": spec.gift_high, "low": spec.gift_low}.get(level)
    return (f"gift_{level}", amount) if amount is not None else None


def _fixed_entitlement(spec: SessionSpec, ms: list[dict], person: dict) -> Entitlement | None:
    on = spec.session_date
    age = age_in_month(person["birth_date"], person["birth_year"], on)
    scoped = [(m, found) for m in ms if (found := _fixed_amount(spec, m)) is not None]
    if not scoped:
        return None
    refused, earned = [], []
    for m, (basis, amount) in scoped:
        reason = standing(m, age, on)
        if reason:
            refused.append((m["category"], reason))
        else:
            earned.append(Part(m["category"], m["program"], basis, amount, injury_rate=m.get("injury_rate")))
    earned.sort(key=lambda p: -p.amount)
    if spec.gift_once:
        earned = earned[:1] + [replace(p, paid=False) for p in earned[1:]]
    return Entitlement(on, age, sum(p.amount for p in earned if p.paid), tuple(earned), tuple(refused))


def amount_for(spec: SessionSpec, ms: list[dict], person: dict, levels: BaseLevels) -> Entitlement | None:
    """What ``person`` (with memberships ``ms``) earns in this session, or ``None`` when none of
    their groups is in its scope. An entitlement of 0 đ lists in ``refused`` why."""
    if spec.fixed_basis:
        return _fixed_entitlement(spec, ms, person)
    scoped = [m for m in ms if m["program"] in spec.programs]
    if not scoped:
        return None
    return entitlement(scoped, person["birth_date"], person["birth_year"], spec.session_date, levels,
                       person["monthly_amount"])
