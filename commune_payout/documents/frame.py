"""The frame of every printed document, after NĐ 30/2020/NĐ-CP (administrative documents).

A4, portrait or landscape; margins top and bottom 20 mm, left 30 mm, right 15 mm; the issuing
body in full at the top left ("ỦY BAN NHÂN DÂN / XÃ AN BÌNH", bold caps, a short rule under it,
then the number and symbol of a document that has one); the national motto at the top right
(bold caps, under it "Độc lập - Tự do - Hạnh phúc" bold with a rule of its own length); the
place-and-date line in 13 pt italics under the motto ("An Bình, ngày …"); the title; signature
blocks at the end (the committee's: "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", or "KT. CHỦ TỊCH / PHÓ
CHỦ TỊCH"); page numbers "Trang x/y" centred in the top margin from page 2 on. All text is NFC,
set in the shipped Liberation Serif. See docs/domain.md.
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
from commune_payout.text import nfc, province_phrase

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


_UNIT_PREFIXES = ("Xã ", "Phường ", "Đặc khu ", "Thị trấn ")


def place_name(commune_name: str) -> str:
    """The place in the place-and-date line (NĐ 30): the commune's name without its unit
    ("Xã An Bình" → "An Bình"); a unit named by a number keeps its unit ("Phường 12")."""
    name = text(commune_name).strip()
    for prefix in _UNIT_PREFIXES:
        if name.casefold().startswith(prefix.casefold()):
            rest = name[len(prefix):].strip()
            return name if rest[:1].isdigit() else rest
    return name


def place_and_date(place: str, day: dt.date) -> str:
    """"An Bình, ngày 05 tháng 01 năm 2027"."""
    return f"{text(place)}, {date_words(day)}"


def flow_height(flowables: list, width: float) -> float:
    """Height the flowables take in a frame ``width`` wide (with their space before and after)."""
    return sum(f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flowables)


@dataclass(frozen=True)
class Issuer:
    """The commune's People's Committee, which issues the documents, and who signs them."""

    commune_name: str            # "Xã An Bình", "Phường Hòa Bình", "Đặc khu …"
    province_name: str = ""      # "Phú Thọ", "Thành phố Hà Nội"
    officer: str = ""            # prepares the lists (Người lập biểu)
    accountant: str = ""
    treasurer: str = ""
    chairman: str = ""
    deputy: bool = False         # a Vice-Chairman signs for the Chairman

    @property
    def body_lines(self) -> tuple[str, str]:
        """The issuing body in full, as NĐ 30 writes it: ("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH")."""
        return "ỦY BAN NHÂN DÂN", text(self.commune_name).upper()

    @property
    def body(self) -> str:
        """"UBND XÃ AN BÌNH": the short form, for page footers and the PDF's author."""
        return "UBND " + text(self.commune_name).upper()

    @property
    def full_name(self) -> str:
        """"Ủy ban nhân dân xã An Bình"."""
        name = text(self.commune_name)
        return f"Ủy ban nhân dân {name[:1].lower()}{name[1:]}"

    @property
    def place(self) -> str:
        """"An Bình" (see :func:`place_name`)."""
        return place_name(self.commune_name)

    @property
    def province(self) -> str:
        """"tỉnh Phú Thọ", "thành phố Hà Nội": the province as it follows an office's name."""
        return province_phrase(text(self.province_name))


def issuer_of(db) -> Issuer:
    """The issuer and the signers from the settings."""
    info = settings.commune(db)
    people = settings.signers(db)
    return Issuer(info["name"], info.get("province_name", ""), info.get("officer", ""), people["accountant"],
                  people["treasurer"], people["chairman"], people["deputy"])


@dataclass(frozen=True)
class Signer:
    """One signature block: its title (bold caps, may span lines), the note under it, a name."""

    title: str
    note: str = SIGN_NOTE
    name: str = ""


def signer(issuer: Issuer, role: str) -> Signer:
    """The signature block of ``role``: ``preparer`` (the officer), ``accountant``, ``treasurer``,
    ``payer`` (whoever hands out the cash writes their own name) or ``chairman`` (for the
    committee, with its seal; "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" when a Vice-Chairman signs)."""
    if role == "preparer":
        return Signer("NGƯỜI LẬP BIỂU", name=issuer.officer)
    if role == "accountant":
        return Signer("KẾ TOÁN", name=issuer.accountant)
    if role == "treasurer":
        return Signer("THỦ QUỸ", name=issuer.treasurer)
    if role == "payer":
        return Signer("NGƯỜI CHI TIỀN")
    if role == "chairman":
        title = "TM. ỦY BAN NHÂN DÂN\n" + ("KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" if issuer.deputy else "CHỦ TỊCH")
        return Signer(title, SIGN_SEAL_NOTE, issuer.chairman)
    raise ValueError(f"unknown signer {role!r}")


