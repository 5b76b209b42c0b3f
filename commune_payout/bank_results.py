"""The bank's result file of a transfer list: which transfers were paid and which came back.

The file (``.xlsx`` or ``.csv``, as the bank sends it or our own transfer list with a status
column added) is read through :mod:`commune_payout.sheets`: its limits, bombs refused, only the
cells that exist, text clean. Every sheet whose first rows hold a header with the columns account
number, amount and status (Vietnamese or English; a reason column is optional) is read; rows
after the header that are not transactions (totals, signatures, a repeated header) are listed
with why, never dropped silently.

Each row is matched to a transfer line of the session by account number **and** amount,
exactly: an account typed as a number (Excel drops its leading zeros) or as text that matches no
account as written matches the account with its zeros. "ok" marks the line paid by transfer,
"returned" marks the transfer returned (then :func:`commune_payout.payouts.fallback_to_cash`
turns it into a cash payment in one action). A row that matches nobody, matches several people,
repeats a row already applied or contradicts another row about the same line is reported and
not applied: nobody is ever marked paid on a guess.
"""

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from commune_payout import payouts, sheets
from commune_payout.context import Context
from commune_payout.db import write_transaction
from commune_payout.errors import FileUnreadable, UserError
from commune_payout.importer.cells import digits_of, parse_account, shown
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.text import clean, fold

# Header words of a bank's result file, folded. A column is recognised when its header is one of
# these or begins with one ("Số tiền (VND)"), unless it holds one of the words of _NOT: the
# account is the beneficiary's, not the payer's; the amount is the transfer, not a fee or words.
_COLUMNS = {
    "account": ("so tai khoan", "tai khoan", "stk", "so tk", "account", "beneficiary account"),
    "amount": ("so tien", "amount", "gia tri"),
    "status": ("trang thai", "ket qua", "status", "result"),
    "reason": ("ly do", "ghi chu", "reason", "note", "mo ta"),
}
_NOT = {
    "account": ("trich no", "nguon", "chuyen di", "debit", "source"),
    "amount": ("bang chu", "phi", "fee", "in words"),
}
_OK = {"ok", "thanh cong", "success", "successful", "da chuyen", "da chi", "done", "completed", "da ghi co"}
_RETURNED = {"returned", "tra lai", "bi tra lai", "that bai", "failed", "fail", "loi", "khong thanh cong",
             "rejected", "tu choi", "bi tu choi"}
_TOTAL_WORDS = ("tong", "cong", "total", "sum")    # a row without account or status saying one of these
HEADER_ROWS = 30           # the header is looked for in the first rows with content of each sheet
REASON_CHARS = 300


@dataclass(frozen=True)
class BankRow:
    """One transaction row of a bank's result file, read but not yet matched.

    ``account`` is its digits as written; ``loose`` when Excel may have dropped its leading zeros:
    the cell was a number, or text that does not begin with 0 (a CSV saved again by Excel). Text
    beginning with 0 is the account as written. ``problem`` says why the row cannot be applied.
    """

    sheet: str
    row: int
    account: str
    loose: bool
    amount: int | None
    status: str              # "ok", "returned" or the status as written
    reason: str
    problem: str = ""

    def as_dict(self, message: str = "") -> dict:
        return {"sheet": self.sheet, "row": self.row, "account": self.account, "amount": self.amount,
                "status": self.status, "reason": self.reason, "message": message or self.problem}


@dataclass(frozen=True)
class BankFile:
    """What a result file holds: its transaction rows, and every other row after a header with why
    it is not a transaction (totals, signatures, a repeated header, a sheet without the columns)."""

    rows: tuple[BankRow, ...]
    not_read: tuple[dict, ...]


@dataclass
class BankResult:
    """What a bank result file did to a session: counts, every row that could not be applied and
    every row that is not a transaction, each with its reason."""

    rows: int = 0
    paid: int = 0
    returned: int = 0
    already: int = 0
    unmatched: list[dict] = field(default_factory=list)
    not_read: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"rows": self.rows, "paid": self.paid, "returned": self.returned, "already": self.already,
                "unmatched": self.unmatched, "not_read": self.not_read}


def where(row: dict) -> str:
    """Where a reported row is in the file, as the officer finds it in Excel: "Dòng 7", or
    "Trang KQ, dòng 7" in a workbook of several sheets."""
    if row["row"] is None:
        return f"Trang {row['sheet']}"
    return f"Trang {row['sheet']}, dòng {row['row']}" if row["sheet"] else f"Dòng {row['row']}"


def _column_of(header: str) -> str | None:
    key = fold(header) if isinstance(header, str) else ""
    for name, aliases in _COLUMNS.items():
        if any(key == a or key.startswith((a + " ", a + "(")) for a in aliases):
            return None if any(f" {w}" in f" {key}" for w in _NOT.get(name, ())) else name
    return None


