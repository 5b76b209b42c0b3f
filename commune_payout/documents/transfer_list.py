"""The transfer list of a session for each bank (danh sách chuyển khoản), to sign and hand over
with the transfer file.

One section per bank, each starting on a new page with the full NĐ 30 header so the bank's pages
stand on their own: every pending transfer of that bank, the running total carried from page to
page, and the control totals (number of transfers, sum in figures and in words) with the SHA-256
checksum of :func:`commune_payout.transfers.checksum`, the same figures as in the exported files.
Account numbers are printed in full: the bank needs them.
"""

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer

from commune_payout import payouts, transfers
from commune_payout.banks import BY_BIN, bank_name
from commune_payout.documents.frame import Document, Issuer, flow_height, issuer_of, markup, signers
from commune_payout.documents.payout_list import session_subtitle
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.errors import UserError
from commune_payout.money import amount_in_words_sentence, format_vnd

COLUMNS = [
    Column("STT", 9, "CENTER"),
    Column("Họ và tên người hưởng", 44, lines=2),
    Column("Chủ tài khoản", 44, lines=2),
    Column("Số tài khoản", 36, "CENTER"),
    Column("Số tiền\n(đồng)", 22, "RIGHT"),
    Column("Nội dung chuyển khoản", 0, lines=2),
]
AMOUNT_COLUMN = 4


@dataclass(frozen=True)
class BankSection:
    """The transfers to one bank and their control figures."""

    bank_bin: str
    rows: list                  # transfers.TransferRow, numbered from 1
    checksum: str

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def amount(self) -> int:
        return sum(r.amount for r in self.rows)

    @property
    def bank_title(self) -> str:
        bank = BY_BIN.get(self.bank_bin)
        if bank is None:
            return f"Mã ngân hàng {self.bank_bin}"
        if bank.short_name.casefold() in bank.full_name.casefold():
            return bank.full_name
        return f"{bank.full_name} ({bank.short_name})"


def render(sections: list[BankSection], out, *, issuer: Issuer, on: dt.date, subtitle=(), footer: str = "") -> None:
    """Write one section per bank to ``out``."""
    doc = Document(issuer, "Danh sách chi trả qua tài khoản", on, subtitle=subtitle, landscape=True,
                   footer=footer or "Danh sách chuyển khoản")
    st = doc.styles
    width, height = doc.page.width, doc.page.height
    story: list = []
    for n, section in enumerate(sections):
        if n:
            story.append(PageBreak())
        table = PagedTable(COLUMNS, width, size=9, row_height=8, carry_column=AMOUNT_COLUMN, unit="giao dịch")
        header = doc.header() + [Paragraph(f"Ngân hàng: <b>{markup(section.bank_title)}</b> — mã BIN "
                                           f"{markup(section.bank_bin)}", st.center), Spacer(1, 3 * mm)]
        rows = [Row([str(r.no), r.full_name, r.holder, r.account_number, format_vnd(r.amount, unit=False),
                     r.content], amount=r.amount, count=1) for r in section.rows]
        totals = ["TỔNG CỘNG"] + [""] * (len(COLUMNS) - 1)
        totals[AMOUNT_COLUMN] = format_vnd(section.amount, unit=False)
        rows.append(Row(totals, kind="total"))
        tail = [
            Spacer(1, 3 * mm),
            Paragraph(f"<b>Tổng số giao dịch:</b> {section.count}; <b>tổng số tiền:</b> "
                      f"{markup(format_vnd(section.amount))} (<b>bằng chữ:</b> "
                      f"<i>{markup(amount_in_words_sentence(section.amount))}</i>)", st.body_left),
            Paragraph(f"<b>Mã kiểm tra SHA-256:</b> <font size={st.size - 2}>{section.checksum}</font>",
                      st.body_left),
            Spacer(1, 4 * mm),
            doc.signatures(signers(issuer, "preparer", "accountant", "chairman")),
        ]
        story += header + table.flowables(rows, height - flow_height(header, width) - 2, height - 2,
                                          flow_height(tail, width) + 2) + tail
    doc.write(out, story)


def session_sections(db, session_id: str) -> list[BankSection]:
    """The pending transfers of a session by bank, with the checksum of each bank's list."""
    return [BankSection(bin_, rows, transfers.checksum(rows))
            for bin_, rows in transfers.transfer_rows(db, session_id).items()]


def write(db, session_id: str, out, *, on: dt.date, bank_bin: str | None = None) -> list[BankSection]:
    """Print the transfer list of a session (every bank, or only ``bank_bin``) to ``out``."""
    session = payouts.get_session(db, session_id)
    sections = [s for s in session_sections(db, session_id) if bank_bin in (None, s.bank_bin)]
    if not sections:
        raise UserError("Không có khoản chuyển khoản nào đang chờ chuyển"
                        + (f" qua {bank_name(bank_bin)}" if bank_bin else ""))
    render(sections, out, issuer=issuer_of(db), on=on, subtitle=session_subtitle(session),
           footer=f"Danh sách chuyển khoản — {session['name']}")
    return sections
