"""The names of the decisions model: what an application asks, what a decision does, statuses,
and how a decision's number is written."""

import re

from commune_payout import settings
from commune_payout.text import clean

REQUESTS = {
    "grant": "Hưởng trợ cấp hằng tháng",
    "change": "Thay đổi diện hoặc hệ số",
    "stop": "Thôi hưởng",
    "funeral": "Hỗ trợ chi phí mai táng",
}
ACTIONS = REQUESTS
SHORT_REQUESTS = {"grant": "Hưởng mới", "change": "Điều chỉnh", "stop": "Thôi hưởng", "funeral": "Mai táng phí"}
APPLICATION_STATUSES = {"open": "Đang giải quyết", "decided": "Đã có quyết định", "withdrawn": "Đã rút, trả hồ sơ"}
DECISION_STATUSES = {"draft": "Dự thảo", "applied": "Đã áp dụng"}
CHECK_RESULTS = {
    "match": "Khớp Cơ sở dữ liệu quốc gia về dân cư",
    "mismatch": "Thông tin khác với dữ liệu dân cư",
    "not_found": "Không tìm thấy trong dữ liệu dân cư",
}
SYMBOL = "QĐ-UBND"
# Fields of the register whose change alters what a person is paid; a change to one of them is
# made under a decision or marked "không theo quyết định".
ENTITLEMENT_FIELDS = ("memberships", "status", "status_date", "monthly_amount")
NO_DECISION = "không theo quyết định"


def history_basis(row: dict) -> str:
    """What a row of a person's history rests on: the decision it was made under, "không theo
    quyết định" for a change of what the person is paid made without one, else its source (a file)."""
    if row.get("decision_id"):
        return row["source"]
    if row["field"] in ENTITLEMENT_FIELDS:
        return ", ".join(x for x in (row.get("source"), NO_DECISION) if x)
    return row.get("source") or ""


def number_text(number: int, symbol: str = SYMBOL) -> str:
    """"12/QĐ-UBND"."""
    return f"{number}/{symbol}"


def parse_number(text: str) -> tuple[int, str] | None:
    """(12, "QĐ-UBND") from "12/QĐ-UBND", "12" or "số 12"; ``None`` if there is no number."""
    found = re.search(r"(\d+)\s*(?:/\s*([^\s]+))?", str(text or ""))
    if not found:
        return None
    return int(found.group(1)), (found.group(2) or SYMBOL).strip()


def month_text(month: str) -> str:
    """"2026-07" → "tháng 7 năm 2026"."""
    return f"tháng {int(month[5:7])} năm {month[:4]}"


_LOCAL_GOVERNMENT = "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;"
_DECENTRALISATION = ("Căn cứ Nghị định số 147/2025/NĐ-CP ngày 12 tháng 6 năm 2025 của Chính phủ quy định về phân định "
                     "thẩm quyền của chính quyền địa phương 02 cấp trong lĩnh vực quản lý nhà nước của Bộ Y tế;")
_PROPOSAL = "Theo đề nghị của công chức Văn hóa - Xã hội."
# The legal bases (căn cứ) printed at the head of a decision, per programme: a setting
# (``decision_grounds``), since the texts in force change (docs/domain.md).
GROUNDS = {
    "btxh": (_LOCAL_GOVERNMENT,
             "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021 của Chính phủ quy định chính sách trợ "
             "giúp xã hội đối với đối tượng bảo trợ xã hội; Nghị định số 76/2024/NĐ-CP ngày 01 tháng 7 năm 2024 "
             "của Chính phủ sửa đổi, bổ sung một số điều của Nghị định số 20/2021/NĐ-CP;",
             _DECENTRALISATION, _PROPOSAL),
    "htxh": (_LOCAL_GOVERNMENT, "Căn cứ Luật Bảo hiểm xã hội năm 2024;",
             "Căn cứ Nghị định số 176/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều của Luật Bảo hiểm "
             "xã hội về trợ cấp hưu trí xã hội;", _DECENTRALISATION, _PROPOSAL),
    "ncc": (_LOCAL_GOVERNMENT,
            "Căn cứ Pháp lệnh Ưu đãi người có công với cách mạng số 02/2020/UBTVQH14 ngày 09 tháng 12 năm 2020;",
            "Căn cứ Nghị định số 131/2021/NĐ-CP ngày 30 tháng 12 năm 2021 của Chính phủ quy định chi tiết và biện "
            "pháp thi hành Pháp lệnh Ưu đãi người có công với cách mạng;", _PROPOSAL),
    "other": (_LOCAL_GOVERNMENT, _PROPOSAL),
}
GROUNDS_KEY = "decision_grounds"


def grounds(db, program: str) -> list[str]:
    """The legal bases printed on a decision of ``program`` (the settings', else the shipped ones)."""
    stored = settings.get(db, GROUNDS_KEY) or {}
    return list(stored.get(program) or GROUNDS[program])


def set_grounds(db, program: str, lines) -> list[str]:
    """Replace the legal bases of ``program``'s decisions (empty: back to the shipped ones)."""
    if program not in GROUNDS:
        raise ValueError(f"unknown programme {program!r}")
    kept = [line for line in (clean(x) for x in lines) if line]
    stored = settings.get(db, GROUNDS_KEY) or {}
    if kept:
        stored[program] = kept
    else:
        stored.pop(program, None)
    settings.put(db, GROUNDS_KEY, stored)
    return grounds(db, program)
