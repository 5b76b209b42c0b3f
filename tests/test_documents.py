"""Printed documents: read the PDFs back and check names, amounts, totals, masking, page numbers,
the NĐ 30 frame, and that HIV status never reaches paper."""

import datetime as dt
import math
import re
import subprocess
import unicodedata

import pypdf
import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from commune_payout import checks, cli, demo, documents, payouts, register, settings, transfers
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.documents import (campaign, cleaning, fonts, frame, indicators, payout_list, progress_report,
                                      receipts, transfer_list)
from commune_payout.documents.table import PAD_H, PagedTable
from commune_payout.errors import UserError
from commune_payout.ids import mask
from commune_payout.money import amount_in_words_sentence, format_vnd
from commune_payout.paths import assets_dir

ON = dt.date(2026, 1, 15)
PEOPLE = [
    ({"full_name": "Nguyễn Văn An", "birth_year": 1940, "gender": "M", "id_number": "035040000101",
      "village": "Thôn Đông", "phone": "0912000101", "bank_bin": "970405", "account_number": "7407188181741",
      "account_holder": "NGUYEN VAN AN"}, [{"category": "nct_80", "coefficient": 1.0}]),
    ({"full_name": "Trần Thị Bình", "birth_year": 1938, "gender": "F", "id_number": "035138000102",
      "village": "Thôn Đông", "receiver_name": "Lê Văn Cường", "receiver_relation": "Con"},
     [{"category": "nct_ngheo_80", "coefficient": 2.0}]),
    ({"full_name": "Lò Thị Hạnh", "birth_year": 1985, "gender": "F", "id_number": "035185000103",
      "village": "Thôn Đoài", "phone": "0912000103"},
     [{"category": "nguoi_hiv_ngheo", "coefficient": 1.5, "amount": 700_000}]),   # 700.000: a claim, 1,5 is paid
    ({"full_name": "Phạm Văn Đức", "birth_year": 2015, "gender": "M", "id_number": "035215000104",
      "village": "Xóm Mới"}, [{"category": "tre_mo_coi", "coefficient": 1.5}]),
    ({"full_name": "Hoàng Thị Thu", "birth_year": 1950, "gender": "F", "village": "Xóm Mới",
      "account_status": "opening", "receiver_name": "Hoàng Văn Tú", "phone": "0912000105"},
     [{"category": "nkt_nang", "coefficient": 2.0}]),
    ({"full_name": "Tôn Nữ Hoàng Thị Diệu Phương", "birth_year": 1942, "gender": "F", "id_number": "035142000106",
      "village": "Thôn Đoài", "bank_bin": "999888", "account_number": "1234567890",
      "account_holder": "TON NU HOANG THI DIEU PHUONG"}, [{"category": "nct_80", "coefficient": 1.0}]),
    ({"full_name": "Đặng Văn Đạt", "birth_year": 1935, "gender": "M", "id_number": "035035000107",
      "village": "Thôn Đông", "bank_bin": "970405", "account_number": "7407188181999",
      "account_holder": "DANG VAN DAT"}, [{"category": "htxh"}]),
]
TOTAL = 500_000 + 1_000_000 + 750_000 + 750_000 + 1_000_000 + 500_000 + 500_000


def pdf_pages(path) -> list[str]:
    """Each page's text with runs of whitespace collapsed (wrapped cells join up again)."""
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(str(path)).pages]


def pdf_text(path) -> str:
    return " ".join(pdf_pages(path))


@pytest.fixture
def people(ctx):
    return {data["full_name"]: register.create(ctx, data, ms) for data, ms in PEOPLE}


@pytest.fixture
def session(ctx, people):
    """A locked monthly session: An paid by transfer, Bình paid in cash to her son, Hạnh in cash."""
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name="Trợ cấp tháng 01/2026", kind="monthly", period="2026-01", session_date=ON,
        funding_source="Ngân sách tỉnh"))
    payouts.lock_session(ctx, sid)
    lines = {line["full_name"]: line for line in payouts.session_lines(ctx.db, sid)}
    payouts.pay_line(ctx, lines["Nguyễn Văn An"]["id"])
    payouts.pay_line(ctx, lines["Trần Thị Bình"]["id"], received_by="authorised")
    payouts.pay_line(ctx, lines["Lò Thị Hạnh"]["id"])
    return sid


def assert_no_hiv(path):
    text = pdf_text(path)
    assert "hiv" not in text.casefold()
    assert "nhiễm" not in text.casefold()


# The frame -------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, words", [
    (dt.date(2027, 1, 5), "ngày 05 tháng 01 năm 2027"),
    (dt.date(2027, 2, 9), "ngày 09 tháng 02 năm 2027"),
    (dt.date(2027, 3, 15), "ngày 15 tháng 3 năm 2027"),
    (dt.date(2026, 12, 31), "ngày 31 tháng 12 năm 2026"),
])
def test_date_words_leading_zero_for_days_below_10_and_months_1_2(day, words):
    assert frame.date_words(day) == words


