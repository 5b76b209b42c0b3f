"""The payout list of a session (danh sách chi trả), signed by each person who is paid.

Grouped by village with a subtotal per village; the running total is carried from page to page;
the grand total is written in figures and in words; the header row repeats on every page; the
"KÝ NHẬN" column is wide and tall enough to sign in. HIV status is never printed: a line of a
sensitive group shows the neutral public label of its programme. ID numbers can be masked to
their last four digits for a list posted in public.
"""

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from commune_payout import payouts
from commune_payout.documents.frame import Document, Issuer, flow_height, issuer_of, markup, standard_signers
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.text import fold, sort_key

COLUMNS = [
    Column("STT", 8, "CENTER"),
    Column("Họ và tên", 35),
    Column("Năm sinh", 10, "CENTER"),
    Column("Số định danh", 23, "CENTER"),
    Column("Thôn", 17),
    Column("Diện", 33),
    Column("Số tiền/\nhệ số", 18, "RIGHT"),
    Column("Số tháng", 10, "CENTER"),
    Column("Thành tiền\n(đồng)", 20, "RIGHT"),
    Column("Hình thức", 9, "CENTER"),
    Column("Người nhận", 24),
    Column("KÝ NHẬN", 32),
    Column("Ghi chú", 13),
]
TOTAL_COLUMN = 8
ROW_HEIGHT_MM = 10
CHANNEL_CODES = {"account": "TK", "cash_commune": "TM", "cash_home": "TM"}
SELF = "Bản thân"


@dataclass(frozen=True)
class PayoutListLine:
    """One person on the list, already safe to print (``group`` is never an HIV label)."""

    full_name: str
    birth_year: int | None
    id_number: str | None
    village: str
    group: str
    monthly_amount: int
    coefficient: float | None
    months: int
    total: int
    channel: str                  # account, cash_commune or cash_home
    receiver_name: str = ""       # empty: the person receives it themself
    receiver_relation: str = ""
    note: str = ""


def decimal(value: float) -> str:
    """1.5 → "1,5" (Vietnamese decimal comma)."""
    return f"{value:g}".replace(".", ",")


def receiver_text(name: str, relation: str = "") -> str:
    """"Bản thân", or "Ủy quyền: Nguyễn Văn B (Con)"."""
    if not name:
        return SELF
    return f"Ủy quyền: {name}" + (f" ({relation})" if relation else "")


def _cells(n: int, line: PayoutListLine, mask_ids: bool) -> list:
    rate = format_vnd(line.monthly_amount, unit=False)
    if line.coefficient:
        rate += f"\nhệ số {decimal(line.coefficient)}"
    id_text = mask(line.id_number) if mask_ids else (line.id_number or "")
    return [str(n), line.full_name, line.birth_year or "", id_text, line.village, line.group, rate,
            str(line.months), format_vnd(line.total, unit=False), CHANNEL_CODES[line.channel],
            receiver_text(line.receiver_name, line.receiver_relation), "", line.note]


def _label_row(label: str, amount: int, kind: str) -> Row:
    cells = [label] + [""] * (len(COLUMNS) - 1)
    cells[TOTAL_COLUMN] = format_vnd(amount, unit=False)
    return Row(cells, kind=kind)


def rows_by_village(lines: list[PayoutListLine], mask_ids: bool) -> tuple[list[Row], int]:
    """Village heading, people, village subtotal, …, grand total; and the grand total amount."""
    by_village: dict[str, list[PayoutListLine]] = {}
    for line in lines:
        by_village.setdefault(line.village, []).append(line)
    rows: list[Row] = []
    n = total = 0
    for village in sorted(by_village, key=sort_key):
        group = by_village[village]
        rows.append(Row([village or "Chưa ghi thôn"] + [""] * (len(COLUMNS) - 1), kind="heading"))
        subtotal = 0
        for line in group:
            n += 1
            subtotal += line.total
            rows.append(Row(_cells(n, line, mask_ids), amount=line.total, count=1))
        rows.append(_label_row(f"Cộng {village or 'chưa ghi thôn'}: {len(group)} người", subtotal, "subtotal"))
        total += subtotal
    rows.append(_label_row(f"TỔNG CỘNG: {n} người", total, "total"))
    return rows, total


