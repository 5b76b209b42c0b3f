"""The monthly report the offices ask for: cashless payment of social-security benefits
(CV 1085/LĐTBXH-TTTT; since NQ 418/NQ-CP the VNeID social-security account counted apart).

An official document (NĐ 30): number and symbol from the commune's count of reports
(:mod:`.numbering`), place and date, "BÁO CÁO" with its summary line, "Kính gửi" naming the
offices of the programmes reported (:func:`report_offices`), the body, "Nơi nhận" and the
chairman's signature. The same figures go to an .xlsx (:func:`write_xlsx`).

For one month, for every programme or for those of one office: the report's indicators
(:mod:`.indicators`: recipients, paid, paid by transfer through the VNeID account and through
other accounts, in cash, the shares and the amounts) per programme under the office that owns
it; people and amounts per session, by group and by village, and apart the arrears (by cause)
and the funeral support those sums hold; the account coverage of the register; and the trend
over the last months, as a table and a bar chart; what followed the payments (the people drawn to
verify them and their answers, the complaints received, resolved, open and overdue) in a section
of its own. The month's figures
are counted by period (the sessions of the month, whenever they were paid) or by payment date
(the payments made in the month, whatever their session), and the report says which: a Tết gift
of January's session paid on 01/12 is December's by payment date. Groups are printed with their
public label, so HIV status never appears.
"""

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from commune_payout import grievances, payouts, register, verification
from commune_payout.db import write_transaction
from commune_payout.documents import fonts, indicators, numbering
from commune_payout.documents.frame import Document, Issuer, issuer_of, markup, signer, text
from commune_payout.documents.indicators import Indicator, Tally
from commune_payout.errors import UserError
from commune_payout.lazy import LazyModule
from commune_payout.money import format_vnd
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.sheet_writer import AMOUNT, BOLD, TITLE, Style, Workbook
from commune_payout.text import sort_key

commune = LazyModule("commune_payout.sync.commune")     # the offices; its keys are not needed to start the window

TREND_MONTHS = 6
EXTRAS = {"rate": "Truy lĩnh chênh lệch mức chuẩn", "decision": "Truy lĩnh theo quyết định",
          "funeral": "Hỗ trợ chi phí mai táng"}
KIND = "progress"
PROGRAM_ORDER = ("btxh", "htxh", "ncc", "other")
BASES = {
    "period": "Số liệu tính theo kỳ chi trả: các đợt chi trả của tháng {month}, kể cả khoản chi vào ngày khác.",
    "payment": "Số liệu tính theo ngày chi trả: các khoản đã chi trong tháng {month}, của bất kỳ đợt chi trả nào.",
}


@dataclass
class ProgressData:
    """Everything the report prints, computed from the database by :func:`progress_data`."""

    period: str
    basis: str                                                   # "period" or "payment"
    programs: tuple[str, ...]                                    # the programmes reported
    coverage: dict[str, int]                                     # account status → active people
    indicators: list[Indicator]
    by_program: dict[str, Tally] = field(default_factory=dict)
    sessions: list[tuple[str, Tally]] = field(default_factory=list)
    by_group: list[tuple[str, Tally]] = field(default_factory=list)
    by_village: list[tuple[str, Tally]] = field(default_factory=list)
    extras: list[tuple[str, Tally]] = field(default_factory=list)    # arrears by cause, funeral support
    trend: list[tuple[str, Tally]] = field(default_factory=list)  # (YYYY-MM, the month's tally), oldest first

    @property
    def total(self) -> Tally:
        out = Tally()
        for tally in self.by_program.values():
            out += tally
        return out

    @property
    def note(self) -> str:
        return BASES[self.basis].format(month=month_label(self.period))


def percent(value: float | None) -> str:
    """0.6667 → "66,7%" (Vietnamese decimal comma); "–" when there is nothing to divide."""
    if value is None:
        return "–"
    return f"{value * 100:.1f}%".replace(".", ",")


def month_label(period: str) -> str:
    """"2027-01" → "01/2027"."""
    return f"{period[5:7]}/{period[:4]}"