def test_issuer_names():
    issuer = frame.Issuer("Xã An Bình", "Phú Thọ")
    assert issuer.body_lines == ("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH")
    assert issuer.body == "UBND XÃ AN BÌNH"
    assert issuer.full_name == "Ủy ban nhân dân xã An Bình"
    assert issuer.province == "tỉnh Phú Thọ"
    assert frame.Issuer("Phường Ba Đình", "Thành phố Hà Nội").province == "thành phố Hà Nội"
    assert frame.place_and_date(issuer.place, dt.date(2027, 1, 5)) == "An Bình, ngày 05 tháng 01 năm 2027"
    assert frame.issuer_of(open_commune()).body == "UBND XÃ AN BÌNH"


@pytest.mark.parametrize("commune, place", [
    ("Xã An Bình", "An Bình"), ("Phường Hòa Bình", "Hòa Bình"), ("Đặc khu Phú Quốc", "Phú Quốc"),
    ("Phường 12", "Phường 12"), ("Xã 3", "Xã 3"), ("An Bình", "An Bình"),
])
def test_place_name_drops_the_unit_unless_the_name_is_a_number(commune, place):
    assert frame.place_name(commune) == place


def test_signers_come_from_the_settings(db):
    assert [s.name for s in frame.signers(frame.issuer_of(db), "preparer", "accountant", "chairman")] == [
        "Nguyễn Thị Lập", "", ""]
    settings.put_signers(db, {"accountant": " Phạm  Thị Kế ", "treasurer": "Đỗ Văn Quỹ", "chairman": "Lê Văn Chủ"})
    issuer = frame.issuer_of(db)
    blocks = frame.signers(issuer, "preparer", "payer", "treasurer", "accountant", "chairman")
    assert [b.title for b in blocks] == ["NGƯỜI LẬP BIỂU", "NGƯỜI CHI TIỀN", "THỦ QUỸ", "KẾ TOÁN",
                                         "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH"]
    assert [b.name for b in blocks] == ["Nguyễn Thị Lập", "", "Đỗ Văn Quỹ", "Phạm Thị Kế", "Lê Văn Chủ"]
    settings.put_signers(db, {"chairman": "Trần Văn Phó", "deputy": True})
    chairman = frame.signer(frame.issuer_of(db), "chairman")
    assert chairman.title == "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" and chairman.name == "Trần Văn Phó"
    assert settings.signers(db)["accountant"] == "Phạm Thị Kế"


def open_commune():
    db = open_db(":memory:")
    settings.init_commune(db, "05425")
    return db


def test_fonts_are_the_shipped_ones_and_cover_vietnamese():
    fonts.register()
    letters = "aàảãáạăằẳẵắặâầẩẫấậđeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵ"
    for name in (fonts.REGULAR, fonts.BOLD, fonts.ITALIC, fonts.BOLD_ITALIC):
        font = pdfmetrics.getFont(name)
        assert str(assets_dir() / "fonts") in str(font.face.filename)
        missing = [c for c in letters + letters.upper() if ord(c) not in font.face.charToGlyph]
        assert missing == [], f"{name} lacks {missing}"
    assert (assets_dir() / "fonts" / "LICENSE-LiberationSerif.txt").read_text().count("Open Font License") >= 1


def test_nd30_header_on_the_first_page(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=dt.date(2026, 1, 5))
    first = pdf_pages(out)[0]
    for text in ("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                 "Độc lập - Tự do - Hạnh phúc", "An Bình, ngày 05 tháng 01 năm 2026", "DANH SÁCH CHI TRẢ",
                 "Đợt: Trợ cấp tháng 01/2026", "Nguồn kinh phí: Ngân sách tỉnh"):
        assert text in first
    assert "Xã An Bình, ngày" not in first
    last = pdf_pages(out)[-1]
    for text in ("NGƯỜI LẬP BIỂU", "NGƯỜI CHI TIỀN", "THỦ QUỸ", "KẾ TOÁN", "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH",
                 "Nguyễn Thị Lập"):
        assert text in last
    page = pypdf.PdfReader(str(out)).pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)          # landscape A4
    assert round(float(page.mediabox.width) / mm) == 297


# The payout list --------------------------------------------------------------------------------

