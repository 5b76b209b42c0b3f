"""Payment receipts (biên nhận): one per person paid, 2 or 4 to an A4 sheet, with cut lines.

Each receipt carries its number (sequential in the session), the payer (the commune's People's
Committee), the person entitled and who actually took the money (themself, or a named
authorised person), the amount in figures and in words, the date, and room for two signatures.
Drawn straight on the canvas (no layout engine): a thousand receipts take about a second.
"""

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas

from commune_payout import payouts
from commune_payout.atomic import atomic_path
from commune_payout.documents import fonts
from commune_payout.documents.frame import SIGN_NOTE, Issuer, issuer_of, place_and_date, text
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.register import CHANNELS
from commune_payout.text import fold

PER_PAGE = (2, 4)


@dataclass(frozen=True)
class Receipt:
    """What one receipt says. ``receiver_name`` is empty when the person took the money themself."""

    number: int
    full_name: str
    birth_year: int | None
    id_number: str | None
    village: str
    amount: int
    channel: str                       # account, cash_commune or cash_home
    paid_on: dt.date
    receiver_name: str = ""
    receiver_relation: str = ""


def receipt_number(number: int) -> str:
    return f"{number:06d}"


def render(receipts: list[Receipt], out, *, issuer: Issuer, session_name: str, per_page: int = 4,
           mask_ids: bool = False) -> None:
    """Write ``receipts`` to ``out``, ``per_page`` (2 or 4) to an A4 portrait sheet."""
    if per_page not in PER_PAGE:
        raise ValueError(f"per_page must be 2 or 4, not {per_page}")
    fonts.register()
    page_w, page_h = A4
    cols = 2 if per_page == 4 else 1
    cell_w, cell_h = page_w / cols, page_h / 2
    painter = _Painter(issuer, text(session_name), per_page, mask_ids)
    with atomic_path(out) as tmp:
        canv = rl_canvas.Canvas(str(tmp), pagesize=A4, pageCompression=1)
        canv.setTitle(f"Biên nhận — {text(session_name)}")
        canv.setAuthor(issuer.body)
        for start in range(0, len(receipts), per_page):
            for i, receipt in enumerate(receipts[start:start + per_page]):
                row, col = divmod(i, cols)
                painter.draw(canv, receipt, col * cell_w, page_h - (row + 1) * cell_h, cell_w, cell_h)
            _cut_lines(canv, page_w, page_h, cols)
            canv.showPage()
        canv.save()


def _cut_lines(canv, page_w: float, page_h: float, cols: int) -> None:
    canv.saveState()
    canv.setDash(4, 3)
    canv.setLineWidth(0.4)
    canv.line(4 * mm, page_h / 2, page_w - 4 * mm, page_h / 2)
    if cols == 2:
        canv.line(page_w / 2, 4 * mm, page_w / 2, page_h - 4 * mm)
    canv.restoreState()


