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

from commune_payout.documents.frame import Document, Issuer, flow_height, markup, standard_signers
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.ids import mask
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.text import sort_key

COLUMNS = [
    Column("STT", 9, "CENTER"),
    Column("Họ và tên", 36),
    Column("Năm sinh", 11, "CENTER"),
    Column("Số định danh", 24, "CENTER"),
    Column("Thôn", 18),
    Column("Diện", 25),
    Column("Số tiền/\nhệ số", 19, "RIGHT"),
    Column("Số tháng", 9, "CENTER"),
    Column("Thành tiền\n(đồng)", 21, "RIGHT"),
    Column("Hình thức", 10, "CENTER"),
    Column("Người nhận", 24),
    Column("KÝ NHẬN", 32),
    Column("Ghi chú", 14),
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
           subtitle=(), mask_ids: bool = False) -> None:
    """Write the payout list of ``lines`` (in the order wanted within each village) to ``out``."""
    doc = Document(issuer, title, on, subtitle=subtitle, landscape=True,
                   footer=f"{title} — {issuer.body}" + (" — số định danh đã che" if mask_ids else ""))
    table = PagedTable(COLUMNS, size=9, row_height=ROW_HEIGHT_MM, carry_column=TOTAL_COLUMN)
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

