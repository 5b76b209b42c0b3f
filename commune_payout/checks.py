"""Data-cleaning checks ("rà soát, làm sạch dữ liệu") run before the police and the bank see the data.

:func:`run_checks` returns every problem it finds, never stopping at the first, so the commune
police can go through the whole list in one visit. Ended and deceased people are not checked.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from commune_payout import decisions, settings
from commune_payout.ids import id_problems
from commune_payout.money import format_vnd
from commune_payout.programs import (BY_CODE, UNRECOGNISED, age_in_month, coefficient_text, entitlement,
                                     load_base_levels, public_label)
from commune_payout.register import FIELD_LABELS, TRANSFER_CHANNELS
from commune_payout.sheet_writer import BOLD, TEXT, TITLE, Style, Workbook
from commune_payout.text import fold

GROUP_LABELS = {
    "missing_id": "Thiếu số định danh",
    "malformed_id": "Số định danh sai định dạng",
    "id_province": "Mã tỉnh trong số định danh không tồn tại",
    "id_birth_year": "Năm sinh không khớp số định danh",
    "id_gender": "Giới tính không khớp số định danh",
    "duplicate_id": "Một số định danh dùng cho nhiều người",
    "probable_duplicate": "Có thể trùng người (cùng tên, năm sinh, thôn)",
    "missing_birth": "Thiếu ngày/năm sinh",
    "missing_village": "Thiếu thôn/xóm (nơi thường trú)",
    "account_incomplete": "Thông tin tài khoản chưa đủ",
    "holder_mismatch": "Tên chủ tài khoản không khớp người hưởng hay người nhận thay",
    "unknown_group": "Diện hưởng chưa xác định",
    "amount_mismatch": "Mức hưởng không khớp hệ số × mức chuẩn",
    "coefficient_age": "Hệ số không đúng với diện và tuổi",
    "category_age": "Tuổi không hợp với diện hưởng",
    "no_decision": "Đang hưởng nhưng chưa có quyết định",
    "changed_without_decision": "Mức hưởng thay đổi không theo quyết định",
}
SEVERITY = {"error": "Lỗi", "warning": "Cần xem lại"}
# The commune's own paperwork, which the police's list leaves out.
OFFICE_ONLY = ("no_decision", "changed_without_decision")


@dataclass(frozen=True)
class CheckProblem:
    """One problem of one person; or, with ``batch``, of the people of one import that no
    decision backs (``no_decision``), one entry for all of them (``beneficiary_id`` empty,
    ``full_name`` the import's label)."""

    beneficiary_id: str
    full_name: str
    field: str
    severity: str          # "error" or "warning"
    code: str              # a key of GROUP_LABELS
    message: str
    batch: decisions.ImportBatch | None = None

    @property
    def people(self) -> int:
        """How many people the problem is about."""
        return len(self.batch.people) if self.batch else 1

    def to_json(self) -> dict:
        out = asdict(self)
        if self.batch:
            out["batch"] = {"file": self.batch.file, "imported_on": self.batch.imported_on,
                            "people": list(self.batch.people)}
        return out


_COLUMNS = ("id, full_name, birth_date, birth_year, gender, id_number, village, status, channel, bank_bin, "
            "account_number, account_holder, account_status, receiver_name, name_fold, village_fold")


def _holder_matches(holder: str, *names: str) -> bool:
    folded = fold(holder)
    return any(folded == fold(n) for n in names if n)


def run_checks(db, today: dt.date) -> list[CheckProblem]:
    """Every data problem of the active and suspended people, grouped by code in GROUP_LABELS order."""
    rows = [dict(r) for r in db.query(
        f"SELECT {_COLUMNS} FROM beneficiaries WHERE status IN ('active', 'suspended') ORDER BY name_sort")]
    out: list[CheckProblem] = []

    def add(row, field, severity, code, message):
        out.append(CheckProblem(row["id"], row["full_name"], field, severity, code, message))

    id_count: dict[str, int] = {}
    dup_key: dict[tuple, list[dict]] = {}
    for row in rows:
        if row["id_number"]:
            id_count[row["id_number"]] = id_count.get(row["id_number"], 0) + 1
        if row["birth_year"]:
            dup_key.setdefault((row["name_fold"], row["birth_year"], row["village_fold"]), []).append(row)

    for row in rows:
        number = row["id_number"]
        if not number:
            add(row, "id_number", "error", "missing_id", "Chưa có số định danh cá nhân (12 số)")
        else:
            for field, message in id_problems(number, row["birth_year"], row["gender"]):
                if message.startswith("Số định danh phải"):
                    code = "malformed_id"
                elif field == "birth_date":
                    code = "id_birth_year"
                elif field == "gender":
                    code = "id_gender"
                else:
                    code = "id_province" if message.startswith("Mã tỉnh") else "malformed_id"
                add(row, field, "error", code, message)
            if id_count.get(number, 0) > 1:
                add(row, "id_number", "error", "duplicate_id",
                    f"Số định danh {number} đang ghi cho {id_count[number]} người")
        if not row["birth_year"]:
            add(row, "birth_date", "error", "missing_birth", "Chưa có ngày sinh hoặc năm sinh")
        if not row["village"]:
            add(row, "village", "warning", "missing_village", "Chưa ghi thôn/xóm")
        group = dup_key.get((row["name_fold"], row["birth_year"], row["village_fold"]), [])
        if len(group) > 1:
            others = [g for g in group if g["id"] != row["id"]]
            if not (number and all(o["id_number"] and o["id_number"] != number for o in others)):
                add(row, "full_name", "warning", "probable_duplicate",
                    f"Có {len(group)} người cùng tên “{row['full_name']}”, sinh năm {row['birth_year']}, "
                    f"ở {row['village'] or 'cùng thôn'}")
        _account_checks(row, add)

    _unknown_groups(db, rows, add)
    _amount_checks(db, rows, today, add)
    _decision_checks(db, add, out)
    order = {code: i for i, code in enumerate(GROUP_LABELS)}
    out.sort(key=lambda p: order[p.code])
    return out


def _account_checks(row, add) -> None:
    has_some = row["bank_bin"] or row["account_number"]
    wants_account = row["account_status"] == "has_account" or row["channel"] in TRANSFER_CHANNELS
    if wants_account or has_some:
        missing = []
        if not row["bank_bin"]:
            missing.append("ngân hàng")
        if not row["account_number"]:
            missing.append("số tài khoản")
        if missing:
            add(row, "account_number" if "số tài khoản" in missing else "bank_bin", "error",
                "account_incomplete", "Thiếu " + " và ".join(missing))
    if row["account_number"] and row["account_holder"] and not _holder_matches(
            row["account_holder"], row["full_name"], row["receiver_name"]):
        hint = "" if row["receiver_name"] else " Nếu là tài khoản của người thân, hãy ghi người nhận thay."
        add(row, "account_holder", "warning", "holder_mismatch",
            f"Chủ tài khoản “{row['account_holder']}” khác tên người hưởng.{hint}")


def _unknown_groups(db, rows, add) -> None:
    """Groups an import could not recognise: they earn nothing until an officer chooses the group."""
    by_id = {r["id"]: r for r in rows}
    for bid, wording in db.execute("SELECT beneficiary_id, wording FROM memberships WHERE category = ?",
                                   [UNRECOGNISED]):
        if bid in by_id:
            add(by_id[bid], "category", "error", "unknown_group",
                f"Chưa nhận ra diện “{wording}”: hãy chọn đúng diện hưởng, nếu không người này không được tính tiền")


def _amount_checks(db, rows, today, add) -> None:
    """Social-assistance groups against the age and what a group earns on ``today``
    (:func:`commune_payout.programs.entitlement`): a group the person is too young or too old
    for, a recorded coefficient or amount that is not the rule's."""
    levels = load_base_levels(db)
    by_id = {r["id"]: r for r in rows}
    for m in db.query("SELECT beneficiary_id, category, coefficient, amount, children FROM memberships "
                      "WHERE program IN ('btxh', 'htxh')"):
        row = by_id.get(m["beneficiary_id"])
        cat = BY_CODE.get(m["category"])
        if row is None or cat is None:
            continue
        label = public_label(m["category"])
        age = age_in_month(row["birth_date"], row["birth_year"], today)
        if not cat.entitled_at(age):
            add(row, "category", "warning", "category_age",
                f"{label}: người này {age} tuổi, diện này {cat.ages_text()}")
            continue
        part = entitlement([dict(m)], row["birth_date"], row["birth_year"], today, levels).best
        if part is None:
            continue
        expected = part.coefficient / part.children if part.children else part.coefficient
        stated = m["coefficient"] / part.children if part.children and m["coefficient"] else m["coefficient"]
        if expected is not None and stated is not None and age is not None and abs(expected - stated) > 1e-9:
            add(row, "coefficient", "warning", "coefficient_age",
                f"{label}, {age} tuổi: hệ số theo quy định là {coefficient_text(part.coefficient)}, "
                f"đang ghi {coefficient_text(m['coefficient'])}")
        if m["amount"] is not None and m["amount"] != part.amount:
            add(row, "amount", "warning", "amount_mismatch",
                f"{label}: mức ghi {format_vnd(m['amount'])}, nhưng theo quy định {part.arithmetic()}")


def _decision_checks(db, add, out: list) -> None:
    """Active people no decision of the chairman backs (docs/domain.md, "Decisions"): those of one
    import in one entry, whose action is to record the decision the file followed."""
    batches, people = decisions.without_decision(db)
    for batch in batches:
        n = format_vnd(len(batch.people), unit=False)
        villages = ", ".join(f"{v or 'chưa ghi thôn'} {format_vnd(len(ids), unit=False)}"
                             for v, ids in batch.villages[:4])
        more = f", {len(batch.villages) - 4} thôn khác" if len(batch.villages) > 4 else ""
        out.append(CheckProblem(
            "", batch.label, "decision", "warning", "no_decision",
            f"{n} người chưa có căn cứ quyết định: tệp không ghi “Kèm theo Quyết định số …” ({villages}{more}). "
            "Ghi số và ngày của quyết định họ được hưởng theo", batch))
    for row in people:
        if row["code"] == "no_decision":
            add(row, "decision", "warning", "no_decision",
                "Chưa có quyết định hưởng trợ cấp nào ghi trong phần mềm: ghi quyết định đã có, hoặc lập quyết định")
        else:
            add(row, "decision", "warning", "changed_without_decision",
                f"Sửa {FIELD_LABELS.get(row['field'], row['field']).lower()} ngày "
                f"{dt.date.fromisoformat(row['changed_at'][:10]):%d/%m/%Y} không theo quyết định nào")


def for_police(problems: list[CheckProblem]) -> list[CheckProblem]:
    """The problems the commune police can help with (identity and account data)."""
    return [p for p in problems if p.code not in OFFICE_ONLY]


def summary(problems: list[CheckProblem]) -> list[tuple[str, str, int]]:
    """(code, label, count) for each group that has problems, in report order; an import's entry
    counts its people."""
    counts: dict[str, int] = {}
    for p in problems:
        counts[p.code] = counts.get(p.code, 0) + p.people
    return [(code, GROUP_LABELS[code], counts[code]) for code in GROUP_LABELS if code in counts]


def write_report(db, problems: list[CheckProblem], out_path, today: dt.date) -> None:
    """The data-cleaning list for the commune police, as .xlsx (one row per problem, grouped);
    problems of the commune's own paperwork (:data:`OFFICE_ONLY`) are left out."""
    problems = for_police(problems)
    info = settings.commune(db)
    people = {r["id"]: r for r in db.query(
        "SELECT id, birth_date, birth_year, id_number, village FROM beneficiaries")}
    book = Workbook()
    sheet = book.sheet("Rà soát dữ liệu", widths=(6, 26, 13, 16, 16, 34, 12, 60, 30), freeze="A6")
    sheet.append([f"UBND {info['name'].upper()}"], style=BOLD)
    sheet.append([f"DANH SÁCH RÀ SOÁT, LÀM SẠCH DỮ LIỆU NGƯỜI HƯỞNG CHÍNH SÁCH (ngày {today:%d/%m/%Y})"],
                 style=TITLE)
    sheet.append([f"Tổng số vấn đề: {len(problems)}"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Ngày/năm sinh", "Số định danh", "Thôn/xóm", "Nhóm vấn đề", "Mức độ",
                  "Nội dung", "Kết quả xác minh của công an"], style=Style(bold=True, fill="DDEBF7", wrap=True))
    id_text = {3: Style(number_format=TEXT)}
    for i, p in enumerate(problems, start=1):
        person = people.get(p.beneficiary_id, {})
        birth = person.get("birth_date")
        birth_text = dt.date.fromisoformat(birth).strftime("%d/%m/%Y") if birth else (person.get("birth_year") or "")
        sheet.append([i, p.full_name, birth_text, person.get("id_number") or "", person.get("village") or "",
                      GROUP_LABELS[p.code], SEVERITY[p.severity], p.message, ""], columns=id_text)
    book.save(out_path)
