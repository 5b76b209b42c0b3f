"""The chip ID card's QR text: parsed by position, hostile scans refused or read as far as they
go, never stored; the register checked against a card with one-click fixes that keep history."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commune_payout import idcard, register
from commune_payout.idcard import CardUnreadable

SCAN = "001090123456|012345678|NGUYEN VAN A|01011990|Nam|Thôn Đông, Xã An Bình, Tỉnh Phú Thọ|15042021"
TODAY = dt.date(2026, 12, 1)


def test_the_example_card_is_read_by_position():
    card = idcard.parse(SCAN, TODAY)
    assert (card.id_number, card.old_id_number, card.full_name) == ("001090123456", "012345678", "Nguyen Van A")
    assert (card.birth_date, card.gender, card.issued_on) == (dt.date(1990, 1, 1), "M", dt.date(2021, 4, 15))
    assert card.address == "Thôn Đông, Xã An Bình, Tỉnh Phú Thọ" and card.problems == ()


def test_empty_old_id_extra_fields_and_a_scanners_enter():
    card = idcard.parse("036185000123||Trần Thị Bích|29021984|Nữ|Xóm Mới|01072024|extra|more\r\n", TODAY)
    assert card.old_id_number is None and card.gender == "F" and card.birth_date == dt.date(1984, 2, 29)
    assert card.register_fields() == {"id_number": "036185000123", "full_name": "Trần Thị Bích",
                                      "address": "Xóm Mới", "birth_date": "1984-02-29", "birth_year": 1984,
                                      "gender": "F"}


def test_decomposed_vietnamese_from_an_input_method_is_composed():
    decomposed = unicodedata.normalize("NFD", "036185000123||Nguyễn Thị Ngọc|01011960|Nữ|Thôn Thượng|01012022")
    card = idcard.parse(decomposed, TODAY)
    assert card.full_name == "Nguyễn Thị Ngọc" and unicodedata.is_normalized("NFC", card.full_name)
    assert card.address == "Thôn Thượng" and card.gender == "F"


@pytest.mark.parametrize("text", ["", "Nguyễn Văn A", "001090123456", "0010901234|x|y|z|w|v|u",
                                  "01090123456|||||||", "a001090123456|x", "001090123456 012|x"])
def test_a_scan_is_recognised_by_its_shape(text):
    assert not idcard.looks_like_scan(text)
    with pytest.raises(CardUnreadable, match="không phải nội dung mã QR"):
        idcard.parse(text, TODAY)


def test_too_few_fields_is_refused_plainly():
    with pytest.raises(CardUnreadable, match="chỉ có 4 trường, cần ít nhất 7; hãy quét lại"):
        idcard.parse("001090123456|012345678|NGUYEN VAN A|01011990", TODAY)


def test_unreadable_fields_are_named_and_left_empty():
    card = idcard.parse("001090123456|12AB|NGUYEN 9 A|31021990|Khác|Thôn Đông|99999999", TODAY)
    assert card.id_number == "001090123456"
    assert (card.old_id_number, card.full_name, card.birth_date, card.gender, card.issued_on) == (
        None, "", None, None, None)
    assert len(card.problems) == 5 and any("31021990" in p for p in card.problems)
    born_tomorrow = idcard.parse("001090123456||A|02122026|Nam||", TODAY)
    assert born_tomorrow.birth_date is None and "không hợp lý" in born_tomorrow.problems[0]


field_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(field_text, min_size=0, max_size=12), st.booleans())
def test_any_text_gives_a_card_or_a_clear_refusal(fields, twelve_digits_first):
    text = "|".join((["001090123456"] if twelve_digits_first else []) + fields)
    try:
        card = idcard.parse(text, TODAY)
    except CardUnreadable as exc:
        assert str(exc)
        return
    assert idcard.looks_like_scan(text) and card.id_number == "001090123456"
    for value in (card.full_name, card.address):
        assert unicodedata.is_normalized("NFC", value)
        assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)
    assert card.gender in (None, "M", "F")
    assert card.birth_date is None or card.birth_date <= TODAY


@settings(max_examples=200)
@given(name=st.text(st.sampled_from("aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạ ÁĐƯ"), min_size=1, max_size=30)
       .filter(lambda s: s.strip()),
       born=st.dates(dt.date(1900, 1, 1), TODAY), female=st.booleans(), extra=st.lists(field_text, max_size=3),
       form=st.sampled_from(["NFC", "NFD"]))
def test_a_well_formed_card_round_trips(name, born, female, extra, form):
    text = "|".join(["001090123456", "", name, born.strftime("%d%m%Y"), "Nữ" if female else "Nam",
                     "Thôn Đông", "15042021", *extra])
    card = idcard.parse(unicodedata.normalize(form, text), TODAY)
    assert card.problems == ()
    words = unicodedata.normalize("NFC", name).split()
    expected = " ".join(words)
    if expected.isupper():
        expected = " ".join(w[:1] + w[1:].lower() for w in words)
    assert card.full_name == expected
    assert (card.birth_date, card.gender) == (born, "F" if female else "M")


def _person(ctx, **data):
    base = {"full_name": "Nguyễn Văn A", "birth_date": "1990-01-01", "gender": "M", "id_number": "001090123456",
            "village": "Thôn Đông"}
    return register.create(ctx, {**base, **data})


def test_a_matching_register_row_is_verified_today(ctx):
    bid = _person(ctx)
    card = idcard.parse(SCAN, TODAY)
    assert idcard.find_holder(ctx.db, card) == bid
    assert idcard.differences(register.get(ctx.db, bid), card) == []    # Nguyen Van A folds to the same name
    assert idcard.mark_verified(ctx, bid, card)
    assert register.get(ctx.db, bid)["police_verified_on"] == ctx.clock.today().isoformat()
    assert register.history(ctx.db, bid)[0]["source"] == idcard.SOURCE


def test_each_difference_has_a_fix_that_keeps_history(ctx):
    bid = _person(ctx, full_name="Nguyễn Văn Ánh", birth_date=None, birth_year=1990, gender="F",
                  id_number=None, old_id_number="012345678")
    card = idcard.parse(SCAN, TODAY)
    assert idcard.find_holder(ctx.db, card) == bid                     # found by the old CMND number
    diffs = {d.field: d for d in idcard.differences(register.get(ctx.db, bid), card)}
    assert set(diffs) == {"full_name", "birth_date", "gender", "id_number"}
    assert (diffs["birth_date"].in_register, diffs["birth_date"].on_card) == ("1990", "01/01/1990")
    assert not idcard.mark_verified(ctx, bid, card)
    assert register.get(ctx.db, bid)["police_verified_on"] is None
    for difference in diffs.values():
        idcard.apply_fix(ctx, bid, difference)
    person = register.get(ctx.db, bid)
    assert (person["full_name"], person["birth_date"], person["gender"], person["id_number"],
            person["old_id_number"]) == ("Nguyen Van A", "1990-01-01", "M", "001090123456", "012345678")
    changed = {h["field"]: (h["old_value"], h["new_value"]) for h in register.history(ctx.db, bid)}
    assert changed["id_number"] == (None, "001090123456")
    assert changed["full_name"] == ("Nguyễn Văn Ánh", "Nguyen Van A")
    assert idcard.mark_verified(ctx, bid, card)


def test_nobody_holds_an_unknown_card(ctx):
    _person(ctx)
    card = idcard.parse("079300000001||LE THI B|02021950|Nữ|Thôn Hạ|01012023", TODAY)
    assert idcard.find_holder(ctx.db, card) is None


def test_a_scan_typed_after_what_the_box_held_is_found():
    assert idcard.scan_in_box("5432" + SCAN) == SCAN
    assert idcard.scan_in_box("001099999999" + SCAN) == SCAN
    assert idcard.scan_in_box("nguyen " + SCAN) == SCAN
    assert idcard.search_text("00109912345" + SCAN[:20]) == "001090123456"
    assert idcard.scan_in_box("nguyen van a") is None and idcard.scan_in_box("12|34") is None
    assert idcard.search_text("dang dat") == "dang dat"
