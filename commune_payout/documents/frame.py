"""The frame of every printed document, after NĐ 30/2020/NĐ-CP (administrative documents).

A4, portrait or landscape; margins top and bottom 20 mm, left 30 mm, right 15 mm; issuing
body at the top left (UBND XÃ …, bold caps, a short rule under it); national motto at the top
right (bold caps, under it "Độc lập - Tự do - Hạnh phúc" bold with a rule of its own length);
the place-and-date line in italics under the motto; the title; signature blocks at the end;
page numbers "Trang x/y" centred in the top margin from page 2 on. All text is NFC, set in
the shipped Liberation Serif.
"""

import datetime as dt
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape as _landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph, Spacer, Table, TableStyle

from commune_payout import settings
from commune_payout.atomic import atomic_path
from commune_payout.documents import fonts
from commune_payout.text import nfc

MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
SIGN_NOTE = "(Ký, ghi rõ họ tên)"
SIGN_SEAL_NOTE = "(Ký, đóng dấu, ghi rõ họ tên)"


def text(value) -> str:
    """Any value as printable NFC text (``None`` prints as nothing)."""
    return "" if value is None else nfc(str(value))


def markup(value) -> str:
    """NFC text escaped for a reportlab Paragraph."""
    return escape(text(value))


def format_date(day: dt.date | None) -> str:
    """dd/mm/yyyy, the way dates are written on paper."""
    return day.strftime("%d/%m/%Y") if day else ""


