"""Benefit programmes and their categories (DOMAIN.md: NĐ 20/2021, NĐ 76/2024, NĐ 176/2025,
Ordinance 02/2020), and how a monthly amount follows from them.

Programmes: ``btxh`` social assistance (coefficient × base level), ``ncc`` người có công
(amount by decision), ``htxh`` social pension (fixed), ``other``.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from commune_payout.text import fold


@dataclass(frozen=True)
class Category:
    code: str
    program: str
    label: str
    coefficient: float | None = None          # the usual adult/standard coefficient (btxh)
    coefficient_young: float | None = None    # under the age in ``young_below``
    young_below: int | None = None
    coefficient_old: float | None = None      # 60 and over (disability groups)
    sensitive: bool = False                   # never printed on public lists (HIV)
    gift_level: int | None = None             # President's Tết gift for người có công
    keywords: tuple[tuple[str, ...], ...] = ()  # folded word sets that identify it in a spreadsheet
    ages: tuple[int, int] | None = None       # usual age range [from, to) of the group, for the checks

    def coefficient_at(self, age: int | None) -> float | None:
        """Coefficient for a person of ``age`` (years); the standard one when age is unknown."""
        if age is not None and self.young_below is not None and age < self.young_below and self.coefficient_young:
            return self.coefficient_young
        if age is not None and age >= 60 and self.coefficient_old:
            return self.coefficient_old
        return self.coefficient


CATEGORIES: tuple[Category, ...] = (
    Category("tre_mo_coi", "btxh", "Trẻ em mồ côi, không nguồn nuôi dưỡng", 1.5, 2.5, 4, ages=(0, 22),
             keywords=(("mo coi",), ("khong nguon nuoi duong",), ("khong co nguon nuoi duong",))),
    Category("tre_hiv", "btxh", "Trẻ em nhiễm HIV thuộc hộ nghèo", 2.0, 2.5, 4, sensitive=True,
             keywords=(("tre", "hiv"),)),
    Category("don_than_ngheo", "btxh", "Người đơn thân nghèo nuôi con", 1.0,
             keywords=(("don than",),)),
    Category("nct_ngheo_60_80", "btxh", "Người cao tuổi nghèo không người phụng dưỡng (60–80 tuổi)", 1.5, ages=(60, 80),
             keywords=(("nct", "ngheo", "60"), ("cao tuoi", "ngheo", "60"), ("nct ngheo",), ("cao tuoi ngheo",))),
    Category("nct_ngheo_80", "btxh", "Người cao tuổi nghèo không người phụng dưỡng (từ 80 tuổi)", 2.0, ages=(80, 130),
             keywords=(("nct", "ngheo", "tren 80"), ("cao tuoi", "ngheo", "tu 80"), ("nct", "ngheo", "tu 80"))),
    Category("nct_80", "btxh", "Người từ 80 tuổi không có lương hưu", 1.0, ages=(75, 130),
             keywords=(("80", "luong huu"), ("80", "tro cap bhxh"), ("nct", "80"), ("cao tuoi", "80"))),
    Category("nct_cham_soc_cong_dong", "btxh", "Người cao tuổi nhận chăm sóc tại cộng đồng", 3.0, ages=(60, 130),
             keywords=(("cham soc", "cong dong"),)),
    Category("nkt_dac_biet_nang", "btxh", "Người khuyết tật đặc biệt nặng", 2.0, 2.5, 16, 2.5,
             keywords=(("dac biet nang",),)),
    Category("nkt_nang", "btxh", "Người khuyết tật nặng", 1.5, 2.0, 16, 2.0,
             keywords=(("nkt", "nang"), ("khuyet tat", "nang"))),
    Category("tre_duoi_3_dtts", "btxh", "Trẻ em dưới 3 tuổi vùng DTTS nghèo", 1.5, ages=(0, 3),
             keywords=(("duoi 3",), ("dtts",))),
    Category("nguoi_hiv_ngheo", "btxh", "Người nhiễm HIV thuộc hộ nghèo", 1.5, sensitive=True,
             keywords=(("hiv",),)),
    Category("htxh", "htxh", "Trợ cấp hưu trí xã hội", ages=(70, 130), keywords=(("huu tri xa hoi",), ("htxh",))),
    Category("ncc_truoc_1945", "ncc", "Người hoạt động cách mạng trước 01/01/1945", gift_level=600_000,
             keywords=(("truoc 1945",), ("lao thanh cach mang",))),
    Category("ncc_tien_khoi_nghia", "ncc", "Người hoạt động cách mạng từ 01/01/1945 đến Tổng khởi nghĩa",
             gift_level=600_000, keywords=(("tien khoi nghia",),)),
    Category("ncc_me_vnah", "ncc", "Bà mẹ Việt Nam anh hùng", gift_level=600_000,
             keywords=(("me viet nam anh hung",), ("bmvnah",))),
    Category("ncc_anh_hung", "ncc", "Anh hùng LLVTND, Anh hùng Lao động trong kháng chiến", gift_level=600_000,
             keywords=(("anh hung",),)),
    Category("ncc_thuong_binh_81", "ncc", "Thương binh, bệnh binh suy giảm KNLĐ từ 81% trở lên",
             gift_level=600_000, keywords=(("81%",), ("tu 81",))),
    Category("ncc_thuong_binh", "ncc", "Thương binh, người hưởng chính sách như thương binh", gift_level=300_000,
             keywords=(("thuong binh",),)),
    Category("ncc_benh_binh", "ncc", "Bệnh binh", gift_level=300_000, keywords=(("benh binh",),)),
    Category("ncc_than_nhan_liet_si", "ncc", "Thân nhân liệt sĩ", gift_level=300_000,
             keywords=(("liet si",),)),
    Category("ncc_chat_doc_hoa_hoc", "ncc", "Người hoạt động kháng chiến bị nhiễm chất độc hóa học",
             gift_level=300_000, keywords=(("chat doc",), ("da cam",))),
    Category("ncc_bi_dich_bat_tu_day", "ncc", "Người hoạt động cách mạng bị địch bắt tù, đày",
             gift_level=300_000, keywords=(("tu day",), ("bat tu",))),
    Category("ncc_khang_chien", "ncc", "Người hoạt động kháng chiến giải phóng dân tộc", gift_level=300_000,
             keywords=(("khang chien",),)),
    Category("ncc_co_cong_giup_do", "ncc", "Người có công giúp đỡ cách mạng", gift_level=300_000,
             keywords=(("giup do cach mang",),)),
    Category("other", "other", "Khác"),
)

BY_CODE = {c.code: c for c in CATEGORIES}
_FOLDED_LABELS = {c.code: fold(c.label) for c in CATEGORIES}
PROGRAM_LABELS = {
    "btxh": "Bảo trợ xã hội",
    "ncc": "Người có công",
    "htxh": "Hưu trí xã hội",
    "other": "Khác",
}


def public_label(code: str) -> str:
    """A category's label fit for paper and for lists others see: sensitive groups (HIV) are shown
    only by their programme (NĐ 13/2023: health data is sensitive personal data)."""
    cat = BY_CODE.get(code)
    if cat is None:
        return code
    return PROGRAM_LABELS[cat.program] if cat.sensitive else cat.label


def find_category(text) -> Category | None:
    """The category a spreadsheet's "Diện đối tượng" cell names, or ``None``.

    Categories are tried in table order; more specific ones come first.
    """
    return _find_category(fold(text))


@lru_cache(maxsize=1024)
def _find_category(key: str) -> Category | None:
    if not key:
        return None
    for cat in CATEGORIES:
        if _FOLDED_LABELS[cat.code] == key or cat.code == key:
            return cat
    for cat in CATEGORIES:
        for words in cat.keywords:
            if all(w in key for w in words):
                return cat
    return None


def base_level(db, program: str, on: dt.date) -> int | None:
    """The dated base level (mức chuẩn) of ``program`` in force on ``on``."""
    row = db.execute(
        "SELECT amount FROM base_levels WHERE program = ? AND valid_from <= ? "
        "ORDER BY valid_from DESC LIMIT 1",
        [program, on.isoformat()],
    ).fetchone()
    return row[0] if row else None


def set_base_level(db, program: str, valid_from: dt.date, amount: int, note: str = "") -> None:
    """Record a new base level from ``valid_from`` (provinces may set a higher one)."""
    from commune_payout.db import write_transaction

    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO base_levels (program, valid_from, amount, note) VALUES (?, ?, ?, ?)",
            [program, valid_from.isoformat(), int(amount), note],
        )


def monthly_amount(db, memberships, on: dt.date, override: int | None = None) -> int:
    """Monthly entitlement from a person's memberships on ``on`` (DOMAIN.md rules).

    An explicit per-person amount wins. Social assistance pays only the highest coefficient,
    except that a poor single parent's per-child amount is added; the social pension and
    social assistance are not cumulated (the higher is paid); người có công amounts add on.
    """
    if override is not None:
        return int(override)
    btxh_base = base_level(db, "btxh", on) or 0
    btxh_best, single_parent, htxh, ncc, other = 0, 0, 0, 0, 0
    for m in memberships:
        if m.get("end_date") and m["end_date"] < on.isoformat():
            continue
        if m.get("start_date") and m["start_date"] > on.isoformat():
            continue
        program = m["program"]
        if m.get("amount") is not None:
            value = int(m["amount"])
        elif program == "btxh" and m.get("coefficient"):
            value = round(btxh_base * float(m["coefficient"]))
        elif program == "htxh":
            value = base_level(db, "htxh", on) or 0
        else:
            value = 0
        if program == "btxh" and m["category"] == "don_than_ngheo":
            single_parent += value
        elif program == "btxh":
            btxh_best = max(btxh_best, value)
        elif program == "htxh":
            htxh = max(htxh, value)
        elif program == "ncc":
            ncc += value
        else:
            other += value
    return max(btxh_best, htxh) + single_parent + ncc + other


def age_on(birth_date: str | None, birth_year: int | None, on: dt.date) -> int | None:
    """Age in whole years on ``on``; from the year alone when that is all we know."""
    if birth_date:
        born = dt.date.fromisoformat(birth_date)
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if birth_year:
        return on.year - birth_year
    return None
