"""Benchmark: import a realistic 10,000-row register (.xlsx) into a fresh database.

The generated file has the quirks of the officers' files: title and national-motto block,
merged cells, the "(1) (2) (3)" row, village group rows, subtotals, a total, a signature
block; IDs typed as numbers, dates as Excel dates, dd/mm/yyyy text or a bare year, NFD and
badly spaced names, amounts as text, and the decision it follows under its title (its people
are traced to it as the import's last step). Its people are as a careful commune keeps them (each
group's ages, the coefficient and amount of the rules on the day it runs, real province codes
in the IDs), so the import reports about 1 % of rows: amounts left from the old base level.
Target (issue 2): under 3 s; ``bench/run_all.py`` times the whole ``import`` command.

    /work/venv/bin/python bench/bench_import.py [--rows N]
"""

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commune_payout import importer, settings  # noqa: E402
from commune_payout.context import Context  # noqa: E402
from commune_payout.db import open_db  # noqa: E402
from commune_payout.ids import PROVINCE_CODES  # noqa: E402
from commune_payout.programs import recognise  # noqa: E402
from commune_payout.sheets import read_sheets  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Đào", "Đinh"]
MIDDLE = {"M": ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Đình", "Xuân"],
          "F": ["Thị", "Thu", "Kim", "Diệu", "Ngọc", "Thanh", "Minh"]}
GIVEN = {"M": ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Khánh", "Long", "Nam", "Phúc", "Sơn", "Tiến"],
         "F": ["Hà", "Hạnh", "Hoa", "Hương", "Lan", "Liên", "Mai", "Nga", "Ngọc", "Phương", "Thảo", "Trang", "Yến"]}
VILLAGES = ["Thôn Đông", "Thôn Đoài", "Thôn Thượng", "Thôn Trung", "Thôn Hạ", "Xóm Mới", "Xóm Bãi", "Tổ dân phố 1"]
# The group as the register words it, and the ages its people have (the group's own age range).
GROUPS = [("NCT từ 80 tuổi không có lương hưu", 80, 100), ("NKT đặc biệt nặng", 5, 90), ("NKT nặng", 5, 90),
          ("Trẻ em mồ côi", 1, 15), ("Đơn thân nghèo nuôi con", 22, 50), ("NCT nghèo từ 60-80 tuổi", 60, 79)]
BASE_LEVEL = 500_000
OLD_BASE_LEVEL = 360_000    # before 7/2024: a few rows still carry amounts of that level
STALE_SHARE = 0.01
BANKS = ["Agribank", "Vietcombank", "VietinBank", "BIDV", "NHCSXH", None, None]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]


# What data cleaning finds in a register that has ``problems``: one of these on every n-th row.
PROBLEMS = ("missing_id", "unknown_group", "account_incomplete", "category_age")


# The title line of a list attached to the decision it follows; its people are traced to it.
DECISION = "(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026)"


