"""The official list of provinces and commune-level units after 1 July 2025 (QĐ 19/2025/QĐ-TTg),
as shipped by the ``vietnam-provinces`` package: 34 provinces, 3,321 communes."""

import re
from dataclasses import dataclass
from functools import lru_cache

from commune_payout.errors import UserError
from commune_payout.text import ascii_digits, fold, sort_key


@dataclass(frozen=True)
class Commune:
    code: str            # five digits, e.g. "05425"
    name: str            # "Xã An Bình"
    province_code: str   # two digits, e.g. "25"
    province_name: str   # "Phú Thọ"


@lru_cache(maxsize=1)
def _provinces() -> dict[str, str]:
    from vietnam_provinces import Province  # only when a list is needed: it is slow to import

    return {f"{int(p.code):02d}": p.name for p in Province.iter_all()}


@lru_cache(maxsize=1)
def all_communes() -> tuple[Commune, ...]:
    from vietnam_provinces import Ward

    provinces = _provinces()
    out = []
    for w in Ward.iter_all():
        pcode = f"{int(w.province_code):02d}"
        out.append(Commune(f"{int(w.code):05d}", w.name, pcode, provinces[pcode]))
    return tuple(out)


def provinces() -> list[tuple[str, str]]:
    """(code, name) of every province, in Vietnamese alphabetical order of the place name
    ("Thành phố Hà Nội" under H, beside Hà Tĩnh)."""
    return sorted(_provinces().items(), key=lambda kv: sort_key(kv[1].removeprefix("Thành phố ")))


def communes_of(province_code: str) -> list[Commune]:
    code = f"{int(province_code):02d}"
    return sorted((c for c in all_communes() if c.province_code == code), key=lambda c: sort_key(c.name))


def find_commune(code) -> Commune:
    """The commune with official code ``code`` ("05425" or "5425")."""
    text = ascii_digits(str(code).strip())
    if not re.fullmatch(r"[0-9]{1,5}", text):
        raise UserError(f"Mã xã “{code}” không hợp lệ: mã xã là 5 chữ số, ví dụ 05425.")
    wanted = f"{int(text):05d}"
    for c in all_communes():
        if c.code == wanted:
            return c
    raise UserError(f"Không có xã nào mang mã {wanted} trong danh mục 3.321 đơn vị hành chính cấp xã.")


def search_communes(text: str, province_code: str | None = None, limit: int = 50) -> list[Commune]:
    """Communes whose folded name contains every word of ``text`` (accent-insensitive)."""
    words = fold(text).split()
    pool = communes_of(province_code) if province_code else all_communes()
    hits = [c for c in pool if all(w in fold(c.name) for w in words)]
    return sorted(hits, key=lambda c: sort_key(c.name))[:limit]