def test_payout_list_reads_back_names_amounts_and_total(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    assert payout_list.write(db, session, out, on=ON) == len(PEOPLE)
    text = pdf_text(out)
    assert text == unicodedata.normalize("NFC", text)
    for data, _ in PEOPLE:
        assert data["full_name"] in text
        if data.get("id_number"):
            assert data["id_number"] in text
    for amount in (500_000, 750_000, 1_000_000):
        assert format_vnd(amount, unit=False) in text
    assert f"TỔNG CỘNG: {len(PEOPLE)} người {format_vnd(TOTAL, unit=False)}" in text
    assert f"Lũy kế: {len(PEOPLE)} người {format_vnd(TOTAL, unit=False)}" in text
    assert "bằng chữ: " + amount_in_words_sentence(TOTAL) in text
    assert "Cộng Thôn Đông: 3 người 2.000.000" in text
    assert "Lê Văn Cường (Con)" in text
    assert "Hệ số" in text and " 1,5 " in text and "Số tháng" in text
    assert "(1) (2) (3)" in text                                           # the column-number row


def test_payout_list_codes_are_explained_in_the_legend(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=ON)
    text = pdf_text(out)
    legend = text[text.index("Ký hiệu."):]
    assert "TK: chuyển khoản vào tài khoản" in legend and "TM: tiền mặt tại xã" in legend
    for short, full in (("NCT từ 80", "Người từ 80 tuổi không có lương hưu"), ("NKT nặng", "Người khuyết tật nặng"),
                        ("Trẻ mồ côi", "Trẻ em mồ côi, không nguồn nuôi dưỡng"), ("BTXH", "Bảo trợ xã hội")):
        assert f"{short}: {full}" in legend
    assert "BN n: đã nhận tiền, số biên nhận n" in legend
    assert "BN 1" in text and "BN 3" in text
    assert "Người nhận thay” để trống: người hưởng tự nhận" in legend


def test_every_group_has_a_short_label():
    from commune_payout.programs import CATEGORIES, PROGRAM_LABELS

    for category in CATEGORIES:
        key = category.program if category.sensitive else category.code
        assert key in payout_list.SHORT_GROUPS, category.code
    assert set(PROGRAM_LABELS) - {"htxh", "other"} <= set(payout_list.SHORT_GROUPS)
    assert all("hiv" not in label.casefold() for label in payout_list.SHORT_GROUPS.values())


def test_transfer_rows_read_chuyen_khoan_instead_of_a_signature_box(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=ON)
    accounts = sum(1 for data, _ in PEOPLE if data.get("account_number"))
    assert pdf_text(out).count("Chuyển khoản") == accounts + 1          # and once in the legend


def test_payout_list_never_prints_hiv(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=ON)
    assert_no_hiv(out)
    text = pdf_text(out)
    start = text.index("Lò Thị Hạnh")
    assert "BTXH" in text[start:start + 60]


def test_payout_list_masks_ids_for_public_posting(db, session, tmp_path):
    out = tmp_path / "public.pdf"
    payout_list.write(db, session, out, on=ON, masked=True)
    text = pdf_text(out)
    for data, _ in PEOPLE:
        if data.get("id_number"):
            assert data["id_number"] not in text
            assert mask(data["id_number"]) in text
    assert "bản niêm yết" in text


def test_payout_list_by_channel(db, session, tmp_path):
    out = tmp_path / "cash.pdf"
    assert payout_list.write(db, session, out, on=ON, channel="cash") == 4
    text = pdf_text(out)
    assert "DANH SÁCH CHI TRẢ BẰNG TIỀN MẶT" in text
    assert "Nguyễn Văn An" not in text and "Trần Thị Bình" in text
    assert "THỦ QUỸ" in text and "NGƯỜI CHI TIỀN" in text
    out = tmp_path / "account.pdf"
    assert payout_list.write(db, session, out, on=ON, channel="account") == 3
    text = pdf_text(out)
    assert "THỦ QUỸ" not in text and "NGƯỜI CHI TIỀN" not in text      # nobody handles cash


def line(**kw) -> payout_list.PayoutListLine:
    values = dict(full_name="Nguyễn Văn An", birth_year=1940, id_number="035040000101", village="Thôn Đông",
                  group_key="nct_80", group="Người từ 80 tuổi không có lương hưu", monthly_amount=500_000,
                  coefficient=1.0, months=1, total=500_000, channel="cash_commune")
    return payout_list.PayoutListLine(**{**values, **kw})


def titles(kind, lines) -> list[str]:
    return [c.column.title.replace("\n", " ") for c in payout_list.columns_for(kind, lines)]


def test_columns_follow_the_session_kind_and_the_lines():
    assert titles("tet_gift", [line(coefficient=None, monthly_amount=600_000)]) == [
        "STT", "Họ và tên", "Năm sinh", "Số định danh", "Diện", "Số tiền (đồng)", "Hình thức", "Ký nhận"]
    assert titles("monthly", [line()]) == [
        "STT", "Họ và tên", "Năm sinh", "Số định danh", "Diện", "Hệ số", "Mức hưởng /tháng", "Số tháng",
        "Thành tiền (đồng)", "Hình thức", "Ký nhận"]
    assert "Hệ số" not in titles("monthly", [line(coefficient=None, group_key="ncc_benh_binh")])
    full = titles("monthly", [line(carried_forward=1_000_000, total=1_500_000, notes=("KT",)),
                              line(receiver_name="Lê Văn Cường", receiver_relation="Con")])
    assert full[-6:] == ["Kỳ trước chuyển sang", "Thành tiền (đồng)", "Hình thức", "Người nhận thay", "Ký nhận",
                         "Ghi chú"]
    # arrears have rows of their own on a monthly list, and columns of their own on an arrears list
    assert "Kỳ trước chuyển sang" not in titles("monthly", [line(arrears_amount=120_000, total=620_000)])
    assert titles("arrears", [line(monthly_amount=0, purpose="arrears")])[5:9] == [
        "Truy lĩnh các tháng", "Chênh lệch /tháng", "Số tháng", "Thành tiền (đồng)"]


@pytest.mark.parametrize("kind, lines", [
    ("tet_gift", [line(coefficient=None)]),
    ("monthly", [line(arrears_amount=1, carried_forward=1, receiver_name="B", notes=("ĐC",))]),
    ("arrears", [line(purpose="arrears", receiver_name="B", notes=("TL",))]),
])
def test_columns_fill_the_page_leave_names_room_and_every_header_word_fits(kind, lines):
    fonts.register()
    width = frame.Page(landscape=True).width
    columns = payout_list.columns_for(kind, lines)
    table = PagedTable([c.column for c in columns], width)
    assert table.width == pytest.approx(width)
    assert table.widths[1] >= 35 * mm                                  # the name column
    sign = next(i for i, c in enumerate(columns) if c is payout_list.SIGN)
    assert table.widths[sign] >= 30 * mm and 8 <= payout_list.ROW_HEIGHT_MM <= 9
    for column, w in zip(table.columns, table.widths):
        for word in column.title.split():
            assert pdfmetrics.stringWidth(word, fonts.BOLD, 8.5) <= w - 2 * PAD_H, word


@pytest.mark.parametrize("module", [transfer_list, campaign, cleaning])
def test_other_lists_fill_the_landscape_page_and_every_header_word_fits(module):
    fonts.register()
    width = frame.Page(landscape=True).width
    table = PagedTable(module.COLUMNS, width)
    assert table.width == pytest.approx(width)
    for column, w in zip(table.columns, table.widths):
        for word in column.title.split():
            assert pdfmetrics.stringWidth(word, fonts.BOLD, 8.5) <= w - 2 * PAD_H, word


def tet_session(ctx, people: int) -> str:
    """A Tết gift session of a demo commune of ``people``."""
    demo.populate(ctx, people)
    return payouts.create_session(ctx, payouts.SessionSpec(
        name="Quà Tết 2026", kind="tet_gift", period="2026-01", session_date=ON,
        gift_high=600_000, gift_low=300_000, fixed={"btxh": 500_000, "htxh": 500_000}))


def test_long_list_totals_every_page_and_repeats_the_header(ctx, tmp_path):
    sid = tet_session(ctx, 260)
    out = tmp_path / "long.pdf"
    payout_list.write(ctx.db, sid, out, on=ON)
    pages = pdf_pages(out)
    lines = payouts.session_lines(ctx.db, sid)
    total = sum(line["total"] for line in lines)
    assert len(pages) >= 10
    assert not any(page.count("Trang ") for page in pages[:1])           # NĐ 30: no number on page 1
    running_count = running_amount = 0
    for n, page in enumerate(pages, start=1):
        assert "Họ và tên" in page and "Ký nhận" in page and "(1) (2)" in page
        if n > 1:
            assert f"Trang {n}/{len(pages)}" in page
        count, amount = re.search(r"Cộng trang: (\d+) người ([\d.]+)", page).groups()
        running_count += int(count)
        running_amount += int(amount.replace(".", ""))
        assert f"Lũy kế: {running_count} người {format_vnd(running_amount, unit=False)}" in page
        assert "Số tháng" not in page and "Hệ số" not in page           # a gift has no months
    assert (running_count, running_amount) == (len(lines), total)
    last = pages[-1]
    assert f"TỔNG CỘNG: {len(lines)} người {format_vnd(total, unit=False)}" in last
    assert amount_in_words_sentence(total) in last and "NGƯỜI LẬP BIỂU" in last


def test_a_short_list_of_one_village_is_one_page_with_its_signatures(ctx, tmp_path):
    """Three people of one village, signatures included, on one page: no "Cộng trang" or "Lũy kế"
    repeating the total, and no village subtotal repeating it either."""
    for data, ms in PEOPLE[:2] + PEOPLE[6:]:
        register.create(ctx, data, ms)
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name="Trợ cấp tháng 01/2026", kind="monthly", period="2026-01", session_date=ON))
    out = tmp_path / "short.pdf"
    assert payout_list.write(ctx.db, sid, out, on=ON) == 3
    pages = pdf_pages(out)
    assert len(pages) == 1
    page = pages[0]
    assert "TỔNG CỘNG: 3 người 2.000.000" in page and "NGƯỜI LẬP BIỂU" in page
    assert "Cộng trang" not in page and "Lũy kế" not in page and "Cộng Thôn Đông" not in page


