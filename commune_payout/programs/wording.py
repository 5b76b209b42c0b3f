"""Recognising a group from the words a register uses for it ("Diện đối tượng").

Lists come from many hands: full names of the decree's groups, short forms ("NCT nghèo", "NKT
ĐBN", "TB 4/4", "Mẹ VNAH", "HĐCM trước 1945"), the injury rate written into the group ("Thương
binh 85%", "suy giảm KNLĐ 95%", "hạng 1/4") and the number of children of a single parent ("2
con"). :func:`recognise` reads one group, :func:`recognise_all` a cell that names several
("A; B"). Anything not recognised is ``None``: the importer reports it and keeps the words as
"Diện chưa xác định" for an officer to fix; it never guesses.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from commune_payout.programs.categories import BY_CODE, CATEGORIES, UNRECOGNISED, Category
from commune_payout.text import clean, fold

# Short forms, by folded word, and what they stand for.
_SHORT_FORMS = {
    "nct": "nguoi cao tuoi", "nkt": "nguoi khuyet tat", "kt": "khuyet tat", "dbn": "dac biet nang",
    "tb": "thuong binh", "bb": "benh binh", "tbb": "thuong binh benh binh", "ls": "liet si",
    "tnls": "than nhan liet si", "vnah": "viet nam anh hung", "mvnah": "me viet nam anh hung",
    "bmvnah": "ba me viet nam anh hung", "mevnah": "me viet nam anh hung", "hdcm": "hoat dong cach mang",
    "hdkc": "hoat dong khang chien", "cdhh": "chat doc hoa hoc", "ahllvtnd": "anh hung luc luong vu trang",
    "ahllvt": "anh hung luc luong vu trang", "ahld": "anh hung lao dong", "tkn": "tien khoi nghia",
    "dtts": "dan toc thieu so", "htxh": "huu tri xa hoi", "btxh": "bao tro xa hoi", "knld": "kha nang lao dong",
    "ncc": "nguoi co cong", "tcxh": "tro cap xa hoi", "xh": "xa hoi", "hiv/aids": "hiv",
}
_TOKENS = re.compile(r"\d+(?:[/.,]\d+)*|%|[a-z]+(?:/[a-z]+)?")

_ELDERLY_POOR = ("nct_ngheo_60_80", "nct_ngheo_80")
# (code, pattern on the expanded text), the more specific first.
_RULES = tuple((code, re.compile(pattern)) for code, pattern in (
    ("ncc_tien_khoi_nghia", r"\btien khoi nghia\b|khoi nghia.*1945|1945.*khoi nghia|\btu (?:ngay )?0?1/0?1/1945\b"),
    ("ncc_truoc_1945", r"\btruoc (?:ngay )?(?:0?1/0?1/)?1945\b|\blao thanh\b"),
    ("ncc_me_vnah", r"\bme viet nam anh hung\b"),
    ("ncc_anh_hung", r"\banh hung\b"),
    ("ncc_chat_doc_hoa_hoc", r"\bchat doc\b|\bda cam\b|\bdioxin\b"),
    ("ncc_bi_dich_bat_tu_day", r"\btu day\b|\bbi dich bat\b|\bbat tu\b"),
    ("ncc_thuong_binh", r"\bthuong binh\b|\bthuong benh binh\b"),
    ("ncc_benh_binh", r"\bbenh binh\b"),
    ("ncc_than_nhan_2_liet_si", r"\b(?:2|02|hai) liet si\b"),
    ("ncc_than_nhan_liet_si_nuoi_duong", r"\bliet si\b.*\bnuoi duong\b|\bnuoi duong\b.*\bliet si\b"),
    ("ncc_than_nhan_liet_si", r"\bliet si\b"),
    ("ncc_co_cong_giup_do_nuoi_duong", r"\bgiup do cach mang\b.*\bnuoi duong\b"),
    ("ncc_co_cong_giup_do", r"\bgiup do cach mang\b"),
    ("ncc_khang_chien", r"\bkhang chien\b|\bbao ve to quoc\b|\bnghia vu quoc te\b"),
    ("htxh_ngheo", r"\bhuu tri xa hoi\b.*\b(?:ngheo|70)\b|\bngheo\b.*\bhuu tri xa hoi\b"),
    ("htxh", r"\bhuu tri xa hoi\b"),
    ("tre_hiv", r"\btre\b.*\bhiv\b|\bhiv\b.*\btre em\b"),
    ("nguoi_hiv_ngheo", r"\bhiv\b"),
    ("tre_duoi_3_dtts", r"\bduoi (?:3|ba) tuoi\b"),
    ("tre_mo_coi_dang_hoc", r"\b(?:mo coi|nguon nuoi duong|bo roi)\b.*"
                            r"\b(?:dang hoc|di hoc|hoc sinh|sinh vien|16 (?:den )?22)\b"),
    ("tre_mo_coi", r"\bmo coi\b|\bkhong (?:co )?nguon nuoi duong\b|\bbi bo roi\b"),
    ("don_than_ngheo", r"\bdon than\b|\bnuoi con mot minh\b"),
    ("nkt_dac_biet_nang", r"\bdac biet nang\b"),
    ("nkt_nang", r"\bkhuyet tat (?:muc do )?nang\b"),
    ("nct_cham_soc_cong_dong", r"\bcham soc\b.*\bcong dong\b|\bnhan cham soc\b"),
    ("nct_75_dtts", r"\b75\b.*\b(?:dan toc thieu so|mien nui|dac biet kho khan)\b"
                    r"|\b(?:dan toc thieu so|mien nui)\b.*\b75\b"),
    ("nct_ngheo", r"\b(?:cao tuoi|nguoi gia)\b.*\b(?:ngheo|co don|phung duong|nuong tua)\b"
                  r"|\b(?:ngheo|co don)\b.*\bcao tuoi\b"),
    ("nct_80", r"\b80\b.*\b(?:luong huu|tro cap|bao hiem|tuoi)\b|\b(?:cao tuoi|tuoi)\b.*\b80\b"),
))
_FROM_80 = re.compile(r"\b(?:tu|tren|du|tu du) 80\b|\b80 (?:tuoi )?tro len\b")
_PERCENT = re.compile(r"\b(\d{1,3})(?:[.,]\d+)? ?%|\bty le (?:suy giam |thuong tat |ton thuong )?"
                      r"(?:kha nang lao dong )?(\d{1,3})\b|\bkha nang lao dong (\d{1,3})\b")
_INVALID_GRADE = re.compile(r"(?<![\d/])([1-4])/4(?![\d/])")     # the old grades of invalids: 1/4 is 81–100 %
_SICK_GRADE = re.compile(r"(?<![\d/])([1-3])/3(?![\d/])")        # of sick soldiers: 1/3 is 81–100 %
_GRADE_FLOOR = {"1": 81, "2": 61, "3": 41, "4": 21}
_CHILDREN = re.compile(r"\b(\d{1,2}|mot|hai|ba|bon) con\b")
_AMOUNT = re.compile(r"\b(\d{1,3}(?:[.,]\d{3})+|\d{4,9}) ?(?:d|dong|vnd)\b")
_NUMBER_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4}
_SEPARATORS = re.compile(r"\s*(?:;|\n|\s\+\s)\s*")
_KEPT_WORDING = re.compile(rf"^{BY_CODE[UNRECOGNISED].label}\s*[“\"](.*)[”\"]$")


@dataclass(frozen=True)
class Recognised:
    """A group read from text, with the details the text gave: the injury rate in per cent
    (graded invalids: the floor of their grade), the number of children of a single parent, and
    the monthly amount of a group paid by decision ("2.500.000 đ")."""

    category: Category
    injury_rate: int | None = None
    children: int | None = None
    amount: int | None = None


def _expanded(text) -> str:
    words = []
    for token in _TOKENS.findall(fold(text)):
        words.append(_SHORT_FORMS.get(token, token))
    return " ".join(words)


_BY_LABEL = {_expanded(c.label): c for c in CATEGORIES}


def recognise(text) -> Recognised | None:
    """The group one text names (see the module docstring), or ``None`` when it names none we know."""
    return _recognise(clean(text))


@lru_cache(maxsize=4096)
def _recognise(text: str) -> Recognised | None:
    kept = _KEPT_WORDING.match(text)
    if kept:                  # an export of a group not recognised then: try its words again
        text = kept[1]
    if not text or text == UNRECOGNISED:
        return None
    key = _expanded(text)
    category = BY_CODE.get(text) or _BY_LABEL.get(key)
    if category is None:
        code = next((code for code, pattern in _RULES if pattern.search(key)), None)
        if code is None:
            return None
        if code == "nct_ngheo":
            code = _ELDERLY_POOR[1] if _FROM_80.search(key) else _ELDERLY_POOR[0]
        category = BY_CODE[code]
    rate = _injury_rate(key, category.code) if category.gift == "by_rate" else None
    children = _children(key) if category.per_child else None
    amount = _amount(key) if category.program in ("ncc", "other") else None
    return Recognised(category, rate, children, amount)


def recognise_all(text) -> list[Recognised | str]:
    """Every group a cell names, split at ";", line breaks and " + "; each item is a
    :class:`Recognised` or, when not recognised, the piece of text itself."""
    out: list[Recognised | str] = []
    for piece in _SEPARATORS.split("" if text is None else str(text)):
        piece = clean(piece)
        if piece:
            out.append(recognise(piece) or piece)
    return out


def _injury_rate(key: str, code: str) -> int | None:
    found = _PERCENT.search(key)
    if found:
        return int(next(g for g in found.groups() if g))
    grade = (_SICK_GRADE if code == "ncc_benh_binh" else _INVALID_GRADE).search(key)
    return _GRADE_FLOOR[grade[1]] if grade else None


def _amount(key: str) -> int | None:
    found = _AMOUNT.search(key)
    return int(found[1].replace(".", "").replace(",", "")) if found else None


def _children(key: str) -> int | None:
    found = _CHILDREN.search(key)
    if not found:
        return None
    return _NUMBER_WORDS.get(found[1]) or int(found[1])
