"""Interpreting the rows of one sheet: person, group heading, total, signature block.

Every row with content ends in exactly one outcome, and rows that are not people are told
apart by their shape, never by one word:

- **a person**: a name in the name column and something a person has: an ID, a birth date or
  year, a gender, an account, a phone, a recognised group, a village, an amount or a number in
  the STT column. So Tống Thị Hoa of Thôn Đông is a person, whatever her surname folds to;
- **a total or subtotal**: "Cộng", "Tổng cộng"… followed by nothing, a number or a group's
  name ("Cộng thôn Hạ", "Tổng số: 120"), and none of a person's data;
- **a signature block**: signature words ("Người lập biểu", "ngày … tháng … năm") in a row
  without a person's data. It goes on over the rows without a person's data below it (the
  signers' names) and ends at the first row that has one, which is read as a person;
- **a group heading**: a village or group name alone ("I. THÔN HẠ", "Người khuyết tật nặng"),
  which applies to the people below it.

A row that is none of these (a name alone, data without a name) is reported with a problem,
never dropped in silence. The group columns are read by :mod:`.groups`, the status column by
:mod:`commune_payout.status_text`.
"""

import re
from functools import lru_cache

from commune_payout import register
from commune_payout.banks import find_bank
from commune_payout.decisions.reference import Reference, find_references
from commune_payout.ids import parse_id
from commune_payout.importer import groups
from commune_payout.importer.cells import (POINT_ZERO, digits_of, excel_rounded, is_number, parse_account,
                                           parse_birth, parse_gender, parse_phone, shown, title_case, village_of,
                                           whole_number)
from commune_payout.importer.model import ERROR, FIELD_LABELS, WARNING, ImportResult, ParsedRow, SheetLayout
from commune_payout.programs import load_base_levels, recognise
from commune_payout.sheets import Row, Sheet
from commune_payout.status_text import parse_status, undated_from
from commune_payout.text import fold

# Why a row is not a person, as the report shows it.
TITLE = "phần đầu văn bản, trên dòng tiêu đề cột"
HEADER = "dòng tiêu đề cột"
HEADER_AGAIN = "dòng tiêu đề cột lặp lại"
COLUMN_NUMBERS = "dòng đánh số cột (1), (2), (3)…"
TOTAL = "dòng tổng cộng"
SUBTOTAL = "dòng cộng của một nhóm"
SIGNATURE = "khối chữ ký"
VILLAGE_HEADING = "dòng tên thôn/xóm"
GROUP_HEADING = "dòng tên diện đối tượng"
HEADING = "dòng tên nhóm"
NUMBER_ONLY = "dòng chỉ có số thứ tự, không có người"
NO_HEADER = "trang không có dòng tiêu đề cột"

MAX_NAME_CHARS = 100
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_GROUP_PREFIX = re.compile(r"^(?:[IVXLCDM]+|[A-Za-z]|\d{1,3})\s*[.)\-:/]?\s+")
# A total's label on the folded text: the total word, then nothing, a number, a numeral or a
# group's name ("Cộng thôn Hạ", "Tổng số: 120"). "Tống Thị Hoa" and "Công Văn Bình" are not.
_TOTAL_WORD = re.compile(r"^(?:tong cong|tong so|tong|cong don|cong|luy ke)\b\s*[:.\-]?\s*")
_TOTAL_REST = re.compile(
    r"(?:$|\d|\(|(?:" + _ROMAN + r"|[a-z])(?:$|[\s.:)\-])|"
    r"(?:thon|xom|tdp|ap|ban|buon|khom|plei|nhom|cac|tat ca|toan (?:xa|bo|thon|danh sach)|ca xa|to dan pho|"
    r"khu pho|(?:to|khu|trang) \d|so nguoi|so doi tuong|so tien|doi tuong)\b)")
_SIGNATURE = re.compile(r"nguoi lap|ke toan|chu tich|thu truong|xac nhan|truong ban|ky,? ghi ro|ky ten|"
                        r"\bngay\b.*\bthang\b.*\bnam\b|can bo (?:ldtbxh|lap|chinh sach)|t\.?m\.? ubnd|tm\. ")
