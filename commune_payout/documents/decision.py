"""The chairman's decision (quyết định) in the NĐ 30 frame, with the list of people attached when
it covers several.

The decision: number and symbol under the issuing body ("Số: 12/QĐ-UBND"), place and date,
"QUYẾT ĐỊNH" and its summary line (trích yếu), the authority ("CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ …"),
the legal bases in italics (căn cứ, a setting per programme), "QUYẾT ĐỊNH:", the articles (one
per kind of change: who, which group, the amount in figures and words, from which month; then
when it takes effect and who carries it out), "Nơi nhận" and the chairman's signature ("CHỦ
TỊCH", or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH": the chairman decides in his own name, so no "TM.").
One person is named in the article; several are "có tên trong danh sách kèm theo", and the list
follows on its own page, headed "(Kèm theo Quyết định số … ngày … của Chủ tịch …)".

Groups are printed with their public label: an HIV group shows only as its programme.
"""

import datetime as dt

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from commune_payout import decisions
from commune_payout.documents import fonts
from commune_payout.documents.frame import (SIGN_SEAL_NOTE, Document, Issuer, Signer, date_words, flow_height,
                                            format_date, issuer_of, markup, text)
from commune_payout.documents.payout_list import SHORT_GROUPS
from commune_payout.documents.progress_report import report_offices
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.errors import UserError
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.programs import BY_CODE, coefficient_text, public_label
from commune_payout.text import name_sort_key, sort_key

ACTION_ORDER = ("grant", "change", "stop", "funeral")
_ARTICLE_VERBS = {"grant": "{noun} đối với", "change": "Điều chỉnh {noun} đối với",
                  "stop": "Thôi hưởng {noun} đối với"}


def _title(gender: str | None) -> str:
    return {"M": "ông", "F": "bà"}.get(gender or "", "ông (bà)")


def _group(code: str | None) -> str:
    """The public label of a group (an HIV group shows as its programme)."""
    return public_label(code) if code else ""


def _short_group(code: str | None) -> str:
    cat = BY_CODE.get(code or "")
    if cat is None:
        return ""
    return SHORT_GROUPS.get(cat.program if cat.sensitive else cat.code, _group(code))


def _person(item: dict, commune: str) -> str:
    """"bà Nguyễn Thị Hoa, sinh năm 1950, số định danh cá nhân 035150000123, thường trú tại
    Thôn Đông, xã An Bình"."""
    parts = [f"{_title(item['gender'])} <b>{markup(item['full_name'])}</b>"]
    if item.get("birth_year"):
        parts.append(f"sinh năm {item['birth_year']}")
    if item.get("id_number"):
        parts.append(f"số định danh cá nhân {markup(item['id_number'])}")
    place = ", ".join(x for x in (text(item.get("village")), commune) if x)
    parts.append(f"thường trú tại {markup(place)}")
    return ", ".join(parts)


def _amount_line(label: str, amount: int, per_month: bool = True) -> str:
    unit = " đồng/tháng" if per_month else " đồng"
    return (f"{label}: <b>{markup(format_vnd(amount, unit=False))}{unit}</b> "
            f"(Bằng chữ: <i>{markup(amount_in_words_sentence(amount).rstrip('.'))}</i>{'/tháng' if per_month else ''}).")


