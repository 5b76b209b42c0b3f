"""The programmes and their groups (categories), with what each group earns (docs/domain.md).

A social-assistance (``btxh``) group's coefficient follows the person's age on the date the
amount is for, never a coefficient frozen when the person was entered: ``steps`` lists the
coefficient from each age on. ``ages`` is the age range in which the group is entitled at all
(an orphan stops at 16 unless still studying, the 80+ allowance starts at 80). Người có công
(``ncc``) amounts are set by decision; ``gift`` says which President's Tết gift level a group
gets, ``"by_rate"`` when it follows the injury rate (81 % or more earns the higher one).
"""

from dataclasses import dataclass

PROGRAM_LABELS = {
    "btxh": "Bảo trợ xã hội",
    "ncc": "Người có công",
    "htxh": "Hưu trí xã hội",
    "other": "Khác",
}
UNRECOGNISED = "chua_xac_dinh"
# Injury rate (%) from which invalids, sick soldiers and toxic-chemical victims get the higher Tết gift.
HIGH_GIFT_RATE = 81


@dataclass(frozen=True)
class Category:
    """One group of one programme.

    ``coefficient`` is the group's usual coefficient, used when the age is unknown; ``steps``
    gives ``(from age, coefficient)`` pairs in ascending age (``btxh``); ``ages`` is
    ``(from, below)`` in years, ``below`` ``None`` for no upper limit; ``per_child`` groups earn
    the coefficient once per child; ``age_codes`` names the group by age where a list names it
    so ("từ 80 tuổi"); ``sensitive`` groups never appear on public lists (HIV).
    """

    code: str
    program: str
    label: str
    coefficient: float | None = None
    steps: tuple[tuple[int, float], ...] = ()
    ages: tuple[int, int | None] | None = None
    per_child: bool = False
    age_codes: tuple[tuple[int, str], ...] = ()
    sensitive: bool = False
    gift: str | None = None

    def coefficient_at(self, age: int | None) -> float | None:
        """The coefficient for a person of ``age`` (years); the usual one when the age is unknown."""
        if age is None or not self.steps:
            return self.coefficient
        found = self.steps[0][1]
        for from_age, value in self.steps:
            if age >= from_age:
                found = value
        return found

    def entitled_at(self, age: int | None) -> bool:
        """Whether a person of ``age`` is in this group's age range (an unknown age is not held against them)."""
        if age is None or self.ages is None:
            return True
        low, below = self.ages
        return age >= low and (below is None or age < below)

    def code_at(self, age: int | None) -> str:
        """The group's code for a person of ``age``: the elderly poor are "60–80" or "từ 80" by age."""
        found = self.code
        if age is not None:
            for from_age, code in self.age_codes:
                if age >= from_age:
                    found = code
        return found

    def ages_text(self) -> str:
        """The entitled age range in words, e.g. "từ 60 tuổi trở lên", "dưới 16 tuổi"."""
        if self.ages is None:
            return ""
        low, below = self.ages
        if below is None:
            return f"từ {low} tuổi trở lên"
        return f"dưới {below} tuổi" if low == 0 else f"từ {low} đến dưới {below} tuổi"


_ELDERLY_POOR = ((60, "nct_ngheo_60_80"), (80, "nct_ngheo_80"))