def test_a_list_of_two_villages_keeps_their_subtotals(ctx, tmp_path):
    for data, ms in PEOPLE[:3]:
        register.create(ctx, data, ms)
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name="Trợ cấp tháng 01/2026", kind="monthly", period="2026-01", session_date=ON))
    out = tmp_path / "two.pdf"
    payout_list.write(ctx.db, sid, out, on=ON)
    text = pdf_text(out)
    assert "Cộng Thôn Đông: 2 người 1.500.000" in text and "Cộng Thôn Đoài: 1 người 750.000" in text


def test_a_tet_list_of_1500_people_holds_15_people_a_page(ctx, tmp_path):
    sid = tet_session(ctx, 1500)
    out = tmp_path / "tet.pdf"
    people = payout_list.write(ctx.db, sid, out, on=ON)
    assert people >= 1400
    assert people / len(pypdf.PdfReader(str(out)).pages) >= 15


def test_pdf_is_written_atomically(tmp_path):
    out = tmp_path / "list.pdf"
    out.write_bytes(b"old list")
    bad = line(channel="pigeon")
    with pytest.raises(KeyError):
        payout_list.render([bad], out, issuer=frame.Issuer("Xã An Bình"), on=ON, title="Danh sách")
    assert out.read_bytes() == b"old list"
    assert [p.name for p in tmp_path.iterdir()] == ["list.pdf"]