_COLUMN_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[A-Za-z])\)?$")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT_RUN = re.compile(r"\d")
# What a person has and a total, heading or signature row has not.
_PERSONAL = frozenset({"id", "birth", "gender", "account", "phone", "category", "receiver", "stt", "status"})
# A register repeats a handful of bank texts thousands of times.
_bank = lru_cache(maxsize=4096)(find_bank)


def _text(value) -> str:
    """A cell as text ("" when empty); cells arrive clean from :mod:`commune_payout.sheets`."""
    if value is None:
        return ""
    return value if isinstance(value, str) else shown(value)


# How a list says a person is paid, on the folded text, first match wins.
_CHANNEL_WORDS = (("vneid", ("an sinh", "asxh", "vneid")), ("cash_home", ("tai nha", "buu dien", "tn")),
                  ("cash_commune", ("tien mat", "tm")), ("account", ("chuyen khoan", "tai khoan", "tk", "ck")))


def _channel(text: str) -> str | None:
    """The channel a "Hình thức nhận" cell names ("TK an sinh", "Chuyển khoản", "Tiền mặt tại nhà"…)."""
    padded = f" {' '.join(fold(text).replace('/', ' ').split())} "
    return next((code for code, words in _CHANNEL_WORDS if any(f" {w} " in padded for w in words)), None)


def _digit_count(value) -> int:
    if is_number(value):
        return len(str(abs(int(value))))
    return len(_DIGIT_RUN.findall(value)) if isinstance(value, str) else 0


