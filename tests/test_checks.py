import datetime as dt

from openpyxl import load_workbook

from commune_payout import checks, decisions, register

TODAY = dt.date(2026, 1, 15)
# People made here have no decision; these tests are about their data (test_decisions.py has the rest).
DECISION_CODES = {"no_decision", "changed_without_decision"}


def codes_for(problems, bid, decision_codes=False):
    return {p.code for p in problems if p.beneficiary_id == bid and (decision_codes or p.code not in DECISION_CODES)}


def test_clean_person_has_no_problem(ctx):
    bid = register.create(ctx, {"full_name": "Lê Văn Bình", "birth_date": "04/06/1950", "gender": "M",
                                "id_number": "035050585658", "village": "Thôn Đông", "bank_bin": "970405",
                                "account_number": "7407188181741", "account_holder": "LE VAN BINH"},
                          [{"category": "nct_ngheo_60_80", "coefficient": 1.5}])
    assert codes_for(checks.run_checks(ctx.db, TODAY), bid, decision_codes=True) == {"no_decision"}
    recorded = decisions.create_decision(ctx, decisions.DecisionSpec(
        dt.date(2025, 3, 10), "2025-03", number=41, recorded=True),
        items=[{"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_60_80"}])
    decisions.apply_decision(ctx, recorded)
    assert codes_for(checks.run_checks(ctx.db, TODAY), bid, decision_codes=True) == set()


def test_missing_and_malformed_ids(ctx):
    missing = register.create(ctx, {"full_name": "Không Có Số", "birth_year": 1950, "village": "Thôn Đông"})
    bad_province = register.create(ctx, {"full_name": "Sai Tỉnh", "birth_year": 1950, "gender": "M",
                                         "id_number": "003050585658", "village": "Thôn Đông"})
    bad_year = register.create(ctx, {"full_name": "Sai Năm", "birth_year": 1951, "gender": "M",
                                     "id_number": "035050585658", "village": "Thôn Đông"})
    bad_gender = register.create(ctx, {"full_name": "Sai Giới", "birth_year": 1950, "gender": "F",
                                       "id_number": "035050585659", "village": "Thôn Đông"})
    bad_century = register.create(ctx, {"full_name": "Sai Thế Kỷ", "birth_year": 1950,
                                        "id_number": "035850585658", "village": "Thôn Đông"})
    problems = checks.run_checks(ctx.db, TODAY)
    assert "missing_id" in codes_for(problems, missing)
    assert codes_for(problems, bad_province) == {"id_province"}
    assert codes_for(problems, bad_year) == {"id_birth_year"}
    assert codes_for(problems, bad_gender) == {"id_gender"}
    assert "malformed_id" in codes_for(problems, bad_century)


def test_same_id_on_two_people(ctx):
    a = register.create(ctx, {"full_name": "Người A", "birth_year": 1950, "id_number": "035050585658",
                              "gender": "M", "village": "Thôn Đông"})
    b = register.create(ctx, {"full_name": "Người B", "birth_year": 1950, "id_number": "035050585658",
                              "gender": "M", "village": "Thôn Đoài"})
    problems = checks.run_checks(ctx.db, TODAY)
    assert "duplicate_id" in codes_for(problems, a) and "duplicate_id" in codes_for(problems, b)


def test_probable_duplicate_same_folded_name_year_village(ctx):
    a = register.create(ctx, {"full_name": "Đỗ Thanh Thảo", "birth_year": 1945, "village": "Thôn Đoài"})
    b = register.create(ctx, {"full_name": "ĐỖ THANH THẢO", "birth_year": 1945, "village": "thôn đoài"})
    other_village = register.create(ctx, {"full_name": "Đỗ Thanh Thảo", "birth_year": 1945, "village": "Xóm Mới"})
    problems = checks.run_checks(ctx.db, TODAY)
    assert "probable_duplicate" in codes_for(problems, a)
    assert "probable_duplicate" in codes_for(problems, b)
    assert "probable_duplicate" not in codes_for(problems, other_village)


def test_namesakes_with_different_ids_are_not_duplicates(ctx):
    a = register.create(ctx, {"full_name": "Hoàng Thị Mai", "birth_year": 1960, "gender": "F",
                              "id_number": "033160269171", "village": "Thôn Thượng"})
    register.create(ctx, {"full_name": "Hoàng Thị Mai", "birth_year": 1960, "gender": "F",
                          "id_number": "040160383944", "village": "Thôn Thượng"})
    assert "probable_duplicate" not in codes_for(checks.run_checks(ctx.db, TODAY), a)


def test_incomplete_account_and_holder_mismatch(ctx):
    no_number = register.create(ctx, {"full_name": "Thiếu Số", "birth_year": 1950, "village": "Thôn Đông",
                                      "bank_bin": "970405", "account_status": "has_account"})
    relative = register.create(ctx, {"full_name": "Bùi Thị Nga", "birth_year": 1944, "village": "Thôn Đoài",
                                     "bank_bin": "970415", "account_number": "4273167232686",
                                     "account_holder": "NGUYEN VAN NAM"})
    receiver_ok = register.create(ctx, {"full_name": "Hồ Văn Hùng", "birth_year": 1934, "village": "Thôn Hạ",
                                        "bank_bin": "999888", "account_number": "1993518190937",
                                        "account_holder": "HO THI LAN", "receiver_name": "Hồ Thị Lan",
                                        "receiver_relation": "Con"})
    folded_ok = register.create(ctx, {"full_name": "Đặng Văn Đạt", "birth_year": 1950, "village": "Thôn Hạ",
                                      "bank_bin": "970405", "account_number": "123456789",
                                      "account_holder": "DANG VAN DAT"})
    problems = checks.run_checks(ctx.db, TODAY)
    assert "account_incomplete" in codes_for(problems, no_number)
    assert "holder_mismatch" in codes_for(problems, relative)
    assert "holder_mismatch" not in codes_for(problems, receiver_ok)
    assert "holder_mismatch" not in codes_for(problems, folded_ok)


