"""Reading the decision a register names in its title (decisions/reference.py): the wordings of
real lists, with and without accents, odd spacing and every usual date form; templates left
blank and impossible dates are read as unreadable, never guessed; any text at all is safe."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commune_payout.decisions.reference import find_references, typed_reference
from commune_payout.errors import ValidationError
from commune_payout.text import fold


def one(text):
    [ref] = find_references(text)
    return ref


@pytest.mark.parametrize("text, number, symbol, day", [
    ("(Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026)", 12, "QĐ-UBND", dt.date(2026, 1, 5)),
    ("Kem theo Quyet dinh so 12/QD-UBND ngay 5/1/2026", 12, "QĐ-UBND", dt.date(2026, 1, 5)),
    ("(Kèm theo QĐ số: 125 / QĐ - UBND, ngày 05 tháng 01 năm 2026 của Chủ tịch UBND huyện Lâm Thao)",
     125, "QĐ-UBND", dt.date(2026, 1, 5)),
    ("KÈM THEO QUYẾT ĐỊNH SỐ 1234/QĐ-UBND NGÀY 15-03-2024", 1234, "QĐ-UBND", dt.date(2024, 3, 15)),
    ("Theo QĐ 12 ngày 2026-01-05", 12, "QĐ-UBND", dt.date(2026, 1, 5)),
    ("Kèm theo Quyết định số 45/QĐ-CT ngày 20.8.25", 45, "QĐ-CT", dt.date(2025, 8, 20)),
    ("Kèm theo Quyết định số 12/2026/QĐ-UBND ngày 05/01/2026", 12, "2026/QĐ-UBND", dt.date(2026, 1, 5)),
    ("Kèm theo Quyết định số 12/QĐ-UBND của UBND xã An Bình ngày 05/01/2026", 12, "QĐ-UBND", dt.date(2026, 1, 5)),
    ("Kèm theo Q.Đ số 7/qđ-ubnd, 05/01/2026", 7, "QĐ-UBND", dt.date(2026, 1, 5)),
    ("Kèm theo Quyết định số 12/QĐ-UBND", 12, "QĐ-UBND", None),
])
def test_the_usual_wordings(text, number, symbol, day):
    ref = one(text)
    assert (ref.number, ref.symbol, ref.signed_on, ref.problem) == (number, symbol, day, "")
    assert ref.wording in text


def test_the_text_of_a_reference_is_how_the_app_names_a_decision():
    ref = one("Kem theo QD so 12 / qd-ubnd ngay 5/1/2026")
    assert ref.text() == "Quyết định số 12/QĐ-UBND ngày 05/01/2026"
    assert one("Kèm theo QĐ số 12/QĐ-UBND").text() == "Quyết định số 12/QĐ-UBND"


@pytest.mark.parametrize("text, problem", [
    ("(Kèm theo Quyết định số …/QĐ-UBND ngày …/…/2026)", "không ghi số quyết định"),
    ("Kèm theo Quyết định số ....../QĐ-UBND ngày ....", "không ghi số quyết định"),
    ("Kèm theo Quyết định số 12/QĐ-UBND ngày …/…/2026", "không đọc được ngày ký"),
    ("Kèm theo Quyết định số 12/QĐ-UBND ngày 31/02/2026", "ngày ký không có thật"),
    ("Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/1901", "năm ký không hợp lý"),
    ("Kèm theo Quyết định số 0/QĐ-UBND ngày 05/01/2026", "số quyết định “0” không hợp lệ"),
    ("Kèm theo Quyết định số 1234567890/QĐ-UBND ngày 05/01/2026", "số quyết định “1234567890” không hợp lệ"),
])
def test_wordings_that_name_a_decision_but_cannot_be_read(text, problem):
    ref = one(text)
    assert ref.problem == problem
    assert ref.wording and ref.wording in text


@pytest.mark.parametrize("text", [
    "DANH SÁCH ĐỐI TƯỢNG BẢO TRỢ XÃ HỘI HƯỞNG TRỢ CẤP HÀNG THÁNG",
    "Thực hiện Nghị định số 20/2021/NĐ-CP ngày 15/3/2021 của Chính phủ",
    "UBND XÃ AN BÌNH", "Tháng 01 năm 2026", "Số tiền: 12.000.000 đồng", "",
])
def test_titles_naming_no_decision(text):
    assert find_references(text) == []


def test_two_decisions_in_one_row_are_both_named():
    refs = find_references("Kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026 và Quyết định số 30/QĐ-UBND "
                           "ngày 10/02/2026")
    assert [(r.number, r.signed_on) for r in refs] == [(12, dt.date(2026, 1, 5)), (30, dt.date(2026, 2, 10))]


# ------------------------------------------------------------------ properties

INTROS = ("Quyết định số ", "QUYẾT ĐỊNH SỐ ", "Quyết định số: ", "Quyết định ", "QĐ số ", "QĐ số: ", "QĐ ",
          "Quyet dinh so ", "QD so ", "qđ số ")
SYMBOLS = ("QĐ-UBND", "QĐ-CT", "QĐ-UBND-VX")


def _date_text(day: dt.date, form: int) -> str:
    return (f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year}", f"{day:%d-%m-%Y}", f"{day:%d.%m.%Y}",
            f"{day:%d} tháng {day:%m} năm {day.year}", day.isoformat(), f"{day:%d/%m/%y}")[form]


@settings(max_examples=300, deadline=None)
@given(number=st.integers(1, 99_999), symbol=st.sampled_from(SYMBOLS), intro=st.sampled_from(INTROS),
       day=st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), form=st.integers(0, 6),
       slash=st.sampled_from(("/", " / ", "/ ", " /")), hyphen=st.sampled_from(("-", " - ", " -")),
       date_word=st.sampled_from(("ngày ", "ngày: ", "Ngày ", "ngay ", ", ", ", ngày ")),
       before=st.sampled_from(("(Kèm theo ", "Kèm theo ", "", "Danh sách kèm theo ")),
       after=st.sampled_from((")", " của Chủ tịch UBND xã An Bình)", "", ".")),
       accents=st.booleans(), nfd=st.booleans(), spaces=st.sampled_from((" ", "  ", "\u00a0", "\t")))
def test_any_usual_wording_is_read_back(number, symbol, intro, day, form, slash, hyphen, date_word, before, after,
                                        accents, nfd, spaces):
    written_symbol = symbol.replace("-", hyphen)
    text = f"{before}{intro}{number}{slash}{written_symbol} {date_word}{_date_text(day, form)}{after}"
    if not accents:
        text = fold(text).upper() if number % 2 else fold(text)
    if nfd:
        text = unicodedata.normalize("NFD", text)
    text = text.replace(" ", spaces)
    ref = one(text)
    assert (ref.number, ref.symbol, ref.signed_on, ref.problem) == (number, symbol, day, "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_references_or_nothing_and_never_raises(text):
    for ref in find_references(text):
        assert ref.problem or (ref.number and ref.number > 0)
        assert len(ref.wording) <= 80
        if ref.signed_on:
            assert ref.signed_on.year >= 1945
    if "q" not in fold(text):
        assert find_references(text) == []


@settings(max_examples=200, deadline=None)
@given(blank=st.sampled_from(("…", "....", "___", "  ", "..../....")), day_blank=st.sampled_from(("…/…/2026", "....")),
       intro=st.sampled_from(INTROS))
def test_a_template_left_blank_is_never_read_as_a_decision(blank, day_blank, intro):
    refs = find_references(f"(Kèm theo {intro}{blank}/QĐ-UBND ngày {day_blank})")
    assert refs and all(r.problem for r in refs)


@settings(max_examples=200, deadline=None)
@given(day=st.integers(29, 31), month=st.sampled_from((2, 4, 6, 9, 11)), year=st.integers(2001, 2030))
def test_a_date_that_does_not_exist_is_unreadable(day, month, year):
    if day == 29 and month == 2 and year % 4 == 0:
        return
    if day <= 30 and month != 2:
        return
    ref = one(f"Kèm theo Quyết định số 12/QĐ-UBND ngày {day}/{month}/{year}")
    assert (ref.number, ref.signed_on, ref.problem) == (12, None, "ngày ký không có thật")


def test_a_cell_as_long_as_excel_allows_is_read_whole():
    text = "Danh sách " * 3_000 + "kèm theo Quyết định số 12/QĐ-UBND ngày 05/01/2026"
    assert one(text).number == 12
    assert one(" " * 100_000 + "Kèm theo QĐ số 12/QĐ-UBND ngày 05/01/2026").signed_on == dt.date(2026, 1, 5)
    assert find_references("QĐ " * 20_000) == []


@pytest.mark.parametrize("typed", ["01/01/0001", "31/12/9999", "1/1/0026"])
def test_a_signing_year_written_in_four_digits_is_read_as_written(typed):
    # "01/01/0001" was read as 01/01/2001 (the two-digit-year rule took the year 1 for "01");
    # 31/12/9999 was taken as a decision's date.
    with pytest.raises(ValidationError) as refused:
        typed_reference("12", typed)
    assert refused.value.problems["signed_on"] == "Năm ký không hợp lý"
