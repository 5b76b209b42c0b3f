"""A line's arithmetic in words: group, coefficient, age on the date, base level, months,
arrears, carried amounts and override (``session show --lines``, the payout desk's "why")."""

import json

from commune_payout.money import format_vnd
from commune_payout.payouts.arrears import CAUSES, runs, run_text
from commune_payout.programs import Entitlement, coefficient_text


def explain_line(line: dict) -> list[str]:
    """How ``line`` (a row of ``payout_lines``) came to its total, one statement per item.

    Lines snapshotted before explanations were stored are explained from their columns.
    """
    data = json.loads(line.get("explain") or "{}")
    if data.get("funeral"):
        return _funeral(line, data["funeral"])
    own_part = line.get("purpose", "allowance") == "allowance"
    if not own_part:
        out = []
    elif data.get("entitlement"):
        out = Entitlement.from_json(data["entitlement"]).explain()
    else:
        rate = f"hệ số {coefficient_text(line['coefficient'])}, " if line.get("coefficient") else ""
        out = [f"{line['group_public']}: {rate}{format_vnd(line['base_amount'])}"]
    own = line["base_amount"] * line["months"]
    carried = data.get("carried") or []
    back = data.get("arrears") or []
    if data.get("entitlement") and own_part and line["months"] == 1 and not line["arrears_months"] and not carried \
            and not line["carried_forward"] and line["override_amount"] is None:
        out = out[:-1]          # the amount is the whole total: said once, below
    if line["months"] > 1:
        out.append(f"{line['months']} tháng × {format_vnd(line['base_amount'])} = {format_vnd(own)}")
    for cause in CAUSES:
        rows = [r for r in back if r["cause"] == cause]
        if rows:
            amount = sum(r["owed"] - r["settled"] for r in rows)
            out.append(f"Truy lĩnh {CAUSES[cause]}: " + "; ".join(
                run_text(months, per_month) for months, per_month in runs(
                    [{"month": r["month"], "amount": r["owed"] - r["settled"]} for r in rows]))
                + f" = {format_vnd(amount)}")
    if line["arrears_months"] and not back:
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


def _funeral(line: dict, data: dict) -> list[str]:
    died = data.get("died_on") or ""
    return [f"Hỗ trợ chi phí mai táng theo Quyết định số {data['decision_number']}/{data['decision_symbol']} ngày "
            f"{data['signed_on'][8:10]}/{data['signed_on'][5:7]}/{data['signed_on'][:4]}"
            + (f" (người hưởng mất ngày {died[8:10]}/{died[5:7]}/{died[:4]})" if died else ""),
            f"Người nhận: {data['receiver_name']}" + (f" ({data['receiver_relation']})"
                                                      if data.get("receiver_relation") else ""),
            f"Tổng được nhận: {format_vnd(line['total'])}"]