def test_amount_that_does_not_match_coefficient(ctx):
    wrong = register.create(ctx, {"full_name": "Sai Tiền", "birth_year": 1985, "village": "Thôn Đông"},
                            [{"category": "nkt_nang", "coefficient": 1.5, "amount": 700_000}])
    right = register.create(ctx, {"full_name": "Đúng Tiền", "birth_year": 1985, "village": "Thôn Đông"},
                            [{"category": "nkt_nang", "coefficient": 1.5, "amount": 750_000}])
    problems = checks.run_checks(ctx.db, TODAY)
    assert "amount_mismatch" in codes_for(problems, wrong)
    assert "amount_mismatch" not in codes_for(problems, right)
    message = next(p.message for p in problems if p.code == "amount_mismatch")
    assert "700.000" in message and "750.000" in message


def test_deceased_people_are_not_checked(ctx):
    bid = register.create(ctx, {"full_name": "Đã Mất", "birth_year": 1930, "status": "deceased",
                                "status_date": "2025-12-01"})
    assert codes_for(checks.run_checks(ctx.db, TODAY), bid) == set()


def test_report_for_the_police(ctx, tmp_path):
    register.create(ctx, {"full_name": "Không Có Số", "birth_date": "05/03/1950", "village": "Thôn Đông"})
    problems = checks.run_checks(ctx.db, TODAY)
    out = tmp_path / "ra_soat.xlsx"
    checks.write_report(ctx.db, problems, out, TODAY)
    ws = load_workbook(out).active
    assert ws["A1"].value == "UBND XÃ AN BÌNH"
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=6)]
    assert values[0][1] == "Không Có Số" and values[0][2] == "05/03/1950"
    assert values[0][5] == checks.GROUP_LABELS["missing_id"]
    assert checks.summary(problems) == [("missing_id", "Thiếu số định danh", 1),
                                        ("no_decision", "Đang hưởng nhưng chưa có quyết định", 1)]
    assert len(values) == 1           # the commune's own paperwork is not the police's business


def test_coefficient_that_does_not_fit_the_age(ctx):
    elderly = register.create(ctx, {"full_name": "Đỗ Thanh Thảo", "birth_date": "04/04/1945",
                                    "village": "Thôn Đoài"}, [{"category": "nkt_nang", "coefficient": 1.5}])
    adult = register.create(ctx, {"full_name": "Đào Đình Tiến", "birth_date": "20/04/1980",
                                  "village": "Thôn Đoài"}, [{"category": "nkt_nang", "coefficient": 1.5}])
    toddler = register.create(ctx, {"full_name": "Lê Diệu Huệ", "birth_date": "11/06/2022",
                                    "village": "Thôn Trung"}, [{"category": "tre_mo_coi", "coefficient": 1.5}])
    problems = checks.run_checks(ctx.db, TODAY)
    assert "coefficient_age" in codes_for(problems, elderly)
    assert "coefficient_age" not in codes_for(problems, adult)
    assert "coefficient_age" in codes_for(problems, toddler)
    message = next(p.message for p in problems if p.beneficiary_id == elderly and p.code == "coefficient_age")
    assert "80 tuổi" in message and "2" in message and "1,5" in message


def test_age_outside_the_group(ctx):
    young = register.create(ctx, {"full_name": "Ngô Quang Phúc", "birth_year": 1974, "village": "Thôn Thượng"},
                            [{"category": "nct_ngheo_60_80", "coefficient": 1.5}])
    fits = register.create(ctx, {"full_name": "Lê Kim Liên", "birth_date": "05/01/1948", "village": "Xóm Mới"},
                           [{"category": "nct_ngheo_60_80", "coefficient": 1.5}])
    problems = checks.run_checks(ctx.db, TODAY)
    assert "category_age" in codes_for(problems, young)
    assert "category_age" not in codes_for(problems, fits)
    message = next(p.message for p in problems if p.code == "category_age")
    assert "52 tuổi" in message and "từ 60 tuổi trở lên" in message


def test_hiv_never_appears_in_check_messages_or_the_police_report(ctx, tmp_path):
    register.create(ctx, {"full_name": "Trẻ Cần Bảo Vệ", "birth_date": "01/02/2016", "village": "Thôn Đông"},
                    [{"category": "tre_hiv", "coefficient": 1.5, "amount": 700_000}])
    problems = checks.run_checks(ctx.db, TODAY)
    assert {"coefficient_age", "amount_mismatch"} <= {p.code for p in problems}
    assert not any("HIV" in p.message for p in problems)
    out = tmp_path / "police.xlsx"
    checks.write_report(ctx.db, problems, out, TODAY)
    text = " ".join(str(c.value) for row in load_workbook(out).active.iter_rows() for c in row if c.value)
    assert "HIV" not in text and "Bảo trợ xã hội" in text
