"""Cashless payment files: the transfer list for each bank out, the bank's result file in.

Out: for a locked session, every pending line paid by transfer, grouped by bank (NAPAS BIN),
as one ``.xlsx`` and one ``.csv`` per bank. Each file ends with its control totals (number of
transfers, sum in đồng) and a SHA-256 checksum of the canonical transfer data (see
:func:`checksum`), so the bank and the treasury can see the list was not altered. Files are
written atomically.

In: the bank's result file (``.xlsx`` or ``.csv``) with at least the columns account number,
amount and status (ok / returned, in Vietnamese or English), and optionally a reason. Each row
is matched to a line of the session by account number **and** amount; "ok" marks the line
paid by transfer, "returned" marks the transfer returned (then
:func:`commune_payout.payouts.fallback_to_cash` turns it into a cash payment in one action).
Rows that match nothing are reported, never guessed.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import openpyxl

from commune_payout import payouts, settings
from commune_payout.banks import BY_BIN, bank_name
from commune_payout.context import Context
from commune_payout.db import write_transaction
from commune_payout.errors import FileUnreadable, UserError
from commune_payout.money import amount_in_words_sentence, format_vnd, parse_vnd
from commune_payout.sheet_writer import AMOUNT, BOLD, TEXT, TITLE, Style, Workbook, write_csv
from commune_payout.text import clean, fold, nfc

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


@dataclass
class ImportResult:
    """What a bank result file did: counts, and every row that could not be applied."""

    rows: int = 0
    paid: int = 0
    returned: int = 0
    already: int = 0
    unmatched: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "paid": self.paid, "returned": self.returned, "already": self.already,
                "unmatched": self.unmatched}


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
    for line in payouts.session_lines(db, sid, status="pending", channel="account"):
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


_COLUMNS = {
    "account": ("so tai khoan", "stk", "so tk", "tai khoan nhan", "account"),
    "amount": ("so tien", "amount", "gia tri"),
    "status": ("trang thai", "ket qua", "status", "result"),
    "reason": ("ly do", "ghi chu", "reason", "note", "mo ta"),
}
_OK = {"ok", "thanh cong", "success", "successful", "da chuyen", "da chi", "done", "completed"}
_RETURNED = {"returned", "tra lai", "bi tra lai", "that bai", "failed", "fail", "loi", "khong thanh cong",
             "rejected", "tu choi"}


def _read_table(path: Path) -> list[list]:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
            finally:
                wb.close()
        if suffix in (".csv", ".txt"):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = raw.decode("cp1258")
            # Title lines above the header defeat csv.Sniffer; the most frequent separator wins.
            head = "\n".join(text.splitlines()[:30])
            delimiter = max(",;\t", key=head.count)
            return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except (OSError, ValueError, KeyError, openpyxl.utils.exceptions.InvalidFileException) as exc:
        raise FileUnreadable(f"Không đọc được tệp kết quả {path.name}: {exc}") from exc
    raise FileUnreadable(f"Tệp kết quả phải là .xlsx hoặc .csv: {path.name}")


def _header_map(table: list[list]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(table[:30]):
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            key = fold(cell)
            for name, aliases in _COLUMNS.items():
                if name not in found and any(key == a or key.startswith(a + " ") or key.startswith(a + "(")
                                             for a in aliases):
                    found[name] = col
        if {"account", "amount", "status"} <= set(found):
            return index, found
    raise FileUnreadable("Tệp kết quả không có đủ các cột Số tài khoản, Số tiền và Trạng thái")


def _account_key(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\D", "", str(value or "")).lstrip("0")


def read_results(path) -> list[dict]:
    """The transaction rows of a bank result file: ``row`` (1-based in the file), ``account``,
    ``amount`` (int or ``None`` if unreadable), ``status`` (``ok``, ``returned`` or the raw text)
    and ``reason``. Rows without an account number (titles, totals, footers) are left out."""
    path = Path(path)
    table = _read_table(path)
    start, cols = _header_map(table)
    out = []
    for index, row in enumerate(table[start + 1:], start=start + 2):
        def cell(name):
            col = cols.get(name)
            return row[col] if col is not None and col < len(row) else None

        account = _account_key(cell("account"))
        if not account:
            continue
        try:
            amount = parse_vnd(cell("amount"))
        except ValueError:
            amount = None
        status_text = fold(cell("status"))
        status = "ok" if status_text in _OK else "returned" if status_text in _RETURNED else clean(cell("status"))
        out.append({"row": index, "account": account, "amount": amount, "status": status,
                    "reason": clean(cell("reason"))})
    return out


def import_results(ctx: Context, sid: str, path, dry_run: bool = False) -> ImportResult:
    """Apply a bank result file to a locked session in one transaction (or only report, with
    ``dry_run``). Importing the same file twice changes nothing the second time."""
    rows = read_results(path)
    result = ImportResult(rows=len(rows))
    with write_transaction(ctx.db):
        session = payouts.get_session(ctx.db, sid)
        if session["status"] != "locked":
            raise UserError("Chỉ nhập kết quả chuyển khoản cho đợt chi đã khóa danh sách và chưa đóng")
        by_key: dict[tuple[str, int], list[dict]] = {}
        for line in payouts.session_lines(ctx.db, sid):
            if line["account_number"]:
                by_key.setdefault((_account_key(line["account_number"]), line["total"]), []).append(line)
        used: set[str] = set()
        for row in rows:
            problem = None
            if row["amount"] is None:
                problem = "Số tiền không đọc được"
            elif row["status"] not in ("ok", "returned"):
                problem = f"Trạng thái “{row['status']}” không rõ (cần: thành công / trả lại)"
            candidates = [] if problem else [
                line for line in by_key.get((row["account"], row["amount"]), []) if line["id"] not in used]
            if not problem and not candidates:
                problem = "Không có người hưởng nào khớp số tài khoản và số tiền"
            if problem:
                result.unmatched.append({**row, "message": problem})
                continue
            problem = _apply_row(ctx, row, candidates, used, result, dry_run)
            if problem:
                result.unmatched.append({**row, "message": problem})
    return result


def _apply_row(ctx: Context, row: dict, candidates: list[dict], used: set, result: ImportResult,
               dry_run: bool) -> str | None:
    """Apply one matched row to the best candidate line; returns a problem message or ``None``."""
    want_paid = row["status"] == "ok"
    # A line already in the state the bank reports is a repeat of an earlier import.
    for line in candidates:
        if (want_paid and line["status"] == "paid" and line["paid_channel"] == "account") or \
                (not want_paid and line["status"] == "returned"):
            used.add(line["id"])
            result.already += 1
            return None
    pending = [line for line in candidates if line["status"] == "pending" and line["channel"] == "account"]
    if not pending:
        line = candidates[0]
        return (f"Dòng của {line['full_name']} đang “{payouts.LINE_STATUSES[line['status']]}”"
                f" ({payouts.CHANNELS[line['channel']].lower()}); không ghi theo tệp ngân hàng")
    line = pending[0]
    used.add(line["id"])
    if want_paid:
        if not dry_run:
            payouts.pay_line(ctx, line["id"], channel="account")
        result.paid += 1
    else:
        if not dry_run:
            payouts.mark_returned(ctx, line["id"], row["reason"] or "Ngân hàng trả lại")
        result.returned += 1
    return None


def summary_text(files: list[TransferFile]) -> list[str]:
    """One plain line per bank file (CLI and GUI status)."""
    return [f"{f.bank_name}: {f.count} giao dịch, {format_vnd(f.amount)}, SHA-256 {f.checksum[:16]}… → "
            f"{f.xlsx.name}, {f.csv.name}" for f in files]