class _Painter:
    """Draws one receipt in a cell of the sheet."""

    def __init__(self, issuer: Issuer, session_name: str, per_page: int, mask_ids: bool):
        size = 10.5 if per_page == 4 else 12
        self.issuer = issuer
        self.session_name = session_name
        self.size = size
        self.leading = size * 1.3
        self.margin = 8 * mm if per_page == 4 else 12 * mm
        self.mask_ids = mask_ids

    def draw(self, canv, r: Receipt, x0: float, y0: float, w: float, h: float) -> None:
        s, lead, m = self.size, self.leading, self.margin
        left, right = x0 + m, x0 + w - m
        width = right - left
        y = y0 + h - m - s
        canv.setFont(fonts.BOLD, s)
        canv.drawString(left, y, self.issuer.body)
        canv.setFont(fonts.REGULAR, s)
        canv.drawRightString(right, y, f"Số: {receipt_number(r.number)}")
        y -= lead * 1.8
        canv.setFont(fonts.BOLD, s + 2)
        canv.drawCentredString((left + right) / 2, y, "BIÊN NHẬN TIỀN CHI TRẢ")
        y -= lead
        y = self._lines(canv, self.session_name, fonts.ITALIC, left, right, y, centre=True)
        y -= lead * 0.5
        y = self._field(canv, "Người hưởng: ", r.full_name, left, right, y, bold=True)
        id_text = (mask(r.id_number) if self.mask_ids else r.id_number) or "chưa có"
        y = self._field(canv, "Năm sinh: ", r.birth_year or "chưa rõ", left, right, y)
        y = self._field(canv, "Số định danh: ", id_text, left, right, y)
        y = self._field(canv, "Thôn/xóm: ", r.village or "chưa ghi", left, right, y)
        if r.receiver_name:
            who = text(r.receiver_name) + (f" ({text(r.receiver_relation)})" if r.receiver_relation else "")
            y = self._field(canv, "Người nhận tiền: ", who, left, right, y, bold=True)
            y = self._lines(canv, "là người được ủy quyền nhận thay người hưởng.", fonts.ITALIC, left, right, y)
        else:
            y = self._field(canv, "Người nhận tiền: ", "bản thân người hưởng", left, right, y)
        y = self._field(canv, "Đơn vị chi trả: ", self.issuer.full_name, left, right, y)
        y = self._field(canv, "Số tiền: ", format_vnd(r.amount), left, right, y, bold=True)
        y = self._field(canv, "Bằng chữ: ", amount_in_words_sentence(r.amount), left, right, y, italic=True)
        y = self._field(canv, "Hình thức: ", CHANNELS.get(r.channel, r.channel), left, right, y)
        y -= lead * 0.4
        canv.setFont(fonts.ITALIC, s)
        half = width / 2
        canv.drawRightString(right, y, place_and_date(self.issuer.place, r.paid_on))
        y -= lead * 1.2
        receiver = text(r.receiver_name) or text(r.full_name)
        for i, (title, name) in enumerate((("NGƯỜI NHẬN TIỀN", receiver), ("NGƯỜI CHI TIỀN", self.issuer.officer))):
            cx = left + half * (i + 0.5)
            canv.setFont(fonts.BOLD, s)
            canv.drawCentredString(cx, y, title)
            canv.setFont(fonts.ITALIC, s - 1)
            canv.drawCentredString(cx, y - lead, SIGN_NOTE)
            if name:
                canv.setFont(fonts.BOLD, s)
                canv.drawCentredString(cx, y0 + m + lead, text(name))

    def _field(self, canv, label: str, value, left: float, right: float, y: float,
               bold: bool = False, italic: bool = False) -> float:
        """A "Label: value" line; the value wraps under itself if it is long."""
        s = self.size
        canv.setFont(fonts.REGULAR, s)
        canv.drawString(left, y, label)
        indent = stringWidth(label, fonts.REGULAR, s)
        font = fonts.BOLD if bold else fonts.ITALIC if italic else fonts.REGULAR
        return self._lines(canv, text(value), font, left + indent, right, y)

    def _lines(self, canv, value: str, font: str, left: float, right: float, y: float,
               centre: bool = False) -> float:
        canv.setFont(font, self.size)
        for line in simpleSplit(value, font, self.size, right - left) or [""]:
            if centre:
                canv.drawCentredString((left + right) / 2, y, line)
            else:
                canv.drawString(left, y, line)
            y -= self.leading
        return y


def session_receipts(db, session_id: str, receipt_nos=None, channel: str | None = None) -> list[Receipt]:
    """Receipts of the live (not reversed) payments of a session, in receipt-number order.

    ``receipt_nos`` limits them to those numbers (reprinting one receipt, or the desk's queue);
    ``channel``: ``"cash"`` or ``"account"`` keeps only the payments made that way.
    """
    out = []
    for p in payouts.payments(db, session_id, receipt_nos):
        cash = p["paid_channel"] in payouts.CASH_CHANNELS
        if channel and (channel == "cash") != cash:
            continue
        authorised = p["received_by"] == "authorised"
        relation = p["receiver_relation"] if authorised and fold(p["paid_to"]) == fold(p["receiver_name"]) else ""
        out.append(Receipt(
            number=p["receipt_no"], full_name=p["full_name"], birth_year=p["birth_year"], id_number=p["id_number"],
            village=p["village"], amount=p["total"], channel=p["paid_channel"],
            paid_on=dt.date.fromisoformat(p["paid_at"][:10]),
            receiver_name=p["paid_to"] if authorised else "", receiver_relation=relation))
    return out


def write(db, session_id: str, out, *, per_page: int = 4, receipt_nos=None, channel: str | None = None,
          mask_ids: bool = False) -> int:
    """Print the receipts of a session to ``out``; returns how many were printed."""
    session = payouts.get_session(db, session_id)
    receipts = session_receipts(db, session_id, receipt_nos, channel)
    if not receipts:
        raise UserError("Chưa có khoản chi nào để in biên nhận")
    render(receipts, out, issuer=issuer_of(db), session_name=session["name"], per_page=per_page, mask_ids=mask_ids)
    return len(receipts)
