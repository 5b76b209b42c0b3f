"""The verification sheet (phiếu xác minh chi trả): a phone list for the village heads.

One part per village, each starting on a page of its own so that every village head takes
their own: the number of the person on the sheet (the officer types the answers back by it),
name, year of birth, the ID number masked, the phone in full (it is a list to call from), the
amount and how it was paid, then an answer box: received in full, not received, the amount
received when it differs, could not reach, and a note. Each part ends with the day and the way
the village head asked and their signature. No group is printed, so no sensitive one can be.
"""

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from commune_payout import payouts, verification
from commune_payout.banks import bank_name
from commune_payout.documents.frame import Document, Issuer, Signer, flow_height, issuer_of, markup, signer
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.money import format_vnd
from commune_payout.register import CHANNELS
from commune_payout.text import sort_key

NO_VILLAGE = "Chưa ghi thôn"
BOX = "□"
ASKED = ("Gọi điện thoại", "Đến nhà", "Họp thôn")
COLUMNS = [
    Column("STT", 9, "CENTER"),
    Column("Họ và tên", 0, lines=2),
    Column("Năm sinh", 11, "CENTER"),
    Column("Số định danh", 24, "CENTER"),
    Column("Điện thoại", 23, "CENTER"),
    Column("Số tiền đã chi (đồng)", 22, "RIGHT"),
    Column("Hình thức nhận", 27, lines=2),
    Column("Đã nhận đủ", 14, "CENTER"),
    Column("Chưa nhận được", 15, "CENTER"),
    Column("Nhận số tiền khác (ghi số tiền)", 24),
    Column("Không liên lạc được", 16, "CENTER"),
    Column("Ghi chú", 0, lines=2, least=20),
]


@dataclass(frozen=True)
class SheetLine:
    """One person to ask, already safe to print."""

    number: int
    full_name: str
    birth_year: int | None
    id_number: str | None
    phone: str
    village: str
    amount: int
    channel: str                  # how the payment went: a key of register.CHANNELS
    bank: str = ""                # the bank or wallet of a transfer
    receiver_name: str = ""       # who received it for the person, when someone did


def channel_text(line: SheetLine) -> str:
    """"Chuyển khoản Agribank", "Tiền mặt tại xã"."""
    return CHANNELS.get(line.channel, line.channel) + (f" {line.bank}" if line.bank else "")


def render(lines: list[SheetLine], out, *, issuer: Issuer, on: dt.date, session_name: str, drawn: str) -> None:
    """Write the sheet of ``lines`` (in sheet order) to ``out``: a part per village."""
    doc = Document(issuer, "Phiếu xác minh chi trả", on, landscape=True,
                   subtitle=[f"Đợt chi: {session_name}", drawn],
                   footer="Phiếu xác minh chi trả — có số điện thoại người hưởng, không niêm yết")
    st = doc.styles
    width, height = doc.page.width, doc.page.height
    by_village: dict[str, list[SheetLine]] = {}
    for line in lines:
        by_village.setdefault(line.village or NO_VILLAGE, []).append(line)
    intro = [Paragraph(
        "Trưởng thôn gọi điện (hoặc đến nhà) hỏi từng người: <i>“Ông/bà đã nhận được số tiền … của đợt chi này "
        "chưa? Nhận đủ bao nhiêu?”</i> Đánh dấu × vào một ô; nếu người hưởng nhận số tiền khác thì ghi số tiền đã "
        "nhận. Không đọc số tiền, số tài khoản cho người khác nghe. Nộp lại phiếu cho cán bộ chính sách xã.",
        st.note), Spacer(1, 2 * mm)]
    table = PagedTable(COLUMNS, width, size=9, row_height=9)
    gap = "&nbsp;" * 4
    asked = Paragraph(f"Ngày hỏi: ......../......../..............{gap * 2}Cách hỏi: {gap.join(f'{BOX} {how}' for how in ASKED)}",
                      st.body_left)
    again = Paragraph(markup(f"PHIẾU XÁC MINH CHI TRẢ — {session_name}"), st.center_bold)
    story = doc.header() + intro
    used = flow_height(story, width)
    for n, (village, group) in enumerate(sorted(by_village.items(), key=lambda kv: sort_key(kv[0]))):
        if n:
            story += [PageBreak(), again, Spacer(1, 2 * mm)]
            used = flow_height([again, Spacer(1, 2 * mm)], width)
        rows = [Row([f"{village} ({len(group)} người)"] + [""] * (len(COLUMNS) - 1), kind="heading")]
        rows += [Row([str(x.number), x.full_name, x.birth_year or "", mask(x.id_number), x.phone or "(chưa có)",
                      format_vnd(x.amount, unit=False), channel_text(x), BOX, BOX, "", BOX,
                      f"Người nhận thay: {x.receiver_name}" if x.receiver_name else ""]) for x in group]
        tail = [Spacer(1, 3 * mm), asked, Spacer(1, 3 * mm),
                doc.signatures([Signer(f"TRƯỞNG {village.upper()}" if village != NO_VILLAGE else "NGƯỜI HỎI"),
                                signer(issuer, "preparer")], space=18 * mm)]
        story += table.flowables(rows, height - used - 2, height - 2, flow_height(tail, width) + 2) + tail
    doc.write(out, story)


def sheet_lines(db, sid: str) -> list[SheetLine]:
    """The people drawn in session ``sid``, in sheet order."""
    out = []
    lines = {line["id"]: line for line in payouts.session_lines(db, sid)}
    for item in verification.items(db, sid):
        line = lines[item["line_id"]]
        out.append(SheetLine(
            number=item["seq"], full_name=item["full_name"], birth_year=item["birth_year"],
            id_number=item["id_number"], phone=item["phone"] or "", village=item["village"], amount=item["total"],
            channel=item["channel"], bank=bank_name(line["bank_bin"]) if item["channel"] not in (
                "cash_commune", "cash_home") and line["bank_bin"] else "",
            receiver_name=line["paid_to"] if line["received_by"] == "authorised" else ""))
    return out


def write(db, sid: str, out, *, on: dt.date) -> int:
    """Print the verification sheet of session ``sid`` to ``out``; returns the number of people on it."""
    recorded = verification.get_verification(db, sid)
    if recorded is None:
        raise UserError("Đợt chi này chưa rút mẫu xác minh: hãy chạy “session verify” (hoặc bấm “Rút mẫu”) trước")
    lines = sheet_lines(db, sid)
    render(lines, out, issuer=issuer_of(db), on=on, session_name=payouts.get_session(db, sid)["name"],
           drawn=verification.describe_draw(recorded))
    return len(lines)
