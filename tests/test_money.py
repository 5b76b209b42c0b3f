"""Money on paper: the amount in words (accounting convention of docs/domain.md), format_vnd, parse_vnd."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commune_payout.money import MAX_IN_WORDS, amount_in_words, amount_in_words_sentence, format_vnd, parse_vnd

IN_WORDS = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),                      # "tư" only after tens of 20 and more
    (15, "mười lăm"),                      # 5 after a tens digit is "lăm"
    (20, "hai mươi"),                      # tens of 20 and more use "mươi"
    (21, "hai mươi mốt"),                  # final 1 after tens ≥ 2 is "mốt"
    (24, "hai mươi tư"),
    (25, "hai mươi lăm"),
    (55, "năm mươi lăm"),
    (100, "một trăm"),
    (101, "một trăm linh một"),            # zero tens → "linh", and 1 stays "một"
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),            # no tens digit: 5 stays "năm"
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (1_000, "một nghìn"),
    (1_005, "một nghìn không trăm linh năm"),       # inner group with zero hundreds
    (1_010, "một nghìn không trăm mười"),
    (11_000, "mười một nghìn"),
    (300_000, "ba trăm nghìn"),
    (600_000, "sáu trăm nghìn"),
    (1_000_000, "một triệu"),
    (1_000_005, "một triệu không trăm linh năm"),   # empty thousands group skipped
    (1_021_000, "một triệu không trăm hai mươi mốt nghìn"),
    (1_500_000, "một triệu năm trăm nghìn"),
    (2_789_000, "hai triệu bảy trăm tám mươi chín nghìn"),
    (8_367_000, "tám triệu ba trăm sáu mươi bảy nghìn"),
    (10**9, "một tỷ"),
    (1_000_000_001, "một tỷ không trăm linh một"),
    (1_000_100_000, "một tỷ một trăm nghìn"),
    (1_005_000_000_000, "một nghìn không trăm linh năm tỷ"),
    (1_500 * 10**9, "một nghìn năm trăm tỷ"),
    (10**12, "một nghìn tỷ"),
    (1_000_001_000_000, "một nghìn tỷ không trăm linh một triệu"),
    (2_000_000_000_005, "hai nghìn tỷ không trăm linh năm"),
    (999_999_999_999_999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín tỷ "
                          "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn "
                          "chín trăm chín mươi chín"),
    (10**15, "một triệu tỷ"),
]


@pytest.mark.parametrize("amount, words", IN_WORDS)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_sentence_is_capitalised_with_the_currency():
    assert amount_in_words_sentence(21) == "Hai mươi mốt đồng."
    assert amount_in_words_sentence(1_021_000) == "Một triệu không trăm hai mươi mốt nghìn đồng."
    assert amount_in_words_sentence(0) == "Không đồng."


@pytest.mark.parametrize("amount", [-1, MAX_IN_WORDS + 1])
def test_out_of_range(amount):
    with pytest.raises(ValueError):
        amount_in_words(amount)


@pytest.mark.parametrize("amount", [1.0, "5", True, None])
def test_only_ints(amount):
    with pytest.raises(TypeError):
        amount_in_words(amount)


@pytest.mark.parametrize("amount, text", [
    (0, "0 đ"),
    (500, "500 đ"),
    (1_500_000, "1.500.000 đ"),
    (1_000_000_000, "1.000.000.000 đ"),
    (-300_000, "-300.000 đ"),
])
def test_format_vnd(amount, text):
    assert format_vnd(amount) == text


def test_format_vnd_without_unit_and_empty():
    assert format_vnd(2_789_000, unit=False) == "2.789.000"
    assert format_vnd(None) == ""


@pytest.mark.parametrize("text, amount", [
    ("1.080.000", 1_080_000),
    ("1,080,000", 1_080_000),
    ("1080000 đ", 1_080_000),
    ("1.500.000đ", 1_500_000),
    ("1.500.000 đồng", 1_500_000),
    ("1.500.000 vnd", 1_500_000),
    ("1 500 000", 1_500_000),
    ("-1.000", -1_000),
    (750000, 750_000),
    (750000.0, 750_000),
    ("", None),
    ("  ", None),
    (None, None),
])
def test_parse_vnd(text, amount):
    assert parse_vnd(text) == amount


@pytest.mark.parametrize("text", ["12.5", "1.50", "abc", 12.5, True, "1.000,5"])
def test_parse_vnd_refuses_what_is_not_whole_dong(text):
    with pytest.raises(ValueError):
        parse_vnd(text)


def test_parse_vnd_with_vnd_suffix_in_vietnamese():
    assert parse_vnd("1.000.000 VNĐ") == 1_000_000
    assert parse_vnd("500.000 vnd") == 500_000


def test_format_and_parse_round_trip():
    for amount, _ in IN_WORDS:
        assert parse_vnd(format_vnd(amount)) == amount


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.text(alphabet="0123456789.,- đvnVND\u00a0", max_size=30), st.integers(),
                 st.floats(), st.booleans(), st.none()))
def test_parse_vnd_gives_whole_dong_or_value_error(value):
    try:
        amount = parse_vnd(value)
    except ValueError:
        return
    assert amount is None or (type(amount) is int and abs(amount) <= MAX_IN_WORDS)


@given(st.integers(-MAX_IN_WORDS, MAX_IN_WORDS), st.sampled_from(["", " đ", " VND", ",00", ".00"]))
def test_every_amount_written_reads_back(amount, suffix):
    text = format_vnd(amount, unit=False)
    written = text + suffix if not suffix.startswith((",", ".")) or abs(amount) < 1000 else \
        text.replace(".", ",") + "." + suffix[1:]
    assert parse_vnd(written) == amount


@pytest.mark.parametrize("text", ["1e5", "９" * 30, "1" + "0" * 16, float("inf"), float("nan"), 10 ** 16, "1.000.00",
                                  "--5", "²", "1" * 41])
def test_parse_vnd_refuses_what_no_one_pays(text):
    with pytest.raises(ValueError):
        parse_vnd(text)
