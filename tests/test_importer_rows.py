"""Which rows are people: totals and signature blocks by their shape, never by one word; every
row with content ends in one outcome; text cleaned at the boundary; the status column."""

import datetime as dt

import pytest

from commune_payout import importer, register
from commune_payout.importer import rows

TONG_CSV = """Họ và tên,Thôn,Diện đối tượng,Số tiền
Lê Văn An,Thôn Đông,Thương binh,600000
Tống Thị Hoa,Thôn Đông,Thương binh,600000
Nguyễn Văn Bình,Thôn Đoài,Thương binh,300000
Trần Thị Cúc,Thôn Đoài,Thân nhân liệt sĩ,300000
"""
HEADER = "STT,Họ và tên,Năm sinh,Số CCCD,Thôn,Diện đối tượng,Mức hưởng"


def write(tmp_path, text, name="ds.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def outcomes(result):
    return {o.row: (o.outcome, (o.reason or "").split(" (")[0]) for o in result.outcomes}


def names(db):
    return sorted(r["full_name"] for r in register.list_beneficiaries(db))


def assert_accounted(result, rows_with_content):
    """Every row with content has exactly one outcome, and the counts add up to them."""
    assert sorted((o.sheet, o.row) for o in result.outcomes) == sorted(set((o.sheet, o.row) for o in result.outcomes))
    assert len(result.outcomes) == rows_with_content
    assert (result.imported + result.updated + result.unchanged + result.rejected + result.duplicates
            + result.skipped) == rows_with_content


def test_issue_reproduction_tong_thi_hoa_is_a_person_and_nobody_after_her_is_lost(ctx, tmp_path):
    result = importer.import_file(ctx, write(tmp_path, TONG_CSV))
    assert (result.imported, result.skipped, result.problems) == (4, 1, [])
    assert names(ctx.db) == ["Lê Văn An", "Nguyễn Văn Bình", "Trần Thị Cúc", "Tống Thị Hoa"]
    assert outcomes(result)[1] == ("skipped", rows.HEADER)
    assert_accounted(result, 5)


@pytest.mark.parametrize("name", ["Tống Thị Hoa", "Công Văn Bình", "Cộng Thị Lan", "Tổng Văn Tiến", "Tống Toàn",
                                  "Công Phương", "Tống Điền", "Cộng Hòa"])
def test_surnames_that_fold_to_total_words_are_people_with_any_one_sign(ctx, tmp_path, name):
    text = f"{HEADER}\n1,Lê Văn An,1950,,Thôn Đông,,\n,{name},,,Thôn Đông,,\n,{name} Hai,1960,,,,\n,{name} Ba,,,,,500000\n"
    result = importer.import_file(ctx, write(tmp_path, text))
    assert result.imported == 4, result.outcomes


@pytest.mark.parametrize("label,reason", [
    ("Cộng Thôn Đông", rows.SUBTOTAL), ("Cộng", rows.SUBTOTAL), ("Cộng: 12 người", rows.SUBTOTAL),
    ("Cộng (I)", rows.SUBTOTAL), ("Cộng I", rows.SUBTOTAL), ("TỔNG CỘNG", rows.TOTAL), ("Tổng số: 120", rows.TOTAL),
    ("Tổng cộng toàn xã", rows.TOTAL), ("Cộng trang 2", rows.SUBTOTAL), ("Lũy kế", rows.SUBTOTAL),
])
def test_totals_are_skipped_and_listed_with_their_reason(ctx, tmp_path, label, reason):
    text = f"{HEADER}\n1,Lê Văn An,1950,,Thôn Đông,,500000\n,{label},,,,,500000\n2,Lê Văn Ba,1951,,Thôn Đông,,500000\n"
    result = importer.import_file(ctx, write(tmp_path, text))
    assert result.imported == 2
    assert outcomes(result)[3] == ("skipped", reason)
    assert_accounted(result, 4)


def test_a_subtotal_of_a_group_with_the_group_in_its_column_is_still_a_subtotal(ctx, tmp_path):
    text = (f"{HEADER}\n1,Lê Văn An,1950,,Thôn Đông,NKT nặng,750000\n,Cộng NKT nặng,,,,NKT nặng,750000\n"
            "2,Cộng Văn Lý,1951,,Thôn Đông,NKT nặng,750000\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    assert outcomes(result)[3] == ("skipped", rows.SUBTOTAL) and result.imported == 2


def test_a_subtotal_with_its_village_in_the_village_column_is_still_a_subtotal(ctx, tmp_path):
    text = f"{HEADER}\n1,Lê Văn An,1950,,Thôn Đông,,500000\n,Cộng thôn Đông,,,Thôn Đông,,500000\n"
    result = importer.import_file(ctx, write(tmp_path, text))
    assert outcomes(result)[3] == ("skipped", rows.SUBTOTAL)


def test_a_signature_block_never_hides_a_person_below_it(ctx, tmp_path):
    text = (f"{HEADER}\n1,Lê Văn An,1950,001050012345,Thôn Đông,NKT nặng,750000\n"
            ",TỔNG CỘNG,,,,,750000\n"
            ",\"Thôn Đông, ngày 15 tháng 1 năm 2026\",,,,,\n"
            ",Người lập biểu,,,Kế toán,,Chủ tịch\n"
            ",(Ký ghi rõ họ tên),,,,,\n"
            ",Nguyễn Thị Lập,,,Lê Văn Toán,,Trần Văn Chủ\n"
            "2,Tống Văn Bổ,1960,001060012346,Thôn Đoài,NKT nặng,750000\n"
            ",Phạm Thị Sung,1955,,Thôn Đoài,,500000\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    assert names(ctx.db) == ["Lê Văn An", "Phạm Thị Sung", "Tống Văn Bổ"]
    assert [outcomes(result)[n] for n in (3, 4, 5, 6, 7)] == [
        ("skipped", rows.TOTAL), ("skipped", rows.SIGNATURE), ("skipped", rows.SIGNATURE),
        ("skipped", rows.SIGNATURE), ("skipped", rows.SIGNATURE)]
    assert_accounted(result, 9)


def test_a_remark_with_signature_words_on_a_persons_row_is_not_a_signature(ctx, tmp_path):
    text = (f"{HEADER},Ghi chú\n1,Lê Văn An,1950,,Thôn Đông,,500000,đã xác nhận ngày 2 tháng 1 năm 2026\n"
            ",Lê Thị Bé,,,Thôn Đông,,500000,chủ tịch xã ký\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    assert result.imported == 2


def test_group_headings_give_village_and_group_and_are_listed(ctx, tmp_path):
    text = (f"{HEADER}\nI,THÔN ĐÔNG,,,,,\n1,Thôn Đoài,,,,,\nA,Người khuyết tật nặng,,,,,\n"
            "1,Lê Văn An,1950,,,,\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    assert [outcomes(result)[n] for n in (2, 3, 4)] == [("skipped", rows.VILLAGE_HEADING),
                                                        ("skipped", rows.VILLAGE_HEADING),
                                                        ("skipped", rows.GROUP_HEADING)]
    person = register.get(ctx.db, register.list_beneficiaries(ctx.db)[0]["id"])
    assert (person["village"], person["memberships"][0]["category"]) == ("Thôn Đoài", "nkt_nang")


def test_rows_that_are_neither_a_person_nor_a_known_shape_are_reported(ctx, tmp_path):
    text = f"{HEADER}\n1,Lê Văn An,1950,,Thôn Đông,,\n,Lê Văn Không Rõ,,,,,\n3,,1955,025155000001,Thôn Đông,,\n4,,,,,,\n"
    result = importer.import_file(ctx, write(tmp_path, text))
    got = outcomes(result)
    assert got[3][0] == got[4][0] == "rejected" and got[5] == ("skipped", rows.NUMBER_ONLY)
    assert {3, 4} <= {p.row for p in result.problems}
    assert_accounted(result, 5)


def test_a_sheet_without_a_header_lists_every_row(ctx, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "DS"
    for row in (["STT", "Họ và tên", "Năm sinh", "Thôn"], [1, "Lê Văn An", 1950, "Thôn Đông"]):
        ws.append(row)
    other = wb.create_sheet("Tiếp")
    other.append([2, "Lê Văn Ba", 1951, "Thôn Đông"])
    other.append([3, "Lê Văn Ca", 1952, "Thôn Đông"])
    wb.save(tmp_path / "a.xlsx")
    result = importer.import_file(ctx, tmp_path / "a.xlsx")
    assert [(o.sheet, o.row, o.outcome, o.reason) for o in result.outcomes if o.sheet == "Tiếp"] == [
        ("Tiếp", 1, "skipped", rows.NO_HEADER), ("Tiếp", 2, "skipped", rows.NO_HEADER)]
    assert any("đã bỏ qua 2 dòng" in p.message for p in result.problems if p.sheet == "Tiếp")


def test_invisible_characters_are_removed_and_names_stay_nfc(ctx, tmp_path):
    text = (f"{HEADER}\n1,Ngu\u200byễn\u200f Văn\ufeff An\u202e,1950,001050012345,Thôn\u200d Đông,,\n"
            "2,Nguyễn Văn An,1950,001050012345,Thôn Đông,,\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    [person] = register.list_beneficiaries(ctx.db)
    assert (person["full_name"], person["village"]) == ("Nguyễn Văn An", "Thôn Đông")
    assert result.duplicates == 1     # the pasted row and the typed row are one person


def test_fullwidth_and_other_unicode_digits_become_ascii_with_a_warning(ctx, tmp_path):
    text = ("Họ và tên,Năm sinh,Số CCCD,Số tài khoản,Ngân hàng,Điện thoại,Thôn\n"
            "Lê Văn An,１９５０,００１０５００１２３４５,１２３４５６７８９０,Agribank,０９１２٣٤٥٦٧٨,Thôn Đông\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    [row] = register.list_beneficiaries(ctx.db)
    person = register.get(ctx.db, row["id"])
    assert (person["id_number"], person["account_number"], person["phone"], person["birth_year"]) == (
        "001050012345", "1234567890", "0912345678", 1950)
    assert {p.field for p in result.problems if "chữ số đặc biệt" in p.message} == {
        "id_number", "account_number", "phone"}
    assert all(p.severity == "warning" for p in result.problems)


def test_digits_that_are_not_decimal_are_not_an_id(ctx, tmp_path):
    result = importer.import_file(ctx, write(tmp_path, "Họ và tên,Số CCCD,Thôn,Năm sinh\nLê Văn An,²²²²²²²²²²²²,Thôn Đông,1950\n"))
    assert register.list_beneficiaries(ctx.db)[0]["id_number"] is None
    assert [p.field for p in result.problems] == ["id_number"]


@pytest.mark.parametrize("text,status", [("Đã chết 15/12/2025", "deceased"), ("Tạm dừng từ 20/12/2025", "suspended"),
                                         ("Thôi hưởng từ 01/01/2026", "ended"), ("Đang hưởng", "active")])
def test_the_status_column_is_applied(ctx, tmp_path, text, status):
    result = importer.import_file(ctx, write(tmp_path, f"Họ và tên,Năm sinh,Thôn,Trạng thái\nLê Văn An,1950,Thôn Đông,{text}\n"))
    assert result.imported == 1
    assert register.list_beneficiaries(ctx.db)[0]["status"] == status


def test_a_status_the_app_does_not_understand_is_never_silent(ctx, tmp_path):
    text = "Họ và tên,Năm sinh,Thôn,Trạng thái\nLê Văn An,1950,Thôn Đông,đi xuất khẩu lao động\n"
    result = importer.import_file(ctx, write(tmp_path, text))
    assert [(p.row, p.field, p.severity) for p in result.problems] == [(2, "status", "error")]


@pytest.mark.parametrize("value", ["1e999", "-1e999", "9.2e18", "nan", "-500000", "-500.000", "1e300", "inf"])
def test_numbers_out_of_range_are_row_problems_and_the_rest_is_imported(ctx, tmp_path, value):
    text = ("STT,Họ và tên,Năm sinh,Số CCCD,Thôn,Diện đối tượng,Hệ số,Mức hưởng,Số tài khoản,Điện thoại\n"
            f"1,Lê Văn An,{value},{value},Thôn Đông,NKT nặng,{value},{value},{value},{value}\n"
            "2,Lê Văn Ba,1950,,Thôn Đông,NKT nặng,1.5,750000,,\n")
    result = importer.import_file(ctx, write(tmp_path, text))
    assert result.imported == 2
    fields = {p.field for p in result.problems if p.row == 2}
    assert {"amount", "coefficient"} <= fields
    for m in (register.get(ctx.db, r["id"])["memberships"] for r in register.list_beneficiaries(ctx.db)):
        assert m[0]["amount"] is None or m[0]["amount"] >= 0
        assert m[0]["coefficient"] is None or 0 < m[0]["coefficient"] <= 10


@pytest.mark.parametrize("typed,stored", [("1,5", 1.5), ("2.5", 2.5), ("１,５", 1.5), ("0_5", None), ("1e0", None),
                                          ("1_0", None), ("nan", None)])
def test_a_coefficient_is_read_as_the_person_form_reads_it(ctx, tmp_path, typed, stored):
    """One reader for a typed coefficient (programs.parse_coefficient): Python's float() took
    "0_5" for 5 and "1e0" for 1 in the importer while the person form refused them."""
    text = f'Họ và tên,Năm sinh,Thôn,Diện đối tượng,Hệ số\nLê Văn An,1950,Thôn Đông,NKT nặng,"{typed}"\n'
    result = importer.import_file(ctx, write(tmp_path, text))
    assert result.imported == 1
    [person] = register.list_beneficiaries(ctx.db)
    assert register.get(ctx.db, person["id"])["memberships"][0]["coefficient"] == stored
    refused = [p for p in result.problems if p.field == "coefficient" and "không hợp lý" in p.message]
    assert bool(refused) == (stored is None)


def test_rows_without_id_or_birth_year_are_matched_again_on_reimport(ctx, tmp_path):
    path = write(tmp_path, TONG_CSV)
    importer.import_file(ctx, path)
    again = importer.import_file(ctx, path)
    assert (again.imported, again.unchanged) == (0, 4)
    assert register.count(ctx.db) == 4


def test_a_row_that_may_be_either_of_two_namesakes_is_rejected_not_guessed(ctx, tmp_path):
    importer.import_file(ctx, write(tmp_path, f"{HEADER}\n1,Lê Văn An,1950,,Thôn Đông,,\n2,Lê Văn An,1980,,Thôn Đông,,\n"))
    result = importer.import_file(ctx, write(tmp_path, f"{HEADER}\n1,Lê Văn An,,,Thôn Đông,,\n", name="b.csv"))
    assert (result.imported, result.rejected) == (0, 1)
    assert "2 người trong sổ" in result.problems[0].message
    assert register.count(ctx.db) == 2


def test_json_lists_every_row_with_its_outcome(ctx, tmp_path):
    data = importer.import_file(ctx, write(tmp_path, TONG_CSV)).to_json()
    assert [(r["row"], r["outcome"]) for r in data["rows"]] == [
        (1, "skipped"), (2, "imported"), (3, "imported"), (4, "imported"), (5, "imported")]
    assert data["rows"][0]["reason"].startswith(rows.HEADER)


def test_dates_of_birth_from_excel_serials_and_text_with_unicode_digits(ctx, tmp_path):
    text = "Họ và tên,Ngày sinh,Thôn\nLê Văn An,０１/０２/１９５０,Thôn Đông\n"
    importer.import_file(ctx, write(tmp_path, text))
    assert register.list_beneficiaries(ctx.db)[0]["birth_date"] == dt.date(1950, 2, 1).isoformat()