# Receipts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("per_page", [2, 4])
def test_receipts_of_cash_payments(db, session, tmp_path, per_page):
    out = tmp_path / "receipts.pdf"
    assert receipts.write(db, session, out, per_page=per_page) == 2      # An was paid by transfer
    pages = pdf_pages(out)
    assert len(pages) == math.ceil(2 / per_page)
    text = " ".join(pages)
    assert "Nguyễn Văn An" not in text
    for number, name in ((2, "Trần Thị Bình"), (3, "Lò Thị Hạnh")):
        assert f"Số: {number:06d}" in text and name in text
    assert "Người nhận tiền: Lê Văn Cường (Con)" in text
    assert "là người được ủy quyền nhận thay người hưởng; Số định danh người nhận:" in text
    assert text.count("Người nhận tiền: bản thân người hưởng") == 1
    assert "ỦY BAN NHÂN DÂN Số: 000002 XÃ AN BÌNH" in text
    assert "Đơn vị chi trả: Ủy ban nhân dân xã An Bình" in text
    assert "Số tiền: 1.000.000 đ Bằng chữ: Một triệu đồng." in text
    assert "Bằng chữ: Bảy trăm năm mươi nghìn đồng." in text
    assert "Hình thức: Tiền mặt tại xã" in text and "Hình thức: Chuyển khoản" not in text
    assert "An Bình, ngày 15 tháng 01 năm 2026" in text                   # the day of payment
    assert_no_hiv(out)


def test_receipts_for_transfers_only_when_asked(db, session, tmp_path):
    out = tmp_path / "all.pdf"
    assert receipts.write(db, session, out, channel="all") == 3
    assert "Hình thức: Chuyển khoản" in pdf_text(out)
    assert receipts.write(db, session, out, channel="account") == 1
    assert receipts.write(db, session, out, receipt_nos=[1]) == 1         # a number asked for is printed


def test_receipt_date_and_the_authorised_receivers_id(ctx, db, people, tmp_path):
    register.update(ctx, people["Trần Thị Bình"], {"receiver_id_number": "035080000555"})
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 2", kind="monthly", period="2026-02",
                                                          session_date=dt.date(2026, 2, 1)))
    payouts.lock_session(ctx, sid)
    lines = {line["full_name"]: line for line in payouts.session_lines(db, sid)}
    payouts.pay_line(ctx, lines["Trần Thị Bình"]["id"], received_by="authorised")
    payouts.pay_line(ctx, lines["Hoàng Thị Thu"]["id"], received_by="authorised", receiver_name="Hoàng Văn Lâm")
    out = tmp_path / "dated.pdf"
    receipts.write(db, sid, out, on=dt.date(2026, 2, 3))
    text = pdf_text(out)
    assert text.count("An Bình, ngày 03 tháng 02 năm 2026") == 2
    assert "Số định danh người nhận: 035080000555" in text
    assert f"Số định danh người nhận: {receipts.BLANK}" in text          # someone not on the register: by hand
    receipts.write(db, sid, out, masked=True)
    assert mask("035080000555") in pdf_text(out) and "035080000555" not in pdf_text(out)


