"""Issue 19, one test per fault found: what a register says reaches every amount on the session's date.

Each test imports a small register the way officers send them (CSV, the file's own wordings) and
checks the session a later month pays, to the đồng. Before the fix every one of them failed.
"""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commune_payout import cashbook, checks, importer, payouts, register
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.payouts import SessionSpec

HEADER = "STT,Họ và tên,Ngày sinh,Số CCCD,Thôn,Diện đối tượng,Hệ số,Mức hưởng,Trạng thái"


def on(ctx, day: dt.date) -> Context:
    """The same database with the clock set to ``day`` (an import or a session on that day)."""
    return Context(ctx.db, clock=FixedClock(dt.datetime.combine(day, dt.time(9))), user=ctx.user)


def import_rows(ctx, tmp_path, rows, day: dt.date, name="ds.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return importer.import_file(on(ctx, day), path)


def monthly(period: str, day: int = 1, **kw) -> SessionSpec:
    year, month = map(int, period.split("-"))
    return SessionSpec(name=f"Trợ cấp tháng {month}/{year}", kind="monthly", period=period,
                       session_date=dt.date(year, month, day), **kw)


def tet(**kw) -> SessionSpec:
    return SessionSpec(name="Quà Tết Đinh Mùi 2027", kind="tet_gift", period="2027-01",
                       session_date=dt.date(2027, 1, 20), gift_high=600_000, gift_low=300_000, **kw)


def amounts(preview) -> dict[str, int]:
    return {line["full_name"]: line["total"] for line in preview.lines}


def excluded(preview) -> dict[str, str]:
    return {e["full_name"]: e["reason"] for e in preview.excluded}


# 1. A status in the file is ignored -----------------------------------------------------------

def test_1_statuses_in_the_file_stop_the_payments(ctx, tmp_path):
    result = import_rows(ctx, tmp_path, [
        "1,Lê Văn Mất,1950,001050000001,Thôn Đông,NKT nặng,2,1000000,Đã chết 15/10/2026",
        "2,Trần Thị Dừng,1950,001150000002,Thôn Đông,NKT nặng,2,1000000,Tạm dừng từ 20/11/2026",
        "3,Phạm Văn Thôi,1950,001050000003,Thôn Đông,NKT nặng,2,1000000,Thôi hưởng từ 30/11/2026",
        "4,Ngô Thị Còn,1950,001150000004,Thôn Đông,NKT nặng,2,1000000,Đang hưởng",
        "5,Đỗ Văn Lạ,1950,001050000005,Thôn Đông,NKT nặng,2,1000000,Đi vắng dài ngày",
    ], dt.date(2026, 12, 1))
    statuses = {p["full_name"]: (p["status"], p["status_date"])
                for p in register.list_beneficiaries(ctx.db)
                for p in [register.get(ctx.db, p["id"])]}
    assert statuses["Lê Văn Mất"] == ("deceased", "2026-10-15")
    assert statuses["Trần Thị Dừng"] == ("suspended", "2026-11-20")
    assert statuses["Phạm Văn Thôi"] == ("ended", "2026-11-30")
    assert statuses["Ngô Thị Còn"][0] == statuses["Đỗ Văn Lạ"][0] == "active"
    [unread] = [p for p in result.problems if p.field == "status"]
    assert unread.row == 6 and "Đi vắng dài ngày" in unread.message
    december = payouts.preview_session(ctx.db, monthly("2026-12"))
    assert amounts(december) == {"Ngô Thị Còn": 1_000_000, "Đỗ Văn Lạ": 1_000_000}
    assert excluded(december) == {"Lê Văn Mất": "Đã chết ngày 15/10/2026", "Trần Thị Dừng": "Tạm dừng từ 20/11/2026",
                                  "Phạm Văn Thôi": "Thôi hưởng từ 30/11/2026"}


def test_1_a_death_without_its_date_stops_from_the_month_of_the_import(ctx, tmp_path):
    result = import_rows(ctx, tmp_path, ["1,Lê Văn Mất,1950,001050000001,Thôn Đông,NKT nặng,2,1000000,Từ trần"],
                         dt.date(2026, 12, 10))
    person = register.get(ctx.db, register.list_beneficiaries(ctx.db)[0]["id"])
    assert (person["status"], person["status_date"]) == ("deceased", "2026-11-30")
    assert any(p.field == "status" and "không ghi ngày" in p.message for p in result.problems)
    assert payouts.preview_session(ctx.db, monthly("2026-12")).lines == []


# 2. Age is frozen at import ----------------------------------------------------------------

def test_2_age_is_taken_on_the_session_date_not_on_the_import_day(ctx, tmp_path):
    # Imported on 01/10/2026 with the coefficients right for that day…
    import_rows(ctx, tmp_path, [
        "1,Bé Tròn Bốn,15/11/2022,001222000001,Thôn Đông,Trẻ em mồ côi,\"2,5\",1250000,",
        "2,Ông Tròn Sáu Mươi,10/11/1966,001066000002,Thôn Đông,NKT nặng,\"1,5\",750000,",
        "3,Em Tròn Mười Sáu,20/11/2010,001210000003,Thôn Đông,NKT đặc biệt nặng,\"2,5\",1250000,",
        "4,Cụ Tròn Tám Mươi,05/11/1946,001046000004,Thôn Đông,NCT nghèo không người phụng dưỡng,\"1,5\",750000,",
        "5,Cụ Bảy Chín,01/05/1947,001047000005,Thôn Đông,NCT từ 80 tuổi không có lương hưu,1,500000,",
    ], dt.date(2026, 10, 1))
    # …a session two months later pays by the age then.
    december = payouts.preview_session(ctx.db, monthly("2026-12"))
    assert amounts(december) == {"Bé Tròn Bốn": 750_000,          # 4: 1,5 instead of 2,5
                                 "Ông Tròn Sáu Mươi": 1_000_000,   # 60: 2,0 instead of 1,5
                                 "Em Tròn Mười Sáu": 1_000_000,    # 16: 2,0 instead of 2,5
                                 "Cụ Tròn Tám Mươi": 1_000_000}    # 80: 2,0 instead of 1,5
    assert excluded(december) == {"Cụ Bảy Chín": "Người từ 80 tuổi không có lương hưu: 79 tuổi, diện này từ 80 "
                                                 "tuổi trở lên"}
    line = next(line for line in december.lines if line["full_name"] == "Bé Tròn Bốn")
    assert line["coefficient"] == 1.5
    assert "Tuổi tính đến hết tháng 12/2026: 4 tuổi" in payouts.explain_line(line)


# 3. Gift levels go by literal text -----------------------------------------------------------

def test_3_gift_levels_follow_the_injury_rate_and_every_wording(ctx, tmp_path):
    result = import_rows(ctx, tmp_path, [
        "1,Thương Binh Tám Lăm,1950,001050000001,Thôn Đông,Thương binh 85%,,,",
        "2,Bệnh Binh Chín Lăm,1950,001050000002,Thôn Đông,Bệnh binh suy giảm KNLĐ 95%,,,",
        "3,Thương Binh Sáu Mốt,1950,001050000003,Thôn Đông,TB 61%,,,",
        "4,Lão Thành,1925,001025000004,Thôn Đông,Người hoạt động cách mạng trước ngày 01/01/1945,,,",
        "5,Mẹ Anh Hùng,1930,001130000005,Thôn Đông,Bà mẹ Việt Nam anh hùng,,,",
        "6,Người Chưa Rõ,1950,001050000006,Thôn Đông,Người có công,,,",
    ], dt.date(2026, 12, 1))
    [unknown] = [p for p in result.problems if p.field == "category"]
    assert (unknown.row, unknown.severity) == (7, "error")
    # The Heroic Mother comes again in a list that calls her a martyr's relative.
    import_rows(ctx, tmp_path, ["1,Mẹ Anh Hùng,1930,001130000005,Thôn Đông,Thân nhân liệt sĩ,,,"],
                dt.date(2026, 12, 20), "tnls.csv")
    gift = payouts.preview_session(ctx.db, tet())
    assert amounts(gift) == {"Thương Binh Tám Lăm": 600_000, "Bệnh Binh Chín Lăm": 600_000,
                             "Thương Binh Sáu Mốt": 300_000, "Lão Thành": 600_000, "Mẹ Anh Hùng": 600_000}
    # Not recognised: never missing from both the list and the excluded list.
    assert "Người có công" in excluded(gift)["Người Chưa Rõ"]


# 4. Group wording and typed amounts -----------------------------------------------------------

def test_4_wordings_of_the_80_plus_group_earn_its_coefficient(ctx, tmp_path):
    import_rows(ctx, tmp_path, [
        "1,Cụ Một,1940,001040000001,Thôn Đông,NCT nghèo không người phụng dưỡng từ 80 tuổi,,,",
        "2,Cụ Hai,1941,001041000002,Thôn Đông,Người cao tuổi cô đơn trên 80 tuổi,,,",
    ], dt.date(2026, 12, 1))
    december = payouts.preview_session(ctx.db, monthly("2026-12"))
    assert amounts(december) == {"Cụ Một": 1_000_000, "Cụ Hai": 1_000_000}
    assert {line["group_code"] for line in december.lines} == {"nct_ngheo_80"}


def test_4_a_typed_amount_that_contradicts_the_rule_is_reported_and_the_rule_is_paid(ctx, tmp_path):
    result = import_rows(ctx, tmp_path, ["1,Bé Hai Tuổi,10/03/2024,001224000001,Thôn Đông,Trẻ em mồ côi,\"2,5\","
                                         "900.000,"], dt.date(2026, 12, 1))
    [claim] = result.problems
    assert (claim.row, claim.field, claim.severity) == (2, "amount", "warning")
    assert "900.000 đ" in claim.message and "1.250.000 đ" in claim.message
    preview = payouts.preview_session(ctx.db, monthly("2026-12"))
    assert amounts(preview) == {"Bé Hai Tuổi": 1_250_000}
    assert any("900.000 đ" in w and "1.250.000 đ" in w for w in preview.warnings)
    sid = payouts.create_session(ctx, monthly("2026-12"))
    line = payouts.session_lines(ctx.db, sid)[0]
    with pytest.raises(Exception, match="lý do"):
        payouts.set_override(ctx, line["id"], 900_000, "")
    assert payouts.set_override(ctx, line["id"], 900_000, "Quyết định số 5/QĐ-UBND giữ mức cũ") == 900_000


# 5. Several groups -----------------------------------------------------------------------------

def test_5_groups_from_several_files_and_rows_add_up_to_the_highest(ctx, tmp_path):
    import_rows(ctx, tmp_path, ["1,Cụ Nhiều Diện,1940,001040000001,Thôn Đông,NCT từ 80 tuổi không có lương hưu,,,"],
                dt.date(2026, 11, 1), "a.csv")
    result = import_rows(ctx, tmp_path, [
        "1,Cụ Nhiều Diện,1940,001040000001,Thôn Đông,NKT đặc biệt nặng,,,",
        "2,Bà Hai Dòng,1985,001185000002,Thôn Đông,NKT nặng,,,",
        "3,Bà Hai Dòng,1985,001185000002,Thôn Đông,Đơn thân nuôi 2 con,,,",
    ], dt.date(2026, 12, 1), "b.csv")
    assert result.updated == 1 and result.imported == 1
    merged = next(p for p in result.problems if p.row == 4)
    assert "đã thêm diện" in merged.message
    people = {p["full_name"]: register.get(ctx.db, p["id"]) for p in register.list_beneficiaries(ctx.db)}
    assert sorted(m["category"] for m in people["Cụ Nhiều Diện"]["memberships"]) == ["nct_80", "nkt_dac_biet_nang"]
    assert sorted(m["category"] for m in people["Bà Hai Dòng"]["memberships"]) == ["don_than_ngheo", "nkt_nang"]
    december = payouts.preview_session(ctx.db, monthly("2026-12"))
    assert amounts(december) == {"Cụ Nhiều Diện": 1_250_000,     # 2,5 (elderly, extremely severe) beats 1,0
                                 "Bà Hai Dòng": 750_000 + 1_000_000}


# 6. Carry-forward reads only the latest closed session -----------------------------------------

def _close(ctx, sid):
    payouts.close_session(ctx, sid)


def test_6_every_unpaid_closed_month_is_carried_once(ctx, tmp_path):
    import_rows(ctx, tmp_path, ["1,Người Vắng Nhà,1980,001080000001,Thôn Đông,NKT nặng,,,",
                                "2,Người Ở Nhà,1980,001080000002,Thôn Đông,NKT nặng,,,"], dt.date(2026, 9, 1))
    september = payouts.create_session(ctx, monthly("2026-09"))
    payouts.lock_session(ctx, september)
    october = payouts.create_session(ctx, monthly("2026-10"))     # made before September was closed
    payouts.lock_session(ctx, october)
    for sid in (september, october):
        _close(ctx, sid)
    november = payouts.create_session(ctx, monthly("2026-11"))
    totals = {line["full_name"]: line["total"] for line in payouts.session_lines(ctx.db, november)}
    assert totals == {"Người Vắng Nhà": 2_250_000, "Người Ở Nhà": 2_250_000}
    line = payouts.session_lines(ctx.db, november)[0]
    assert [c["period"] for c in payouts.line_carries(ctx.db, line["id"])] == ["2026-09", "2026-10"]
    # Carried once: a later session finds nothing more to carry while November is open.
    payouts.lock_session(ctx, november)
    assert payouts.preview_session(ctx.db, monthly("2026-12")).lines[0]["carried_forward"] == 0


# 7. Smaller faults -----------------------------------------------------------------------------

def test_7_the_month_of_death_is_paid(ctx):
    register.create(ctx, {"full_name": "Cụ Mất Giữa Tháng", "birth_year": 1940, "village": "Thôn Đông",
                          "status": "deceased", "status_date": "15/12/2026"},
                    [{"category": "nct_80", "coefficient": 1}])
    december = payouts.preview_session(ctx.db, monthly("2026-12", 20))
    assert amounts(december) == {"Cụ Mất Giữa Tháng": 500_000}
    assert any("tháng mất" in w for w in december.warnings)
    january = payouts.preview_session(ctx.db, monthly("2027-01"))
    assert excluded(january) == {"Cụ Mất Giữa Tháng": "Đã chết ngày 15/12/2026"}


def _unpaid_months(ctx, periods):
    bid = register.create(ctx, {"full_name": "Người Vắng", "birth_year": 1980, "village": "Thôn Đông"},
                          [{"category": "nkt_nang", "coefficient": 1.5}])
    register.create(ctx, {"full_name": "Người Đều", "birth_year": 1980, "village": "Thôn Đông"},
                    [{"category": "nkt_nang", "coefficient": 1.5}])
    for period in periods:
        sid = payouts.create_session(ctx, monthly(period, carry_forward=False))
        payouts.lock_session(ctx, sid)
        regular = next(line for line in payouts.session_lines(ctx.db, sid) if line["beneficiary_id"] != bid)
        payouts.pay_line(ctx, regular["id"])
        cashbook.record(ctx, sid, "received", regular["total"])
        payouts.close_session(ctx, sid)
    return bid


def test_7_suspension_needs_three_consecutive_months_listed_in_order(ctx):
    _unpaid_months(ctx, ["2026-01", "2026-02", "2026-04"])          # March is missing
    assert payouts.suspension_candidates(ctx.db) == []


def test_7_suspension_candidates_list_their_months_oldest_first(ctx):
    bid = _unpaid_months(ctx, ["2026-05", "2026-03", "2026-04"])
    [candidate] = payouts.suspension_candidates(ctx.db)
    assert candidate["beneficiary_id"] == bid
    assert candidate["periods"] == ["2026-03", "2026-04", "2026-05"]
    assert candidate["unpaid_amount"] == 3 * 750_000


def test_7_an_override_replaces_the_carried_amount_too(ctx, tmp_path):
    import_rows(ctx, tmp_path, ["1,Người Vắng Nhà,1980,001080000001,Thôn Đông,NKT nặng,,,"], dt.date(2026, 9, 1))
    for period in ("2026-09", "2026-10"):
        sid = payouts.create_session(ctx, monthly(period))
        payouts.lock_session(ctx, sid)
        payouts.close_session(ctx, sid)
    november = payouts.create_session(ctx, monthly("2026-11"))
    line = payouts.session_lines(ctx.db, november)[0]
    assert line["total"] == 2_250_000
    assert payouts.set_override(ctx, line["id"], 800_000, "Quyết định số 9/QĐ-UBND") == 800_000
    line = payouts.get_line(ctx.db, line["id"])
    assert (line["total"], line["carried_forward"]) == (800_000, 0)
    why = payouts.explain_line(line)
    assert any("800.000 đ" in w and "2.250.000 đ" in w for w in why)
    assert payouts.set_override(ctx, line["id"], None) == 2_250_000


def test_7_the_coefficient_shown_is_the_one_the_amount_is(ctx, tmp_path):
    import_rows(ctx, tmp_path, ["1,Chị Hai Diện,1985,001185000001,Thôn Đông,Người khuyết tật đặc biệt nặng,,,",
                                "2,Chị Hai Diện,1985,001185000001,Thôn Đông,Đơn thân nuôi 2 con,,,"],
                dt.date(2026, 12, 1))
    line = payouts.preview_session(ctx.db, monthly("2026-12")).lines[0]
    assert (line["coefficient"], line["base_amount"]) == (4.0, 2_000_000)      # 2,0 + 2 × 1,0
    assert line["coefficient"] * 500_000 == line["base_amount"]


def test_7_a_single_parents_coefficient_counts_the_children(ctx, tmp_path):
    import_rows(ctx, tmp_path, ["1,Chị Đơn Thân,1985,001185000001,Thôn Đông,Người đơn thân nghèo nuôi con,2,"
                                "1000000,"], dt.date(2026, 12, 1))
    problems = checks.run_checks(ctx.db, dt.date(2026, 12, 1))
    assert not [p for p in problems if p.code in ("coefficient_age", "amount_mismatch")]
    assert amounts(payouts.preview_session(ctx.db, monthly("2026-12"))) == {"Chị Đơn Thân": 1_000_000}


# Done when: a register re-imported a month later pays what one typed by hand pays --------------

HAND_TYPED = [
    ({"full_name": "Bé Mồ Côi", "birth_date": "15/11/2022", "village": "Thôn Đông"}, [{"category": "tre_mo_coi"}]),
    ({"full_name": "Cụ Nghèo", "birth_date": "05/11/1946", "village": "Thôn Đông"},
     [{"category": "nct_ngheo_60_80"}]),
    ({"full_name": "Chị Đơn Thân", "birth_year": 1985, "village": "Thôn Đoài"},
     [{"category": "don_than_ngheo", "children": 2}, {"category": "nkt_nang"}]),
    ({"full_name": "Ông Thương Binh", "birth_year": 1950, "village": "Thôn Đoài"},
     [{"category": "ncc_thuong_binh", "injury_rate": 85, "amount": 2_500_000}, {"category": "htxh"}]),
    ({"full_name": "Mẹ Anh Hùng", "birth_year": 1930, "village": "Thôn Đoài"},
     [{"category": "ncc_me_vnah", "amount": 8_367_000}, {"category": "ncc_than_nhan_liet_si"}]),
    ({"full_name": "Cụ Đã Mất", "birth_year": 1935, "village": "Thôn Đông", "status": "deceased",
      "status_date": "15/12/2026"}, [{"category": "nct_80"}]),
    ({"full_name": "Anh Tạm Dừng", "birth_year": 1990, "village": "Thôn Đông", "status": "suspended",
      "status_date": "20/11/2026"}, [{"category": "nkt_dac_biet_nang"}]),
]


def _sessions(ctx):
    out = {}
    for spec in (monthly("2026-12", 20), monthly("2027-01", programs=("btxh", "htxh", "ncc")), tet()):
        preview = payouts.preview_session(ctx.db, spec)
        out[spec.name] = (amounts(preview), sorted(excluded(preview)))
    return out


def test_a_register_exported_and_imported_a_month_later_pays_what_it_paid_typed_by_hand(ctx, tmp_path):
    from commune_payout import export, settings
    from commune_payout.db import open_db

    typed = on(ctx, dt.date(2026, 11, 1))
    for data, memberships in HAND_TYPED:
        register.create(typed, data, memberships)
    path = tmp_path / "so_nguoi_huong.xlsx"
    export.export_register(ctx.db, path, dt.date(2026, 11, 1))
    other = open_db(":memory:")
    settings.init_commune(other, "05425")
    result = importer.import_file(Context(other, clock=FixedClock(dt.datetime(2026, 12, 3, 9)), user="cb"), path)
    assert result.imported == len(HAND_TYPED) and not [p for p in result.problems if p.severity == "error"]
    assert _sessions(Context(other, user="cb")) == _sessions(ctx)
    assert _sessions(ctx)["Quà Tết Đinh Mùi 2027"][0] == {"Ông Thương Binh": 600_000, "Mẹ Anh Hùng": 600_000}


# A person never gets two lines in one session ---------------------------------------------------

_ROW = st.tuples(st.sampled_from(["Lê Văn An", "Trần Thị Bình", "Phạm Văn Cường"]),
                 st.sampled_from(["001050000001", "001150000002", "", "001050000001"]),
                 st.sampled_from(["NKT nặng", "NCT từ 80 tuổi", "Đơn thân nuôi 2 con", "Thương binh 85%",
                                  "Người có công", "NKT nặng; NCT từ 80 tuổi"]),
                 st.sampled_from(["", "Đang hưởng", "Chết 15/12/2026", "Tạm dừng"]))


@settings(max_examples=25, deadline=None)
@given(files=st.lists(st.lists(_ROW, min_size=1, max_size=6), min_size=1, max_size=3))
def test_a_person_never_gets_two_lines_in_one_session(tmp_path_factory, files):
    from commune_payout import settings as app_settings
    from commune_payout.db import open_db

    database = open_db(":memory:")
    app_settings.init_commune(database, "05425")
    ctx = Context(database, clock=FixedClock(dt.datetime(2026, 12, 1, 9)), user="cb")
    folder = tmp_path_factory.mktemp("lists")
    for n, rows in enumerate(files):
        lines = [f"{i},{name},1940,{cccd},Thôn Đông,\"{group}\",,,{status}"
                 for i, (name, cccd, group, status) in enumerate(rows, start=1)]
        import_rows(ctx, folder, lines, dt.date(2026, 11 + n // 2, 1 + n), f"ds{n}.csv")
    for spec in (monthly("2026-12", 20, programs=("btxh", "htxh", "ncc")), tet()):
        preview = payouts.preview_session(database, spec)
        people = [line["beneficiary_id"] for line in preview.lines]
        numbers = [line["id_number"] for line in preview.lines if line["id_number"]]
        assert len(people) == len(set(people)) and len(numbers) == len(set(numbers))
        assert not set(people) & {e["beneficiary_id"] for e in preview.excluded}


def test_a_status_already_recorded_is_not_moved_by_a_list_and_the_dead_stay_dead(ctx, tmp_path):
    import_rows(ctx, tmp_path, ["1,Cụ Mất,1940,001040000001,Thôn Đông,NCT từ 80 tuổi,,,Đã chết 15/10/2026",
                                "2,Anh Dừng,1980,001080000002,Thôn Đông,NKT nặng,,,Tạm dừng từ 01/11/2026"],
                dt.date(2026, 11, 5))
    again = import_rows(ctx, tmp_path, ["1,Cụ Mất,1940,001040000001,Thôn Đông,NCT từ 80 tuổi,,,Đang hưởng",
                                        "2,Anh Dừng,1980,001080000002,Thôn Đông,NKT nặng,,,Tạm dừng từ 03/11/2026"],
                        dt.date(2026, 12, 1), "cu.csv")
    people = {p["full_name"]: (p["status"], register.get(ctx.db, p["id"])["status_date"])
              for p in register.list_beneficiaries(ctx.db)}
    assert people == {"Cụ Mất": ("deceased", "2026-10-15"), "Anh Dừng": ("suspended", "2026-11-01")}
    messages = {p.row: p.message for p in again.problems if p.field == "status"}
    assert "đã chết ngày 15/10/2026" in messages[2] and "chưa đổi ngày" in messages[3]
    resumed = import_rows(ctx, tmp_path, ["2,Anh Dừng,1980,001080000002,Thôn Đông,NKT nặng,,,Hưởng lại từ 01/12/2026"],
                          dt.date(2026, 12, 2), "lai.csv")
    assert resumed.updated == 1 and register.list_beneficiaries(ctx.db, status="active")[0]["full_name"] == "Anh Dừng"
