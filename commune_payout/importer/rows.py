"""Interpreting the rows of one sheet below its header: person, group heading, total, signature.

:class:`SheetReader` turns each row into a :class:`~commune_payout.importer.model.ParsedRow`
or records why it is not a person; the group columns are read by
:mod:`commune_payout.importer.groups`.
"""

import re
from functools import lru_cache

from commune_payout import register
from commune_payout.banks import find_bank
from commune_payout.ids import parse_id
from commune_payout.importer import groups
from commune_payout.importer.cells import (POINT_ZERO, parse_account, parse_birth, parse_gender, parse_phone,
                                           present, shown, title_case, village_of)
from commune_payout.importer.model import ERROR, WARNING, ImportResult, ParsedRow, SheetLayout
from commune_payout.programs import load_base_levels, recognise
from commune_payout.sheets import Sheet
from commune_payout.status_text import parse_status, undated_from
from commune_payout.text import clean, fold

_GROUP_PREFIX = re.compile(r"^(?:[IVXLCDM]+|[A-Za-z]|\d{1,3})\s*[.)\-:/]?\s+")
_TOTAL = re.compile(r"^(?:tong cong|tong so|tong|cong)\b")
_SIGNATURE = re.compile(r"nguoi lap|ke toan|chu tich|thu truong|xac nhan|truong ban|ky,? ghi ro|ky ten|"
                        r"\bngay\b.*\bthang\b.*\bnam\b|can bo (?:ldtbxh|lap|chinh sach)|t\.?m\.? ubnd|tm\. ")
_COLUMN_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[A-Za-z])\)?$")
# A register repeats a handful of bank texts thousands of times.
_bank = lru_cache(maxsize=4096)(find_bank)