def signers(issuer: Issuer, *roles: str) -> list[Signer]:
    """The blocks of ``roles``, left to right."""
    return [signer(issuer, role) for role in roles]


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
        self.title = _style("title", 14, fonts.BOLD, TA_CENTER, spaceBefore=4)
        self.heading = _style("heading", s, fonts.BOLD, spaceBefore=6, spaceAfter=3)
        self.note = _style("note", s - 2.5, leading=(s - 2.5) * 1.25, align=TA_JUSTIFY, spaceBefore=2)


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
    ``number`` the number and symbol under the issuing body ("Số: 12/BC-UBND") of a document
    that has one; ``footer`` a short line at the foot of every page so a loose page can be put
    back. ``official``: the title is the kind of document ("BÁO CÁO") and the first subtitle its
    summary line, with a short rule under it (NĐ 30 trích yếu), and the body is set in 13 pt.
    """

    def __init__(self, issuer: Issuer, title: str, on: dt.date, *, subtitle=(), landscape: bool = False,
                 footer: str = "", number: str = "", official: bool = False):
        self.issuer = issuer
        self.title = text(title)
        self.subtitle = [text(s) for s in subtitle]
        self.on = on
        self.number = text(number)
        self.official = official
        self.page = Page(landscape)
        self.footer = text(footer)
        self.styles = Styles(13 if official else 12)

    def header(self) -> list:
        """Issuing body (and number) beside the motto, the place-and-date line, the title block."""
        st = self.styles
        width = self.page.width
        left_w = width * (0.36 if self.page.landscape else 0.40)
        right_w = width - left_w
        body_style = _style("issuer", 12.5, fonts.BOLD, TA_CENTER, leading=15)
        motto_style = _style("motto", 12, fonts.BOLD, TA_CENTER, leading=15)
        motto2_style = _style("motto2", 13, fonts.BOLD, TA_CENTER, leading=15)
        place_style = _style("place", 13, fonts.ITALIC, TA_CENTER, leading=15)
        body_w = max(stringWidth(line, fonts.BOLD, 12.5) for line in self.issuer.body_lines)
        motto2_w = stringWidth(MOTTO_2, fonts.BOLD, 13)
        body = "<br/>".join(markup(line) for line in self.issuer.body_lines)
        left = [Paragraph(body, body_style), _UnderRule(min(body_w, left_w) * 0.4)]
        if self.number:
            left.append(Paragraph(markup(f"Số: {self.number}"), _style("number", 13, align=TA_CENTER, leading=15)))
        right = [Paragraph(markup(MOTTO), motto_style), Paragraph(markup(MOTTO_2), motto2_style),
                 _UnderRule(motto2_w), Spacer(1, 3),
                 Paragraph(markup(place_and_date(self.issuer.place, self.on)), place_style)]
        table = Table([[left, right]], colWidths=[left_w, right_w])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        out = [table, Spacer(1, 5 * mm), Paragraph(markup(self.title.upper()), st.title)]
        if self.official and self.subtitle:
            summary, *rest = self.subtitle
            summary_style = _style("summary", 14, fonts.BOLD, TA_CENTER, leading=17)
            out += [Paragraph(markup(summary), summary_style), Spacer(1, 2), _UnderRule(min(
                stringWidth(summary, fonts.BOLD, 14), width) * 0.3)]
        else:
            rest = self.subtitle
        out += [Paragraph(markup(line), st.center_bold) for line in rest]
        out.append(Spacer(1, 3 * mm))
        return out

    def signatures(self, people: list[Signer], space: float = 22 * mm, width: float | None = None) -> Table:
        """Signature blocks side by side: title and note on one row, room to sign and the name on
        the next, so the names line up whatever the number of title lines."""
        st = self.styles
        title_style = _style("sign_title", st.size, fonts.BOLD, TA_CENTER)
        note_style = _style("sign_note", st.size - 1, fonts.ITALIC, TA_CENTER)
        heads, names = [], []
        for person in people:
            heads.append([Paragraph("<br/>".join(markup(x) for x in text(person.title).split("\n")), title_style),
                          Paragraph(markup(person.note), note_style)])
            names.append([Spacer(1, space), Paragraph(markup(person.name), st.center_bold)])
        width = width or self.page.width
        shares = [1.5 if person.note == SIGN_SEAL_NOTE and len(people) > 1 else 1.0 for person in people]
        table = Table([heads, names], colWidths=[width * share / sum(shares) for share in shares])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 2),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 2)]))
        return table

    def recipients_and_signature(self, recipients: list[str], person: Signer) -> Table:
        """The end of an official document: "Nơi nhận" at the left, the signature at the right."""
        head = _style("to_head", 12, fonts.BOLD_ITALIC, leading=14)
        item = _style("to_item", 11, leading=13)
        left = [Paragraph("Nơi nhận:", head)] + [Paragraph(markup(r), item) for r in recipients]
        left_w = self.page.width * 0.45
        right = self.signatures([person], width=self.page.width - left_w)
        table = Table([[left, right]], colWidths=[left_w, self.page.width - left_w])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
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
            self.setFont(fonts.REGULAR, 12)
            self.drawCentredString(width / 2, height - MARGIN_TOP / 2 - 4, f"Trang {number}/{total}")
        if self.footer:
            self.setFont(fonts.ITALIC, 8)
            self.setFillColor(colors.black)
            self.drawString(MARGIN_LEFT, MARGIN_BOTTOM / 2 - 3, self.footer)
