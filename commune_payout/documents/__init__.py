"""Printed documents (PDF): the paper a commune signs, hands over and files.

=========== ===================================================== ========================
kind        document                                              module
=========== ===================================================== ========================
payout-list danh sách chi trả of a session, signed by each person :mod:`.payout_list`
receipts    biên nhận, 2 or 4 to an A4 sheet                      :mod:`.receipts`
transfers   danh sách chuyển khoản per bank, with control totals  :mod:`.transfer_list`
verification phiếu xác minh: the people drawn, to call, per village :mod:`.verification_sheet`
campaign    people who still need a bank account, papers to bring :mod:`.campaign`
cleaning    data-cleaning list for the commune police             :mod:`.cleaning`
report      monthly progress report for the province              :mod:`.progress_report`
=========== ===================================================== ========================

Each module has a ``render(...)`` that lays out plain data and a ``write(db, ...)`` that reads
the database; :func:`write` below is the one entry point the CLI and the GUI call. Every
document uses the NĐ 30/2020 frame of :mod:`.frame` and the serif shipped in ``assets/fonts``;
PDFs are written atomically. The date printed in the place-and-date line is always passed in.
Lists posted in public are printed ``masked``: ID, phone and account numbers show only their
last four digits.
"""

import datetime as dt
from dataclasses import dataclass

KINDS = {
    "payout-list": "Danh sách chi trả",
    "receipts": "Biên nhận chi trả",
    "transfers": "Danh sách chuyển khoản theo ngân hàng",
    "verification": "Phiếu xác minh chi trả (gọi điện hỏi người hưởng)",
    "campaign": "Danh sách cần mở tài khoản",
    "cleaning": "Danh sách rà soát dữ liệu (gửi công an xã)",
    "report": "Báo cáo tiến độ tháng",
}
SESSION_KINDS = ("payout-list", "receipts", "transfers", "verification")
MASKABLE = ("payout-list", "receipts", "campaign")
CHANNEL_FILTERS = {"cash": "Chỉ người nhận tiền mặt", "account": "Chỉ người nhận qua tài khoản", "all": "Tất cả"}


@dataclass(frozen=True)
class Request:
    """What to print. ``on``: the date in the place-and-date line (and "as of" for checks); for
    receipts ``None`` prints the day each payment was made.

    ``session_id`` is needed by the session documents, ``period`` (``YYYY-MM``) by the report.
    ``masked`` prints ID, phone and account numbers as their last four digits (lists posted in
    public); ``channel`` (``cash``/``account``/``all``) narrows a payout list (default: all) or
    the receipts (default: cash); ``per_page`` is 2 or 4 receipts a sheet; ``receipt_nos``
    reprints given receipts; ``bank_bin`` one bank's list; ``number`` the report's number when
    the commune's clerk gives one (default: the next of the year, kept for reprints); ``programs``
    the report's programmes (one office's; default every programme) and ``basis`` how its month
    counts: ``period`` (the sessions of the month) or ``payment`` (the payments made in it).
    """

    kind: str
    on: dt.date | None
    session_id: str | None = None
    period: str | None = None
    masked: bool = False
    channel: str | None = None
    per_page: int = 4
    receipt_nos: tuple[int, ...] = ()
    bank_bin: str | None = None
    number: int | None = None
    programs: tuple[str, ...] | None = None
    basis: str = "period"


def office_programs(db, wanted: str) -> tuple[str, ...]:
    """The programmes of the office named (or beginning with) ``wanted``, for its report."""
    from commune_payout.errors import UserError
    from commune_payout.sync.commune import office_names
    from commune_payout.text import fold

    offices: dict[str, list[str]] = {}
    for program, name in office_names(db).items():
        offices.setdefault(name, []).append(program)
    found = [name for name in offices if fold(name) == fold(wanted)] or [
        name for name in offices if fold(name).startswith(fold(wanted))]
    if len(found) != 1:
        raise UserError(f"Không rõ cơ quan “{wanted}”. Các cơ quan: {'; '.join(offices)}.")
    return tuple(offices[found[0]])


def write_xlsx(db, request: Request, out) -> None:
    """The figures of the monthly report ``request`` asks for, as an .xlsx."""
    from commune_payout.documents import progress_report

    progress_report.write_xlsx(db, request.period, out, basis=request.basis, programs=request.programs,
                               on=request.on)


def write(db, request: Request, out) -> str:
    """Print the document ``request`` asks for to the PDF ``out``; returns a one-line summary."""
    from commune_payout.documents import (campaign, cleaning, payout_list, progress_report, receipts,
                                          transfer_list, verification_sheet)
    from commune_payout.banks import bank_name
    from commune_payout.errors import UserError
    from commune_payout.money import format_vnd

    r = request
    if r.kind not in KINDS:
        raise UserError(f"Không có loại tài liệu “{r.kind}”")
    if r.kind in SESSION_KINDS and not r.session_id:
        raise UserError("Hãy chọn đợt chi trả")
    if r.on is None and r.kind != "receipts":
        raise ValueError(f"{r.kind} needs the date printed on it")
    if r.kind == "payout-list":
        n = payout_list.write(db, r.session_id, out, on=r.on, masked=r.masked, channel=r.channel)
        return f"Danh sách chi trả: {n} người"
    if r.kind == "receipts":
        n = receipts.write(db, r.session_id, out, per_page=r.per_page, receipt_nos=r.receipt_nos or None,
                           channel=r.channel or "cash", masked=r.masked, on=r.on)
        return f"Biên nhận: {n} biên nhận, {r.per_page} biên nhận một trang A4"
    if r.kind == "transfers":
        sections = transfer_list.write(db, r.session_id, out, on=r.on, bank_bin=r.bank_bin)
        return "Danh sách chuyển khoản: " + "; ".join(
            f"{bank_name(s.bank_bin)}: {s.count} giao dịch, {format_vnd(s.amount)}" for s in sections)
    if r.kind == "verification":
        n = verification_sheet.write(db, r.session_id, out, on=r.on)
        return f"Phiếu xác minh chi trả: {n} người cần hỏi"
    if r.kind == "campaign":
        n = campaign.write(db, out, on=r.on, masked=r.masked)
        return f"Danh sách cần mở tài khoản: {n} người"
    if r.kind == "cleaning":
        n = cleaning.write(db, out, on=r.on)
        return f"Danh sách rà soát dữ liệu: {n} vấn đề"
    if not r.period:
        raise UserError("Hãy chọn tháng báo cáo")
    report = progress_report.write(db, r.period, out, on=r.on, number=r.number, basis=r.basis,
                                   programs=r.programs)
    return f"Báo cáo số {report.number_text} tháng {progress_report.month_label(r.period)}: " + \
        progress_report.headline(report.data.total)
