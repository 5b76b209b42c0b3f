"""The data-cleaning list for the commune police ("rà soát, làm sạch dữ liệu").

Every problem :func:`commune_payout.checks.run_checks` finds, grouped by kind of problem, with
what the police need to look the person up (date of birth, ID number, village) and an empty
column for the result of their check. HIV status is not the police's business: the checks
name a sensitive group only by its programme (:func:`commune_payout.programs.public_label`).
"""

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from commune_payout import checks
from commune_payout.documents.frame import Document, Issuer, Signer, flow_height, format_date, issuer_of, signer
from commune_payout.documents.table import Column, PagedTable, Row
from commune_payout.errors import UserError

COLUMNS = [
    Column("STT", 9, "CENTER"),
    Column("Họ và tên", 0, lines=2),
    Column("Ngày/năm sinh", 20, "CENTER"),
    Column("Số định danh", 25, "CENTER"),
    Column("Thôn", 22, lines=2),
    Column("Nội dung cần xác minh", 75, lines=2),
    Column("Mức độ", 19, "CENTER"),
    Column("Kết quả xác minh của công an", 44),
]


@dataclass(frozen=True)
class CleaningItem:
    group: str                 # checks.GROUP_LABELS value
    full_name: str
    birth: str                 # dd/mm/yyyy, or the year alone
    id_number: str
    village: str
    message: str
    severity: str              # checks.SEVERITY value


def render(items: list[CleaningItem], out, *, issuer: Issuer, on: dt.date) -> None:
    """Write ``items`` (already in group order) to ``out``."""
    doc = Document(issuer, "Danh sách rà soát, làm sạch dữ liệu người hưởng chính sách", on, landscape=True,
                   subtitle=["(Gửi Công an xã xác minh, đối chiếu Cơ sở dữ liệu quốc gia về dân cư)"],
                   footer="Danh sách rà soát dữ liệu — tài liệu có thông tin cá nhân, không niêm yết")
    st = doc.styles
    table = PagedTable(COLUMNS, doc.page.width, size=9, row_height=9)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.group] = counts.get(item.group, 0) + 1
    rows: list[Row] = []
    groups: list[str] = []
    for n, item in enumerate(items, start=1):
        if not groups or item.group != groups[-1]:
            groups.append(item.group)
            rows.append(Row([f"{len(groups)}. {item.group} ({counts[item.group]})"] + [""] * (len(COLUMNS) - 1),
                            kind="heading"))
        rows.append(Row([str(n), item.full_name, item.birth, item.id_number, item.village, item.message,
                         item.severity, ""]))
    persons = len({(i.full_name, i.birth, i.id_number) for i in items})
    people = [signer(issuer, "preparer"), Signer("CÔNG AN XÃ"), signer(issuer, "chairman")]
    header = doc.header()
    tail = [
        Spacer(1, 3 * mm),
        Paragraph(f"<b>Tổng số:</b> {len(items)} vấn đề của {persons} người cần xác minh.", st.body_left),
        Spacer(1, 4 * mm),
        doc.signatures(people),
    ]
    width, height = doc.page.width, doc.page.height
    story = header + table.flowables(rows, height - flow_height(header, width) - 2, height - 2,
                                     flow_height(tail, width) + 2) + tail
    doc.write(out, story)


def cleaning_items(db, today: dt.date) -> list[CleaningItem]:
    """The problems of :func:`checks.run_checks` the police can help with, with each person's
    identifying data."""
    people = {r["id"]: r for r in db.query("SELECT id, birth_date, birth_year, id_number, village FROM beneficiaries")}
    out = []
    for p in checks.for_police(checks.run_checks(db, today)):
        person = people.get(p.beneficiary_id, {})
        birth = person.get("birth_date")
        out.append(CleaningItem(
            group=checks.GROUP_LABELS[p.code], full_name=p.full_name,
            birth=format_date(dt.date.fromisoformat(birth)) if birth else str(person.get("birth_year") or ""),
            id_number=person.get("id_number") or "", village=person.get("village") or "",
            message=p.message, severity=checks.SEVERITY[p.severity]))
    return out


def write(db, out, *, on: dt.date) -> int:
    """Print the data-cleaning list as of ``on`` to ``out``; returns the number of problems."""
    items = cleaning_items(db, on)
    if not items:
        raise UserError("Không phát hiện vấn đề nào về dữ liệu người hưởng")
    render(items, out, issuer=issuer_of(db), on=on)
    return len(items)
