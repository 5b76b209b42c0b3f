"""The small things a commune receives from outside besides packages: the office's key card
(file or typed), its receipts (file or phone code) and the items of a package sent down. Each
gives a result or one plain refusal, whatever it holds (hypothesis), and a refusal writes nothing."""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commune_payout import cli
from commune_payout.errors import FileUnreadable, PackageRejected, UserError
from commune_payout.sync import commune, keys, package, reader, receipts
from commune_payout.sync import office as office_side
from test_sync import cctx, linked, office  # noqa: F401 — fixtures

CARD = ("# Khóa công khai — commune-payout\nname: Sở Y tế tỉnh Phú Thọ\n"
        "age: age1 qze4 x7y2 rwyf 09dv j3nl n3cg 5tle hmp3 7rxj rras 8lhl 62d6 9qdq qp60 ed\n"
        "sign: IWAW WNQU GVRL OZLI AQHC EELC 7UUP FDWJ RSSB MTCG R725 CCMO NHWQ\n")


# ---------------------------------------------------------------- key cards

@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300),
                 st.lists(st.sampled_from(CARD.splitlines() + ["fingerprint: ABCD-EFGH-JKMN", "name:", "age: age1",
                                                                "sign: " + "A" * 5000, "name: " + "Đ" * 300, "\x00",
                                                                "\ufeffname: X"]), max_size=8).map("\n".join)))
def test_any_card_text_gives_a_card_or_a_plain_refusal(text):
    try:
        card = keys.parse_card(text)
    except UserError as exc:
        assert len(str(exc)) < 200
        return
    assert 0 < len(card.name) <= keys.MAX_NAME and card.age_recipient.startswith("age1")


@pytest.mark.parametrize("text, why", [
    (CARD.replace("Sở Y tế tỉnh Phú Thọ", ""), "Tên trên khóa công khai"),
    (CARD.replace("Sở Y tế tỉnh Phú Thọ", "Sở " * 200), "Tên trên khóa công khai"),
    (CARD.replace("age: age1", "age: age2"), "Khóa mã hóa"),
    (CARD.replace("age: age1", "age: age1" + "q" * 10_000), "Khóa mã hóa"),
    (CARD.replace("NHWQ", "NHWQA"), "Khóa ký"),
    (CARD + "fingerprint: ABCD-EFGH-JKMN\n", "dấu vân tay không khớp"),
    (CARD + "fingerprint: " + "x" * 5000 + "\n", "Dấu vân tay"),
])
def test_nasty_cards_are_refused_naming_the_part(text, why):
    with pytest.raises(UserError, match=why) as info:
        keys.parse_card(text)
    assert len(str(info.value)) < 200


def test_a_card_file_in_utf8_with_a_bom_and_windows_line_ends(tmp_path):
    path = tmp_path / "khoa.txt"
    path.write_bytes(b"\xef\xbb\xbf" + CARD.replace("\n", "\r\n").encode("utf-8"))
    card = keys.parse_card(reader.read_file(path, keys.MAX_CARD, "khóa công khai"))
    assert card.name == "Sở Y tế tỉnh Phú Thọ" and card.fingerprint == "MPHS-8D9T-PMM4"


def test_files_from_outside_are_read_within_their_bound(tmp_path):
    big = tmp_path / "to.txt"
    big.write_bytes(b"name: x\n" * 10_000)
    with pytest.raises(FileUnreadable, match="quá lớn để là khóa công khai \\(trên 16 KB\\)"):
        reader.read_file(big, keys.MAX_CARD, "khóa công khai")
    with pytest.raises(FileUnreadable, match="thư mục"):
        reader.read_file(tmp_path, keys.MAX_CARD, "khóa công khai")
    with pytest.raises(FileUnreadable, match="Không đọc được tệp"):
        reader.read_file(tmp_path / "khong-co.txt", keys.MAX_CARD, "khóa công khai")


# ---------------------------------------------------------------- receipts

def _signed(office, body: dict) -> bytes:
    """A receipt file signed by the office's real key, whatever its body says."""
    signer = office_side.office_keys(office.db)
    signature = base64.b64encode(signer.sign(package.canonical_json(body))).decode("ascii")
    return json.dumps({"ack": body, "signer": signer.card.fingerprint, "signature": signature}).encode("utf-8")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(st.binary(max_size=400), st.text(max_size=200).map(str.encode),
                      st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
                                   lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                                       st.sampled_from(["ack", "signature", "signer", "seq", "version"]), inner,
                                       max_size=4), max_leaves=20).map(lambda v: json.dumps(v).encode())))
def test_any_receipt_file_gives_a_receipt_or_a_plain_refusal(office, data):
    signing = office_side.office_keys(office.db).card.signing_public
    with pytest.raises(UserError):
        receipts.read_ack_file(data, signing)


@pytest.mark.parametrize("data", [b"[" * 50_000 + b"]" * 50_000, b'{"ack": ' * 5000, b"\xff\xfe{}", b"{" * 70_000,
                                  b'{"ack": {}, "signature": "!!"}', b"A" * (receipts.MAX_ACK + 1)])
def test_receipts_too_deep_too_big_or_garbled_are_refused(office, data):
    with pytest.raises(UserError, match="không phải biên nhận"):
        receipts.read_ack_file(data, office_side.office_keys(office.db).card.signing_public)


@pytest.mark.parametrize("change", [{"seq": "1"}, {"seq": 10 ** 30}, {"version": -1}, {"version": 1.5},
                                    {"package_id": "x"}, {"commune_code": ["05425"]}, {"manifest_sha256": None}])
