"""The figures of the monthly report the offices ask for, and which of them a report shows.

The national tally since the Tết 2026 gift (NQ 418/NQ-CP) counts, for each programme, the
recipients, those paid, those paid by transfer (of which through the VNeID social-security account
and through other accounts) and in cash, the cashless share and the amounts (docs/domain.md).
Each is a *measure* of a :class:`Tally`. Provinces ask for more: a report's list of indicators is
a setting (``report_indicators``), each entry a measure's key or an indicator of the province's
own, a sum of measures, or a sum divided by another (a share, printed in per cent).

Besides the payments, a tally counts what followed them (issue of verification and grievances):
the people drawn to verify the month's payments, those who answered and those who said the money
did not arrive in full, and the complaints received, resolved, open and overdue. The report shows
them in a section of their own (:data:`FOLLOW_UP`), and a province may list them too.
"""

import re
from dataclasses import dataclass, field

from commune_payout import settings
from commune_payout.errors import UserError
from commune_payout.payouts import CASH_CHANNELS


@dataclass
class Tally:
    """People and đồng of some payout lines: paid through the VNeID account, through another
    account, in cash, and not yet paid."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))
    amounts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))
    followed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FOLLOWED, 0))

    def add(self, line: dict, paid: bool, amount: int | None = None) -> None:
        """Count one line (its whole total, or ``amount`` of it); ``paid``: whether it counts as
        paid (its channel then decides how)."""
        if paid:
            part = "vneid" if line["paid_channel"] == "vneid" else (
                "cash" if line["paid_channel"] in CASH_CHANNELS else "account")
        elif line["status"] in ("pending", "returned"):
            part = "unpaid"
        else:
            return
        self.counts[part] += 1
        self.amounts[part] += line["total"] if amount is None else amount

    def __iadd__(self, other: "Tally") -> "Tally":
        for part in PARTS:
            self.counts[part] += other.counts[part]
            self.amounts[part] += other.amounts[part]
        for key in FOLLOWED:
            self.followed[key] += other.followed[key]
        return self

    def measure(self, key: str) -> int:
        """The value of one measure (see :data:`MEASURES`)."""
        if key in FOLLOWED:
            return self.followed[key]
        parts, amounts = _MEASURE_PARTS[key]
        source = self.amounts if amounts else self.counts
        return sum(source[p] for p in parts)


PARTS = ("vneid", "account", "cash", "unpaid")
# What followed the payments: counted from the verification and the grievances, not from the lines.
FOLLOWED = ("verification_drawn", "verification_answered", "verification_problems", "grievances_received",
            "grievances_resolved", "grievances_open", "grievances_overdue")
# measure → (parts summed, in đồng?)
_MEASURE_PARTS = {
    "recipients": (PARTS, False), "paid": (PARTS[:3], False), "paid_transfer": (("vneid", "account"), False),
    "paid_vneid": (("vneid",), False), "paid_other_account": (("account",), False), "paid_cash": (("cash",), False),
    "unpaid": (("unpaid",), False),
    "amount": (PARTS, True), "amount_paid": (PARTS[:3], True), "amount_transfer": (("vneid", "account"), True),
    "amount_vneid": (("vneid",), True), "amount_other_account": (("account",), True), "amount_cash": (("cash",), True),
    "amount_unpaid": (("unpaid",), True),
    **{key: ((), False) for key in FOLLOWED},
}
MEASURES = {
    "recipients": "Số người hưởng",
    "paid": "Số người đã nhận",
    "paid_transfer": "Đã nhận qua tài khoản",
    "paid_vneid": "trong đó: qua tài khoản an sinh xã hội (VNeID)",
    "paid_other_account": "trong đó: qua tài khoản khác",
    "paid_cash": "Đã nhận bằng tiền mặt",
    "unpaid": "Chưa nhận",
    "amount": "Tổng số tiền (đồng)",
    "amount_paid": "Số tiền đã chi (đồng)",
    "amount_transfer": "Đã chi qua tài khoản (đồng)",
    "amount_vneid": "trong đó: qua tài khoản an sinh xã hội (đồng)",
    "amount_other_account": "trong đó: qua tài khoản khác (đồng)",
    "amount_cash": "Đã chi bằng tiền mặt (đồng)",
    "amount_unpaid": "Chưa chi (đồng)",
    "verification_drawn": "Số người được chọn xác minh đã nhận tiền",
    "verification_answered": "Số người đã trả lời xác minh",
    "verification_problems": "trong đó: chưa nhận được, nhận sai số tiền",
    "grievances_received": "Khiếu nại, phản ánh tiếp nhận trong tháng",
    "grievances_resolved": "Khiếu nại, phản ánh đã giải quyết trong tháng",
    "grievances_open": "Khiếu nại, phản ánh đang giải quyết (cuối kỳ)",
    "grievances_overdue": "trong đó: quá hạn trả lời",
}


@dataclass(frozen=True)
class Indicator:
    """One line of the report: ``key``, its ``label``, the measures it adds up and, for a share,
    the measures it is divided by."""

    key: str
    label: str
    of: tuple[str, ...]
    per: tuple[str, ...] = ()

    @property
    def share(self) -> bool:
        return bool(self.per)

    @property
    def in_dong(self) -> bool:
        return _MEASURE_PARTS[self.of[0]][1] and not self.share

    def value(self, tally: Tally) -> int | float | None:
        """The indicator's value; a share is ``None`` when there is nothing to divide by."""
        total = sum(tally.measure(m) for m in self.of)
        if not self.per:
            return total
        whole = sum(tally.measure(m) for m in self.per)
        return total / whole if whole else None

    def as_setting(self):
        return self.key if self.key in BUILT_IN and BUILT_IN[self.key] == self else {
            "key": self.key, "label": self.label, "of": list(self.of), "per": list(self.per)}


