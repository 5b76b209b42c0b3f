"""The account-opening campaign list: who still needs an account, village by village, and which
papers each person must bring when the bank or the post office comes.

It lists active beneficiaries whose account status is "needs an account" or "being opened".
The papers follow from what the register knows: an ID card always (or, with no ID number on
file, a request to the commune police first); for a child under 15, the birth certificate and
the guardian's ID card (the account is opened by the legal representative); for an authorised
receiver, that person's ID card and the letter of authorisation; a phone number for the bank's
OTP when none is recorded.
"""

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from commune_payout import register
from commune_payout.documents.frame import Document, Issuer, flow_height, issuer_of, signers
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.programs import age_on
from commune_payout.text import name_sort_key, sort_key

STATUSES = ("needs_account", "opening")
CHILD_BELOW = 15
COLUMNS = [
    Column("STT", 9, "CENTER"),
    Column("Họ và tên", 0, lines=2),
    Column("Năm sinh", 11, "CENTER"),
    Column("Số định danh", 23, "CENTER"),
    Column("Điện thoại", 20, "CENTER"),
    Column("Tình trạng", 22, lines=2),
    Column("Người nhận thay", 30, lines=2),
    Column("Giấy tờ cần mang", 66, lines=3),
    Column("Ký xác nhận", 30),
]


@dataclass(frozen=True)
class CampaignPerson:
    full_name: str
    birth_year: int | None
    age: int | None
    id_number: str | None
    phone: str
    village: str
    account_status: str
    receiver_name: str = ""


def papers(person: CampaignPerson) -> list[str]:
    """The papers a person must bring to open an account, in the order the bank asks for them."""
    out = []
    if person.age is not None and person.age < CHILD_BELOW:
        out.append("Giấy khai sinh của trẻ; CCCD của cha, mẹ hoặc người giám hộ")
    elif person.id_number:
        out.append("CCCD/giấy tờ tùy thân")
    else:
        out.append("Chưa có số định danh: làm CCCD tại công an xã trước")
    if person.receiver_name:
        out.append("CCCD của người được ủy quyền; giấy ủy quyền")
    if not person.phone:
        out.append("Số điện thoại chính chủ (nhận mã OTP)")
    return out


def render(people: list[CampaignPerson], out, *, issuer: Issuer, on: dt.date, masked: bool = False) -> None:
    """Write the campaign list of ``people``, grouped by village, to ``out``; ``masked`` (a list
    posted in public) shows only the last four digits of ID and phone numbers."""
    doc = Document(issuer, "Danh sách người hưởng cần mở tài khoản", on, landscape=True,
                   subtitle=["Để nhận trợ cấp không dùng tiền mặt (Chỉ thị 21/CT-TTg)"],
                   footer="Danh sách cần mở tài khoản" + (" — bản niêm yết: số định danh, số điện thoại chỉ in "
                                                          "4 số cuối" if masked else ""))
    st = doc.styles
    table = PagedTable(COLUMNS, doc.page.width, size=9, row_height=10)
    by_village: dict[str, list[CampaignPerson]] = {}
    for p in people:
        by_village.setdefault(p.village, []).append(p)
    rows: list[Row] = []
    n = 0
    for village in sorted(by_village, key=sort_key):
        group = by_village[village]
        rows.append(Row([f"{village or 'Chưa ghi thôn'} ({len(group)} người)"] + [""] * (len(COLUMNS) - 1),
                        kind="heading"))
        for p in group:
            n += 1
            rows.append(Row([str(n), p.full_name, p.birth_year or "", (mask(p.id_number) if masked
                             else p.id_number) or "", mask(p.phone) if masked else p.phone,
                             register.ACCOUNT_STATUSES[p.account_status], p.receiver_name,
                             ". ".join(papers(p)) + ".", ""]))
    header = doc.header()
    tail = [
        Spacer(1, 3 * mm),
        Paragraph(f"<b>Tổng số:</b> {n} người cần mở tài khoản "
                  f"({sum(p.account_status == 'opening' for p in people)} người đang làm thủ tục).", st.body_left),
        Spacer(1, 4 * mm),
        doc.signatures(signers(issuer, "preparer", "chairman")),
    ]
    width, height = doc.page.width, doc.page.height
    story = header + table.flowables(rows, height - flow_height(header, width) - 2, height - 2,
                                     flow_height(tail, width) + 2) + tail
    doc.write(out, story)


def campaign_people(db, on: dt.date) -> list[CampaignPerson]:
    """Active beneficiaries who still need an account or are opening one, by village then name."""
    out = []
    for status in STATUSES:
        for r in register.list_beneficiaries(db, account_status=status, status="active", order="village"):
            out.append(CampaignPerson(
                full_name=r["full_name"], birth_year=r["birth_year"],
                age=age_on(r["birth_date"], r["birth_year"], on), id_number=r["id_number"], phone=r["phone"],
                village=r["village"], account_status=r["account_status"], receiver_name=r["receiver_name"]))
    out.sort(key=lambda p: (sort_key(p.village), name_sort_key(p.full_name)))
    return out


def write(db, out, *, on: dt.date, masked: bool = False) -> int:
    """Print the campaign list to ``out``; returns the number of people on it."""
    people = campaign_people(db, on)
    if not people:
        raise UserError("Mọi người hưởng đang hưởng đều đã có tài khoản")
    render(people, out, issuer=issuer_of(db), on=on, masked=masked)
    return len(people)