def _months_back(period: str, n: int) -> list[str]:
    """The ``n`` months ending with ``period``, oldest first."""
    year, month = int(period[:4]), int(period[5:])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out[::-1]


def _tally(lines, basis: str) -> Tally:
    tally = Tally()
    for line in lines:
        tally.add(line, paid=basis == "payment" or line["status"] == "paid")
    return tally


def progress_data(db, period: str, basis: str = "period", programs=None, history: int = TREND_MONTHS,
                  on: dt.date | None = None) -> ProgressData:
    """Figures for the month ``period`` (``YYYY-MM``) counted by ``basis`` (``period`` or ``payment``),
    for ``programs`` (default: every programme with lines that month, or in the register), and the
    trend over the last ``history`` months. ``on``: the day the report is made, when the month is
    not over (the complaints open and overdue are counted then, else at the month's end)."""
    if basis not in BASES:
        raise UserError(f"Cách tính “{basis}” không có: theo kỳ (period) hoặc theo ngày chi (payment).")
    wanted = tuple(programs) if programs else None

    def lines(month):
        return [line for line in payouts.month_lines(db, month, basis) if not wanted or line["program"] in wanted]

    month = lines(period)
    chosen = wanted or tuple(p for p in PROGRAM_ORDER if any(line["program"] == p for line in month)) or tuple(
        p for p in PROGRAM_ORDER if register.count(db, programs=(p,), status="active"))
    coverage = {status: register.count(db, account_status=status, status="active", programs=chosen)
                for status in register.ACCOUNT_STATUSES}
    data = ProgressData(period, basis, chosen, coverage, indicators.chosen(db))
    data.by_program = {p: _tally((line for line in month if line["program"] == p), basis) for p in chosen}
    _follow_up(db, data, month, on)
    sessions: dict[str, list] = {}
    groups: dict[str, list] = {}
    villages: dict[str, list] = {}
    for line in month:
        sessions.setdefault(line["session_name"], []).append(line)
        label = PROGRAM_LABELS[line["program"]] if line["sensitive"] else line["group_public"]
        groups.setdefault(label, []).append(line)
        villages.setdefault(line["village"] or "Chưa ghi thôn", []).append(line)
    data.sessions = [(name, _tally(found, basis)) for name, found in sessions.items()]
    data.extras = _extras(db, month, basis)
    data.by_group = sorted(((k, _tally(v, basis)) for k, v in groups.items()), key=lambda kv: sort_key(kv[0]))
    data.by_village = sorted(((k, _tally(v, basis)) for k, v in villages.items()), key=lambda kv: sort_key(kv[0]))
    trend = [(m, _tally(month if m == period else lines(m), basis)) for m in _months_back(period, history)]
    # from the first month with anything to show: a commune that began in October has no summer
    data.trend = trend[next((i for i, (_m, t) in enumerate(trend) if t.measure("recipients")), len(trend) - 1):]
    return data


def _follow_up(db, data: ProgressData, month: list[dict], on: dt.date | None) -> None:
    """Count into each programme's tally the verification of the month's lines and the complaints."""
    drawn = verification.line_counts(db, (line["id"] for line in month))
    tickets = grievances.month_counts(db, data.period, on)
    for program, tally in data.by_program.items():
        for key, value in drawn.get(program, {}).items():
            tally.followed[f"verification_{key}"] = value
        for key, value in tickets.get(program, {}).items():
            tally.followed[f"grievances_{key}"] = value


def _extras(db, lines: list[dict], basis: str) -> list[tuple[str, Tally]]:
    """What the month's sums hold apart: arrears by cause (a line's share of them) and funeral support."""
    extras = {label: Tally() for label in EXTRAS.values()}
    back: dict[str, dict] = {}
    for line in lines:
        paid = basis == "payment" or line["status"] == "paid"
        if line["session_id"] not in back:
            back[line["session_id"]] = payouts.session_arrears(db, line["session_id"])
        for cause in payouts.CAUSES:
            amount = sum(r["amount"] for r in back[line["session_id"]].get(line["id"], []) if r["cause"] == cause)
            if amount and line["override_amount"] is None:
                extras[EXTRAS[cause]].add(line, paid, amount)
        if line["purpose"] == "funeral":
            extras[EXTRAS["funeral"]].add(line, paid)
    return [(label, t) for label, t in extras.items() if t.measure("recipients")]


