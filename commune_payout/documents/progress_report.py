"""The monthly progress report on cashless payment the province asks for (CV 1085/LĐTBXH-TTTT).

An official document (NĐ 30): number and symbol from the commune's count of reports
(:mod:`.numbering`), place and date, "BÁO CÁO" with its summary line, "Kính gửi" naming the
offices of the programmes reported (:func:`report_offices`), the body, "Nơi nhận" and the
chairman's signature.

For one month (the sessions whose period is that month): people and amounts paid by account and
in cash, and still unpaid, per session, by group and by village, and apart the arrears (by cause)
and the funeral support those sums hold; the account coverage of the
register; the cashless share (people paid by transfer out of people paid) and its trend over the
past sessions, as a table and a bar chart. Groups are printed with their public label, so HIV
status never appears.
"""

import datetime as dt
from dataclasses import dataclass, field

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from commune_payout import payouts, register
from commune_payout.documents import fonts, numbering
from commune_payout.documents.frame import Document, Issuer, issuer_of, markup, signer, text
from commune_payout.db import write_transaction
from commune_payout.errors import UserError
from commune_payout.money import format_vnd
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.sync.commune import office_names
from commune_payout.text import sort_key

TREND_SESSIONS = 12
EXTRAS = {"rate": "Truy lĩnh chênh lệch mức chuẩn", "decision": "Truy lĩnh theo quyết định",
          "funeral": "Hỗ trợ chi phí mai táng"}
KIND = "progress"
PROGRAM_ORDER = ("btxh", "htxh", "ncc")


@dataclass
class Split:
    """People and đồng paid by account, paid in cash, and not yet paid."""

    account_count: int = 0
    account_amount: int = 0
    cash_count: int = 0
    cash_amount: int = 0
    unpaid_count: int = 0
    unpaid_amount: int = 0

    def add(self, line: dict, amount: int | None = None) -> None:
        """Count ``line`` (its whole total, or ``amount`` of it)."""
        amount = line["total"] if amount is None else amount
        if line["status"] == "paid":
            if line["paid_channel"] == "account":
                self.account_count += 1
                self.account_amount += amount
            else:
                self.cash_count += 1
                self.cash_amount += amount
        elif line["status"] in ("pending", "returned"):
            self.unpaid_count += 1
            self.unpaid_amount += amount

    @property
    def count(self) -> int:
        return self.account_count + self.cash_count + self.unpaid_count

    @property
    def paid_count(self) -> int:
        return self.account_count + self.cash_count

    @property
    def share(self) -> float | None:
        """People paid by transfer out of people paid (``None`` before anyone is paid)."""
        return self.account_count / self.paid_count if self.paid_count else None

    @property
    def amount_share(self) -> float | None:
        paid = self.account_amount + self.cash_amount
        return self.account_amount / paid if paid else None


@dataclass
class TrendPoint:
    period: str                     # YYYY-MM
    session_name: str
    split: Split


@dataclass
class ProgressData:
    """Everything the report prints, computed from the database by :func:`progress_data`."""

    period: str
    coverage: dict[str, int]                                     # account status → active people
    sessions: list[tuple[str, Split]] = field(default_factory=list)
    by_group: list[tuple[str, Split]] = field(default_factory=list)
    by_village: list[tuple[str, Split]] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    programs: set[str] = field(default_factory=set)             # programmes of the month's lines
    extras: list[tuple[str, Split]] = field(default_factory=list)   # arrears by cause, funeral support

    @property
    def total(self) -> Split:
        out = Split()
        for _, s in self.sessions:
            for name in vars(out):
                setattr(out, name, getattr(out, name) + getattr(s, name))
        return out