def test_a_signed_receipt_with_fields_of_the_wrong_kind_is_refused(cctx, office, linked, change):
    _, _, ack = office_side.make_ack(office, "05425")
    body = {**ack, "format": receipts.ACK_FORMAT, "office": "Sở", **change}
    before = list(cctx.db.conn.iterdump())
    with pytest.raises(UserError, match="không phải biên nhận"):
        commune.record_ack_file(cctx, _signed(office, body))
    assert list(cctx.db.conn.iterdump()) == before


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"[0-9٠-٩０-９]{0,30}-[0-9]{0,30}-[0-9A-Za-z]{0,6}",
                                                     fullmatch=True)))
def test_any_phone_code_is_read_or_refused(text):
    try:
        seq, version, check = receipts.read_ack_code(text)
    except UserError as exc:
        assert len(str(exc)) < 160
        return
    assert 1 <= seq < 10 ** 10 and 0 <= version < 10 ** 16 and len(check) == 4


@pytest.mark.parametrize("code", ["99999999999999999999999-1-AAAA", "1-99999999999999999999999-AAAA", "1--2-AAAA",
                                  "²-1-AAAA", "1-1-ÀAAA", "-1-1-AAAA", "1-1-AAAA-", "1 - 1 - AAAA - B"])
def test_phone_codes_out_of_range_are_refused_before_the_database(cctx, linked, code):
    with pytest.raises(UserError, match="không đúng dạng"):
        commune.record_ack_code(cctx, code)


def test_a_phone_code_typed_loosely(cctx, office, tmp_path, linked):
    cctx.db.execute("UPDATE beneficiaries SET phone = '0912' WHERE rowid = 1")
    commune.save(commune.build(cctx), tmp_path / "two")
    office_side.import_files(office, list((tmp_path / "two").glob("*.cpkg")))
    _, code, _ = office_side.make_ack(office, "05425")
    seq, version, check = code.split("-")
    loose = f" {seq} - {version} - {check.lower().replace('0', 'o').replace('1', 'l')} "
    assert commune.record_ack_code(cctx, loose)["seq"] == int(seq)


# ---------------------------------------------------------------- packages sent down

def _forged_down(cctx, office, kind: str, items) -> bytes:
    """A package signed and encrypted exactly as the office does, holding whatever ``items`` are."""
    keys_ = office_side.office_keys(office.db)
    manifest = {"type": "down", "package_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "commune_code": "05425",
                "kind": kind, "title": "Mức chuẩn", "created_at": "2026-01-15 09:00:00", "office": keys_.card.name}
    data, _ = package.build(manifest, {"items.json": package.canonical_json(items)}, keys_,
                            commune.ensure_keys(cctx).card.age_recipient)
    return data


BAD_ITEMS = [
    ("base_level", [{"program": "btxh", "valid_from": "20260701", "amount": 600000}]),
    ("base_level", [{"program": "btxh", "valid_from": "2026-W27-3", "amount": 600000}]),
    ("base_level", [{"program": "btxh", "valid_from": "2026-02-30", "amount": 600000}]),
    ("base_level", [{"program": "btxh", "valid_from": "0001-01-01", "amount": 600000}]),
    ("base_level", [{"program": "btxh", "valid_from": "2026-07-01", "amount": 1e300}]),
    ("base_level", [{"program": "btxh", "valid_from": "2026-07-01", "amount": "600000"}]),
    ("base_level", [{"program": "btxh", "valid_from": "2026-07-01", "amount": True}]),
    ("base_level", [{"program": "btxh", "valid_from": "2026-07-01", "amount": 600000, "note": {"x": 1}}]),
    ("base_level", [{"program": "other", "valid_from": "2026-07-01", "amount": 600000}]),
    ("base_level", []),
    ("base_level", {"program": "btxh"}),
    ("gift_list", [{"category": None, "amount": 600000}]),
    ("gift_list", [{"category": "ncc_me_vnah", "amount": 10 ** 17}]),
    ("gift_list", [{"category": "x" * 500, "amount": 600000}]),
    ("gift_list", [{"category": "ncc_me_vnah", "amount": 600000}] * 501),
]


@pytest.mark.parametrize("kind, items", BAD_ITEMS)
def test_a_package_sent_down_with_bad_items_is_refused_whole(cctx, office, tmp_path, linked, kind, items):
    before = list(cctx.db.conn.iterdump())
    with pytest.raises(PackageRejected, match="mục không hợp lệ"):
        commune.read_down(cctx, _forged_down(cctx, office, kind, items))
    assert list(cctx.db.conn.iterdump()) == before
    with pytest.raises(UserError):      # and the office never sends it
        office_side.send_down(office, "05425", kind, "", items, tmp_path)
    assert not list(tmp_path.glob("*.cpkg"))


def test_send_down_from_the_command_line_reads_amounts_and_dates_as_typed(tmp_path, capsys):
    db = tmp_path / "so.sqlite"
    assert cli.main(["--db", str(db), "office", "init", "--name", "Sở Y tế"]) == 0
    capsys.readouterr()
    for spec, why in [("btxh:2026-02-30:600000", "không đúng dạng"), ("btxh:2026-07-01:-5", "không đúng dạng"),
                      ("btxh:2026-07-01", "không đúng dạng"), ("xyz:2026-07-01:600.000", "không hợp lệ")]:
        assert cli.main(["--db", str(db), "office", "send-down", "05425", "--out", str(tmp_path / "ra"),
                         "--base-level", spec]) == 1
        err = capsys.readouterr().err
        assert why in err and err.count("\n") == 1, err