def headline(total: Tally) -> str:
    """The month in one line: people paid, the cashless share and the VNeID account's."""
    by = {k: indicators.BUILT_IN[k].value(total) for k in ("cashless_share", "vneid_share")}
    return (f"đã chi {total.measure('paid')} người, qua tài khoản {percent(by['cashless_share'])} "
            f"(tài khoản an sinh xã hội VNeID {percent(by['vneid_share'])})")


def _share(tally: Tally) -> float | None:
    return indicators.BUILT_IN["cashless_share"].value(tally)


def _split_table(first: str, rows: list[tuple[str, Tally]], total: Tally | None) -> Table:
    size = 9
    head = [[first, "Số người", "Qua tài khoản", "", "Tiền mặt", "", "Chưa nhận", "", "Tỷ lệ\nKDTM"],
            ["", "", "Người", "Số tiền", "Người", "Số tiền", "Người", "Số tiền", ""]]
    body = []
    for label, t in rows + ([("Tổng cộng", total)] if total else []):
        m = t.measure
        body.append([_wrap(label, 34 * mm, size), str(m("recipients")), str(m("paid_transfer")),
                     format_vnd(m("amount_transfer"), unit=False), str(m("paid_cash")),
                     format_vnd(m("amount_cash"), unit=False), str(m("unpaid")),
                     format_vnd(m("amount_unpaid"), unit=False), percent(_share(t))])
    widths = [36 * mm, 12 * mm, 12 * mm, 21 * mm, 12 * mm, 21 * mm, 12 * mm, 21 * mm, 14 * mm]
    spanned = [widths[0], widths[1], widths[2] + widths[3], 0, widths[4] + widths[5], 0, widths[6] + widths[7], 0,
               widths[8]]
    head = [[_wrap(h, w, size, fonts.BOLD) for h, w in zip(row, ws)] for row, ws in zip(head, (spanned, widths))]
    table = Table(head + body, colWidths=widths, repeatRows=2)
    style = _grid_style(size, head_rows=2) + [
        ("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1)), ("SPAN", (2, 0), (3, 0)),
        ("SPAN", (4, 0), (5, 0)), ("SPAN", (6, 0), (7, 0)), ("SPAN", (8, 0), (8, 1)),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if total:
        style.append(("FONT", (0, -1), (-1, -1), fonts.BOLD, size, size * 1.2))
    table.setStyle(TableStyle(style))
    return table


def indicator_value(indicator: Indicator, tally: Tally) -> str:
    """An indicator as printed: a count, an amount (1.500.000) or a share (66,7%)."""
    value = indicator.value(tally)
    if indicator.share:
        return percent(value)
    return format_vnd(value, unit=False) if indicator.in_dong else str(value)


def program_columns(data: ProgressData, offices: dict[str, str]) -> list[tuple[str, str, Tally]]:
    """(office, programme label, tally) of each column of the programme table, programmes grouped
    under their office, then the total."""
    columns = [(offices.get(p, ""), PROGRAM_LABELS[p], data.by_program[p])
               for office in dict.fromkeys(offices.get(p, "") for p in data.programs)
               for p in data.programs if offices.get(p, "") == office]
    return columns + [("", "Tổng cộng", data.total)] if len(columns) > 1 else columns


def _program_table(data: ProgressData, offices: dict[str, str], width: float,
                   rows: list[Indicator] | None = None) -> Table:
    """Rows: the report's indicators (or ``rows``); columns: each programme under its office, and the total."""
    size = 9
    columns = program_columns(data, offices)
    label_w = 64 * mm
    col_w = (width - label_w) / max(len(columns), 1)
    widths = [label_w] + [col_w] * len(columns)
    office_row = ["Chỉ tiêu"] + [office or label for office, label, _t in columns]
    program_row = [""] + [label for _office, label, _t in columns]
    body = [[_wrap(i.label, label_w, size)] + [indicator_value(i, t) for _o, _l, t in columns]
            for i in rows or data.indicators]
    head = [[_wrap(h, w, size, fonts.BOLD) for h, w in zip(office_row, widths)],
            [_wrap(h, w, size, fonts.BOLD) for h, w in zip(program_row, widths)]]
    table = Table(head + body, colWidths=widths, repeatRows=2)
    style = _grid_style(size, head_rows=2) + [
        ("SPAN", (0, 0), (0, 1)),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    start = 1
    for office, group in groupby(columns, key=lambda c: c[0]):
        end = start + len(list(group)) - 1
        if end > start:
            style.append(("SPAN", (start, 0), (end, 0)))
        start = end + 1
    if columns and columns[-1][1] == "Tổng cộng":
        style.append(("SPAN", (len(columns), 0), (len(columns), 1)))
        style.append(("FONT", (len(columns), 2), (len(columns), -1), fonts.BOLD, size, size * 1.2))
    table.setStyle(TableStyle(style))
    return table


def _grid_style(size: float, head_rows: int) -> list[tuple]:
    """A ruled table: its head rows bold and centred, the figures below right-aligned."""
    return [
        ("FONT", (0, 0), (-1, -1), fonts.REGULAR, size, size * 1.2),
        ("FONT", (0, 0), (-1, head_rows - 1), fonts.BOLD, size, size * 1.2),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, head_rows - 1), "CENTER"), ("ALIGN", (1, head_rows), (-1, -1), "RIGHT"),
    ]


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
    table.setStyle(TableStyle(_grid_style(size, head_rows=1) + [("ALIGN", (0, 1), (-1, -1), "CENTER")]))
    return table


def _trend_table(data: ProgressData) -> Table:
    size = 9
    head = ["Tháng", "Đã nhận\n(người)", "Qua tài khoản\n(người)", "trong đó TK\nan sinh (VNeID)",
            "Tiền mặt\n(người)", "Tỷ lệ KDTM\n(người)", "Tỷ lệ qua\nTK an sinh", "Tỷ lệ KDTM\n(số tiền)"]
    widths = [18 * mm, 19 * mm, 22 * mm, 24 * mm, 19 * mm, 20 * mm, 20 * mm, 21 * mm]
    share, vneid, amount = (indicators.BUILT_IN[k] for k in ("cashless_share", "vneid_share", "cashless_amount_share"))
    body = [[month_label(m), str(t.measure("paid")), str(t.measure("paid_transfer")), str(t.measure("paid_vneid")),
             str(t.measure("paid_cash")), percent(share.value(t)), percent(vneid.value(t)), percent(amount.value(t))]
            for m, t in data.trend]
    table = Table([[_wrap(h, w, size, fonts.BOLD) for h, w in zip(head, widths)]] + body, colWidths=widths,
                  repeatRows=1)
    table.setStyle(TableStyle(_grid_style(size, head_rows=1) + [("ALIGN", (0, 1), (0, -1), "CENTER")]))
    return table


def _trend_chart(data: ProgressData, width: float) -> Drawing:
    """Bars: the share of people paid by transfer each month, and of it through the VNeID account."""
    height = 62 * mm
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 14 * mm
    chart.width, chart.height = width - 20 * mm, height - 24 * mm
    chart.data = [[None if (v := indicators.BUILT_IN[key].value(t)) is None else round(v * 100, 1)
                   for _m, t in data.trend] for key in ("cashless_share", "vneid_share")]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = fonts.REGULAR
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.categoryAxis.categoryNames = [f"{m[5:7]}/{m[2:4]}" for m, _t in data.trend]
    chart.categoryAxis.labels.fontName = fonts.REGULAR
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.dy = -2
    chart.bars[0].fillColor = colors.HexColor("#4a4a4a")
    chart.bars[1].fillColor = colors.HexColor("#b0b0b0")
    chart.bars.strokeColor = colors.black
    chart.barLabelFormat = lambda v: "" if v is None else f"{v:.0f}%"
    chart.barLabels.fontName = fonts.REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    drawing.add(String(width / 2, height - 6 * mm, "Tỷ lệ người nhận qua tài khoản (xám đậm) và qua tài khoản an sinh "
                       "xã hội VNeID (xám nhạt) theo tháng", fontName=fonts.BOLD, fontSize=9, textAnchor="middle"))
    return drawing


def report_offices(db, programs) -> list[str]:
    """The offices a report on ``programs`` goes to ("Kính gửi"), one per office: for each
    programme, the office the commune sends its data to (the name on its key card), else the name
    set for it in the settings (by default the Sở Y tế and the Sở Nội vụ of the province)."""
    names = commune.office_names(db)
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


def _summary(total: Tally) -> str:
    m = total.measure
    by = {k: indicators.BUILT_IN[k].value(total) for k in ("cashless_share", "vneid_share", "cashless_amount_share")}
    return (f"Đã chi cho {m('paid')} người, trong đó {m('paid_transfer')} người qua tài khoản "
            f"(tỷ lệ {percent(by['cashless_share'])} số người, {percent(by['cashless_amount_share'])} số tiền): "
            f"{m('paid_vneid')} người qua tài khoản an sinh xã hội VNeID ({percent(by['vneid_share'])}), "
            f"{m('paid_other_account')} người qua tài khoản khác; {m('paid_cash')} người nhận tiền mặt"
            + (f"; còn {m('unpaid')} người chưa nhận ({markup(format_vnd(m('amount_unpaid')))})" if m("unpaid") else "")
            + ".")


def followed_up(data: ProgressData) -> bool:
    """Whether the month has anything of verification or grievances to report."""
    return any(data.total.measure(k) for k in indicators.FOLLOWED)


def _follow_up_summary(total: Tally) -> str:
    m = total.measure
    rate = indicators.BUILT_IN["verification_rate"].value(total)
    parts = []
    if m("verification_drawn"):
        parts.append(f"Đã hỏi lại được {m('verification_answered')}/{m('verification_drawn')} người được chọn xác "
                     f"minh ({percent(rate)}); {m('verification_problems')} người cho biết chưa nhận được hoặc nhận "
                     "sai số tiền.")
    parts.append(f"Trong tháng tiếp nhận {m('grievances_received')} khiếu nại, phản ánh, đã giải quyết "
                 f"{m('grievances_resolved')}; cuối kỳ còn {m('grievances_open')} đang giải quyết, trong đó "
                 f"{m('grievances_overdue')} quá hạn trả lời.")
    return " ".join(parts)


def render(data: ProgressData, out, *, issuer: Issuer, on: dt.date, number: int, offices: dict[str, str]) -> None:
    """Write the monthly report of ``data``, numbered ``number``, to ``out``; ``offices``: the office
    of each programme reported (who the report goes to, and the heads of the programme table)."""
    month = month_label(data.period)
    doc = Document(issuer, "Báo cáo", on, official=True, number=numbering.number_text(number),
                   subtitle=[f"Tiến độ chi trả chính sách an sinh xã hội không dùng tiền mặt tháng {month}"],
                   footer=f"Báo cáo số {numbering.number_text(number)} — tháng {month}")
    st = doc.styles
    story = doc.header() + _addressees(list(dict.fromkeys(offices[p] for p in data.programs if offices.get(p))), st)
    story.append(Paragraph(
        f"Thực hiện Chỉ thị số 21/CT-TTg ngày 25/11/2022 của Thủ tướng Chính phủ về chi trả an sinh xã hội "
        f"không dùng tiền mặt, {markup(issuer.full_name)} báo cáo kết quả tháng {month} "
        f"({markup(', '.join(PROGRAM_LABELS[p] for p in data.programs).lower())}) như sau. "
        f"{markup(data.note)}", st.body))
    story += [Paragraph("I. Tài khoản của người hưởng", st.heading), _coverage_table(data),
              Paragraph(f"II. Kết quả chi trả tháng {month}", st.heading)]
    if data.sessions:
        sub = ParagraphStyle("sub", parent=st.bold, spaceBefore=5, spaceAfter=2)
        total = data.total
        story += [KeepTogether([Paragraph(heading, sub), table]) for heading, table in (
            ("1. Theo chương trình", _program_table(data, offices, doc.page.width)),
            ("2. Theo đợt chi trả", _split_table("Đợt chi trả", data.sessions,
                                                 total if len(data.sessions) > 1 else None)),
            ("3. Theo nhóm đối tượng", _split_table("Nhóm đối tượng", data.by_group, total)),
            ("4. Theo thôn", _split_table("Thôn", data.by_village, total)))]
        if data.extras:
            story.append(KeepTogether([Paragraph("5. Trong đó: truy lĩnh và hỗ trợ chi phí mai táng", sub),
                                       _split_table("Khoản chi", data.extras, None)]))
        story += [Spacer(1, 2 * mm), Paragraph(_summary(total), st.body)]
    else:
        story.append(Paragraph("Trong tháng không có khoản chi trả nào.", st.body))
    ending = [Spacer(1, 6 * mm), doc.recipients_and_signature(["- Như trên;", "- Lưu: VT."],
                                                                signer(issuer, "chairman"))]
    sections = iter(("III", "IV"))
    if followed_up(data):
        story += [Paragraph(f"{next(sections)}. Xác minh chi trả và khiếu nại, phản ánh", st.heading),
                  _program_table(data, offices, doc.page.width, [indicators.BUILT_IN[k] for k in indicators.FOLLOW_UP]),
                  Spacer(1, 2 * mm), Paragraph(_follow_up_summary(data.total), st.body)]
    if any(t.measure("recipients") for _m, t in data.trend):
        story += [Paragraph(f"{next(sections)}. Xu hướng qua các tháng", st.heading), _trend_table(data),
                  Spacer(1, 3 * mm)]
        ending.insert(0, _trend_chart(data, doc.page.width))
    story.append(KeepTogether(ending))
    doc.write(out, story)


def _check_period(period: str) -> None:
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit() or not "01" <= period[5:] <= "12":
        raise UserError(f"Tháng báo cáo “{period}” phải có dạng NNNN-TT, ví dụ 2027-01")


def _data(db, period: str, basis: str, programs, history: int,
          on: dt.date | None = None) -> tuple[ProgressData, dict[str, str]]:
    _check_period(period)
    data = progress_data(db, period, basis, programs, history, on)
    if not any(t.measure("recipients") for _m, t in data.trend) and not any(data.coverage.values()):
        raise UserError("Chưa có người hưởng và đợt chi trả nào để báo cáo")
    names = commune.office_names(db)
    return data, {p: names.get(p, "") for p in data.programs}


def _kind(basis: str, programs) -> str:
    """The report's kind for its number: one count per month for each office's report and basis."""
    if basis == "period" and not programs:
        return KIND
    return f"{KIND}:{basis}:{','.join(programs or PROGRAM_ORDER)}"


def write(db, period: str, out, *, on: dt.date, basis: str = "period", programs=None,
          history: int = TREND_MONTHS, number: int | None = None) -> Report:
    """Print the report of the month ``period`` (``YYYY-MM``) to ``out``: counted by ``basis``, for
    ``programs`` (an office's; default every programme); ``number``: the report's number when the
    clerk gives one (default: the one it has, or the next)."""
    data, offices = _data(db, period, basis, programs, history, on)
    issuer = issuer_of(db)
    with write_transaction(db):
        number = numbering.report_number(db, _kind(basis, programs), period, on, number)
        render(data, out, issuer=issuer, on=on, number=number, offices=offices)
    return Report(data, number)


def write_xlsx(db, period: str, out, *, basis: str = "period", programs=None, history: int = TREND_MONTHS,
               on: dt.date | None = None) -> ProgressData:
    """The same report's figures as an .xlsx: the programme table (with the verification and the
    complaints under it), the sessions, groups, villages and the trend, each on its sheet, with
    the counting basis written on each."""
    data, offices = _data(db, period, basis, programs, history, on)
    issuer = issuer_of(db)
    book = Workbook()
    month = month_label(data.period)
    head = [issuer.body, f"BÁO CÁO TIẾN ĐỘ CHI TRẢ KHÔNG DÙNG TIỀN MẶT THÁNG {month}",
            "Kính gửi: " + "; ".join(dict.fromkeys(o for o in offices.values() if o)), data.note]
    columns = program_columns(data, offices)
    sheet = book.sheet("Theo chương trình", widths=(58, *[22] * len(columns)), freeze="B7")
    for line, style in zip(head, (BOLD, TITLE, None, None)):
        sheet.append([line], style=style)
    sheet.append([])
    sheet.append(["Chỉ tiêu", *(office for office, _l, _t in columns)], style=_HEAD)
    sheet.append(["", *(label for _o, label, _t in columns)], style=_HEAD)
    def indicator_rows(chosen: list[Indicator]) -> None:
        for i in chosen:
            look = _PERCENT if i.share else _AMOUNT if i.in_dong else None
            sheet.append([i.label, *(i.value(t) for _o, _l, t in columns)],
                         columns={c: look for c in range(1, len(columns) + 1)} if look else None)

    indicator_rows(data.indicators)
    if followed_up(data):
        sheet.append(["Xác minh chi trả và khiếu nại, phản ánh"], style=BOLD)
        indicator_rows([indicators.BUILT_IN[k] for k in indicators.FOLLOW_UP])
    for title, rows in (("Theo đợt chi trả", data.sessions), ("Theo nhóm đối tượng", data.by_group),
                        ("Theo thôn", data.by_village), ("Truy lĩnh, mai táng", data.extras)):
        sheet = book.sheet(title, widths=(40, 12, 14, 14, 12, 12, 16, 16, 16, 16, 14), freeze="B4")
        sheet.append([head[1]], style=TITLE)
        sheet.append([data.note])
        sheet.append([title.removeprefix("Theo ").capitalize(), "Số người", "TK an sinh (VNeID)", "TK khác",
                      "Tiền mặt", "Chưa nhận", "Số tiền TK an sinh", "Số tiền TK khác", "Số tiền mặt",
                      "Số tiền chưa nhận", "Tỷ lệ KDTM"], style=_HEAD)
        for label, t in rows + ([("Tổng cộng", data.total)] if rows and title != "Truy lĩnh, mai táng" else []):
            m = t.measure
            sheet.append([label, m("recipients"), m("paid_vneid"), m("paid_other_account"), m("paid_cash"),
                          m("unpaid"), m("amount_vneid"), m("amount_other_account"), m("amount_cash"),
                          m("amount_unpaid"), _share(t)],
                         style=BOLD if label == "Tổng cộng" else None,
                         columns={**{c: _AMOUNT for c in range(6, 10)}, 10: _PERCENT})
    sheet = book.sheet("Xu hướng", widths=(12, 14, 16, 18, 14, 16, 16, 16), freeze="A4")
    sheet.append([head[1]], style=TITLE)
    sheet.append([data.note])
    sheet.append(["Tháng", "Đã nhận (người)", "Qua tài khoản (người)", "trong đó TK an sinh (VNeID)",
                  "Tiền mặt (người)", "Tỷ lệ KDTM (người)", "Tỷ lệ qua TK an sinh", "Tỷ lệ KDTM (số tiền)"],
                 style=_HEAD)
    for m, t in data.trend:
        sheet.append([month_label(m), t.measure("paid"), t.measure("paid_transfer"), t.measure("paid_vneid"),
                      t.measure("paid_cash"), *(indicators.BUILT_IN[k].value(t) for k in (
                          "cashless_share", "vneid_share", "cashless_amount_share"))],
                     columns={5: _PERCENT, 6: _PERCENT, 7: _PERCENT})
    book.save(out)
    return data


_HEAD = Style(bold=True, wrap=True, fill="DDEBF7")
_AMOUNT = Style(number_format=AMOUNT)
_PERCENT = Style(number_format="0.0%")