CATEGORIES: tuple[Category, ...] = (
    # Bảo trợ xã hội, NĐ 20/2021 Điều 5–6 as amended by NĐ 76/2024.
    Category("tre_mo_coi", "btxh", "Trẻ em mồ côi, không nguồn nuôi dưỡng", 1.5, ((0, 2.5), (4, 1.5)), (0, 16)),
    Category("tre_mo_coi_dang_hoc", "btxh", "Người từ 16 đến 22 tuổi mồ côi, không nguồn nuôi dưỡng, đang đi học",
             1.5, ((16, 1.5),), (16, 22)),
    Category("tre_hiv", "btxh", "Trẻ em nhiễm HIV thuộc hộ nghèo", 2.0, ((0, 2.5), (4, 2.0)), (0, 16), sensitive=True),
    Category("don_than_ngheo", "btxh", "Người đơn thân nghèo đang nuôi con", 1.0, ((0, 1.0),), per_child=True),
    Category("nct_ngheo_60_80", "btxh", "Người cao tuổi nghèo không người phụng dưỡng (60–80 tuổi)", 1.5,
             ((60, 1.5), (80, 2.0)), (60, None), age_codes=_ELDERLY_POOR),
    Category("nct_ngheo_80", "btxh", "Người cao tuổi nghèo không người phụng dưỡng (từ 80 tuổi)", 2.0,
             ((60, 1.5), (80, 2.0)), (60, None), age_codes=_ELDERLY_POOR),
    Category("nct_80", "btxh", "Người từ 80 tuổi không có lương hưu", 1.0, ((80, 1.0),), (80, None)),
    Category("nct_75_dtts", "btxh", "Người từ 75 tuổi thuộc hộ nghèo, cận nghèo vùng dân tộc thiểu số, miền núi",
             1.0, ((75, 1.0),), (75, None)),
    Category("nct_cham_soc_cong_dong", "btxh", "Người cao tuổi nhận chăm sóc tại cộng đồng", 3.0, ((60, 3.0),),
             (60, None)),
    Category("nkt_dac_biet_nang", "btxh", "Người khuyết tật đặc biệt nặng", 2.0, ((0, 2.5), (16, 2.0), (60, 2.5))),
    Category("nkt_nang", "btxh", "Người khuyết tật nặng", 1.5, ((0, 2.0), (16, 1.5), (60, 2.0))),
    Category("tre_duoi_3_dtts", "btxh", "Trẻ em dưới 3 tuổi vùng dân tộc thiểu số, miền núi thuộc hộ nghèo", 1.5,
             ((0, 1.5),), (0, 3)),
    Category("nguoi_hiv_ngheo", "btxh", "Người nhiễm HIV thuộc hộ nghèo", 1.5, ((0, 1.5),), sensitive=True),
    # Trợ cấp hưu trí xã hội, NĐ 176/2025: its own base level.
    Category("htxh", "htxh", "Trợ cấp hưu trí xã hội (từ 75 tuổi)", ages=(75, None)),
    Category("htxh_ngheo", "htxh", "Trợ cấp hưu trí xã hội (từ 70 tuổi, hộ nghèo, cận nghèo)", ages=(70, None)),
    # Người có công, Pháp lệnh 02/2020: amounts by decision; gift levels of the President's Tết gift.
    Category("ncc_truoc_1945", "ncc", "Người hoạt động cách mạng trước ngày 01/01/1945", gift="high"),
    Category("ncc_tien_khoi_nghia", "ncc", "Người hoạt động cách mạng từ 01/01/1945 đến Tổng khởi nghĩa tháng Tám",
             gift="high"),
    Category("ncc_me_vnah", "ncc", "Bà mẹ Việt Nam anh hùng", gift="high"),
    Category("ncc_anh_hung", "ncc", "Anh hùng LLVTND, Anh hùng Lao động trong kháng chiến", gift="high"),
    Category("ncc_thuong_binh", "ncc", "Thương binh, người hưởng chính sách như thương binh", gift="by_rate"),
    Category("ncc_benh_binh", "ncc", "Bệnh binh", gift="by_rate"),
    Category("ncc_chat_doc_hoa_hoc", "ncc", "Người hoạt động kháng chiến bị nhiễm chất độc hóa học", gift="by_rate"),
    Category("ncc_than_nhan_2_liet_si", "ncc", "Thân nhân của hai liệt sĩ trở lên", gift="high"),
    Category("ncc_than_nhan_liet_si_nuoi_duong", "ncc", "Thân nhân liệt sĩ hưởng trợ cấp tuất nuôi dưỡng",
             gift="high"),
    Category("ncc_than_nhan_liet_si", "ncc", "Thân nhân liệt sĩ", gift="low"),
    Category("ncc_bi_dich_bat_tu_day", "ncc", "Người hoạt động cách mạng, kháng chiến bị địch bắt tù, đày",
             gift="low"),
    Category("ncc_khang_chien", "ncc", "Người hoạt động kháng chiến giải phóng dân tộc, bảo vệ Tổ quốc", gift="low"),
    Category("ncc_co_cong_giup_do_nuoi_duong", "ncc", "Người có công giúp đỡ cách mạng hưởng trợ cấp nuôi dưỡng",
             gift="high"),
    Category("ncc_co_cong_giup_do", "ncc", "Người có công giúp đỡ cách mạng", gift="low"),
    Category("other", "other", "Khác"),
    # What a list called a group this app does not recognise, kept with its words until an officer
    # chooses the group: it earns nothing, and every session lists the person as left out.
    Category(UNRECOGNISED, "other", "Diện chưa xác định"),
)

BY_CODE = {c.code: c for c in CATEGORIES}


def label_of(code: str) -> str:
    """A category's label, or the code itself for a code this version does not know."""
    cat = BY_CODE.get(code)
    return cat.label if cat else code


def public_label(code: str) -> str:
    """A category's label fit for paper and for lists others see: sensitive groups (HIV) are shown
    only by their programme (NĐ 13/2023: health data is sensitive personal data)."""
    cat = BY_CODE.get(code)
    if cat is None:
        return code
    return PROGRAM_LABELS[cat.program] if cat.sensitive else cat.label


def gift_level(category: str, injury_rate: int | None) -> str | None:
    """``"high"`` or ``"low"``: the President's Tết gift level of a người có công membership
    (docs/domain.md); ``None`` outside người có công. The injury rate is compared as a number."""
    cat = BY_CODE.get(category)
    if cat is None or cat.gift is None:
        return None
    if cat.gift == "by_rate":
        return "high" if injury_rate is not None and injury_rate >= HIGH_GIFT_RATE else "low"
    return cat.gift


def membership_text(m: dict) -> str:
    """A membership in words with the details that decide its amount, as the importer reads it back:
    "Thương binh, người hưởng chính sách như thương binh (tỷ lệ 85%, 2.500.000 đ)", "Người đơn thân …
    (2 con)", "Diện chưa xác định “Người có công”". The amount is written for groups paid by decision."""
    text = label_of(m["category"])
    if m["category"] == UNRECOGNISED:
        return f"{text} “{m.get('wording') or ''}”"
    details = []
    if m.get("injury_rate"):
        details.append(f"tỷ lệ {m['injury_rate']}%")
    if m.get("children"):
        details.append(f"{m['children']} con")
    cat = BY_CODE.get(m["category"])
    if m.get("amount") is not None and cat is not None and cat.program in ("ncc", "other"):
        details.append(f"{m['amount']:,} đ".replace(",", "."))
    return f"{text} ({', '.join(details)})" if details else text