def generate(path: Path, rows: int, seed: int = 7, today: dt.date | None = None, problems: int = 0,
             decision: str | None = DECISION) -> None:
    """A register as a careful commune keeps it: each group's people within its ages, the
    coefficient and amount of the rules for their age on ``today`` (a few amounts left from the
    base level before 7/2024, which the import warns about), IDs with real province codes, and
    the decision it follows under its title (``decision``; ``None``: a list that names none).
    ``problems`` rows, spread evenly, have one of :data:`PROBLEMS` for data cleaning to find."""
    rnd = random.Random(seed)
    every = rows // problems if problems else 0
    today = today or dt.date.today()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DS doi tuong"
    ws.append(["UBND XÃ AN BÌNH", None, None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    ws.append([None, None, None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    ws.append([])
    ws.append(["DANH SÁCH ĐỐI TƯỢNG BẢO TRỢ XÃ HỘI HƯỞNG TRỢ CẤP HÀNG THÁNG"])
    ws.append([decision])
    for rng in ("A1:D1", "F1:L1", "F2:L2", "A4:L4", "A5:L5"):
        ws.merge_cells(rng)
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Xóm", "Diện đối tượng", "Hệ số",
               "Mức hưởng (đồng)", "Số tài khoản", "Ngân hàng", "Ghi chú"])
    ws.append([f"({i})" for i in range(1, 13)])
    per_village = -(-rows // len(VILLAGES))
    n = 0
    for v_index, village in enumerate(VILLAGES):
        ws.append([ROMAN[v_index], village.upper()])
        ws.merge_cells(start_row=ws.max_row, start_column=2, end_row=ws.max_row, end_column=12)
        subtotal = 0
        for _ in range(min(per_village, rows - n)):
            n += 1
            gender = rnd.choice("MF")
            name = f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE[gender])} {rnd.choice(GIVEN[gender])}"
            quirk = rnd.random()
            if quirk < 0.1:
                name = unicodedata.normalize("NFD", name)
            elif quirk < 0.15:
                name = "  " + name.replace(" ", "  ") + " "
            wording, youngest, oldest = rnd.choice(GROUPS)
            problem = PROBLEMS[(n // every) % len(PROBLEMS)] if every and n % every == 0 else None
            if problem == "category_age":
                wording, youngest, oldest = "Trẻ em mồ côi", 30, 60
            age = rnd.randint(youngest, oldest)
            born = today - dt.timedelta(days=age * 365 + age // 4 + rnd.randrange(30, 330))
            birth = rnd.choice([born, born.strftime("%d/%m/%Y"), born.year, born])
            century = (born.year // 100 - 19) * 2 + (0 if gender == "M" else 1)
            province = "025" if rnd.random() < 0.85 else rnd.choice(sorted(PROVINCE_CODES))
            cccd = f"{province}{century}{born.year % 100:02d}{n:06d}"
            cccd_cell = None if problem == "missing_id" else int(cccd) if rnd.random() < 0.35 else cccd
            group = recognise(wording).category
            coefficient = group.coefficient_at(age)
            amount = int(coefficient * (OLD_BASE_LEVEL if rnd.random() < STALE_SHARE else BASE_LEVEL))
            subtotal += amount
            amount_cell = f"{amount:,}".replace(",", ".") if rnd.random() < 0.2 else amount
            bank = rnd.choice(BANKS[:5]) if problem == "account_incomplete" else rnd.choice(BANKS)
            account = f"{rnd.randrange(10**11, 10**14)}" if bank else None
            if problem == "account_incomplete":
                bank, account = None, account
            if problem == "unknown_group":
                wording = "Diện khác"
            ws.append([n, name, birth, "Nam" if gender == "M" else "Nữ", cccd_cell, village, wording, coefficient,
                       amount_cell, account, bank, None])
        ws.append([None, f"Cộng {village}", None, None, None, None, None, None, subtotal])
    ws.append([None, "TỔNG CỘNG"])
    ws.append([])
    ws.append([None, "Người lập biểu", None, None, None, None, None, None, "CHỦ TỊCH"])
    ws.append([None, "Nguyễn Thị Lập", None, None, None, None, None, None, "Trần Văn Chủ"])
    for (cell,) in ws.iter_rows(min_col=3, max_col=3):
        if isinstance(cell.value, dt.date):
            cell.number_format = "dd/mm/yyyy"
    wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = tmp / "register.xlsx"
        generate(source, args.rows)
        t0 = time.perf_counter()
        read_sheets(source)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        openpyxl.load_workbook(source, data_only=True)
        t_normal = time.perf_counter() - t0
        db = open_db(tmp / "bench.sqlite")
        settings.init_commune(db, "05425")
        ctx = Context(db, user="bench")
        t0 = time.perf_counter()
        dry = importer.import_file(ctx, source, dry_run=True)
        t_dry = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = importer.import_file(ctx, source)
        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = importer.import_file(ctx, source)
        t_again = time.perf_counter() - t0
        db.close()
    print(f"rows: {args.rows}  imported: {result.imported}  skipped: {result.skipped}  "
          f"problems: {len(result.problems)}  (dry run imported {dry.imported}; re-import unchanged {again.unchanged})")
    print(f"read sheets (commune_payout.sheets, streaming): {t_read:.2f} s  "
          f"(normal-mode load alone: {t_normal:.2f} s)")
    print(f"dry run: {t_dry:.2f} s")
    print(f"import into a fresh database: {t_import:.2f} s  (target < 3 s)")
    print(f"re-import, all unchanged: {t_again:.2f} s")


if __name__ == "__main__":
    main()
