"""A line's arithmetic in words: group, coefficient, age on the date, base level, months,
arrears, carried amounts and override (``session show --lines``, the payout desk's "why")."""

import json

from commune_payout.money import format_vnd
from commune_payout.programs import Entitlement, coefficient_text


def explain_line(line: dict) -> list[str]:
    """How ``line`` (a row of ``payout_lines``) came to its total, one statement per item.

    Lines snapshotted before explanations were stored are explained from their columns.
    """
    data = json.loads(line.get("explain") or "{}")
    if data.get("entitlement"):
        out = Entitlement.from_json(data["entitlement"]).explain()
    else:
        rate = f"hệ số {coefficient_text(line['coefficient'])}, " if line.get("coefficient") else ""
        out = [f"{line['group_public']}: {rate}{format_vnd(line['base_amount'])}"]
    own = line["base_amount"] * line["months"]
    carried = data.get("carried") or []
    if data.get("entitlement") and line["months"] == 1 and not line["arrears_months"] and not carried \
            and not line["carried_forward"] and line["override_amount"] is None:
        out = out[:-1]          # the amount is the whole total: said once, below
    if line["months"] > 1:
        out.append(f"{line['months']} tháng × {format_vnd(line['base_amount'])} = {format_vnd(own)}")
    if line["arrears_months"]:
        out.append(f"Truy lĩnh {line['arrears_months']} tháng: {format_vnd(line['arrears_amount'])}")
    for c in carried:
        out.append(f"Chưa nhận ở đợt “{c['session']}” (kỳ {c['period'][5:]}/{c['period'][:4]}), chuyển sang: "
                   f"{format_vnd(c['amount'])}")
    if not carried and line["carried_forward"]:
        out.append(f"Chưa nhận ở đợt trước, chuyển sang: {format_vnd(line['carried_forward'])}")
    if line["override_amount"] is not None:
        computed = own + line["arrears_amount"] + sum(c["amount"] for c in carried)
        out.append(f"Cán bộ điều chỉnh thành {format_vnd(line['override_amount'])} (lý do: {line['override_reason']}),"
                   f" thay cho {format_vnd(computed)} tính theo quy định"
                   + (", kể cả số chuyển từ đợt trước" if carried else ""))
    out.append(f"Tổng được nhận: {format_vnd(line['total'])}")
    return out