def render(lines: list[PayoutListLine], out, *, issuer: Issuer, on: dt.date, title: str,
           subtitle=(), footer: str = "", mask_ids: bool = False) -> None:
    """Write the payout list of ``lines`` (in the order wanted within each village) to ``out``.

    ``footer`` names the list at the foot of every page (default: the title).
    """
    footer = f"{footer or title} — {issuer.body}" + (" — số định danh chỉ in 4 số cuối" if mask_ids else "")
    doc = Document(issuer, title, on, subtitle=subtitle, landscape=True, footer=footer)
    table = PagedTable(COLUMNS, size=9, row_height=ROW_HEIGHT_MM, carry_column=TOTAL_COLUMN,
                       continue_headings=False)
    rows, total = rows_by_village(lines, mask_ids)
    header = doc.header()
    st = doc.styles
    tail = [
        Spacer(1, 3 * mm),
        Paragraph(f"<b>Tổng số tiền:</b> {markup(format_vnd(total))}", st.body_left),
        Paragraph(f"<b>Bằng chữ:</b> <i>{markup(amount_in_words_sentence(total))}</i>", st.body_left),
        Spacer(1, 4 * mm),
        doc.signatures(standard_signers(issuer)),
    ]
    width, height = doc.page.width, doc.page.height
    header_h = flow_height(header, width)
    tail_h = flow_height(tail, width)
    story = header + table.flowables(rows, height - header_h - 2, height - 2, tail_h + 2) + tail
    doc.write(out, story)



CHANNEL_FILTERS = {"cash": ("cash_commune", "cash_home"), "account": ("account",)}
_TITLE_SUFFIX = {None: "", "cash": " bằng tiền mặt", "account": " qua tài khoản"}


def _note(line: dict) -> str:
    """The notes column, built from the line's figures only (free-text reasons may be sensitive)."""
    parts = []
    if line["arrears_months"]:
        parts.append(f"Truy lĩnh {line['arrears_months']} tháng")
    if line["carried_forward"]:
        parts.append(f"Kỳ trước chuyển sang {format_vnd(line['carried_forward'], unit=False)}")
    if line["override_amount"] is not None:
        parts.append("Mức điều chỉnh")
    if line["status"] == "returned":
        parts.append("CK bị trả lại")
    if line.get("receipt_no"):
        parts.append(f"Đã nhận, BN số {line['receipt_no']}")
    return "; ".join(parts)


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
    wanted = CHANNEL_FILTERS.get(channel) if channel else None
    if channel and wanted is None:
        raise ValueError(f"unknown channel filter {channel!r}")
    out = []
    for line in payouts.session_lines(db, session_id):
        if line["status"] == "cancelled" or (wanted and line["channel"] not in wanted):
            continue
        group = PROGRAM_LABELS[line["program"]] if line["sensitive"] else line["group_public"]
        name, relation = _receiver(line)
        out.append(PayoutListLine(
            full_name=line["full_name"], birth_year=line["birth_year"], id_number=line["id_number"],
            village=line["village"], group=group, monthly_amount=line["base_amount"],
            coefficient=line["coefficient"], months=line["months"] + line["arrears_months"], total=line["total"],
            channel=line["channel"], receiver_name=name, receiver_relation=relation, note=_note(line)))
    return out


def session_subtitle(session: dict) -> list[str]:
    """"Đợt: …", and the period with the funding source."""
    period = dt.date.fromisoformat(session["period"] + "-01")
    second = f"Kỳ chi trả: tháng {period:%m/%Y}"
    if session["funding_source"]:
        second += f" — Nguồn kinh phí: {session['funding_source']}"
    return [f"Đợt: {session['name']}", second]


def write(db, session_id: str, out, *, on: dt.date, mask_ids: bool = False, channel: str | None = None) -> int:
    """Print the payout list of a session to ``out``; returns the number of people on it."""
    session = payouts.get_session(db, session_id)
    lines = session_list_lines(db, session_id, channel)
    if not lines:
        raise UserError("Không có ai trong danh sách chi trả cần in")
    title = "Danh sách chi trả" + _TITLE_SUFFIX[channel]
    render(lines, out, issuer=issuer_of(db), on=on, title=title, subtitle=session_subtitle(session),
           footer=f"{title} — {session['name']}", mask_ids=mask_ids)
    return len(lines)
