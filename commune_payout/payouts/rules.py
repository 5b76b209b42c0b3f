"""What a session asks for (:class:`SessionSpec`) and the amount each person's memberships earn under it."""

import datetime as dt
import re
from dataclasses import dataclass, field

from commune_payout.errors import ValidationError
from commune_payout.payouts.model import KINDS, vn_date
from commune_payout.programs import BY_CODE, PROGRAM_LABELS, monthly_amount
from commune_payout.text import clean

GIFT_HIGH_LEVEL = 600_000      # Category.gift_level of the higher President's gift


@dataclass
class SessionSpec:
    """What the officer asks for when creating a session (also stored as the session's rules).

    Amounts come from ``fixed`` (keys are category codes such as ``ncc_me_vnah`` or programme
    codes such as ``ncc``; a category key wins over its programme) and the Tết gift levels
    ``gift_high`` / ``gift_low`` (people whose category has the 600,000 đ President's gift level
    get ``gift_high``, other người có công get ``gift_low``). With none of these the session pays
    coefficient × base level on ``session_date`` for the programmes in ``programs``
    (:func:`commune_payout.programs.monthly_amount`), times ``months``.

    ``arrears`` maps a beneficiary id to months owed (paid at the monthly amount);
    ``overrides`` maps a beneficiary id to ``(amount, reason)``. ``one_per_person`` (default:
    on for Tết gifts) pays the highest of several gifts instead of their sum; ``carry_forward``
    (default: on for monthly sessions) adds the unpaid lines of the last closed monthly session.
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
    arrears: dict[str, int] = field(default_factory=dict)
    overrides: dict[str, tuple[int, str]] = field(default_factory=dict)
    carry_forward: bool | None = None

    @property
    def fixed_basis(self) -> bool:
        return bool(self.fixed) or self.gift_high is not None or self.gift_low is not None

    @property
    def gift_once(self) -> bool:
        return self.kind == "tet_gift" if self.one_per_person is None else self.one_per_person

    @property
    def carries(self) -> bool:
        return self.kind == "monthly" if self.carry_forward is None else self.carry_forward

    def rules(self) -> dict:
        """The JSON stored on the session: everything that decided the amounts."""
        return {
            "basis": "fixed" if self.fixed_basis else "coefficient",
            "fixed": dict(self.fixed),
            "gift_high": self.gift_high,
            "gift_low": self.gift_low,
            "programs": list(self.programs),
            "months": self.months,
            "one_per_person": self.gift_once,
            "carry_forward": self.carries,
            "arrears": dict(self.arrears),
            "overrides": {k: {"amount": a, "reason": r} for k, (a, r) in self.overrides.items()},
        }


def validate_spec(db, spec: SessionSpec) -> SessionSpec:
    """Clean ``spec`` and check it; ValidationError lists every problem by field."""
    problems: dict[str, str] = {}
    spec.name = clean(spec.name)
    spec.funding_source = clean(spec.funding_source)
    if not spec.name:
        problems["name"] = "Chưa đặt tên đợt chi"
    if spec.kind not in KINDS:
        problems["kind"] = "Loại đợt chi là quà Tết, trợ cấp hằng tháng hoặc chi một lần"
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(spec.period or "")):
        problems["period"] = "Kỳ chi phải có dạng NĂM-THÁNG, ví dụ 2026-01"
    if not isinstance(spec.session_date, dt.date):
        problems["session_date"] = "Chưa có ngày xét đối tượng"
    if spec.pay_from and spec.pay_to and spec.pay_from > spec.pay_to:
        problems["pay_to"] = "Ngày kết thúc chi trả trước ngày bắt đầu"
    for key, amount in spec.fixed.items():
        if key not in BY_CODE and key not in PROGRAM_LABELS:
            problems["fixed"] = f"Không có diện hoặc chương trình “{key}”"
        elif not isinstance(amount, int) or amount <= 0:
            problems["fixed"] = f"Mức chi cho “{key}” phải là số tiền dương"
    for name in ("gift_high", "gift_low"):
        value = getattr(spec, name)
        if value is not None and (not isinstance(value, int) or value <= 0):
            problems[name] = "Mức quà phải là số tiền dương"
    if spec.kind == "tet_gift" and not spec.fixed_basis:
        problems["fixed"] = "Đợt quà Tết cần mức quà (mức cao/mức thấp hoặc mức theo diện)"
    if any(p not in PROGRAM_LABELS for p in spec.programs):
        problems["programs"] = "Chương trình không hợp lệ"
    if not isinstance(spec.months, int) or spec.months < 1:
        problems["months"] = "Số tháng chi phải từ 1 trở lên"
    if spec.arrears and spec.fixed_basis:
        problems["arrears"] = "Truy lĩnh chỉ áp dụng cho đợt chi theo hệ số"
    if any(not isinstance(m, int) or m < 0 for m in spec.arrears.values()):
        problems["arrears"] = "Số tháng truy lĩnh phải là số nguyên không âm"
    for amount, reason in spec.overrides.values():
        if not isinstance(amount, int) or amount < 0:
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


def _active_on(m: dict, on: str) -> bool:
    return not (m.get("start_date") and m["start_date"] > on) and not (m.get("end_date") and m["end_date"] < on)


def _fixed_amount(spec: SessionSpec, m: dict) -> int | None:
    cat = BY_CODE.get(m["category"])
    if m["category"] in spec.fixed:
        return spec.fixed[m["category"]]
    if m["program"] in spec.fixed:
        return spec.fixed[m["program"]]
    if cat is not None and cat.gift_level:
        return spec.gift_high if cat.gift_level >= GIFT_HIGH_LEVEL else spec.gift_low
    return None


def amount_for(db, spec: SessionSpec, ms: list[dict], person: dict, on: dt.date):
    """(base amount, chosen membership, other memberships, coefficient) or ``None`` if out of scope.

    Raises ``LookupError`` with a reason when the person is in scope but nothing is payable.
    """
    iso = on.isoformat()
    if spec.fixed_basis:
        scoped = [(a, m) for m in ms if (a := _fixed_amount(spec, m)) is not None]
        if not scoped:
            return None
        live = [(a, m) for a, m in scoped if _active_on(m, iso)]
        if not live:
            raise LookupError(f"Diện hưởng không còn hiệu lực ngày {vn_date(on)}")
        live.sort(key=lambda am: -am[0])
        best_amount, best = live[0]
        base = best_amount if spec.gift_once else sum(a for a, _ in live)
        return base, best, [m for _, m in live[1:]], None
    scoped = [m for m in ms if m["program"] in spec.programs]
    if not scoped:
        return None
    live = [m for m in scoped if _active_on(m, iso)]
    if not live:
        raise LookupError(f"Diện hưởng không còn hiệu lực ngày {vn_date(on)}")
    base = monthly_amount(db, live, on, person.get("monthly_amount"))
    if base <= 0:
        raise LookupError("Chưa xác định được mức hưởng (thiếu hệ số hoặc số tiền)")
    ranked = sorted(live, key=lambda m: -monthly_amount(db, [m], on))
    return base, ranked[0], ranked[1:], ranked[0].get("coefficient")
