"""Payment receipts (biên nhận): one per person paid, 2 or 4 to an A4 sheet, with cut lines.

Each receipt carries its number (sequential in the session), the payer (the commune's People's
Committee), the person entitled and who actually took the money (themself, or an authorised
person with their relation and ID number), the amount in figures and in words (with what it is
made of when it pays arrears or an amount carried from an earlier session: each on its own
line), the date, and room for two signatures. Funeral support has a receipt of its own, naming
the person who died and whoever arranged the funeral. By default only cash payments get one: someone paid by transfer never
handled the money, so there is nothing for them to sign.

Every text stays inside its receipt, 8 mm or more from the cut lines and the paper's edge: a
long value wraps under its label, a name under a signature is shrunk and then set on two lines
within its half of the receipt, and a receipt whose text would run into its signature space is
set again in a smaller size. Drawn straight on the canvas (no layout engine): a thousand
receipts take well under a second.
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
from commune_payout.documents.table import fit
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.register import CHANNELS
from commune_payout.text import fold

PER_PAGE = (2, 4)
MARGIN = 8 * mm
BLANK = "…………………………"


@dataclass(frozen=True)
class Receipt:
    """What one receipt says. ``receiver_name`` is empty when the person took the money themself;
    ``receiver_id_number`` is known when the receiver is the one recorded in the register."""

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
    receiver_id_number: str = ""
    items: tuple[tuple[str, int], ...] = ()     # what the amount is made of, when it is several things
    funeral: bool = False                      # funeral support: the person died, the receiver arranged it


def receipt_number(number: int) -> str:
    return f"{number:06d}"


def render(receipts: list[Receipt], out, *, issuer: Issuer, session_name: str, per_page: int = 4,
           masked: bool = False, on: dt.date | None = None) -> None:
    """Write ``receipts`` to ``out``, ``per_page`` (2 or 4) to an A4 portrait sheet. ``on``: the
    date printed on every receipt (default: the day each payment was made)."""
    if per_page not in PER_PAGE:
        raise ValueError(f"per_page must be 2 or 4, not {per_page}")
    fonts.register()
    page_w, page_h = A4
    cols = 2 if per_page == 4 else 1
    cell_w, cell_h = page_w / cols, page_h / 2
    painter = _Painter(issuer, text(session_name), per_page, masked, on)
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
    canv.line(6 * mm, page_h / 2, page_w - 6 * mm, page_h / 2)
    if cols == 2:
        canv.line(page_w / 2, 6 * mm, page_w / 2, page_h - 6 * mm)
    canv.restoreState()


class _Painter:
    """Lays out and draws one receipt in a cell of the sheet."""

    def __init__(self, issuer: Issuer, session_name: str, per_page: int, masked: bool, on: dt.date | None):
        self.issuer = issuer
        self.session_name = session_name
        self.size = 10.5 if per_page == 4 else 12
        self.sign_space = 20 * mm if per_page == 4 else 28 * mm
        self.masked = masked
        self.on = on

    def draw(self, canv, r: Receipt, x0: float, y0: float, w: float, h: float) -> None:
        left, right = x0 + MARGIN, x0 + w - MARGIN
        top, bottom = y0 + h - MARGIN, y0 + MARGIN
        size = self.size
        while True:
            body = self._body(r, size, right - left)
            foot, foot_h = self._signatures(r, size, right - left)
            if sum(step for step, *_ in body) + foot_h <= top - bottom or size <= 7:
                break
            size -= 0.5
        y = top
        current = None
        for step, font, font_size, align, indent, line in body:
            y -= step
            if current != (font, font_size):
                current = (font, font_size)
                canv.setFont(font, font_size)
            if align == "CENTER":
                canv.drawCentredString((left + right) / 2, y, line)
            elif align == "RIGHT":
                canv.drawRightString(right, y, line)
            else:
                canv.drawString(left + indent, y, line)
        for dy, font, font_size, fraction, line in foot:
            canv.setFont(font, font_size)
            canv.drawCentredString(left + (right - left) * fraction, bottom + dy, line)

    def _body(self, r: Receipt, size: float, width: float) -> list[tuple]:
        """Lines from the top down: (step down to the baseline, font, size, align, indent, text)."""
        lead = size * 1.28
        out: list[tuple] = []

        def lines(value, font, align="LEFT", indent=0.0, step=lead, font_size=size):
            for n, line in enumerate(simpleSplit(text(value), font, font_size, width - indent) or [""]):
                out.append((step if n == 0 else font_size * 1.28, font, font_size, align, indent, line))

        def field(label: str, value, font=fonts.REGULAR):
            indent = stringWidth(label, fonts.REGULAR, size)
            value = text(value)
            if indent > width * 0.45:
                lines(label, fonts.REGULAR)
                lines(value, font, indent=size)
                return
            parts = simpleSplit(value, font, size, width - indent) or [""]
            out.append((lead, fonts.REGULAR, size, "LEFT", 0.0, label))
            out.append((0.0, font, size, "LEFT", indent, parts[0]))
            for part in parts[1:]:
                out.append((lead, font, size, "LEFT", indent, part))

        number = f"Số: {receipt_number(r.number)}"
        number_w = stringWidth(number, fonts.REGULAR, size)
        body_w = width - number_w - 4 * mm
        first = True
        for line in self.issuer.body_lines:
            for part in simpleSplit(line, fonts.BOLD, size, body_w) or [""]:
                out.append((size * (1.0 if first else 1.15), fonts.BOLD, size, "LEFT", 0.0, part))
                if first:
                    out.append((0.0, fonts.REGULAR, size, "RIGHT", 0.0, number))
                    first = False
        lines("BIÊN NHẬN TIỀN HỖ TRỢ MAI TÁNG" if r.funeral else "BIÊN NHẬN TIỀN CHI TRẢ", fonts.BOLD, "CENTER",
              step=lead * 1.5, font_size=size + 2)
        lines(self.session_name, fonts.ITALIC, "CENTER")
        out.append((lead * 0.3, fonts.REGULAR, size, "LEFT", 0.0, ""))
        field("Người đã mất: " if r.funeral else "Người hưởng: ", r.full_name, fonts.BOLD)
        field("Năm sinh: ", r.birth_year or "chưa rõ")
        field("Số định danh: ", self._id(r.id_number) or "chưa có")
        field("Thôn/xóm: ", r.village or "chưa ghi")
        if r.receiver_name:
            who = text(r.receiver_name) + (f" ({text(r.receiver_relation)})" if r.receiver_relation else "")
            field("Người nhận tiền: ", who, fonts.BOLD)
            lines("là người đứng ra tổ chức mai táng;" if r.funeral else
                  "là người được ủy quyền nhận thay người hưởng;", fonts.ITALIC)
            field("Số định danh người nhận: ", self._id(r.receiver_id_number) or BLANK)
        else:
            field("Người nhận tiền: ", "bản thân người hưởng")
        field("Đơn vị chi trả: ", self.issuer.full_name)
        field("Số tiền: ", format_vnd(r.amount), fonts.BOLD)
        for label, amount in r.items:
            field(f"  – {label}: ", format_vnd(amount))
        field("Bằng chữ: ", amount_in_words_sentence(r.amount), fonts.ITALIC)
        field("Hình thức: ", CHANNELS.get(r.channel, r.channel))
        dated = place_and_date(self.issuer.place, self.on or r.paid_on)
        date_size, date_lines = fit(dated, width, fonts.ITALIC, size, 2)
        for n, line in enumerate(date_lines):
            out.append((lead * (1.3 if n == 0 else 1), fonts.ITALIC, date_size, "RIGHT", 0.0, line))
        return out

    def _id(self, value) -> str:
        return (mask(value) if self.masked else text(value)) if value else ""

    def _signatures(self, r: Receipt, size: float, width: float) -> tuple[list[tuple], float]:
        """The two signature blocks, from the bottom margin up: (height above the bottom, font,
        size, centre as a fraction of the width, text); and the height they take."""
        lead = size * 1.25
        half = width / 2 - 3 * mm
        out = []
        name_h = 2 * size * 1.15
        for fraction, title, name in ((0.25, "NGƯỜI NHẬN TIỀN", r.receiver_name or r.full_name),
                                      (0.75, "NGƯỜI CHI TIỀN", self.issuer.officer)):
            name_size, name_lines = fit(text(name), half, fonts.BOLD, size, 2, name_h)
            y = (len(name_lines) - 1) * name_size * 1.15
            for line in name_lines:
                out.append((y, fonts.BOLD, name_size, fraction, line))
                y -= name_size * 1.15
            title_size, (title_line,) = fit(title, half, fonts.BOLD, size)
            out.append((name_h + self.sign_space + lead, fonts.BOLD, title_size, fraction, title_line))
            out.append((name_h + self.sign_space, fonts.ITALIC, size - 1, fraction, SIGN_NOTE))
        return out, name_h + self.sign_space + lead + size


def _items(line: dict, period: str, back: list[dict]) -> tuple[tuple[str, int], ...]:
    """What a line's amount is made of, when it pays arrears or an amount carried over: the month's
    allowance, each run of months paid back, the amount carried. Empty otherwise (and for an
    overridden line, paid as one amount)."""
    if line["override_amount"] is not None or not (back or line["carried_forward"]):
        return ()
    out = []
    if line["purpose"] == "allowance" and line["base_amount"]:
        months = payouts.months_text(payouts.covered(period, line["months"]))
        out.append((f"Trợ cấp {months}", line["base_amount"] * line["months"]))
    for months, per_month in payouts.runs(back):
        out.append((f"Truy lĩnh {payouts.months_text(months)} ({len(months)} × {format_vnd(per_month)})",
                    len(months) * per_month))
    if line["carried_forward"]:
        out.append(("Kỳ trước chưa nhận, chuyển sang", line["carried_forward"]))
    return tuple(out)


def session_receipts(db, session_id: str, receipt_nos=None, channel: str | None = "cash") -> list[Receipt]:
    """Receipts of the live (not reversed) payments of a session, in receipt-number order.

    ``receipt_nos`` prints exactly those numbers (reprinting one receipt, or the desk's queue);
    otherwise ``channel`` picks the payments: ``"cash"`` (the default), ``"account"`` or
    ``"all"``/``None``.
    """
    out = []
    period = payouts.get_session(db, session_id)["period"]
    back = payouts.session_arrears(db, session_id)
    for p in payouts.payments(db, session_id, receipt_nos):
        cash = p["paid_channel"] in payouts.CASH_CHANNELS
        if not receipt_nos and channel in ("cash", "account") and (channel == "cash") != cash:
            continue
        authorised = p["received_by"] == "authorised"
        registered = authorised and fold(p["paid_to"]) == fold(p["receiver_name"])
        out.append(Receipt(
            number=p["receipt_no"], full_name=p["full_name"], birth_year=p["birth_year"], id_number=p["id_number"],
            village=p["village"], amount=p["total"], channel=p["paid_channel"],
            paid_on=dt.date.fromisoformat(p["paid_at"][:10]),
            receiver_name=p["paid_to"] if authorised else "",
            receiver_relation=p["receiver_relation"] if registered else "",
            receiver_id_number=(p["receiver_id_number"] or "") if registered else "",
            items=_items(p, period, back.get(p["id"], [])), funeral=p["purpose"] == "funeral"))
    return out


def write(db, session_id: str, out, *, per_page: int = 4, receipt_nos=None, channel: str | None = "cash",
          masked: bool = False, on: dt.date | None = None) -> int:
    """Print the receipts of a session to ``out``; returns how many were printed."""
    session = payouts.get_session(db, session_id)
    receipts = session_receipts(db, session_id, receipt_nos, channel)
    if not receipts:
        raise UserError("Chưa có khoản chi nào để in biên nhận" + (
            " bằng tiền mặt" if not receipt_nos and channel == "cash" else ""))
    render(receipts, out, issuer=issuer_of(db), session_name=session["name"], per_page=per_page, masked=masked,
           on=on)
    return len(receipts)
