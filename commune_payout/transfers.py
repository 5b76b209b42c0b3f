"""Cashless payment files out: the transfer list for each bank.

Out: for a locked session, every pending line paid by transfer, grouped by bank (NAPAS BIN),
as one ``.xlsx`` and one ``.csv`` per bank. Each file ends with its control totals (number of
transfers, sum in đồng) and a SHA-256 checksum of the canonical transfer data (see
:func:`checksum`), so the bank and the treasury can see the list was not altered. Files are
written atomically.

The bank's result file comes back in through :mod:`commune_payout.bank_results`.
"""

import hashlib
import re
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from commune_payout import payouts, settings
from commune_payout.banks import BY_BIN, bank_name
from commune_payout.errors import UserError
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.sheet_writer import AMOUNT, BOLD, TEXT, TITLE, Style, Workbook, write_csv
from commune_payout.text import fold, nfc

HEADERS = ("STT", "Họ và tên người hưởng", "Chủ tài khoản", "Số tài khoản", "Ngân hàng", "Mã ngân hàng (BIN)",
           "Số tiền (đồng)", "Nội dung chuyển khoản")
CONTENT_MAX = 120


@dataclass(frozen=True)
class TransferRow:
    """One transfer as it appears in the file; the fields of :func:`checksum` in order."""

    no: int
    full_name: str
    holder: str
    account_number: str
    bank_bin: str
    amount: int
    content: str
    line_id: str


@dataclass
class TransferFile:
    """The files written for one bank and their control totals."""

    bank_bin: str
    bank_name: str
    count: int
    amount: int
    checksum: str
    xlsx: Path
    csv: Path


def _content(session: dict, line: dict) -> str:
    # Banks strip or garble diacritics in the transfer description, so send it plain.
    text = fold(f"{session['name']} {line['full_name']}").upper()
    return re.sub(r"[^A-Z0-9 ./-]", "", text)[:CONTENT_MAX]


def _bank_style(name: str) -> str:
    """A holder name as banks keep it: upper case, no diacritics (docs/domain.md)."""
    return fold(name).upper()


def transfer_rows(db, sid: str) -> dict[str, list[TransferRow]]:
    """Pending transfer lines of a session grouped by bank BIN, numbered from 1 in each bank."""
    session = payouts.get_session(db, sid)
    out: dict[str, list[TransferRow]] = {}
    lines = (line for channel in payouts.TRANSFER_CHANNELS
             for line in payouts.session_lines(db, sid, status="pending", channel=channel))
    for line in sorted(lines, key=lambda line: line["seq"]):
        rows = out.setdefault(line["bank_bin"], [])
        rows.append(TransferRow(
            no=len(rows) + 1, full_name=line["full_name"],
            holder=_bank_style(line["account_holder"] or line["full_name"]),
            account_number=line["account_number"], bank_bin=line["bank_bin"], amount=line["total"],
            content=_content(session, line), line_id=line["id"]))
    return dict(sorted(out.items(), key=lambda kv: bank_name(kv[0]).casefold()))


def checksum(rows) -> str:
    """SHA-256 (hex) of the canonical transfer data.

    One UTF-8 (NFC) line per transfer, fields joined by a tab, each line ending in ``\\n``:
    ``no, account_number, holder, bank_bin, amount, content``. Anyone holding the file can
    recompute it from the table's columns STT, Số tài khoản, Chủ tài khoản, Mã ngân hàng,
    Số tiền and Nội dung (in the .csv, the ``'`` put before a value that begins with ``=``,
    ``+``, ``-`` or ``@`` so that no spreadsheet runs it is not part of the value:
    :mod:`commune_payout.sheet_writer`).
    """
    digest = hashlib.sha256()
    for r in rows:
        fields = (str(r.no), r.account_number, r.holder, r.bank_bin, str(r.amount), r.content)
        digest.update(nfc("\t".join(fields) + "\n").encode("utf-8"))
    return digest.hexdigest()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _footer(rows, digest: str) -> list[tuple[str, str]]:
    total = sum(r.amount for r in rows)
    return [
        ("Tổng số giao dịch", str(len(rows))),
        ("Tổng số tiền (đồng)", str(total)),
        ("Bằng chữ", amount_in_words_sentence(total)),
        ("Mã kiểm tra SHA-256", digest),
    ]


def _table_row(r: TransferRow) -> list:
    return [r.no, r.full_name, r.holder, r.account_number, bank_name(r.bank_bin), r.bank_bin, r.amount, r.content]


def _write_csv(path: Path, rows, digest: str) -> None:
    write_csv(path, chain([HEADERS], map(_table_row, rows), [[]], _footer(rows, digest)))


def _write_xlsx(path: Path, rows, digest: str, session: dict, commune: dict, bank_bin: str) -> None:
    book = Workbook()
    sheet = book.sheet("Chuyen khoan", widths=(6, 28, 28, 20, 16, 12, 16, 60), freeze="A6")
    sheet.append([f"UBND {commune['name'].upper()}"])
    sheet.append([f"DANH SÁCH CHUYỂN KHOẢN — {session['name'].upper()}"], style=TITLE)
    sheet.append([f"Ngân hàng: {BY_BIN[bank_bin].full_name if bank_bin in BY_BIN else bank_bin} (BIN {bank_bin})"
                  f" · Kỳ {session['period']}"])
    sheet.append([])
    sheet.append(HEADERS, style=Style(bold=True, wrap=True))
    # Account numbers and BINs are text: Excel would drop leading zeros of a number.
    formats = {3: Style(number_format=TEXT), 5: Style(number_format=TEXT), 6: Style(number_format=AMOUNT)}
    for r in rows:
        sheet.append(_table_row(r), columns=formats)
    sheet.append([])
    for label, value in _footer(rows, digest):
        sheet.append([label, value], columns={0: BOLD})
    book.save(path)


def export_transfers(db, sid: str, out_dir) -> list[TransferFile]:
    """Write one ``.xlsx`` and one ``.csv`` per bank into ``out_dir``; returns what was written."""
    session = payouts.get_session(db, sid)
    if session["status"] != "locked":
        raise UserError("Chỉ xuất danh sách chuyển khoản của đợt chi đã khóa danh sách và chưa đóng")
    grouped = transfer_rows(db, sid)
    if not grouped:
        raise UserError("Không còn dòng chuyển khoản nào chờ chi trong đợt này")
    commune = settings.commune(db)
    out_dir = Path(out_dir)
    written = []
    for bin_code, rows in grouped.items():
        digest = checksum(rows)
        stem = f"chuyen-khoan_{session['period']}_{_slug(session['name'])}_{_slug(bank_name(bin_code))}"
        xlsx, csv_path = out_dir / f"{stem}.xlsx", out_dir / f"{stem}.csv"
        _write_xlsx(xlsx, rows, digest, session, commune, bin_code)
        _write_csv(csv_path, rows, digest)
        written.append(TransferFile(bin_code, bank_name(bin_code), len(rows), sum(r.amount for r in rows),
                                    digest, xlsx, csv_path))
    return written


def summary_text(files: list[TransferFile]) -> list[str]:
    """One plain line per bank file (CLI and GUI status)."""
    return [f"{f.bank_name}: {f.count} giao dịch, {format_vnd(f.amount)}, SHA-256 {f.checksum[:16]}… → "
            f"{f.xlsx.name}, {f.csv.name}" for f in files]