def _one(item: dict, decision: dict, commune: str) -> list[str]:
    """The paragraphs of an article about one person."""
    month = decisions.month_text(decision["effective_month"])
    noun = decisions.PROGRAM_NOUNS[decision["program"]]
    action = item["action"]
    if action == "funeral":
        receiver = f"<b>{markup(item['receiver_name'])}</b>"
        if item.get("receiver_id_number"):
            receiver += f", số định danh cá nhân {markup(item['receiver_id_number'])}"
        return [f"Hỗ trợ chi phí mai táng cho {_title(None)} {receiver}, là {markup(item['receiver_relation'])} của "
                f"{_person(item, commune)}, người hưởng {markup(noun)} đã mất"
                f"{_died(item)}, người trực tiếp tổ chức mai táng.",
                _amount_line("Mức hỗ trợ", item["amount"], per_month=False)]
    out = [f"{_ARTICLE_VERBS[action].format(noun=noun).capitalize()} {_person(item, commune)}."]
    if action == "grant":
        out.append(f"Diện hưởng: {markup(_group(item['category']))}{_coefficient(item)}.")
    elif action == "change":
        out.append(f"Từ diện {markup(_group(item['from_category']))} sang diện "
                   f"{markup(_group(item['category']))}{_coefficient(item)}.")
    if action == "stop":
        out.append(f"Lý do: {markup(item['reason'])}.")
        out.append(f"Thời điểm thôi hưởng: kể từ {month}.")
    else:
        out.append(_amount_line("Mức trợ cấp" if action == "grant" else "Mức trợ cấp mới", item["monthly_amount"]))
        out.append(f"Thời gian hưởng: kể từ {month}.")
    return out


def _died(item: dict) -> str:
    return f" ngày {format_date(dt.date.fromisoformat(item['died_on']))}" if item.get("died_on") else ""


def _coefficient(item: dict) -> str:
    return f", hệ số {coefficient_text(item['coefficient'])}" if item.get("coefficient") else ""


def _several(action: str, items: list[dict], decision: dict, attached: str) -> list[str]:
    """The paragraphs of an article about several people (named in the attached list)."""
    month = decisions.month_text(decision["effective_month"])
    noun = decisions.PROGRAM_NOUNS[decision["program"]]
    who = f"{len(items)} người có tên trong {attached}"
    if action == "funeral":
        total = sum(i["amount"] for i in items)
        return [f"Hỗ trợ chi phí mai táng cho người trực tiếp tổ chức mai táng của {who}.",
                _amount_line("Tổng số tiền", total, per_month=False)]
    out = [f"{_ARTICLE_VERBS[action].format(noun=noun).capitalize()} {who}."]
    if action == "stop":
        out.append(f"Thời điểm thôi hưởng: kể từ {month}.")
        return out
    out.append(_amount_line("Tổng mức trợ cấp", sum(i["monthly_amount"] or 0 for i in items)))
    out.append(f"Thời gian hưởng: kể từ {month}.")
    return out


def signature(issuer: Issuer, decision: dict) -> Signer:
    """The chairman deciding in his own name: "CHỦ TỊCH", or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"."""
    title = "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" if decision["deputy"] else "CHỦ TỊCH"
    return Signer(title, SIGN_SEAL_NOTE, decision["signer"] or issuer.chairman)