def date_words(day: dt.date) -> str:
    """"ngày 05 tháng 01 năm 2027": a leading zero for days 1–9 and for months 1 and 2 (NĐ 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(place: str, day: dt.date) -> str:
    """"Xã An Bình, ngày 05 tháng 01 năm 2027"."""
    return f"{text(place)}, {date_words(day)}"


def flow_height(flowables: list, width: float) -> float:
    """Height the flowables take in a frame ``width`` wide (with their space before and after)."""
    return sum(f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


@dataclass(frozen=True)
class Issuer:
    """The commune's People's Committee, which issues and signs the documents."""

    commune_name: str            # "Xã An Bình", "Phường Hòa Bình", "Đặc khu …"
    province_name: str = ""
    officer: str = ""            # who prepares the lists (Người lập biểu)

    @property
    def body(self) -> str:
        """"UBND XÃ AN BÌNH"."""
        return "UBND " + text(self.commune_name).upper()

    @property
    def full_name(self) -> str:
        """"Ủy ban nhân dân xã An Bình"."""
        place = self.place
        return f"Ủy ban nhân dân {place[:1].lower()}{place[1:]}"

    @property
    def place(self) -> str:
        return text(self.commune_name)


def issuer_of(db) -> Issuer:
    """The issuer from the commune settings."""
    info = settings.commune(db)
    return Issuer(info["name"], info.get("province_name", ""), info.get("officer", ""))


@dataclass(frozen=True)
class Signer:
    """One signature block: its title (bold caps, may span lines), the note under it, a name."""

    title: str
    note: str = SIGN_NOTE
    name: str = ""


def standard_signers(issuer: Issuer) -> list[Signer]:
    """Người lập biểu · Kế toán · Chủ tịch UBND (for the chairman: stamp and signature)."""
    return [
        Signer("NGƯỜI LẬP BIỂU", name=issuer.officer),
        Signer("KẾ TOÁN"),
        Signer("TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", SIGN_SEAL_NOTE),
    ]


def _style(name, size, font=fonts.REGULAR, align=TA_LEFT, leading=None, **kw) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.2,
                          alignment=align, **kw)


@dataclass
class Styles:
    """Paragraph styles of a document, all in the shipped serif."""

    size: float = 12

    def __post_init__(self):
        fonts.register()
        s = self.size
        self.body = _style("body", s, align=TA_JUSTIFY, spaceAfter=2)
        self.body_left = _style("body_left", s)
        self.bold = _style("bold", s, fonts.BOLD)
        self.center = _style("center", s, align=TA_CENTER)
        self.center_bold = _style("center_bold", s, fonts.BOLD, TA_CENTER)
        self.center_italic = _style("center_italic", s, fonts.ITALIC, TA_CENTER)
        self.title = _style("title", s + 2, fonts.BOLD, TA_CENTER, spaceBefore=4)
        self.heading = _style("heading", s, fonts.BOLD, spaceBefore=6, spaceAfter=3)


@dataclass
class Page:
    """Page geometry: A4 portrait or landscape with the NĐ 30 margins."""

    landscape: bool = False
    size: tuple = field(init=False)

    def __post_init__(self):
        self.size = _landscape(A4) if self.landscape else A4

    @property
    def width(self) -> float:
        """Width between the margins."""
        return self.size[0] - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def height(self) -> float:
        """Height between the margins."""
        return self.size[1] - MARGIN_TOP - MARGIN_BOTTOM


class Document:
    """One printed document: the NĐ 30 header, a story of flowables, signatures, page numbers.

    ``on`` is the date printed in the place-and-date line (injected, never the wall clock);
    ``footer`` is a short line at the foot of every page so a loose page can be put back.
    """

    def __init__(self, issuer: Issuer, title: str, on: dt.date, *, subtitle=(), landscape: bool = False,
                 footer: str = ""):
        self.issuer = issuer
        self.title = text(title)
        self.subtitle = [text(s) for s in subtitle]
        self.on = on
        self.page = Page(landscape)
        self.footer = text(footer)
        self.styles = Styles()

    def header(self) -> list:
        """Issuing body and motto, the place-and-date line, the title and subtitle lines."""
        st = self.styles
        width = self.page.width
        left_w = width * 0.40
        right_w = width - left_w
        head_size = 12
        body_style = _style("issuer", head_size, fonts.BOLD, TA_CENTER)
        motto_style = _style("motto", head_size, fonts.BOLD, TA_CENTER)
        motto2_style = _style("motto2", head_size + 1, fonts.BOLD, TA_CENTER)
        body_w = stringWidth(self.issuer.body, fonts.BOLD, head_size)
        motto2_w = stringWidth(MOTTO_2, fonts.BOLD, head_size + 1)
        rows = [
            [Paragraph(markup(self.issuer.body), body_style), Paragraph(markup(MOTTO), motto_style)],
            [_UnderRule(min(body_w, left_w) * 0.5), Paragraph(markup(MOTTO_2), motto2_style)],
            ["", _UnderRule(motto2_w)],
            ["", Paragraph(markup(place_and_date(self.issuer.place, self.on)), st.center_italic)],
        ]
        table = Table(rows, colWidths=[left_w, right_w])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (1, 3), (1, 3), 6),
        ]))
        out = [table, Spacer(1, 6 * mm), Paragraph(markup(self.title.upper()), st.title)]
        out += [Paragraph(markup(line), st.center_bold) for line in self.subtitle]
        out.append(Spacer(1, 4 * mm))
        return out

    def signatures(self, signers: list[Signer], space: float = 24 * mm) -> Table:
        """Signature blocks side by side: title, note, room to sign, the name if known."""
        st = self.styles
        title_style = _style("sign_title", st.size, fonts.BOLD, TA_CENTER)
        cells = []
        for signer in signers:
            lines = [Paragraph("<br/>".join(markup(x) for x in text(signer.title).split("\n")), title_style),
                     Paragraph(markup(signer.note), st.center_italic), Spacer(1, space)]
            if signer.name:
                lines.append(Paragraph(markup(signer.name), st.center_bold))
            cells.append(lines)
        width = self.page.width / len(signers)
        table = Table([cells], colWidths=[width] * len(signers))
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 2),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
        return table

    def write(self, path, story: list) -> None:
        """Lay out ``story`` on the pages and write the PDF to ``path`` atomically."""
        fonts.register()
        with atomic_path(path) as tmp:
            doc = BaseDocTemplate(
                str(tmp), pagesize=self.page.size, leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
                topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, title=self.title,
                author=self.issuer.body, creator="commune_payout",
            )
            frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, self.page.width, self.page.height,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
            doc.addPageTemplates([PageTemplate("page", [frame])])
            doc.build(story, canvasmaker=self._canvas_maker())

    def _canvas_maker(self):
        return type("NumberedCanvas", (_NumberedCanvas,), {"footer": self.footer, "page_size": self.page.size})


class _UnderRule(Spacer):
    """A solid 0.6 pt rule ``length`` long, centred in its cell (under the body name, the motto)."""

    def __init__(self, length: float):
        super().__init__(length, 5)
        self.length = length

    def wrap(self, avail_width, avail_height):
        self._avail = avail_width
        return avail_width, 5

    def draw(self):
        x = (self._avail - self.length) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(x, 1.5, x + self.length, 1.5)


class _NumberedCanvas(rl_canvas.Canvas):
    """Holds every page until the end so each can say "Trang x/y" (the total is known last)."""

    footer = ""
    page_size = A4

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = self.page_size
        number = self._pageNumber
        if number > 1:
            self.setFont(fonts.REGULAR, 11)
            self.drawCentredString(width / 2, height - MARGIN_TOP / 2 - 4, f"Trang {number}/{total}")
        if self.footer:
            self.setFont(fonts.ITALIC, 8)
            self.setFillColor(colors.black)
            self.drawString(MARGIN_LEFT, MARGIN_BOTTOM / 2 - 3, self.footer)
