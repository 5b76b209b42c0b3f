import unicodedata

from commune_payout.text import clean, fold, name_sort_key, sort_key


def test_fold_strips_marks_maps_d_and_case():
    assert fold("Đặng Văn Đạt") == "dang van dat"
    assert fold("ĐOÀN THỊ HUỆ") == "doan thi hue"
    assert fold("Nguyễn  Thị   Ánh") == "nguyen thi anh"


def test_fold_is_the_same_for_nfd_and_nfc():
    nfd = unicodedata.normalize("NFD", "Hoàng Thanh Hạnh")
    assert fold(nfd) == fold("Hoàng Thanh Hạnh") == "hoang thanh hanh"


def test_clean_gives_nfc_and_collapses_spaces():
    nfd = unicodedata.normalize("NFD", "  Phan  Thu  Lan ")
    out = clean(nfd)
    assert out == "Phan Thu Lan"
    assert unicodedata.is_normalized("NFC", clean(unicodedata.normalize("NFD", "Lê Diệu Huệ")))
    assert clean(None) == ""


def test_sort_key_puts_d_stroke_after_d_and_before_e():
    words = ["Đào", "Dương", "Em", "Zung", "Anh", "Ấn", "Ăn", "Dũng"]
    assert sorted(words, key=sort_key) == ["Anh", "Ăn", "Ấn", "Dũng", "Dương", "Đào", "Em", "Zung"]


def test_tones_only_break_ties():
    assert sorted(["Hà", "Hạ", "Ha", "Hả"], key=sort_key) == ["Ha", "Hà", "Hả", "Hạ"]
    assert sort_key("Hạ") < sort_key("Hai")


def test_name_sort_key_sorts_by_given_name_first():
    names = ["Nguyễn Văn Bình", "Trần Thị An", "Lê Đức Đạt", "Bùi Văn Dũng"]
    assert sorted(names, key=name_sort_key) == ["Trần Thị An", "Nguyễn Văn Bình", "Bùi Văn Dũng", "Lê Đức Đạt"]


def test_eth_from_bad_conversions_is_read_as_d_stroke():
    assert clean("ÐẶNG Ðạt") == "ĐẶNG Đạt"
    assert fold("Ðặng") == "dang"