def render(decision: dict, out, *, issuer: Issuer, grounds: list[str], offices: list[str]) -> None:
    """Write ``decision`` (a :func:`decisions.get_decision` result, items with ``died_on`` for
    funeral support) to ``out``."""
    signed = dt.date.fromisoformat(decision["signed_on"])
    doc = Document(issuer, "Quyết định", signed, official=True, number=decision["number_text"],
                   subtitle=[decision["subject"]], footer=f"Quyết định số {decision['number_text']}")
    st = doc.styles
    authority = ParagraphStyle("authority", fontName=fonts.BOLD, fontSize=14, leading=17, alignment=TA_CENTER,
                               spaceBefore=2, spaceAfter=6)
    ground = ParagraphStyle("ground", fontName=fonts.ITALIC, fontSize=13, leading=16, alignment=TA_JUSTIFY,
                            firstLineIndent=10 * mm, spaceAfter=3)
    article = ParagraphStyle("article", parent=st.body, fontSize=13, leading=16.5, firstLineIndent=10 * mm,
                             spaceAfter=3)
    decide = ParagraphStyle("decide", fontName=fonts.BOLD, fontSize=14, leading=17, alignment=TA_CENTER,
                            spaceBefore=6, spaceAfter=6)
    commune = issuer.commune_name[:1].lower() + issuer.commune_name[1:]
    if issuer.province:
        commune += f", {issuer.province}"
    story = doc.header()
    story.append(Paragraph(markup(f"CHỦ TỊCH ỦY BAN NHÂN DÂN {text(issuer.commune_name).upper()}"), authority))
    story += [Paragraph(markup(line), ground) for line in grounds]
    story.append(Paragraph("QUYẾT ĐỊNH:", decide))
    by_action: dict[str, list[dict]] = {}
    for item in decision["items"]:
        by_action.setdefault(item["action"], []).append(item)
    several = len(decision["items"]) > 1
    attached = "danh sách kèm theo Quyết định này"
    number = 0
    for action in ACTION_ORDER:
        items = by_action.get(action)
        if not items:
            continue
        number += 1
        lines = _several(action, items, decision, attached) if several else _one(items[0], decision, commune)
        story.append(Paragraph(f"<b>Điều {number}.</b> {lines[0]}", article))
        story += [Paragraph(line, article) for line in lines[1:]]
    named = ", ".join(f"Điều {n}" for n in range(1, number + 1))
    if several:
        people = f"các ông (bà) có tên tại {named}"
    elif decision["items"][0]["action"] == "funeral":
        people = f"{_title(None)} {markup(decision['items'][0]['receiver_name'])}"
    else:
        people = f"{_title(decision['items'][0]['gender'])} {markup(decision['items'][0]['full_name'])}"
    story.append(Paragraph(f"<b>Điều {number + 1}.</b> Quyết định này có hiệu lực kể từ ngày ký.", article))
    story.append(Paragraph(
        f"<b>Điều {number + 2}.</b> Công chức Văn hóa - Xã hội, kế toán ngân sách xã và {people} chịu trách "
        "nhiệm thi hành Quyết định này./.", article))
    recipients = [f"- Như Điều {number + 2};"] + [f"- {office} (để báo cáo);" for office in offices] + \
        ["- Lưu: VT, VHXH."]
    story += [Spacer(1, 4 * mm), doc.recipients_and_signature(recipients, signature(issuer, decision))]
    if several:
        story += [PageBreak()] + _attached_list(doc, decision, signed)
    doc.write(out, story)


_LIST_TITLES = {"grant": "Người được hưởng {noun}", "change": "Người được điều chỉnh {noun}",
                "stop": "Người thôi hưởng {noun}", "funeral": "Người được hỗ trợ chi phí mai táng"}


def _list_title(decision: dict, actions: set[str]) -> str:
    noun = decisions.PROGRAM_NOUNS[decision["program"]]
    if len(actions) == 1:
        return _LIST_TITLES[next(iter(actions))].format(noun=noun)
    return f"Người được điều chỉnh chế độ {noun}"