def test_receipts_reprint_and_mask(db, session, tmp_path):
    out = tmp_path / "one.pdf"
    assert receipts.write(db, session, out, receipt_nos=[2], masked=True) == 1
    text = pdf_text(out)
    assert "Trần Thị Bình" in text and "Nguyễn Văn An" not in text
    assert mask("035138000102") in text and "035138000102" not in text


def test_no_receipts_before_anyone_is_paid(ctx, people, tmp_path):
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 2", kind="monthly", period="2026-02",
                                                          session_date=dt.date(2026, 2, 1)))
    with pytest.raises(UserError, match="tiền mặt"):
        receipts.write(ctx.db, sid, tmp_path / "none.pdf")
    assert not (tmp_path / "none.pdf").exists()


def test_thousand_receipts_are_drawn(tmp_path):
    many = [receipts.Receipt(i, f"Người Thứ {i}", 1950, "035050000000", "Thôn Đông", 600_000, "cash_commune", ON)
            for i in range(1, 1001)]
    out = tmp_path / "many.pdf"
    receipts.render(many, out, issuer=frame.Issuer("Xã An Bình"), session_name="Quà Tết")
    assert len(pypdf.PdfReader(str(out)).pages) == 250


# Transfer list ---------------------------------------------------------------------------------

def test_transfer_list_per_bank_with_control_totals_and_checksum(db, people, ctx, tmp_path):
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 2", kind="monthly", period="2026-02",
                                                          session_date=dt.date(2026, 2, 1)))
    payouts.lock_session(ctx, sid)
    out = tmp_path / "transfers.pdf"
    sections = transfer_list.write(db, sid, out, on=ON)
    pages = pdf_pages(out)
    by_bank = transfers.transfer_rows(db, sid)
    assert [s.bank_bin for s in sections] == list(by_bank)
    text = " ".join(pages)
    for section in sections:
        rows = by_bank[section.bank_bin]
        assert section.checksum == transfers.checksum(rows)
        assert f"Mã kiểm tra SHA-256: {section.checksum}" in text
        assert f"Tổng số giao dịch: {len(rows)}; tổng số tiền: {format_vnd(sum(r.amount for r in rows))}" in text
        for r in rows:
            assert r.account_number in text and r.holder in text and r.full_name in text
    agribank = text[text.index("Agribank"):]
    assert "NGUYEN VAN AN" in agribank and "DANG VAN DAT" in agribank and "1.000.000" in agribank
    firsts = [p for p in pages if "Ngân hàng:" in p]                      # each bank starts on a page of its own
    assert len(firsts) == len(sections) and all("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in p for p in firsts)


def test_transfer_list_for_one_bank(db, people, ctx, tmp_path):
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 2", kind="monthly", period="2026-02",
                                                          session_date=dt.date(2026, 2, 1)))
    out = tmp_path / "vbsp.pdf"
    transfer_list.write(db, sid, out, on=ON, bank_bin="999888")
    text = pdf_text(out)
    assert "TON NU HOANG THI DIEU PHUONG" in text and "NGUYEN VAN AN" not in text
    with pytest.raises(UserError):
        transfer_list.write(db, sid, tmp_path / "x.pdf", on=ON, bank_bin="970436")


# Campaign and cleaning lists ---------------------------------------------------------------------

def test_campaign_lists_who_needs_an_account_with_their_papers(db, people, tmp_path):
    out = tmp_path / "campaign.pdf"
    assert campaign.write(db, out, on=ON) == 4
    text = pdf_text(out)
    for name in ("Trần Thị Bình", "Lò Thị Hạnh", "Phạm Văn Đức", "Hoàng Thị Thu"):
        assert name in text
    for name in ("Nguyễn Văn An", "Tôn Nữ Hoàng Thị Diệu Phương", "Đặng Văn Đạt"):
        assert name not in text
    assert "Giấy khai sinh của trẻ" in text                       # Đức is 10
    assert "CCCD của người được ủy quyền; giấy ủy quyền" in text   # Bình and Thu
    assert "Chưa có số định danh: làm CCCD tại công an xã trước" in text  # Thu
    assert "Số điện thoại chính chủ" in text                      # Bình and Đức have no phone
    assert "Đang mở tài khoản" in text and "Tổng số: 4 người" in text
    assert_no_hiv(out)


