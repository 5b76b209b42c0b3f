"""Personal ID numbers: the 12-digit số định danh (CCCD) and the old 9-digit CMND.

Layout of the 12 digits (docs/domain.md): 3-digit province-of-registration code, one digit for
century and gender, two digits of the birth year, six digits of serial.
"""

import re
from dataclasses import dataclass

# Old 63-province codes as used in CCCD numbers (TT 07/2016/TT-BCA, not renumbered in 2025).
PROVINCE_CODES = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh",
    "030": "Hải Dương", "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình",
    "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An",
    "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận",
    "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "TP. Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang",
    "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp",
    "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class IdNumber:
    """An ID number as typed, with what could be made of it."""

    value: str | None          # the 12-digit number, or None if none could be read
    old_cmnd: str | None       # a 9-digit CMND found instead
    restored_zeros: bool       # leading zeros Excel had dropped were put back
    problem: str | None        # plain message when the cell holds something unusable


def parse_id(raw) -> IdNumber:
    """Read an ID cell: text, an Excel number (leading zeros lost) or a float like 2.73e10."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return IdNumber(None, None, False, None)
    if isinstance(raw, bool):
        return IdNumber(None, None, False, "Số định danh không hợp lệ")
    if isinstance(raw, float):
        if raw != int(raw):
            return IdNumber(None, None, False, "Số định danh có phần thập phân: Excel đã làm hỏng số này")
        raw = int(raw)
    if isinstance(raw, int):
        digits = str(raw)
        if len(digits) in (10, 11):
            return IdNumber(digits.zfill(12), None, True, None)
        if len(digits) == 12:
            return IdNumber(digits, None, False, None)
        if len(digits) in (8, 9):
            return IdNumber(None, digits.zfill(9), len(digits) == 8, None)
        return IdNumber(None, None, False, f"Số định danh có {len(digits)} chữ số (cần 12)")
    text = str(raw).strip().lstrip("'")
    if re.fullmatch(r"\d+\.0+", text):  # a number Excel turned into text with its decimals
        text = text.split(".")[0]
    compact = re.sub(r"[\s.\-]", "", text)
    if not compact.isdigit():
        return IdNumber(None, None, False, f"Số định danh “{text}” có ký tự không phải chữ số")
    if len(compact) == 12:
        return IdNumber(compact, None, False, None)
    if len(compact) == 9:
        return IdNumber(None, compact, False, None)
    if len(compact) in (10, 11):
        return IdNumber(compact.zfill(12), None, True, None)
    return IdNumber(None, None, False, f"Số định danh có {len(compact)} chữ số (cần 12)")


def century_gender(id_number: str) -> tuple[int, str] | None:
    """(first year of the century, "M"/"F") from digit 4, or None if the digit is out of range."""
    digit = int(id_number[3])
    if digit > 5:
        return None
    return 1900 + (digit // 2) * 100, "M" if digit % 2 == 0 else "F"


def birth_year_of(id_number: str) -> int | None:
    cg = century_gender(id_number)
    return None if cg is None else cg[0] + int(id_number[4:6])


def id_problems(id_number: str, birth_year: int | None = None, gender: str | None = None) -> list[tuple[str, str]]:
    """Every inconsistency in a 12-digit ID, as (field, message) pairs; empty when it looks right."""
    if not re.fullmatch(r"\d{12}", id_number or ""):
        return [("id_number", "Số định danh phải có đúng 12 chữ số")]
    out = []
    province = id_number[:3]
    if province not in PROVINCE_CODES:
        out.append(("id_number", f"Mã tỉnh {province} ở 3 số đầu không tồn tại"))
    cg = century_gender(id_number)
    if cg is None:
        out.append(("id_number", f"Chữ số thứ 4 ({id_number[3]}) không phải mã thế kỷ/giới tính hợp lệ"))
        return out
    century, id_gender = cg
    id_year = century + int(id_number[4:6])
    if birth_year and birth_year != id_year:
        out.append(("birth_date", f"Năm sinh {birth_year} không khớp số định danh (số định danh cho năm {id_year})"))
    if gender and gender != id_gender:
        label = "Nam" if id_gender == "M" else "Nữ"
        out.append(("gender", f"Giới tính không khớp số định danh (số định danh cho giới tính {label})"))
    return out


def mask(id_number: str | None) -> str:
    """ID for lists posted in public: only the last four digits shown."""
    if not id_number:
        return ""
    return "•" * (len(id_number) - 4) + id_number[-4:]