def _attached_list(doc: Document, decision: dict, signed: dt.date) -> list:
    """The list of the people a decision covers, on pages of its own."""
    st = doc.styles
    items = sorted(decision["items"], key=lambda i: (sort_key(i["village"]), name_sort_key(i["full_name"])))
    funeral = all(i["action"] == "funeral" for i in items)
    actions = {i["action"] for i in items}
    if funeral:
        columns = [Column("STT", 8, "CENTER"), Column("Người đã mất", 0, lines=2, least=30),
                   Column("Năm sinh", 11, "CENTER"), Column("Ngày mất", 18, "CENTER"),
                   Column("Người nhận (quan hệ)", 38, lines=2), Column("Số định danh người nhận", 24, "CENTER"),
                   Column("Số tiền (đồng)", 20, "RIGHT")]
        amount_at = 6
    else:
        columns = [Column("STT", 8, "CENTER"), Column("Họ và tên", 0, lines=2, least=30),
                   Column("Năm sinh", 11, "CENTER"), Column("Số định danh", 24, "CENTER"), Column("Thôn", 18, lines=2)]
        if len(actions) > 1:
            columns.append(Column("Nội dung", 17, "CENTER", lines=2))
        columns += [Column("Diện", 24, lines=2), Column("Hệ số", 10, "CENTER"),
                    Column("Mức/tháng (đồng)", 18, "RIGHT")]
        amount_at = len(columns) - 1
        if "stop" in actions:
            columns.append(Column("Lý do", 24, lines=2))
    table = PagedTable(columns, doc.page.width, size=9.5, row_height=9, carry_column=amount_at)
    rows = []
    for n, item in enumerate(items, start=1):
        if funeral:
            receiver = text(item["receiver_name"]) + (f" ({text(item['receiver_relation'])})"
                                                      if item["receiver_relation"] else "")
            cells = [str(n), item["full_name"], str(item["birth_year"] or ""),
                     format_date(dt.date.fromisoformat(item["died_on"])) if item.get("died_on") else "", receiver,
                     item["receiver_id_number"], format_vnd(item["amount"], unit=False)]
            amount = item["amount"]
        else:
            amount = item["monthly_amount"] or 0
            cells = [str(n), item["full_name"], str(item["birth_year"] or ""), item["id_number"] or "",
                     item["village"]]
            if len(actions) > 1:
                cells.append(decisions.SHORT_REQUESTS[item["action"]])
            cells += [_short_group(item["category"] or item["from_category"]),
                      coefficient_text(item["coefficient"]) if item.get("coefficient") else "",
                      format_vnd(amount, unit=False) if item["action"] != "stop" else ""]
            if "stop" in actions:
                cells.append(item["reason"] if item["action"] == "stop" else "")
        rows.append(Row(cells, amount=amount, count=1))
    total = sum(r.amount for r in rows)
    label = [f"TỔNG CỘNG: {len(rows)} người"] + [""] * (len(columns) - 1)
    label[amount_at] = format_vnd(total, unit=False)
    rows.append(Row(label, kind="total"))
    heading = ParagraphStyle("list_title", fontName=fonts.BOLD, fontSize=14, leading=17, alignment=TA_CENTER)
    under = ParagraphStyle("list_under", fontName=fonts.ITALIC, fontSize=13, leading=16, alignment=TA_CENTER,
                           spaceAfter=8)
    head = [Paragraph("DANH SÁCH", heading), Paragraph(markup(_list_title(decision, actions)), st.center_bold),
            Paragraph(markup(f"(Kèm theo Quyết định số {decision['number_text']} {date_words(signed)} của Chủ tịch "
                             f"Ủy ban nhân dân {text(doc.issuer.commune_name)[:1].lower()}"
                             f"{text(doc.issuer.commune_name)[1:]})"), under)]
    groups = {_short_group(i["category"] or i["from_category"]): _group(i["category"] or i["from_category"])
              for i in items if not funeral}
    legend = "; ".join(f"{short}: {full}" for short, full in sorted(groups.items(), key=lambda kv: sort_key(kv[0]))
                       if short != full)
    tail = [Spacer(1, 2 * mm)]
    if legend:
        tail.append(Paragraph(markup(f"Diện: {legend}."), st.note))
    width, height = doc.page.width, doc.page.height
    head_h = flow_height(head, width)
    return head + table.flowables(rows, height - head_h - 2, height - 2, flow_height(tail, width) + 2) + tail


def write(db, decision_id: str, out) -> int:
    """Print a decision to ``out``; returns the number of people it covers."""
    decision = decisions.get_decision(db, decision_id)
    if decision["recorded"]:
        raise UserError(f"Quyết định {decision['number_text']} được ghi lại từ bản đã ban hành trước; "
                        "bản gốc là bản có giá trị, phần mềm không in lại")
    for item in decision["items"]:
        if item["action"] == "funeral" and item["beneficiary_id"]:
            died = db.execute("SELECT status_date FROM beneficiaries WHERE id = ?", [item["beneficiary_id"]]).fetchone()
            item["died_on"] = died[0] if died else None
    program = decision["program"]
    render(decision, out, issuer=issuer_of(db), grounds=decisions.grounds(db, program),
           offices=report_offices(db, [program]))
    return len(decision["items"])

