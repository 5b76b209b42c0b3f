import pytest

from commune_payout.ids import birth_year_of, century_gender, id_problems, mask, parse_id


@pytest.mark.parametrize("raw, expected, restored", [
    ("001044276030", "001044276030", False),
    (1044276030, "001044276030", True),        # Excel dropped two zeros
    (27311259320, "027311259320", True),       # one zero
    (27311259320.0, "027311259320", True),     # stored as a float
    ("027 311 259 320", "027311259320", False),
    ("'031076208865", "031076208865", False),
])
def test_parse_id_restores_lost_zeros(raw, expected, restored):
    parsed = parse_id(raw)
    assert parsed.value == expected
    assert parsed.restored_zeros is restored
    assert parsed.problem is None


def test_parse_id_recognises_old_cmnd_and_garbage():
    assert parse_id("121234567").old_cmnd == "121234567"
    assert parse_id("12345").problem
    assert parse_id("0271A1259320").problem
    assert parse_id(2.5).problem
    assert parse_id(None).value is None and parse_id("").problem is None


def test_century_gender_digit():
    assert century_gender("001044276030") == (1900, "M")
    assert century_gender("001144276030") == (1900, "F")
    assert century_gender("001244276030") == (2000, "M")
    assert century_gender("001344276030") == (2000, "F")
    assert century_gender("001744276030") is None
    assert birth_year_of("038322520801") == 2022


def test_id_problems_flag_province_year_and_gender():
    assert id_problems("001044276030", 1944, "M") == []
    fields = [f for f, _ in id_problems("003044276030", 1944, "M")]
    assert fields == ["id_number"]                       # 003 is not a province code
    assert [f for f, _ in id_problems("001044276030", 1945, "M")] == ["birth_date"]
    assert [f for f, _ in id_problems("001044276030", 1944, "F")] == ["gender"]
    assert id_problems("12345", None, None)[0][0] == "id_number"


def test_mask_keeps_last_four_digits():
    assert mask("001044276030") == "••••••••6030"
    assert mask(None) == ""
