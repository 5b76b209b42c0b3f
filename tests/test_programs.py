"""The pure rules: a group recognised from a register's words, a status read from its cell, and the
entitlement on a date (docs/domain.md). Property tests: recognising and reading never crash on
any text, and the amount a session pays never depends on the day the register was imported."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commune_payout.importer import groups
from commune_payout.programs import (BY_CODE, CATEGORIES, BaseLevels, age_in_month, entitlement, gift_level,
                                     membership_text, recognise, recognise_all)
from commune_payout.status_text import parse_status, undated_from

LEVELS = BaseLevels({"btxh": (("2021-07-01", 360_000), ("2024-07-01", 500_000)),
                     "htxh": (("2025-07-01", 500_000),)})

# (what a register says, group, injury rate, children)
WORDINGS = [
    ("Người hoạt động cách mạng trước ngày 01/01/1945", "ncc_truoc_1945", None, None),
    ("HĐCM trước 1945", "ncc_truoc_1945", None, None),
    ("Lão thành cách mạng", "ncc_truoc_1945", None, None),
    ("Tiền khởi nghĩa", "ncc_tien_khoi_nghia", None, None),
    ("Mẹ VNAH", "ncc_me_vnah", None, None),
    ("BMVNAH", "ncc_me_vnah", None, None),
    ("AHLLVTND", "ncc_anh_hung", None, None),
    ("Thương binh 85%", "ncc_thuong_binh", 85, None),
    ("TB 4/4", "ncc_thuong_binh", 21, None),
    ("Thương binh hạng 1/4", "ncc_thuong_binh", 81, None),
    ("Thương binh loại B 61 %", "ncc_thuong_binh", 61, None),
    ("Thương binh, bệnh binh suy giảm KNLĐ từ 81% trở lên", "ncc_thuong_binh", 81, None),
    ("TB 2/4 từ 01/04/1975", "ncc_thuong_binh", 61, None),
    ("Bệnh binh suy giảm KNLĐ 95%", "ncc_benh_binh", 95, None),
    ("BB 1/3", "ncc_benh_binh", 81, None),
    ("Nhiễm CĐHH 81%", "ncc_chat_doc_hoa_hoc", 81, None),
    ("Người HĐKC bị nhiễm chất độc da cam", "ncc_chat_doc_hoa_hoc", None, None),
    ("Thân nhân liệt sĩ", "ncc_than_nhan_liet_si", None, None),
    ("TNLS", "ncc_than_nhan_liet_si", None, None),
    ("Con LS", "ncc_than_nhan_liet_si", None, None),
    ("Thân nhân 2 liệt sĩ", "ncc_than_nhan_2_liet_si", None, None),
    ("Vợ liệt sĩ hưởng tuất nuôi dưỡng", "ncc_than_nhan_liet_si_nuoi_duong", None, None),
    ("Người HĐKC bị địch bắt tù đày", "ncc_bi_dich_bat_tu_day", None, None),
    ("Người HĐKC giải phóng dân tộc", "ncc_khang_chien", None, None),
    ("Người có công giúp đỡ cách mạng", "ncc_co_cong_giup_do", None, None),
    ("NCT nghèo không người phụng dưỡng từ 80 tuổi", "nct_ngheo_80", None, None),
    ("NCT nghèo trên 80 tuổi", "nct_ngheo_80", None, None),
    ("NCT nghèo", "nct_ngheo_60_80", None, None),
    ("NCT nghèo từ 60-80 tuổi", "nct_ngheo_60_80", None, None),
    ("Người cao tuổi cô đơn", "nct_ngheo_60_80", None, None),
    ("NCT từ 80 tuổi không có lương hưu", "nct_80", None, None),
    ("Người từ đủ 80 tuổi trở lên không có lương hưu", "nct_80", None, None),
    ("Người từ 75 đến 80 tuổi hộ nghèo vùng DTTS", "nct_75_dtts", None, None),
    ("Chăm sóc tại cộng đồng", "nct_cham_soc_cong_dong", None, None),
    ("NKT ĐBN", "nkt_dac_biet_nang", None, None),
    ("KT đặc biệt nặng", "nkt_dac_biet_nang", None, None),
    ("NKT nặng", "nkt_nang", None, None),
    ("Khuyết tật mức độ nặng", "nkt_nang", None, None),
    ("Trẻ mồ côi", "tre_mo_coi", None, None),
    ("Trẻ em bị bỏ rơi", "tre_mo_coi", None, None),
    ("Mồ côi 16-22 tuổi đang đi học", "tre_mo_coi_dang_hoc", None, None),
    ("Trẻ em nhiễm HIV", "tre_hiv", None, None),
    ("Người nhiễm HIV/AIDS hộ nghèo", "nguoi_hiv_ngheo", None, None),
    ("Trẻ dưới 3 tuổi vùng DTTS hộ nghèo", "tre_duoi_3_dtts", None, None),
    ("Đơn thân nuôi 2 con", "don_than_ngheo", None, 2),
    ("Người đơn thân nghèo nuôi con (hai con)", "don_than_ngheo", None, 2),
    ("Hưu trí xã hội", "htxh", None, None),
    ("Trợ cấp hưu trí XH hộ cận nghèo", "htxh_ngheo", None, None),
    ("Khác", "other", None, None),
]


@pytest.mark.parametrize("text,code,rate,children", WORDINGS)
def test_the_usual_wordings_and_short_forms(text, code, rate, children):
    found = recognise(text)
    assert (found.category.code, found.injury_rate, found.children) == (code, rate, children)


@pytest.mark.parametrize("text", ["Người có công", "Người khuyết tật", "Hộ nghèo", "NCT", "", "   ", None, "123"])
def test_words_that_name_no_group_are_not_guessed(text):
    assert recognise(text) is None


def test_every_group_reads_back_from_its_label_and_its_export():
    for cat in CATEGORIES:
        m = {"category": cat.code, "injury_rate": 85 if cat.gift == "by_rate" else None,
             "children": 2 if cat.per_child else None, "wording": "Hộ khó khăn"}
        found = recognise(membership_text(m))
        if cat.code == "chua_xac_dinh":
            assert found is None           # still not a group: the importer keeps the words again
            continue
        assert recognise(cat.label).category is cat
        assert (found.category, found.injury_rate, found.children) == (cat, m["injury_rate"], m["children"])


def test_a_cell_naming_several_groups():
    found = recognise_all("Thương binh 85%; Thân nhân liệt sĩ\nMẹ VNAH + Hộ khó khăn")
    assert [f if isinstance(f, str) else f.category.code for f in found] == [
        "ncc_thuong_binh", "ncc_than_nhan_liet_si", "ncc_me_vnah", "Hộ khó khăn"]


@settings(max_examples=300)
@given(st.text())
def test_recognising_never_fails_on_any_text(text):
    found = recognise(text)
    assert found is None or found.category.code in BY_CODE
    assert all(isinstance(f, str) or f.category.code in BY_CODE for f in recognise_all(text))


# ---------------------------------------------------------------- gift levels

@pytest.mark.parametrize("category,rate,level", [
    ("ncc_thuong_binh", 81, "high"), ("ncc_thuong_binh", 80, "low"), ("ncc_thuong_binh", None, "low"),
    ("ncc_benh_binh", 100, "high"), ("ncc_chat_doc_hoa_hoc", 81, "high"), ("ncc_chat_doc_hoa_hoc", 21, "low"),
    ("ncc_me_vnah", None, "high"), ("ncc_than_nhan_liet_si", 90, "low"), ("nkt_nang", None, None),
])
def test_gift_level_compares_the_injury_rate_as_a_number(category, rate, level):
    assert gift_level(category, rate) == level


# ---------------------------------------------------------------- statuses

STATUSES = [
    ("Đã chết 15/10/2026", "deceased", dt.date(2026, 10, 15)),
    ("Chết", "deceased", None),
    ("Từ trần", "deceased", None),
    ("Qua đời ngày 3/12/2026", "deceased", dt.date(2026, 12, 3)),
    ("Mất 02/11/26", "deceased", dt.date(2026, 11, 2)),
    ("ngày 15 tháng 10 năm 2026 từ trần", "deceased", dt.date(2026, 10, 15)),
    ("Chết tháng 10/2026", "deceased", dt.date(2026, 10, 1)),
    ("Cắt do chết 2026-10-15", "deceased", dt.date(2026, 10, 15)),
    ("Tạm dừng từ 20/11/2026", "suspended", dt.date(2026, 11, 20)),
    ("tạm dừng hưởng", "suspended", None),
    ("Mất tích", "suspended", None),
    ("Thôi hưởng từ 30/11/2026", "ended", dt.date(2026, 11, 30)),
    ("Cắt từ T11/2026", "ended", dt.date(2026, 11, 1)),
    ("Cắt", "ended", None),
    ("Dừng hưởng 01/11/2026", "ended", dt.date(2026, 11, 1)),
    ("Chuyển đi nơi khác", "ended", None),
    ("Đang hưởng", "active", None),
    ("Bình thường", "active", None),
    ("x", "active", None),
    ("Hưởng lại từ 01/12/2026", "active", dt.date(2026, 12, 1)),
]


@pytest.mark.parametrize("text,status,date", STATUSES)
def test_the_usual_status_wordings(text, status, date):
    reading = parse_status(text)
    assert (reading.status, reading.date, reading.text, reading.problem) == (status, date, text, None)


@pytest.mark.parametrize("text", ["Mất sức lao động", "Cắt giảm", "Đi vắng", "abc", dt.date(2026, 1, 1)])
def test_words_that_are_not_a_status_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match="trạng thái"):
        parse_status(text)


@pytest.mark.parametrize("text,problem", [("Chết 15/10", "không đọc được ngày"), ("Chết 31/02/2026", "không có thật")])
def test_a_status_with_an_unreadable_date_keeps_the_status_and_says_so(text, problem):
    reading = parse_status(text)
    assert (reading.status, reading.date) == ("deceased", None) and problem in reading.problem


def test_an_undated_death_counts_from_before_the_month_of_import():
    assert undated_from("deceased", dt.date(2026, 12, 10)) == dt.date(2026, 11, 30)
    assert undated_from("deceased", dt.date(2027, 1, 1)) == dt.date(2026, 12, 31)
    assert undated_from("suspended", dt.date(2026, 12, 10)) == dt.date(2026, 12, 10)


@settings(max_examples=300)
@given(st.one_of(st.text(), st.text(alphabet="0123456789/.- chếtmấtngàythángnămtạmdừng"), st.integers(),
                 st.floats(allow_nan=True)))
def test_reading_a_status_never_fails_otherwise(value):
    try:
        reading = parse_status(value)
    except ValueError as exc:
        assert str(exc)
        return
    assert reading is None or reading.status in ("active", "suspended", "ended", "deceased")


# ---------------------------------------------------------------- entitlement

def test_age_counts_from_the_month_of_the_birthday():
    assert age_in_month("2022-12-31", None, dt.date(2026, 12, 1)) == 4
    assert age_in_month("2023-01-01", None, dt.date(2026, 12, 31)) == 3
    assert age_in_month(None, 1946, dt.date(2026, 1, 1)) == 80
    assert age_in_month(None, None, dt.date(2026, 1, 1)) is None


def test_the_explanation_names_every_part_and_what_was_not_counted():
    due = entitlement([{"category": "nkt_nang", "coefficient": 1.5}, {"category": "don_than_ngheo", "children": 2},
                       {"category": "nct_80"}], "1980-05-01", None, dt.date(2026, 12, 20), LEVELS)
    assert due.amount == 750_000 + 1_000_000 and due.coefficient == 3.5
    assert due.explain() == [
        "Tuổi tính đến hết tháng 12/2026: 46 tuổi",
        "Người khuyết tật nặng: hệ số 1,5 × mức chuẩn 500.000 đ = 750.000 đ",
        "Người đơn thân nghèo đang nuôi con: hệ số 1 × 2 con × mức chuẩn 500.000 đ = 1.000.000 đ",
        "Không tính Người từ 80 tuổi không có lương hưu: 46 tuổi, diện này từ 80 tuổi trở lên",
        "Mức hưởng: 1.750.000 đ",
    ]


def test_a_sensitive_group_is_explained_by_its_programme_only():
    due = entitlement([{"category": "nguoi_hiv_ngheo"}], None, 1985, dt.date(2026, 12, 1), LEVELS)
    assert due.amount == 750_000 and not any("HIV" in line for line in due.explain())


# ---------------------------------------------------------------- the import date does not matter

_SOCIAL = [c for c in CATEGORIES if c.program in ("btxh", "htxh")]


@settings(max_examples=400)
@given(category=st.sampled_from(_SOCIAL), born=st.dates(dt.date(1920, 1, 1), dt.date(2026, 6, 30)),
       year_only=st.booleans(), children=st.integers(1, 4),
       imported=st.dates(dt.date(2025, 7, 1), dt.date(2027, 12, 31)),
       session=st.dates(dt.date(2025, 7, 1), dt.date(2028, 12, 31)),
       typed=st.one_of(st.none(), st.integers(0, 3_000_000)), coefficient=st.sampled_from([None, 1.0, 1.5, 2.0, 2.5]))
def test_the_amount_never_depends_on_the_import_date(category, born, year_only, children, imported, session, typed,
                                                    coefficient):
    """A register line read on any day, with whatever coefficient and amount it typed, earns on the
    session's date exactly what the same group typed by hand earns."""
    person = {"birth_date": None if year_only else born.isoformat(), "birth_year": born.year}
    text = membership_text({"category": category.code, "children": children if category.per_child else None})
    read, _problems = groups.memberships(text, typed, coefficient, None, None, person, imported, LEVELS)
    by_hand = [{"category": category.code, "children": children if category.per_child else None}]
    expected = entitlement(by_hand, person["birth_date"], born.year, session, LEVELS).amount
    assert entitlement([dict(m) for m in read], person["birth_date"], born.year, session, LEVELS).amount == expected