class SheetReader:
    """Classifies and parses the rows of one sheet, recording each row's outcome."""

    def __init__(self, sheet: Sheet, layout: SheetLayout, ctx, result: ImportResult):
        self.sheet, self.layout, self.result = sheet, layout, result
        self.today = ctx.clock.today()
        self.levels = load_base_levels(ctx.db)
        self.village = ""
        self.villages: set[str] = set()     # folded villages of the people read so far
        self.category_text = ""
        self.in_signatures = False
        self.references: list[tuple[int, Reference]] = []     # (row, decision) named in the title
        self.vertical = self._vertical_merges()
        self.header_name = sheet.value(layout.header_row, layout.columns["full_name"] + 1)

    def _vertical_merges(self) -> dict[int, dict[int, object]]:
        """Row → {0-based column: value} under a village or group cell merged down over its rows."""
        out: dict[int, dict[int, object]] = {}
        for min_row, min_col, max_row, _ in self.sheet.merged:
            if max_row > min_row and min_row > self.layout.last_header_row:
                value = self.sheet.value(min_row, min_col)
                for number in self.sheet.numbers_between(min_row + 1, max_row):
                    out.setdefault(number, {})[min_col - 1] = value
        return out

    def cells(self, row: Row) -> tuple:
        """The row's cells with vertically merged cells filled in."""
        merged = self.vertical.get(row.number)
        if not merged:
            return row.cells
        cells = row.cells + (None,) * (max(merged) + 1 - len(row.cells))
        return tuple(merged.get(c) if v is None else v for c, v in enumerate(cells))

    def problem(self, row: int, fld: str | None, severity: str, message: str) -> None:
        self.result.problem(self.sheet.name, row, fld, severity, message)

    def skip(self, row: int, reason: str, label: str = "") -> None:
        shown_label = label if len(label) <= 60 else label[:57] + "…"
        self.result.outcome(self.sheet.name, row, "skipped",
                            reason=f"{reason} (“{shown_label}”)" if shown_label else reason)

    def reject(self, row: int, fld: str | None, severity: str, message: str) -> None:
        self.problem(row, fld, severity, message)
        self.result.outcome(self.sheet.name, row, "rejected")

    def get(self, cells: tuple, key: str):
        c = self.layout.columns.get(key)
        return cells[c] if c is not None and c < len(cells) else None

    # -- classification ------------------------------------------------------------------

    def heading(self, row: Row) -> None:
        """Record a row at or above the header: the document's title block or the header itself.
        A title row naming a decision ("Kèm theo Quyết định số …") adds it to ``references``."""
        label = next((v for v in row.cells if isinstance(v, str)), "")
        if row.number >= self.layout.header_row:
            return self.skip(row.number, HEADER, label)
        text = " ".join(v if isinstance(v, str) else shown(v) for v in row.cells if v is not None)
        self.references += [(row.number, ref) for ref in find_references(text)]
        self.skip(row.number, TITLE, label)

    def read(self, row: Row) -> ParsedRow | None:
        """The person on this row, or ``None`` for a row that is not one (its outcome recorded)."""
        number = row.number
        cells = self.cells(row)
        filled = [v for v in cells if v is not None]
        name = self.get(cells, "full_name")
        name = name if isinstance(name, str) and _LETTER.search(name) else ""
        label = name or next((v for v in filled if isinstance(v, str)), "")
        if len(filled) >= 3 and all(_COLUMN_NUMBER.match(_text(v)) for v in filled):
            return self.skip(number, COLUMN_NUMBERS)
        if name and name == self.header_name:
            self.in_signatures = False
            return self.skip(number, HEADER_AGAIN, name)
        signs = self._signs(row.cells, cells)
        personal = bool(signs & _PERSONAL)
        folded = fold(label)
        total = self._total(folded, row.cells, signs)
        if total:
            return self.skip(number, total, label)
        if not personal and "amount" not in signs and _SIGNATURE.search(fold(" ".join(_text(v) for v in filled))):
            self.in_signatures = True
            return self.skip(number, SIGNATURE, label)
        heading = self._heading(label) if label else None
        if name:
            evidence = personal or bool(signs & {"amount", "coefficient"}) or (
                "village" in signs and (not self.in_signatures or self._known_village(row.cells)))
            if heading and heading[0] in (VILLAGE_HEADING, GROUP_HEADING) and signs <= {"stt"}:
                evidence = False    # "1. Thôn Đông": a numbered village heading, not a person
            if evidence:
                self.in_signatures = False
                return self._person(number, cells, name)
            if self.in_signatures:
                return self.skip(number, SIGNATURE, label)
            if heading:
                return self._apply_heading(number, heading, label)
            return self.reject(number, None, WARNING,
                               f"Dòng chỉ có chữ “{shown(label)}”, không có số liệu của người hưởng: chưa nhập. "
                               "Nếu đây là một người, hãy bổ sung ngày sinh, số định danh…")
        if self.in_signatures and not personal:
            return self.skip(number, SIGNATURE, label)
        if signs == {"stt"} and len(filled) == 1:
            return self.skip(number, NUMBER_ONLY)
        if heading and not personal:
            return self._apply_heading(number, heading, label)
        if not label and not personal and signs <= {"amount", "coefficient"}:
            return self.skip(number, SUBTOTAL, " ".join(_text(v) for v in filled))
        return self.reject(number, "full_name", ERROR, "Thiếu họ và tên: dòng này không nhập được")

    def _signs(self, raw: tuple, cells: tuple) -> set[str]:
        """Which of a person's data the row holds, judged by shape (a full parse comes later).

        ``raw`` is the row as read: a village merged down over its group is not a sign of the
        subtotal under it, ``cells`` the row with merged cells filled in."""
        signs = set()
        get = self.get
        if _digit_count(get(cells, "id_number")) >= 8:
            signs.add("id")
        if any(_birth_like(get(cells, k)) for k in ("birth_date", "birth_male", "birth_female")):
            signs.add("birth")
        if parse_gender(get(cells, "gender"))[0] or any(
                isinstance(v, str) and len(v) <= 3 for v in (get(cells, "gender_male"), get(cells, "gender_female"))):
            signs.add("gender")
        if max(_digit_count(get(cells, "account_number")), _digit_count(get(cells, "vneid_account"))) >= 6:
            signs.add("account")
        if _digit_count(get(cells, "phone")) >= 8:
            signs.add("phone")
        if _digit_count(get(cells, "receiver_id_number")) >= 8:
            signs.add("receiver")
        category = get(cells, "category")
        if isinstance(category, str) and recognise(category):
            signs.add("category")
        if _status_like(get(cells, "status")):
            signs.add("status")
        stt = get(cells, "stt")
        stt = int(stt) if isinstance(stt, str) and stt.isascii() and stt.isdigit() and len(stt) <= 6 else whole_number(stt)
        if stt is not None and 0 < stt <= 1_000_000:
            signs.add("stt")
        if groups.read_amount(get(cells, "amount"))[0]:
            signs.add("amount")
        if groups.read_coefficient(get(cells, "coefficient"))[0]:
            signs.add("coefficient")
        if isinstance(get(raw, "village"), str):
            signs.add("village")
        return signs

    def _known_village(self, raw: tuple) -> bool:
        """Whether the village cell names a village (a word like "Thôn", or one people above
        live in), not a signer's name or title written in that column."""
        village = self.get(raw, "village")
        return isinstance(village, str) and (village_of(village) is not None or fold(village) in self.villages)

    def _total(self, folded: str, raw: tuple, signs: set[str]) -> str | None:
        """TOTAL or SUBTOTAL for a row labelled like one and holding none of a person's data
        (the group a subtotal names in its label may also stand in the group column)."""
        word = _TOTAL_WORD.match(folded)
        if not word:
            return None
        rest = folded[word.end():]
        names_group = bool(rest) and (recognise(rest) is not None or village_of(rest) is not None)
        if not (names_group or _TOTAL_REST.match(rest)) or signs & _PERSONAL - ({"category"} if names_group else set()):
            return None
        village = self.get(raw, "village")
        if isinstance(village, str) and fold(village) not in folded:
            return None     # a village of its own: Tống Văn X of Thôn Đông is a person
        return TOTAL if folded.startswith("tong") else SUBTOTAL

    @staticmethod
    def _heading(label: str) -> tuple[str, str] | None:
        text = _GROUP_PREFIX.sub("", label)
        village = village_of(text)
        if village:
            return VILLAGE_HEADING, village
        if recognise(text):
            return GROUP_HEADING, text
        if _GROUP_PREFIX.match(label) or label.isupper():
            return HEADING, text
        return None

    def _apply_heading(self, number: int, heading: tuple[str, str], label: str) -> None:
        kind, value = heading
        if kind == VILLAGE_HEADING:
            self.village = value
        elif kind == GROUP_HEADING:
            self.category_text = value
        self.skip(number, kind, label)

    # -- a person ------------------------------------------------------------------------

    def _person(self, row: int, cells: tuple, name: str) -> ParsedRow | None:
        if len(name) > MAX_NAME_CHARS:
            return self.reject(row, "full_name", ERROR,
                               f"Họ và tên dài {len(name)} ký tự, không phải tên một người: dòng này không nhập được")
        self.result.names[(self.sheet.name, row)] = name
        data: dict = {"full_name": name}
        self._birth_gender(row, cells, data)
        self._ids(row, cells, data)
        village = _text(self.get(cells, "village"))
        address = _text(self.get(cells, "address"))
        if address:
            data["address"] = address
            if not village and "village" not in self.layout.columns:
                village = village_of(address.split(",")[0]) or ""
        village = title_case(village) if village.isupper() else village or self.village
        if village:
            data["village"] = village
            self.villages.add(fold(village))
        self._account(row, cells, data)
        for key in ("account_holder", "receiver_name", "notes"):
            value = _text(self.get(cells, key))
            if value:
                data[key] = value
        phone, problem = parse_phone(self._digits(row, cells, "phone"))
        if problem:
            self.problem(row, "phone", WARNING, problem)
        if phone:
            data["phone"] = phone
        self._status(row, cells, data)
        found = self._memberships(row, cells, data)
        return ParsedRow(self.sheet.name, row, data, found)

    def _digits(self, row: int, cells: tuple, key: str):
        """A digits field, Unicode digits made ASCII with a warning."""
        value, converted = digits_of(self.get(cells, key))
        if converted:
            self.problem(row, key, WARNING,
                         f"{FIELD_LABELS[key]} “{shown(self.get(cells, key))}” được gõ bằng chữ số đặc biệt (chữ số "
                         f"toàn khổ…): đã đổi thành chữ số thường “{shown(value)}”, hãy kiểm tra lại")
        return value

    def _birth_gender(self, row: int, cells: tuple, data: dict) -> None:
        raw, gender = self.get(cells, "birth_date"), None
        male, female = self.get(cells, "birth_male"), self.get(cells, "birth_female")
        if not {"birth_date", "birth_male", "birth_female"} & self.layout.columns.keys():
            # Plain "Nam" | "Nữ" columns without a birth column hold the birth date or year, not an x.
            male, female = (v if v is not None and not parse_birth(v, self.today)[2] else None
                            for v in (self.get(cells, "gender_male"), self.get(cells, "gender_female")))
        if raw is None and (male is not None or female is not None):
            raw, gender = (male, "M") if male is not None else (female, "F")
        birth_date, birth_year, problem = parse_birth(raw, self.today)
        if problem:
            self.problem(row, "birth_date", ERROR, problem + ": chưa lưu ngày sinh")
        if birth_date:
            data["birth_date"] = birth_date
        elif birth_year:
            data["birth_year"] = birth_year
        if gender is None:
            gender, problem = parse_gender(self.get(cells, "gender"))
            if problem:
                self.problem(row, "gender", WARNING, problem)
        if gender is None:
            marked_m, marked_f = (self.get(cells, k) is not None for k in ("gender_male", "gender_female"))
            if marked_m and marked_f:
                self.problem(row, "gender", WARNING, "Đánh dấu cả Nam và Nữ: chưa lưu giới tính")
            elif marked_m or marked_f:
                gender = "M" if marked_m else "F"
        if gender:
            data["gender"] = gender

    def _ids(self, row: int, cells: tuple, data: dict) -> None:
        for key, tail in (("id_number", ": chưa lưu số định danh"), ("receiver_id_number", " (người nhận thay): chưa lưu")):
            raw = self._digits(row, cells, key)
            if isinstance(raw, str) and POINT_ZERO.fullmatch(raw):
                raw = int(POINT_ZERO.fullmatch(raw)[1])   # parse_id would read the ".0" as digits
            if raw is not None and not isinstance(raw, str) and (whole_number(raw) is None or raw < 0):
                self.problem(row, key, ERROR, f"Số định danh “{shown(raw)}” không hợp lệ{tail}")
                continue
            parsed = parse_id(raw)
            found = parsed.value or parsed.old_cmnd
            if parsed.problem or (found and not found.isascii()):
                self.problem(row, key, ERROR, f"{parsed.problem or 'Số định danh có ký tự không phải chữ số'}{tail}")
            elif key == "receiver_id_number":
                if found:
                    data[key] = found
            else:
                if parsed.value:
                    data["id_number"] = parsed.value
                if parsed.old_cmnd:
                    data["old_id_number"] = parsed.old_cmnd

    def _account(self, row: int, cells: tuple, data: dict) -> None:
        raw = self._digits(row, cells, "account_number")
        account, problem = parse_account(raw)
        if problem:
            self.problem(row, "account_number", *problem)
        if account is None and raw is not None:
            self.result.unsaved_accounts += 1
            if excel_rounded(raw):
                # The person has an account; only its number must be typed again. They are not
                # someone to persuade to open one (docs/domain.md).
                data["account_status"] = "has_account"
        linked, problem = parse_account(self._digits(row, cells, "vneid_account"))
        if problem:
            self.problem(row, "vneid_account", *problem)
        if linked:
            # NQ 418/NQ-CP: the account linked in VNeID is paid first (docs/domain.md)
            if account and account != linked:
                self.problem(row, "account_number", WARNING, f"Có cả tài khoản {account} và tài khoản an sinh xã "
                             f"hội (VNeID) {linked}: giữ tài khoản an sinh xã hội để chi trả")
            account = linked
            data["channel"] = "vneid"
        channel_text = _text(self.get(cells, "channel"))
        if channel_text and not linked:
            channel = _channel(channel_text)
            if channel is None:
                self.problem(row, "channel", WARNING, f"Không nhận ra hình thức nhận “{shown(channel_text)}”")
            elif channel in register.TRANSFER_CHANNELS and not account:
                self.problem(row, "channel", WARNING, f"Hình thức nhận “{shown(channel_text)}” nhưng chưa có số tài "
                             "khoản: chi tiền mặt tại xã cho đến khi ghi số tài khoản")
            else:
                data["channel"] = channel
        bank_text = self.get(cells, "bank_bin")
        if bank_text is not None:
            bank = _bank(_text(bank_text))
            if bank:
                data["bank_bin"] = bank.bin
            else:
                self.problem(row, "bank_bin", WARNING, f"Không nhận ra ngân hàng “{shown(bank_text)}”"
                             + (": đã lưu số tài khoản, cần chọn ngân hàng" if account else ""))
        elif account:
            self.problem(row, "bank_bin", WARNING, "Có số tài khoản nhưng chưa ghi ngân hàng")
        if account:
            data["account_number"] = account

    def _memberships(self, row: int, cells: tuple, data: dict) -> tuple[dict, ...]:
        amount, amount_problem = groups.read_amount(self.get(cells, "amount"))
        coefficient, coefficient_problem = groups.read_coefficient(self.get(cells, "coefficient"))
        rate, rate_problem = groups.read_whole(self.get(cells, "injury_rate"), "injury_rate", 1, 100,
                                               "Tỷ lệ suy giảm khả năng lao động", percent=True)
        children, children_problem = groups.read_whole(self.get(cells, "children"), "children", 1, 30, "Số con")
        text = _text(self.get(cells, "category")) or self.category_text
        found, problems = groups.memberships(text, amount, coefficient, rate, children, data, self.today,
                                             self.levels)
        for fld, severity, message in filter(None, (amount_problem, coefficient_problem, rate_problem,
                                                    children_problem, *problems)):
            self.problem(row, fld, severity, message)
        return found

    def _death_in_notes(self, row: int, cells: tuple) -> None:
        """A death written in the notes is not applied (notes speak of others too), but never passed over."""
        notes = _text(self.get(cells, "notes"))
        try:
            reading = parse_status(notes)
        except ValueError:
            return
        if reading is not None and reading.status == "deceased":
            self.problem(row, "notes", WARNING, f"Ghi chú “{shown(notes)}” có vẻ báo người này đã mất: chưa đổi trạng "
                                                "thái; nếu đúng, hãy ghi vào cột Trạng thái hoặc sửa trong hồ sơ")

    def _status(self, row: int, cells: tuple, data: dict) -> None:
        """The status column: a death, suspension or end with its date (``status_text``)."""
        try:
            reading = parse_status(self.get(cells, "status"))
        except ValueError as exc:
            self.problem(row, "status", ERROR, f"{exc}: chưa đổi trạng thái")
            return
        if reading is None:
            self._death_in_notes(row, cells)
            return
        if reading.problem:
            self.problem(row, "status", WARNING, reading.problem.capitalize())
        if reading.date is None and reading.status != "active":
            since = undated_from(reading.status, self.today)
            self.problem(row, "status", WARNING,
                         f"“{reading.text}” không ghi ngày: nếu trạng thái này mới, sẽ ghi từ {since:%d/%m/%Y}"
                         + (f" (không chi từ tháng {self.today:%m/%Y})" if reading.status == "deceased" else "")
                         + "; hãy sửa ngày thật trong hồ sơ")
        data["status"] = reading.status
        if reading.date is not None:
            data["status_date"] = reading.date.isoformat()
        if reading.status != "active" and not fold(reading.text).startswith(fold(register.STATUSES[reading.status])):
            data["status_reason"] = reading.text      # words that say more than the status ("Chuyển đi nơi khác")


def _status_like(value) -> bool:
    """Whether a status cell states a status (not a signer's title written in that column)."""
    if value is None:
        return False
    try:
        return parse_status(value) is not None
    except ValueError:
        return False


def _birth_like(value) -> bool:
    if value is None or isinstance(value, bool):
        return False
    if isinstance(value, str):
        return _digit_count(value) >= 4
    return True