def _header(cells: tuple) -> dict[str, int] | None:
    """The columns of a header row (0-based), or None when the row is not the header."""
    found: dict[str, list[int]] = {}
    for col, cell in enumerate(cells):
        name = _column_of(cell)
        if name:
            found.setdefault(name, []).append(col)
    if not {"account", "amount", "status"} <= set(found):
        return None
    for name in ("account", "amount", "status"):
        if len(found[name]) > 1:
            shown_cols = " và ".join(f"“{cells[c]}”" for c in found[name])
            raise FileUnreadable(f"Tệp kết quả có hai cột cùng có thể là {_LABELS[name]}: {shown_cols}. Hãy "
                                 "xóa hoặc đổi tên một cột rồi nhập lại.")
    return {name: cols[0] for name, cols in found.items()}


_LABELS = {"account": "Số tài khoản", "amount": "Số tiền", "status": "Trạng thái", "reason": "Lý do"}


def _account(value) -> tuple[str, bool, str]:
    """(digits, loose, problem) of an account cell, by the importer's rules (an account Excel has
    rounded is never read); ``loose`` as in :class:`BankRow`."""
    account, problem = parse_account(digits_of(value)[0])
    if account is None:
        return "", False, problem[1] if problem else ""
    return account, problem is not None or not account.startswith("0"), ""


def _status(value) -> str:
    key = " ".join(re.findall(r"[a-z0-9]+", fold(value))) if isinstance(value, str) else ""
    return "ok" if key in _OK else "returned" if key in _RETURNED else clean(shown(value)) if value is not None else ""


def _is_total(cells: tuple) -> bool:
    return any(isinstance(c, str) and fold(c).startswith(_TOTAL_WORDS) for c in cells)


def _read_row(sheet: str, number: int, cells: tuple, cols: dict[str, int]) -> BankRow | str:
    """A transaction row, or why the row is not one."""
    def cell(name):
        col = cols.get(name)
        return cells[col] if col is not None and col < len(cells) else None

    raw_account, raw_amount, raw_status = cell("account"), cell("amount"), cell("status")
    if _header(cells) is not None:
        return "Dòng tiêu đề lặp lại"
    account, loose, problem = _account(raw_account)
    if raw_status is None and not account and (raw_amount is None or _is_total(cells)):
        # A bank's totals row has neither an account nor a status; a surname such as Tổng or
        # Công in a row with an account never makes it a total.
        return "Dòng tổng cộng" if _is_total(cells) else \
            "Không có số tài khoản và trạng thái: không phải một giao dịch"
    if not problem and not account:
        problem = "Thiếu số tài khoản"
    try:
        amount = parse_vnd(raw_amount)
    except ValueError:
        amount = None
        problem = problem or f"Số tiền “{shown(raw_amount)}” không đọc được"
    if not problem and amount is None:
        problem = "Thiếu số tiền"
    elif not problem and amount <= 0:
        problem = f"Số tiền {format_vnd(amount)} không hợp lệ"
    status = _status(raw_status)
    if not problem and status not in ("ok", "returned"):
        problem = (f"Trạng thái “{status}” không rõ (cần: thành công / trả lại)" if status
                   else "Thiếu trạng thái (cần: thành công / trả lại)")
    reason = clean(shown(cell("reason"))) if cell("reason") is not None else ""
    return BankRow(sheet, number, account, loose, amount, status, reason[:REASON_CHARS], problem)


def read_results(path) -> BankFile:
    """The rows of a bank result file (.xlsx or .csv), read through :mod:`commune_payout.sheets`
    (its limits, bombs refused, clean text). Every sheet whose first rows hold a header with the
    columns account number, amount and status is read; a file where none does is refused."""
    path = Path(path)
    rows: list[BankRow] = []
    not_read: list[dict] = []
    found = False
    read = sheets.read_sheets(path)
    for sheet in read:
        name = sheet.name if len(read) > 1 else ""
        header = next(((i, cols) for i, r in enumerate(sheet.rows[:HEADER_ROWS])
                       if (cols := _header(r.cells)) is not None), None)
        if header is None:
            if sheet.rows:
                not_read.append({"sheet": name, "row": None, "reason": "Trang không có bảng kết quả (cột "
                                 "Số tài khoản, Số tiền, Trạng thái)"})
            continue
        found = True
        start, cols = header
        damaged = {(number, column - 1): why for number, column, why in sheet.damaged}
        for r in sheet.rows[start + 1:]:
            row = _read_row(name, r.number, r.cells, cols)
            hurt = next((why for col in cols.values() if (why := damaged.get((r.number, col)))), None)
            if hurt and isinstance(row, BankRow):
                row = replace(row, problem=f"Một ô của dòng này hỏng ({hurt})")
            if isinstance(row, str):
                not_read.append({"sheet": name, "row": r.number, "reason": row})
            else:
                rows.append(row)
    if not found:
        raise FileUnreadable(f"Tệp kết quả {path.name} không có đủ các cột Số tài khoản, Số tiền và Trạng thái")
    return BankFile(tuple(rows), tuple(not_read))