def percent(value: float | None) -> str:
    """0.6667 → "66,7%" (Vietnamese decimal comma); "–" when there is nothing to divide."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}%".replace(".", ",")


def month_label(period: str) -> str:
    """"2027-01" → "01/2027"."""
    return f"{period[5:7]}/{period[:4]}"


def progress_data(db, period: str, history: int = TREND_SESSIONS) -> ProgressData:
    """Figures for the month ``period`` (``YYYY-MM``) and the trend over the last ``history`` sessions."""
    coverage = {status: register.count(db, account_status=status, status="active")
                for status in register.ACCOUNT_STATUSES}
    data = ProgressData(period, coverage)
    groups: dict[str, Split] = {}
    villages: dict[str, Split] = {}
    past = [s for s in payouts.list_sessions(db) if s["period"] <= period][:history]
    extras = {label: Split() for label in EXTRAS.values()}
    for session in reversed(past):
        split = Split()
        back = payouts.session_arrears(db, session["id"]) if session["period"] == period else {}
        for line in payouts.session_lines(db, session["id"]):
            split.add(line)
            if session["period"] == period:
                for cause in payouts.CAUSES:
                    amount = sum(r["amount"] for r in back.get(line["id"], []) if r["cause"] == cause)
                    if amount and line["override_amount"] is None:
                        extras[EXTRAS[cause]].add(line, amount)
                if line["purpose"] == "funeral":
                    extras[EXTRAS["funeral"]].add(line)
                data.programs.add(line["program"])
                label = PROGRAM_LABELS[line["program"]] if line["sensitive"] else line["group_public"]
                groups.setdefault(label, Split()).add(line)
                villages.setdefault(line["village"] or "Chưa ghi thôn", Split()).add(line)
        data.trend.append(TrendPoint(session["period"], session["name"], split))
        if session["period"] == period:
            data.sessions.append((session["name"], split))
    data.extras = [(label, s) for label, s in extras.items() if s.count]
    data.by_group = sorted(groups.items(), key=lambda kv: sort_key(kv[0]))
    data.by_village = sorted(villages.items(), key=lambda kv: sort_key(kv[0]))
    return data


def _split_table(first: str, rows: list[tuple[str, Split]], total: Split | None) -> Table:
    size = 9
    head = [[first, "Số người", "Qua tài khoản", "", "Tiền mặt", "", "Chưa nhận", "", "Tỷ lệ\nKDTM"],
            ["", "", "Người", "Số tiền", "Người", "Số tiền", "Người", "Số tiền", ""]]
    body = []
    for label, s in rows + ([("Tổng cộng", total)] if total else []):
        body.append([_wrap(label, 34 * mm, size), str(s.count), str(s.account_count),
                     format_vnd(s.account_amount, unit=False), str(s.cash_count), format_vnd(s.cash_amount, unit=False),
                     str(s.unpaid_count), format_vnd(s.unpaid_amount, unit=False), percent(s.share)])
    widths = [36 * mm, 12 * mm, 12 * mm, 21 * mm, 12 * mm, 21 * mm, 12 * mm, 21 * mm, 14 * mm]
    spanned = [widths[0], widths[1], widths[2] + widths[3], 0, widths[4] + widths[5], 0, widths[6] + widths[7], 0,
               widths[8]]
    head = [[_wrap(h, w, size, fonts.BOLD) for h, w in zip(row, ws)] for row, ws in zip(head, (spanned, widths))]
    table = Table(head + body, colWidths=widths, repeatRows=2)
    style = [
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, size, size * 1.2),
        ("FONT", (0, 0), (-1, 1), fonts.BOLD, size, size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 1), "CENTER"),
        ("ALIGN", (1, 2), (-1, -1), "RIGHT"),
        ("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1)), ("SPAN", (2, 0), (3, 0)),
        ("SPAN", (4, 0), (5, 0)), ("SPAN", (6, 0), (7, 0)), ("SPAN", (8, 0), (8, 1)),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if total:
        style.append(("FONT", (0, -1), (-1, -1), fonts.BOLD, size, size * 1.2))
    table.setStyle(TableStyle(style))
    return table


def _wrap(value: str, width: float, size: float, font: str = fonts.REGULAR) -> str:
    return "\n".join(simpleSplit(text(value), font, size, width - 4))


def _coverage_table(data: ProgressData) -> Table:
    total = sum(data.coverage.values())
    has = data.coverage.get("has_account", 0)
    head = ["Tổng số người đang hưởng", *register.ACCOUNT_STATUSES.values(), "Tỷ lệ có tài khoản"]
    row = [str(total), *(str(data.coverage.get(k, 0)) for k in register.ACCOUNT_STATUSES),
           percent(has / total if total else None)]
    size = 9
    widths = [30 * mm] + [22 * mm] * len(register.ACCOUNT_STATUSES) + [25 * mm]
    table = Table([[_wrap(h, w, size, fonts.BOLD) for h, w in zip(head, widths)], row], colWidths=widths)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, size, size * 1.2),
        ("FONT", (0, 0), (-1, 0), fonts.BOLD, size, size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _trend_table(data: ProgressData) -> Table:
    size = 9
    head = ["Kỳ", "Đợt chi trả", "Đã chi\n(người)", "Qua tài khoản\n(người)", "Tỷ lệ KDTM\n(người)",
            "Tỷ lệ KDTM\n(số tiền)"]
    widths = [16 * mm, 67 * mm, 18 * mm, 22 * mm, 21 * mm, 21 * mm]
    body = [[month_label(p.period), _wrap(p.session_name, widths[1], size), str(p.split.paid_count),
             str(p.split.account_count), percent(p.split.share), percent(p.split.amount_share)] for p in data.trend]
    table = Table([head] + body, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, size, size * 1.2),
        ("FONT", (0, 0), (-1, 0), fonts.BOLD, size, size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"), ("ALIGN", (2, 1), (-1, -1), "RIGHT"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
    ]))
    return table


def _trend_chart(data: ProgressData, width: float) -> Drawing:
    """Bars: the cashless share (people) of each past session, in per cent, labelled on top."""
    height = 62 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 14 * mm
    chart.width, chart.height = width - 20 * mm, height - 24 * mm
    values = [round((p.split.share or 0) * 100, 1) for p in data.trend]
    chart.data = [values]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = fonts.REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.categoryAxis.categoryNames = [_chart_label(data.trend, i) for i in range(len(data.trend))]
    chart.categoryAxis.labels.fontName = fonts.REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dy = -2
    chart.bars[0].fillColor = colors.HexColor("#4a4a4a")
    chart.bars[0].strokeColor = colors.black
    chart.barLabelFormat = lambda v: f"{v:.1f}%".replace(".", ",")
    chart.barLabels.fontName = fonts.REGULAR
    chart.barLabels.fontSize = 7.5
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(width / 2, height - 6 * mm, "Tỷ lệ người hưởng nhận qua tài khoản qua các đợt chi trả",
                       fontName=fonts.BOLD, fontSize=9, textAnchor="middle"))
    return drawing


def _chart_label(trend: list[TrendPoint], i: int) -> str:
    """"01/27"; a second session of the same month is "01/27 (2)"."""
    period = trend[i].period
    nth = sum(1 for p in trend[: i + 1] if p.period == period)
    label = f"{period[5:7]}/{period[2:4]}"
    return label if nth == 1 else f"{label} ({nth})"


def report_offices(db, programs) -> list[str]:
    """The offices a report on ``programs`` goes to ("Kính gửi"), one per office: for each
    programme, the office the commune sends its data to (the name on its key card), else the name
    set for it in the settings (by default the Sở Y tế and the Sở Nội vụ of the province)."""
    names = office_names(db)
    out: list[str] = []
    for program in [p for p in PROGRAM_ORDER if p in programs] or ["btxh"]:
        office = text(names.get(program, "")).strip()
        if office and office not in out:
            out.append(office)
    return out


@dataclass(frozen=True)
class Report:
    """A printed report: its figures and its number."""

    data: ProgressData
    number: int

    @property
    def number_text(self) -> str:
        return numbering.number_text(self.number)


def _addressees(offices: list[str], st) -> list:
    style = ParagraphStyle("to", parent=st.center, fontSize=14, leading=17)
    if len(offices) == 1:
        return [Paragraph(f"Kính gửi: {markup(offices[0])}.", style), Spacer(1, 3 * mm)]
    listed = ParagraphStyle("to_list", parent=style, alignment=0, leftIndent=55 * mm)
    lines = [Paragraph("Kính gửi:", style)]
    lines += [Paragraph(f"- {markup(o)}{'.' if i == len(offices) - 1 else ';'}", listed)
              for i, o in enumerate(offices)]
    return lines + [Spacer(1, 3 * mm)]


def render(data: ProgressData, out, *, issuer: Issuer, on: dt.date, number: int, offices: list[str]) -> None:
    """Write the monthly progress report of ``data``, numbered ``number``, to ``out``."""
    month = month_label(data.period)
    doc = Document(issuer, "Báo cáo", on, official=True, number=numbering.number_text(number),
                   subtitle=[f"Tiến độ chi trả chính sách an sinh xã hội không dùng tiền mặt tháng {month}"],
                   footer=f"Báo cáo số {numbering.number_text(number)} — tháng {month}")
    st = doc.styles
    story = doc.header() + _addressees(offices, st)
    story.append(Paragraph(
        f"Thực hiện Chỉ thị số 21/CT-TTg ngày 25/11/2022 của Thủ tướng Chính phủ về chi trả an sinh xã hội "
        f"không dùng tiền mặt, {markup(issuer.full_name)} báo cáo kết quả tháng {month} như sau:", st.body))
    story += [Paragraph("I. Tài khoản của người hưởng", st.heading), _coverage_table(data),
              Paragraph(f"II. Kết quả chi trả tháng {month}", st.heading)]
    if data.sessions:
        sub = ParagraphStyle("sub", parent=st.bold, spaceBefore=5, spaceAfter=2)
        story += [Paragraph("1. Theo đợt chi trả", sub),
                  _split_table("Đợt chi trả", data.sessions, data.total if len(data.sessions) > 1 else None),
                  Paragraph("2. Theo nhóm đối tượng", sub),
                  _split_table("Nhóm đối tượng", data.by_group, data.total),
                  Paragraph("3. Theo thôn", sub), _split_table("Thôn", data.by_village, data.total)]
        if data.extras:
            story.append(KeepTogether([Paragraph("4. Trong đó: truy lĩnh và hỗ trợ chi phí mai táng", sub),
                                       _split_table("Khoản chi", data.extras, None)]))
        story.append(Spacer(1, 2 * mm))
        total = data.total
        story.append(Paragraph(
            f"Trong tháng đã chi cho {total.paid_count} người, trong đó {total.account_count} người qua tài khoản "
            f"(tỷ lệ {percent(total.share)} số người, {percent(total.amount_share)} số tiền); còn "
            f"{total.unpaid_count} người chưa nhận ({markup(format_vnd(total.unpaid_amount))}).", st.body))
    else:
        story.append(Paragraph("Trong tháng không có đợt chi trả nào.", st.body))
    ending = [Spacer(1, 6 * mm), doc.recipients_and_signature(["- Như trên;", "- Lưu: VT."],
                                                                signer(issuer, "chairman"))]
    if data.trend:
        story += [Paragraph("III. Xu hướng qua các đợt chi trả", st.heading), _trend_table(data), Spacer(1, 3 * mm)]
        ending.insert(0, _trend_chart(data, doc.page.width))
    story.append(KeepTogether(ending))
    doc.write(out, story)


def write(db, period: str, out, *, on: dt.date, history: int = TREND_SESSIONS, number: int | None = None) -> Report:
    """Print the progress report of the month ``period`` (``YYYY-MM``) to ``out``; ``number``:
    the report's number when the clerk gives one (default: the one it has, or the next)."""
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
        raise UserError(f"Tháng báo cáo “{period}” phải có dạng NNNN-TT, ví dụ 2027-01")
    data = progress_data(db, period, history)
    if not data.trend and not any(data.coverage.values()):
        raise UserError("Chưa có người hưởng và đợt chi trả nào để báo cáo")
    issuer = issuer_of(db)
    offices = report_offices(db, data.programs)
    with write_transaction(db):
        number = numbering.report_number(db, KIND, period, on, number)
        render(data, out, issuer=issuer, on=on, number=number, offices=offices)
    return Report(data, number)