class SheetReader:
    """Classifies and parses the rows of one sheet below its header."""

    def __init__(self, sheet: Sheet, layout: SheetLayout, ctx, result: ImportResult):
        self.sheet, self.layout, self.result = sheet, layout, result
        self.today = ctx.clock.today()
        self.levels = load_base_levels(ctx.db)
        self.village = ""
        self.category_text = ""
        self.in_signatures = False
        self.vertical = self._vertical_merges()

    def _vertical_merges(self) -> dict[tuple[int, int], object]:
        """(row, column) → value for cells under a village or group cell merged down over its rows."""
        out = {}
        for min_row, min_col, max_row, _ in self.sheet.merged:
            if max_row > min_row and min_row > self.layout.last_header_row:
                value = self.sheet.rows[min_row - 1][min_col - 1]
                for r in range(min_row, max_row):
                    out[(r + 1, min_col - 1)] = value
        return out

    def cells(self, row: int) -> list:
        """Row ``row`` (1-based) with vertically merged cells filled in."""
        cells = self.sheet.rows[row - 1]
        if not self.vertical:
            return cells
        return [self.vertical.get((row, c), v) if v is None else v for c, v in enumerate(cells)]

    def problem(self, row: int, fld: str | None, severity: str, message: str) -> None:
        self.result.problem(self.sheet.name, row, fld, severity, message)

    def get(self, cells: list, key: str):
        c = self.layout.columns.get(key)
        return cells[c] if c is not None and c < len(cells) else None

    def read(self, row: int) -> ParsedRow | None:
        """The person on this row, or ``None`` for a row that is not one (counted or reported)."""
        cells = self.cells(row)
        filled = [v for v in cells if present(v)]
        if not filled or self._is_column_numbers(filled):
            self.result.skipped += 1
            return None
        name = self.get(cells, "full_name")
        stt = self.get(cells, "stt")
        numbered = isinstance(stt, (int, float)) and not isinstance(stt, bool)
        if numbered and len(filled) == 1:   # a numbered but empty line of a template
            self.result.skipped += 1
            return None
        has_core = any(present(self.get(cells, k)) for k in
                       ("id_number", "birth_date", "birth_male", "birth_female"))
        if not has_core and not numbered:
            label = clean(name) if isinstance(name, str) else ""
            if not label:
                label = next((clean(v) for v in filled if isinstance(v, str)), "")
            folded = fold(label)
            if _TOTAL.match(folded):
                if folded.startswith("tong"):
                    self.in_signatures = True
                self.result.skipped += 1
                return None
            if _SIGNATURE.search(fold(" ".join(str(v) for v in filled))):
                self.in_signatures = True
            if self.in_signatures:
                self.result.skipped += 1
                return None
            data_keys = ("account_number", "amount", "coefficient", "category", "gender", "gender_male",
                         "gender_female", "village", "phone", "status", "injury_rate")
            if not any(present(self.get(cells, k)) for k in data_keys):
                self._group_row(row, label)
                self.result.skipped += 1
                return None
        elif self.in_signatures and not present(name):
            self.result.skipped += 1
            return None
        return self._person(row, cells)

    @staticmethod
    def _is_column_numbers(filled: list) -> bool:
        return len(filled) >= 3 and all(_COLUMN_NUMBER.match(shown(v)) for v in filled)

    def _group_row(self, row: int, label: str) -> None:
        text = _GROUP_PREFIX.sub("", label)
        village = village_of(text)
        if village:
            self.village = village
            return
        if recognise(text):
            self.category_text = text
            return
        if not _GROUP_PREFIX.match(label) and not label.isupper():
            self.problem(row, None, WARNING,
                         f"Dòng chỉ có chữ “{label}”, không có số liệu của người hưởng: đã bỏ qua. "
                         "Nếu đây là một người, hãy bổ sung ngày sinh, số định danh…")

    def _person(self, row: int, cells: list) -> ParsedRow | None:
        data: dict = {}
        name = clean(self.get(cells, "full_name"))
        if not name:
            self.problem(row, "full_name", ERROR, "Thiếu họ và tên: dòng này không nhập được")
            self.result.outcome(self.sheet.name, row, "rejected")
            return None
        data["full_name"] = name
        self._birth_gender(row, cells, data)
        self._ids(row, cells, data)
        village = clean(self.get(cells, "village"))
        address = clean(self.get(cells, "address"))
        if address:
            data["address"] = address
            if not village and "village" not in self.layout.columns:
                village = village_of(address.split(",")[0]) or ""
        village = title_case(village) if village.isupper() else village or self.village
        if village:
            data["village"] = village
        self._account(row, cells, data)
        for key in ("account_holder", "receiver_name", "notes"):
            value = clean(self.get(cells, key))
            if value:
                data[key] = value
        if present(self.get(cells, "phone")):
            data["phone"] = parse_phone(self.get(cells, "phone"))
        self._status(row, cells, data)
        found = self._memberships(row, cells, data)
        return ParsedRow(self.sheet.name, row, data, found)

    def _birth_gender(self, row: int, cells: list, data: dict) -> None:
        raw, gender = self.get(cells, "birth_date"), None
        male, female = self.get(cells, "birth_male"), self.get(cells, "birth_female")
        if not {"birth_date", "birth_male", "birth_female"} & self.layout.columns.keys():
            # Plain "Nam" | "Nữ" columns without a birth column hold the birth date or year, not an x.
            male, female = (v if present(v) and not parse_birth(v, self.today)[2] else None
                            for v in (self.get(cells, "gender_male"), self.get(cells, "gender_female")))
        if not present(raw) and (present(male) or present(female)):
            raw, gender = (male, "M") if present(male) else (female, "F")
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
            marked_m, marked_f = (present(self.get(cells, k)) for k in ("gender_male", "gender_female"))
            if marked_m and marked_f:
                self.problem(row, "gender", WARNING, "Đánh dấu cả Nam và Nữ: chưa lưu giới tính")
            elif marked_m or marked_f:
                gender = "M" if marked_m else "F"
        if gender:
            data["gender"] = gender

    def _ids(self, row: int, cells: list, data: dict) -> None:
        raw = self.get(cells, "id_number")
        if isinstance(raw, str) and POINT_ZERO.fullmatch(raw.strip()):
            raw = int(POINT_ZERO.fullmatch(raw.strip())[1])   # parse_id would read the ".0" as digits
        parsed = parse_id(raw)
        if parsed.problem:
            self.problem(row, "id_number", ERROR, parsed.problem + ": chưa lưu số định danh")
        if parsed.value:
            data["id_number"] = parsed.value
        if parsed.old_cmnd:
            data["old_id_number"] = parsed.old_cmnd
        receiver = parse_id(self.get(cells, "receiver_id_number"))
        if receiver.problem:
            self.problem(row, "receiver_id_number", ERROR, receiver.problem + " (người nhận thay): chưa lưu")
        if receiver.value or receiver.old_cmnd:
            data["receiver_id_number"] = receiver.value or receiver.old_cmnd

    def _account(self, row: int, cells: list, data: dict) -> None:
        account, problem = parse_account(self.get(cells, "account_number"))
        if problem:
            self.problem(row, "account_number", *problem)
        bank_text = self.get(cells, "bank_bin")
        if present(bank_text):
            bank = _bank(shown(bank_text))
            if bank:
                data["bank_bin"] = bank.bin
            else:
                self.problem(row, "bank_bin", WARNING, f"Không nhận ra ngân hàng “{shown(bank_text)}”"
                             + (": đã lưu số tài khoản, cần chọn ngân hàng" if account else ""))
        elif account:
            self.problem(row, "bank_bin", WARNING, "Có số tài khoản nhưng chưa ghi ngân hàng")
        if account:
            data["account_number"] = account

    def _memberships(self, row: int, cells: list, data: dict) -> tuple[dict, ...]:
        amount, amount_problem = groups.read_amount(self.get(cells, "amount"))
        coefficient, coefficient_problem = groups.read_coefficient(self.get(cells, "coefficient"))
        rate, rate_problem = groups.read_whole(self.get(cells, "injury_rate"), "injury_rate", 1, 100,
                                               "Tỷ lệ suy giảm khả năng lao động")
        children, children_problem = groups.read_whole(self.get(cells, "children"), "children", 1, 30, "Số con")
        raw = self.get(cells, "category")
        text = (str(raw) if present(raw) else "") or self.category_text
        found, problems = groups.memberships(text, amount, coefficient, rate, children, data, self.today,
                                             self.levels)
        for fld, severity, message in filter(None, (amount_problem, coefficient_problem, rate_problem,
                                                    children_problem, *problems)):
            self.problem(row, fld, severity, message)
        return found

    def _death_in_notes(self, row: int, cells: list) -> None:
        """A death written in the notes is not applied (notes speak of others too), but never passed over."""
        notes = clean(self.get(cells, "notes"))
        try:
            reading = parse_status(notes)
        except ValueError:
            return
        if reading is not None and reading.status == "deceased":
            self.problem(row, "notes", WARNING, f"Ghi chú “{notes}” có vẻ báo người này đã mất: chưa đổi trạng thái; "
                                                "nếu đúng, hãy ghi vào cột Trạng thái hoặc sửa trong hồ sơ")

    def _status(self, row: int, cells: list, data: dict) -> None:
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