BUILT_IN = {key: Indicator(key, label, (key,)) for key, label in MEASURES.items()}
BUILT_IN.update({
    "cashless_share": Indicator("cashless_share", "Tỷ lệ nhận qua tài khoản (số người đã nhận)", ("paid_transfer",),
                                ("paid",)),
    "vneid_share": Indicator("vneid_share", "Tỷ lệ qua tài khoản an sinh xã hội (số người đã nhận)", ("paid_vneid",),
                             ("paid",)),
    "cash_share": Indicator("cash_share", "Tỷ lệ nhận tiền mặt (số người đã nhận)", ("paid_cash",), ("paid",)),
    "cashless_amount_share": Indicator("cashless_amount_share", "Tỷ lệ chi qua tài khoản (số tiền)",
                                       ("amount_transfer",), ("amount_paid",)),
})
BUILT_IN["verification_rate"] = Indicator("verification_rate", "Tỷ lệ đã trả lời xác minh",
                                          ("verification_answered",), ("verification_drawn",))
# The section on verification and grievances, in its order.
FOLLOW_UP = ("verification_drawn", "verification_answered", "verification_rate", "verification_problems",
             "grievances_received", "grievances_resolved", "grievances_open", "grievances_overdue")
# The national tally since NQ 418/NQ-CP, in its order.
DEFAULT = ("recipients", "paid", "paid_transfer", "paid_vneid", "paid_other_account", "paid_cash", "unpaid",
           "cashless_share", "vneid_share", "cash_share", "amount", "amount_paid", "amount_transfer", "amount_vneid",
           "amount_other_account", "amount_cash", "cashless_amount_share")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")


def parse(text: str) -> Indicator:
    """One indicator as typed: a built-in key (``paid_vneid``), or a province's own,
    ``KEY=LABEL=MEASURE+MEASURE[/MEASURE+…]`` (``vneid_in_transfer=Tỷ lệ TK an sinh trong chuyển
    khoản=paid_vneid/paid_transfer``). UserError names what is wrong."""
    text = str(text).strip()
    if text in BUILT_IN:
        return BUILT_IN[text]
    parts = text.split("=")
    if len(parts) != 3 or not _KEY.fullmatch(parts[0].strip()) or not parts[1].strip():
        raise UserError(f"Chỉ tiêu “{text}” không có. Dùng một trong: {', '.join(BUILT_IN)}; hoặc chỉ tiêu riêng "
                        "dạng MÃ=TÊN=chỉ_số+chỉ_số[/chỉ_số], ví dụ "
                        "“vneid_trong_ck=Tỷ lệ TK an sinh trong chuyển khoản=paid_vneid/paid_transfer”.")
    key, label, formula = (p.strip() for p in parts)
    top, _slash, bottom = formula.partition("/")
    of = tuple(m.strip() for m in top.split("+") if m.strip())
    per = tuple(m.strip() for m in bottom.split("+") if m.strip())
    unknown = [m for m in of + per if m not in MEASURES]
    if unknown or not of or (_slash and not per):
        raise UserError(f"Công thức “{formula}” của chỉ tiêu {key} không đọc được"
                        + (f" (không có: {', '.join(unknown)})" if unknown else "")
                        + f". Các chỉ số: {', '.join(MEASURES)}.")
    if len({_MEASURE_PARTS[m][1] for m in of}) > 1:
        raise UserError(f"Chỉ tiêu {key} cộng số người với số tiền.")
    return Indicator(key, label, of, per)


def chosen(db) -> list[Indicator]:
    """The indicators this commune's reports show, in order (the national tally by default)."""
    stored = settings.get(db, "report_indicators") or list(DEFAULT)
    out = []
    for item in stored:
        if isinstance(item, str) and item in BUILT_IN:
            out.append(BUILT_IN[item])
        elif isinstance(item, dict):
            out.append(Indicator(item["key"], item["label"], tuple(item["of"]), tuple(item.get("per", ()))))
    return out


def choose(db, items) -> list[Indicator]:
    """Set the report's indicators from ``items`` as :func:`parse` reads them (none: the default)."""
    found = [parse(i) for i in items] if items else [BUILT_IN[k] for k in DEFAULT]
    keys = [i.key for i in found]
    if len(set(keys)) != len(keys):
        raise UserError("Một chỉ tiêu được kê hai lần.")
    settings.put(db, "report_indicators", [i.as_setting() for i in found])
    return found
