"""The payout list of a session (danh sách chi trả), signed by each person paid in cash.

Grouped by village with a subtotal per village; "Cộng trang" and "Lũy kế" at the foot of every
page; the grand total in figures and in words. Every row is one line at a height a person can
sign in: long text is abbreviated by rule, not wrapped (the group by its short label, notes by
a code, the channel as TK/TM/TN), and a legend at the end explains every code used.

The columns follow the session and its lines (:func:`columns_for`): a monthly list shows the
coefficient, the monthly amount and the months, a gift list only the amount; the arrears and
carried-over columns, and the authorised receiver's, appear when a line has one. A row paid by
transfer reads "Chuyển khoản" where a cash row has its signature box: the list stays the one
record of the whole session (its total is the session's), and ``channel="cash"`` prints the
cash rows alone for the pay desk (README: Printing).

HIV status is never printed: a line of a sensitive group shows its programme. A list posted in
public (``masked``) shows only the last four digits of ID numbers.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from commune_payout import payouts
from commune_payout.payouts import CASH_CHANNELS, TRANSFER_CHANNELS
from commune_payout.documents.frame import (Document, Issuer, flow_height, issuer_of, markup, signers, text)
from commune_payout.documents.table import Column, Italic, PagedTable, Row
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.programs import BY_CODE, PROGRAM_LABELS, coefficient_text
from commune_payout.text import fold, sort_key

ROW_HEIGHT_MM = 8.5
CHANNEL_CODES = {"vneid": "AS", "account": "TK", "cash_commune": "TM", "cash_home": "TN"}
CHANNEL_LEGEND = {"AS": "chuyển khoản vào tài khoản an sinh xã hội (VNeID)", "TK": "chuyển khoản vào tài khoản",
                  "TM": "tiền mặt tại xã", "TN": "tiền mặt tại nhà"}
TRANSFER = "Chuyển khoản"
NOTE_LEGEND = {
    "BN": "đã nhận tiền, số biên nhận",
    "TL": "có truy lĩnh (dòng “Truy lĩnh …” dưới tên: các tháng, mức chênh lệch mỗi tháng)",
    "KT": "có tiền kỳ trước chưa nhận chuyển sang (cột kỳ trước)",
    "ĐC": "số tiền được điều chỉnh theo quyết định",
    "TR": "chuyển khoản bị trả lại",
}
# Short labels of the groups, for a column ~25 mm wide; the legend gives the full label.
# Keyed by category code, and by programme for a sensitive group (printed as its programme).
SHORT_GROUPS = {
    "tre_mo_coi": "Trẻ mồ côi",
    "tre_mo_coi_dang_hoc": "Mồ côi đang học",
    "don_than_ngheo": "Đơn thân nghèo",
    "nct_ngheo_60_80": "NCT nghèo 60–80",
    "nct_ngheo_80": "NCT nghèo từ 80",
    "nct_80": "NCT từ 80",
    "nct_75_dtts": "NCT từ 75 DTTS",
    "nct_cham_soc_cong_dong": "NCT chăm sóc CĐ",
    "nkt_dac_biet_nang": "NKT đặc biệt nặng",
    "nkt_nang": "NKT nặng",
    "tre_duoi_3_dtts": "Trẻ dưới 3 DTTS",
    "htxh": "Hưu trí XH",
    "htxh_ngheo": "Hưu trí XH, nghèo",
    "ncc_truoc_1945": "Lão thành CM",
    "ncc_tien_khoi_nghia": "Tiền khởi nghĩa",
    "ncc_me_vnah": "Mẹ VNAH",
    "ncc_anh_hung": "Anh hùng",
    "ncc_thuong_binh": "Thương binh",
    "ncc_benh_binh": "Bệnh binh",
    "ncc_than_nhan_2_liet_si": "Thân nhân 2 LS",
    "ncc_than_nhan_liet_si_nuoi_duong": "TNLS nuôi dưỡng",
    "ncc_than_nhan_liet_si": "Thân nhân LS",
    "ncc_chat_doc_hoa_hoc": "Nhiễm CĐHH",
    "ncc_bi_dich_bat_tu_day": "Bị tù, đày",
    "ncc_khang_chien": "Kháng chiến",
    "ncc_co_cong_giup_do_nuoi_duong": "Giúp đỡ CM, nuôi dưỡng",
    "ncc_co_cong_giup_do": "Giúp đỡ CM",
    "other": "Khác",
    "chua_xac_dinh": "Chưa xác định",
    "btxh": "BTXH",
    "ncc": "NCC",
    "funeral": "Mai táng phí",
}


@dataclass(frozen=True)
class PayoutListLine:
    """One person on the list, already safe to print (``group`` is never an HIV label).

    ``group_key`` is the category code, or the programme of a sensitive group; ``notes`` are
    codes of :data:`NOTE_LEGEND` ("BN 70", "ĐC").
    """

    full_name: str
    birth_year: int | None
    id_number: str | None
    village: str
    group_key: str
    group: str
    monthly_amount: int
    coefficient: float | None
    months: int
    total: int
    channel: str                  # vneid, account, cash_commune or cash_home
    receiver_name: str = ""       # empty: the person receives it themself
    receiver_relation: str = ""
    arrears_amount: int = 0
    carried_forward: int = 0
    notes: tuple[str, ...] = ()
    arrears: tuple[tuple[tuple[str, ...], int], ...] = ()  # runs of months paid back: (months, per month)
    purpose: str = "allowance"    # the line pays the month's allowance, arrears alone or funeral support

    @property
    def short_group(self) -> str:
        return SHORT_GROUPS.get(self.group_key, self.group)

    @property
    def own_total(self) -> int:
        """What the person's own row pays: the line's total less its arrears, which have rows of their own."""
        return self.total - self.arrears_amount


def receiver_text(name: str, relation: str = "") -> str:
    """"Lê Văn Cường (Con)"; empty when the person receives it themself."""
    if not name:
        return ""
    return text(name) + (f" ({text(relation)})" if relation else "")


def _money(value: int) -> str:
    return format_vnd(value, unit=False) if value else ""


@dataclass(frozen=True)
class ListColumn:
    """A column of the payout list: its printed form and the value of a line in it."""

    column: Column
    value: Callable[[PayoutListLine, bool], str]       # (line, masked) → cell text


def _sign_cell(line: PayoutListLine, masked: bool) -> str:
    return Italic(TRANSFER) if line.channel in TRANSFER_CHANNELS else ""


NUMBER = ListColumn(Column("STT", 8, "CENTER"), lambda l, m: "")
NAME = ListColumn(Column("Họ và tên", 0, lines=2, least=35), lambda l, m: l.full_name)
BIRTH = ListColumn(Column("Năm sinh", 10, "CENTER"), lambda l, m: str(l.birth_year or ""))
ID = ListColumn(Column("Số định danh", 22, "CENTER"), lambda l, m: mask(l.id_number) if m else (l.id_number or ""))
GROUP = ListColumn(Column("Diện", 22), lambda l, m: l.short_group)
COEFFICIENT = ListColumn(Column("Hệ số", 9, "CENTER"),
                         lambda l, m: coefficient_text(l.coefficient) if l.coefficient and l.purpose == "allowance" else "")
RATE = ListColumn(Column("Mức hưởng\n/tháng", 16, "RIGHT"),
                  lambda l, m: format_vnd(l.monthly_amount, unit=False) if l.purpose == "allowance" else "")
MONTHS = ListColumn(Column("Số\ntháng", 9, "CENTER"), lambda l, m: str(l.months) if l.purpose == "allowance" else "")
EXTRA = ListColumn(Column("Kỳ trước\nchuyển sang", 16, "RIGHT"), lambda l, m: _money(l.carried_forward))
AMOUNT = ListColumn(Column("Số tiền\n(đồng)", 19, "RIGHT"), lambda l, m: format_vnd(l.own_total, unit=False))
TOTAL = ListColumn(Column("Thành tiền\n(đồng)", 19, "RIGHT"), lambda l, m: _money(l.own_total))
ARREARS_MONTHS = ListColumn(Column("Truy lĩnh các tháng", 24, lines=2), lambda l, m: "")
ARREARS_RATE = ListColumn(Column("Chênh lệch\n/tháng", 16, "RIGHT"), lambda l, m: "")
CHANNEL = ListColumn(Column("Hình\nthức", 9, "CENTER"), lambda l, m: CHANNEL_CODES[l.channel])
RECEIVER = ListColumn(Column("Người nhận thay", 32, lines=2), lambda l, m: receiver_text(l.receiver_name,
                                                                                        l.receiver_relation))
SIGN = ListColumn(Column("Ký nhận", 0, "CENTER", least=30), _sign_cell)
NOTES = ListColumn(Column("Ghi chú", 14, "CENTER", lines=2), lambda l, m: ", ".join(l.notes))


def columns_for(kind: str, lines: list[PayoutListLine]) -> list[ListColumn]:
    """The columns of a list of session ``kind`` holding ``lines``.

    A monthly list shows how the amount arises (coefficient if any line has one, the monthly
    amount, the months, the amount carried over from the last session if any line has one, the
    total; arrears on rows of their own, with the months and the difference each month); an
    arrears list the months paid back, the difference each month, how many months and the total;
    a gift or one-off list the amount alone. The authorised receiver's column appears when a line
    has one; the notes column when a line has a note.
    """
    out = [NUMBER, NAME, BIRTH, ID, GROUP]
    if kind == "monthly":
        if any(line.coefficient for line in lines):
            out.append(COEFFICIENT)
        out += [RATE, MONTHS]
        if any(line.carried_forward for line in lines):
            out.append(EXTRA)
        out.append(TOTAL)
    elif kind == "arrears":
        out += [ARREARS_MONTHS, ARREARS_RATE, MONTHS, TOTAL]
    else:
        out.append(AMOUNT)
    out.append(CHANNEL)
    if any(line.receiver_name for line in lines):
        out.append(RECEIVER)
    out.append(SIGN)
    if any(line.notes for line in lines):
        out.append(NOTES)
    return out


def _rows(lines: list[PayoutListLine], columns: list[ListColumn], masked: bool) -> tuple[list[Row], int]:
    """Village heading, people, village subtotal, …, grand total; and the grand total amount."""
    amount_at = next(i for i, c in enumerate(columns) if c in (AMOUNT, TOTAL))
    blank = [""] * len(columns)

    def label(caption: str, amount: int, kind: str) -> Row:
        cells = [caption] + blank[1:]
        cells[amount_at] = format_vnd(amount, unit=False)
        return Row(cells, kind=kind)

    by_village: dict[str, list[PayoutListLine]] = {}
    for line in lines:
        by_village.setdefault(line.village, []).append(line)
    rows: list[Row] = []
    n = total = 0
    for village in sorted(by_village, key=sort_key):
        group = by_village[village]
        rows.append(Row([village or "Chưa ghi thôn"] + blank[1:], kind="heading"))
        subtotal = 0
        for line in group:
            n += 1
            subtotal += line.total
            rows += _line_rows(line, columns, masked, str(n))
        if len(by_village) > 1:        # one village's subtotal would only repeat the total
            rows.append(label(f"Cộng {village or 'chưa ghi thôn'}: {len(group)} người", subtotal, "subtotal"))
        total += subtotal
    rows.append(label(f"TỔNG CỘNG: {n} người", total, "total"))
    return rows, total


def _line_rows(line: PayoutListLine, columns: list[ListColumn], masked: bool, number: str) -> list[Row]:
    """The rows of one person: their own row, then one row per run of months paid back ("Truy lĩnh
    tháng 7–9/2026", the difference each month, the months, the amount). On an arrears list the
    first run is on the person's own row."""
    cells = [c.value(line, masked) for c in columns]
    cells[0] = number
    runs = list(line.arrears)
    amount = line.own_total
    if ARREARS_MONTHS in columns and runs:
        months, per_month = runs.pop(0)
        _put_run(cells, columns, months, per_month, named=False)
        amount += len(months) * per_month
    rows = [Row(cells, amount=amount, count=1)]
    for months, per_month in runs:
        run = [_sign_cell(line, masked) if c is SIGN else CHANNEL_CODES[line.channel] if c is CHANNEL else ""
               for c in columns]
        _put_run(run, columns, months, per_month, named=True)
        rows.append(Row(run, amount=len(months) * per_month))
    return rows


def _put_run(cells: list, columns: list[ListColumn], months, per_month: int, named: bool) -> None:
    """Write a run of months paid back into the cells of a row; ``named``: a row of its own, whose
    name cell says what it pays."""
    words = payouts.months_text(list(months))
    where = {c: i for i, c in enumerate(columns)}
    if ARREARS_MONTHS in where:
        cells[where[ARREARS_MONTHS]] = words
    if named:
        cells[where[NAME]] = Italic(f"Truy lĩnh {words}" if ARREARS_MONTHS not in where else "(tiếp)")
    rate = where.get(ARREARS_RATE, where.get(RATE))
    if rate is not None:
        cells[rate] = format_vnd(per_month, unit=False)
    if MONTHS in where:
        cells[where[MONTHS]] = str(len(months))
    cells[where.get(TOTAL, where.get(AMOUNT))] = format_vnd(len(months) * per_month, unit=False)


def legend(lines: list[PayoutListLine], columns: list[ListColumn]) -> list[str]:
    """One sentence per kind of code used on the list, each code with its meaning."""
    out = []
    channels = sorted({CHANNEL_CODES[line.channel] for line in lines}, key=list(CHANNEL_LEGEND).index)
    out.append("Hình thức nhận: " + "; ".join(f"{c}: {CHANNEL_LEGEND[c]}" for c in channels) + ".")
    groups = {}
    for line in lines:
        if line.short_group != line.group:
            groups[line.short_group] = line.group
    if groups:
        out.append("Diện: " + "; ".join(f"{short}: {full}" for short, full in sorted(
            groups.items(), key=lambda kv: sort_key(kv[0]))) + ".")
    notes = sorted({note.split()[0] for line in lines for note in line.notes}, key=list(NOTE_LEGEND).index)
    if notes:
        out.append("Ghi chú: " + "; ".join(
            f"{code} n: {NOTE_LEGEND[code]} n" if code == "BN" else f"{code}: {NOTE_LEGEND[code]}"
            for code in notes) + ".")
    if RECEIVER in columns:
        out.append("Cột “Người nhận thay” để trống: người hưởng tự nhận.")
    if any(line.channel in TRANSFER_CHANNELS for line in lines) and SIGN in columns:
        out.append(f"Dòng ghi “{TRANSFER}” ở cột ký nhận: tiền đã chuyển vào tài khoản, người hưởng không ký.")
    return out


def render(lines: list[PayoutListLine], out, *, issuer: Issuer, on: dt.date, title: str, kind: str = "monthly",
           subtitle=(), footer: str = "", masked: bool = False) -> None:
    """Write the payout list of ``lines`` (in the order wanted within each village) to ``out``.

    ``kind`` is the session kind (columns, :func:`columns_for`); ``footer`` names the list at
    the foot of every page (default: the title).
    """
    footer = f"{footer or title} — {issuer.body}" + (" — bản niêm yết: số định danh chỉ in 4 số cuối"
                                                     if masked else "")
    doc = Document(issuer, title, on, subtitle=subtitle, landscape=True, footer=footer)
    columns = columns_for(kind, lines)
    table = PagedTable([c.column for c in columns], doc.page.width, size=9, row_height=ROW_HEIGHT_MM,
                       carry_column=next(i for i, c in enumerate(columns) if c in (AMOUNT, TOTAL)))
    rows, total = _rows(lines, columns, masked)
    header = doc.header()
    st = doc.styles
    small = st.note
    cash = any(line.channel not in TRANSFER_CHANNELS for line in lines)
    roles = ("preparer", "payer", "treasurer", "accountant", "chairman") if cash else \
        ("preparer", "accountant", "chairman")
    tail = [
        Spacer(1, 2 * mm),
        Paragraph(f"<b>Tổng số tiền:</b> {markup(format_vnd(total))} "
                  f"(<b>bằng chữ:</b> <i>{markup(amount_in_words_sentence(total))}</i>)", st.body_left),
        Paragraph("<b>Ký hiệu.</b> " + " ".join(markup(x) for x in legend(lines, columns)), small),
        Spacer(1, 3 * mm),
        doc.signatures(signers(issuer, *roles)),
    ]
    width, height = doc.page.width, doc.page.height
    header_h = flow_height(header, width)
    tail_h = flow_height(tail, width)
    story = header + table.flowables(rows, height - header_h - 2, height - 2, tail_h + 2) + tail
    doc.write(out, story)


CHANNEL_FILTERS = {"cash": CASH_CHANNELS, "account": TRANSFER_CHANNELS}
_TITLE_SUFFIX = {None: "", "all": "", "cash": " bằng tiền mặt", "account": " qua tài khoản"}


def _notes(line: dict) -> tuple[str, ...]:
    """The note codes of a line, from its figures only (free-text reasons may be sensitive)."""
    out = []
    if line.get("receipt_no"):
        out.append(f"BN {line['receipt_no']}")
    if line["arrears_amount"]:
        out.append("TL")
    if line["carried_forward"]:
        out.append("KT")
    if line["override_amount"] is not None:
        out.append("ĐC")
    if line["status"] == "returned":
        out.append("TR")
    return tuple(out)


def _receiver(line: dict) -> tuple[str, str]:
    if line.get("receipt_no"):
        if line["received_by"] != "authorised":
            return "", ""
        same = fold(line["paid_to"]) == fold(line["receiver_name"])
        return line["paid_to"], line["receiver_relation"] if same else ""
    return line["receiver_name"], line["receiver_relation"]


def session_list_lines(db, session_id: str, channel: str | None = None) -> list[PayoutListLine]:
    """The printable lines of a session (cancelled lines left out), in the session's order.

    ``channel``: ``"cash"`` or ``"account"`` to print only the people paid that way.
    """
    wanted = CHANNEL_FILTERS.get(channel) if channel not in (None, "all") else None
    if channel not in (None, "all") and wanted is None:
        raise ValueError(f"unknown channel filter {channel!r}")
    out = []
    back = payouts.session_arrears(db, session_id)
    for line in payouts.session_lines(db, session_id):
        if line["status"] == "cancelled" or (wanted and line["channel"] not in wanted):
            continue
        category = BY_CODE.get(line["group_code"])
        sensitive = line["sensitive"] or (category is not None and category.sensitive)
        key = line["program"] if sensitive else line["group_code"]
        group = PROGRAM_LABELS[line["program"]] if sensitive else line["group_public"]
        if line["purpose"] == "funeral":
            key, group = "funeral", payouts.PURPOSES["funeral"]
        name, relation = _receiver(line)
        runs = tuple((tuple(months), per_month) for months, per_month in payouts.runs(back.get(line["id"], [])))
        if line["override_amount"] is not None:
            runs = ()          # an override replaces the arithmetic: the line is paid as one amount
        out.append(PayoutListLine(
            full_name=line["full_name"], birth_year=line["birth_year"], id_number=line["id_number"],
            village=line["village"], group_key=key, group=group, monthly_amount=line["base_amount"],
            coefficient=line["coefficient"], months=line["months"], total=line["total"], channel=line["channel"],
            receiver_name=name, receiver_relation=relation,
            arrears_amount=sum(len(m) * a for m, a in runs), carried_forward=line["carried_forward"],
            notes=_notes(line), arrears=runs, purpose=line["purpose"]))
    return out


def decisions_line(named: list[dict], issuer: Issuer) -> str:
    """"Kèm theo Quyết định số 12/QĐ-UBND ngày 20/10/2026 của Chủ tịch Ủy ban nhân dân xã An Bình"
    (several: "… số 12/QĐ-UBND ngày …, số 13/QĐ-UBND ngày …")."""
    if not named:
        return ""
    each = [f"số {d['number_text']} ngày {dt.date.fromisoformat(d['signed_on']):%d/%m/%Y}" for d in named]
    if len(each) > 4:
        each = each[:3] + [f"và {len(each) - 3} quyết định khác"]
    return f"Kèm theo Quyết định {', '.join(each)} của Chủ tịch {issuer.full_name}"


def session_subtitle(session: dict) -> list[str]:
    """"Đợt: …", and the period with the funding source."""
    period = dt.date.fromisoformat(session["period"] + "-01")
    second = f"Kỳ chi trả: tháng {period:%m/%Y}"
    if session["funding_source"]:
        second += f" — Nguồn kinh phí: {session['funding_source']}"
    return [f"Đợt: {session['name']}", second]


def write(db, session_id: str, out, *, on: dt.date, masked: bool = False, channel: str | None = None) -> int:
    """Print the payout list of a session to ``out``; returns the number of people on it."""
    session = payouts.get_session(db, session_id)
    lines = session_list_lines(db, session_id, channel)
    if not lines:
        raise UserError("Không có ai trong danh sách chi trả cần in")
    title = "Danh sách chi trả" + _TITLE_SUFFIX[channel]
    issuer = issuer_of(db)
    basis = decisions_line(payouts.session_decisions(db, session_id), issuer)
    render(lines, out, issuer=issuer, on=on, title=title, kind=session["kind"],
           subtitle=session_subtitle(session) + ([basis] if basis else []), footer=f"{title} — {session['name']}",
           masked=masked)
    return len(lines)