def import_results(ctx: Context, sid: str, path, dry_run: bool = False) -> BankResult:
    """Apply a bank result file to a locked session in one transaction (or only report, with
    ``dry_run``). Importing the same file twice changes nothing the second time.

    A row is matched to the session's transfer lines by account number **and** amount, exactly;
    an account that may have lost leading zeros (see :class:`BankRow`) matches every account
    equal to it without them. Rows that match nobody, more than one person, or the same line as
    another row with another status are reported and not applied.
    """
    read = read_results(path)
    result = BankResult(rows=len(read.rows), not_read=list(read.not_read))
    with write_transaction(ctx.db):
        session = payouts.get_session(ctx.db, sid)
        if session["status"] != "locked":
            raise UserError("Chỉ nhập kết quả chuyển khoản cho đợt chi đã khóa danh sách và chưa đóng")
        exact: dict[tuple[str, int], list[dict]] = {}
        loose: dict[tuple[str, int], list[dict]] = {}
        for line in payouts.session_lines(ctx.db, sid):
            digits = re.sub(r"\D", "", line["account_number"] or "")
            if digits:
                exact.setdefault((digits, line["total"]), []).append(line)
                loose.setdefault((digits.lstrip("0"), line["total"]), []).append(line)
        groups: dict[tuple[str, ...], tuple[list[dict], list[BankRow]]] = {}
        for row in read.rows:
            if row.problem:
                result.unmatched.append(row.as_dict())
                continue
            candidates = loose.get((row.account.lstrip("0"), row.amount), []) if row.loose else \
                exact.get((row.account, row.amount), [])
            if not candidates:
                result.unmatched.append(row.as_dict("Không có người hưởng nào khớp số tài khoản và số tiền"))
                continue
            groups.setdefault(tuple(line["id"] for line in candidates), (candidates, []))[1].append(row)
        for candidates, rows in groups.values():
            problem = _ambiguity(candidates, rows)
            if problem:
                result.unmatched += [row.as_dict(problem) for row in rows]
                continue
            used: dict[str, int] = {}
            for row in rows:
                problem = _apply_row(ctx, row, candidates, used, result, dry_run)
                if problem:
                    result.unmatched.append(row.as_dict(problem))
    result.unmatched.sort(key=lambda u: (u["sheet"], u["row"]))
    return result


def _ambiguity(candidates: list[dict], rows: list[BankRow]) -> str:
    """Why rows sharing these candidate lines cannot be told apart, or ``""``.

    Lines of several people fit when they share one account (a couple's) or when a row lost its
    leading zeros and two accounts differ only by them. Only the shared account is resolved: when
    the bank reports as many rows as there are lines, all with one status, every line gets it.
    """
    accounts = {line["account_number"] for line in candidates}
    people = {line["beneficiary_id"] for line in candidates}
    statuses = {row.status for row in rows}
    if len(accounts) > 1 or (len(people) > 1 and (len(statuses) > 1 or len(rows) < len(candidates))):
        names = ", ".join(sorted({line["full_name"] for line in candidates}))
        return (f"Số tài khoản và số tiền khớp {len(people)} người ({names}): không rõ là ai, không ghi. Hãy đối "
                "chiếu với ngân hàng và ghi tay")
    if len(statuses) > 1 and len(rows) > len(candidates):
        others = ", ".join(str(row.row) for row in rows)
        return (f"Các dòng {others} cùng số tài khoản, số tiền mà trạng thái khác nhau: không ghi. Hãy hỏi lại "
                "ngân hàng")
    return ""


def _apply_row(ctx: Context, row: BankRow, candidates: list[dict], used: dict[str, int], result: BankResult,
               dry_run: bool) -> str | None:
    """Apply one matched row to the first candidate line no earlier row took; returns a problem
    message or ``None``."""
    free = [line for line in candidates if line["id"] not in used]
    if not free:
        return f"Trùng với dòng {used[candidates[0]['id']]}: người này đã được ghi theo dòng đó"
    want_paid = row.status == "ok"
    # A line already in the state the bank reports is a repeat of an earlier import.
    for line in free:
        if (want_paid and line["status"] == "paid" and line["paid_channel"] in payouts.TRANSFER_CHANNELS) or \
                (not want_paid and line["status"] == "returned"):
            used[line["id"]] = row.row
            result.already += 1
            return None
    pending = [line for line in free
               if line["status"] == "pending" and line["channel"] in payouts.TRANSFER_CHANNELS]
    if not pending:
        line = free[0]
        return (f"Dòng của {line['full_name']} đang “{payouts.LINE_STATUSES[line['status']]}”"
                f" ({payouts.CHANNELS[line['channel']].lower()}); không ghi theo tệp ngân hàng")
    line = pending[0]
    used[line["id"]] = row.row
    if want_paid:
        if not dry_run:
            payouts.pay_line(ctx, line["id"], channel=line["channel"])
        result.paid += 1
    else:
        if not dry_run:
            payouts.mark_returned(ctx, line["id"], row.reason or "Ngân hàng trả lại")
        result.returned += 1
    return None