def test_campaign_papers():
    child = campaign.CampaignPerson("Bé", 2020, 6, "035220000001", "", "Thôn Đông", "needs_account")
    adult = campaign.CampaignPerson("Ông", 1950, 76, "035050000001", "0912", "Thôn Đông", "needs_account",
                                    receiver_name="Con")
    assert campaign.papers(child) == ["Giấy khai sinh của trẻ; CCCD của cha, mẹ hoặc người giám hộ",
                                      "Số điện thoại chính chủ (nhận mã OTP)"]
    assert campaign.papers(adult) == ["CCCD/giấy tờ tùy thân", "CCCD của người được ủy quyền; giấy ủy quyền"]


def test_cleaning_list_groups_problems_and_hides_hiv(db, people, tmp_path):
    problems = checks.run_checks(db, ON)
    assert not any("HIV" in p.message for p in problems)  # the checks name HIV groups by programme only
    out = tmp_path / "cleaning.pdf"
    assert cleaning.write(db, out, on=ON) == len(checks.for_police(problems)) < len(problems)
    text = pdf_text(out)
    assert_no_hiv(out)
    assert "Bảo trợ xã hội: mức ghi 700.000 đ" in text
    assert "Thiếu số định danh" in text and "Hoàng Thị Thu" in text
    assert "CÔNG AN XÃ" in text and "Kết quả xác minh của công an" in text
    assert checks.GROUP_LABELS["no_decision"] not in text          # the commune's own paperwork


# Monthly progress report ------------------------------------------------------------------------

def test_progress_report_figures(db, session, ctx, tmp_path):
    data = progress_report.progress_data(db, "2026-01")
    total = data.total
    assert [total.measure(m) for m in ("paid_transfer", "paid_cash", "unpaid")] == [1, 2, 4]
    assert total.measure("amount_transfer") == 500_000 and total.measure("amount_cash") == 1_750_000
    assert progress_report.percent(indicators.BUILT_IN["cashless_share"].value(total)) == "33,3%"
    groups = dict(data.by_group)
    assert "Bảo trợ xã hội" in groups and not any("HIV" in g for g in groups)
    assert groups["Bảo trợ xã hội"].measure("paid_cash") == 1
    assert dict(data.by_village)["Thôn Đông"].measure("recipients") == 3
    assert data.coverage["has_account"] == 3 and data.coverage["opening"] == 1

    out = tmp_path / "report.pdf"
    progress_report.write(db, "2026-01", out, on=dt.date(2026, 2, 2))
    text = pdf_text(out)
    assert "Số: 1/BC-UBND" in text and "An Bình, ngày 02 tháng 02 năm 2026" in text
    assert "BÁO CÁO Tiến độ chi trả chính sách an sinh xã hội không dùng tiền mặt tháng 01/2026" in text
    assert "Kính gửi: Sở Y tế tỉnh Phú Thọ." in text
    assert "Nơi nhận: - Như trên; - Lưu: VT." in text and "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH" in text
    assert "Tỷ lệ người nhận qua tài khoản (xám đậm)" in text   # the chart's title
    assert "33,3%" in text and "Trợ cấp tháng 01/2026" in text
    assert_no_hiv(out)


def test_report_numbers_count_per_year_and_survive_a_reprint(db, session, tmp_path):
    out = tmp_path / "report.pdf"
    write = progress_report.write
    assert write(db, "2026-01", out, on=dt.date(2026, 2, 2)).number == 1
    assert write(db, "2026-01", out, on=dt.date(2026, 2, 3)).number == 1           # a reprint
    assert write(db, "2025-12", out, on=dt.date(2026, 1, 5)).number == 2
    assert write(db, "2026-02", out, on=dt.date(2026, 3, 2), number=17).number == 17  # the clerk's number
    assert write(db, "2026-03", out, on=dt.date(2026, 4, 2)).number == 18
    assert write(db, "2026-12", out, on=dt.date(2027, 1, 4)).number == 1            # a new year
    with pytest.raises(UserError, match="17/BC-UBND"):
        write(db, "2026-04", out, on=dt.date(2026, 5, 2), number=17)
    assert write(db, "2026-01", out, on=dt.date(2026, 2, 3), number=5).number == 5  # renumbered on request
    assert "Số: 5/BC-UBND" in pdf_text(out)


def test_report_goes_to_the_office_of_each_programme(tmp_path, clock):
    db = open_db(":memory:")
    settings.init_commune(db, "05425", officer="Nguyễn Thị Lập")           # no upstream office named
    settings.put_signers(db, {"chairman": "Trần Văn Phó", "deputy": True})
    ctx = Context(db, clock=clock, user="test")
    for data, ms in PEOPLE:
        register.create(ctx, data, ms)
    register.create(ctx, {"full_name": "Vũ Văn Công", "birth_year": 1950, "village": "Thôn Đông"},
                    [{"category": "ncc_benh_binh", "amount": 2_000_000}])
    assert progress_report.report_offices(db, {"btxh", "ncc"}) == ["Sở Y tế tỉnh Phú Thọ", "Sở Nội vụ tỉnh Phú Thọ"]
    assert progress_report.report_offices(db, set()) == ["Sở Y tế tỉnh Phú Thọ"]
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 01/2026", kind="monthly", period="2026-01",
                                                          session_date=ON, programs=("btxh", "ncc")))
    payouts.lock_session(ctx, sid)
    out = tmp_path / "report.pdf"
    progress_report.write(db, "2026-01", out, on=ON)
    text = pdf_text(out)
    assert "Kính gửi: - Sở Y tế tỉnh Phú Thọ; - Sở Nội vụ tỉnh Phú Thọ." in text
    assert "Phòng Văn hóa" not in text
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in text and "Trần Văn Phó" in text


def test_progress_report_trend_over_months(ctx, people):
    for month in ("2025-11", "2025-12"):
        sid = payouts.create_session(ctx, payouts.SessionSpec(
            name=f"Tháng {month}", kind="monthly", period=month, session_date=dt.date(2025, int(month[5:]), 10),
            carry_forward=False))
        payouts.lock_session(ctx, sid)
        for line in payouts.session_lines(ctx.db, sid, channel="account")[: 1 if month == "2025-11" else 3]:
            payouts.pay_line(ctx, line["id"])
    data = progress_report.progress_data(ctx.db, "2025-12", history=3)
    assert [m for m, _t in data.trend] == ["2025-11", "2025-12"]          # from the first month with payouts
    assert [t.measure("paid_transfer") for _m, t in data.trend] == [1, 3]
    assert [m for m, _t in progress_report.progress_data(ctx.db, "2026-02", history=3).trend] == [
        "2025-12", "2026-01", "2026-02"]
    assert progress_report.progress_data(ctx.db, "2025-11").sessions[0][1].measure("paid_transfer") == 1


# One entry point, the CLI, printing -------------------------------------------------------------

@pytest.fixture
def dbfile(tmp_path, clock):
    path = tmp_path / "commune.sqlite"
    db = open_db(path)
    settings.init_commune(db, "05425", officer="Nguyễn Thị Lập")
    ctx = Context(db, clock=clock, user="test")
    for data, ms in PEOPLE:
        register.create(ctx, data, ms)
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Trợ cấp tháng 01/2026", kind="monthly",
                                                          period="2026-01", session_date=ON))
    payouts.lock_session(ctx, sid)
    payouts.pay_line(ctx, payouts.session_lines(db, sid)[0]["id"])
    db.close()
    return path, sid


@pytest.mark.parametrize("args", [
    ["payout-list", "{sid}", "--mask"],
    ["payout-list", "{sid}", "--channel", "cash"],
    ["receipts", "{sid}", "--per-page", "2", "--channel", "all"],
    ["transfers", "{sid}"],
    ["campaign"],
    ["cleaning"],
    ["report", "--month", "2026-01", "--number", "7"],
])
def test_cli_print(dbfile, tmp_path, capsys, args):
    path, sid = dbfile
    out = tmp_path / "out.pdf"
    argv = ["--db", str(path), "print"] + [a.format(sid=sid[:8]) for a in args] + ["--out", str(out),
                                                                                   "--date", "05/01/2026"]
    assert cli.main(argv) == 0
    assert f"Đã ghi {out}" in capsys.readouterr().out
    assert "An Bình, ngày 05 tháng 01 năm 2026" in pdf_pages(out)[0]
    assert_no_hiv(out)


def test_cli_print_errors_are_plain(dbfile, tmp_path, capsys):
    path, _ = dbfile
    assert cli.main(["--db", str(path), "print", "payout-list", "zzzz", "--out", str(tmp_path / "x.pdf")]) == 1
    assert "Không tìm thấy đợt chi" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--db", str(path), "print", "report", "--month", "2026-13", "--out", str(tmp_path / "x.pdf")])


def test_every_print_command_is_documented():
    parser = cli.build_parser()
    top = parser._subparsers._group_actions[0].choices["print"]
    sub = top._subparsers._group_actions[0]
    helps = {a.dest: a.help for a in sub._choices_actions}
    assert set(sub.choices) == set(documents.KINDS)
    assert all(helps.get(name) for name in sub.choices)


def test_documents_write_needs_a_session(db):
    with pytest.raises(UserError):
        documents.write(db, documents.Request("receipts", ON), "x.pdf")
    with pytest.raises(UserError):
        documents.write(db, documents.Request("letters", ON), "x.pdf")


def test_pages_render_to_png(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=ON)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "page")], check=True)
    assert sorted(p.name for p in tmp_path.glob("page*.png"))
