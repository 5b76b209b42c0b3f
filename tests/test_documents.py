"""Printed documents: read the PDFs back and check names, amounts, totals, masking, page numbers,
the NĐ 30 frame, and that HIV status never reaches paper."""

import datetime as dt
import math
import re
import shutil
import subprocess
import unicodedata

import pypdf
import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from commune_payout import checks, cli, demo, documents, payouts, printing, register, settings, transfers
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.documents import (campaign, cleaning, fonts, frame, payout_list, progress_report, receipts,
                                      transfer_list)
from commune_payout.documents.table import PAD_H, Column, PagedTable, Row
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
     [{"category": "nguoi_hiv_ngheo", "coefficient": 1.5, "amount": 700_000}]),
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
TOTAL = 500_000 + 1_000_000 + 700_000 + 750_000 + 1_000_000 + 500_000 + 500_000


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
    assert issuer.body == "UBND XÃ AN BÌNH"
    assert issuer.full_name == "Ủy ban nhân dân xã An Bình"
    assert frame.place_and_date(issuer.place, dt.date(2027, 1, 5)) == "Xã An Bình, ngày 05 tháng 01 năm 2027"
    assert frame.issuer_of(open_commune()).body == "UBND XÃ AN BÌNH"


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
    for text in ("UBND XÃ AN BÌNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Xã An Bình, ngày 05 tháng 01 năm 2026", "DANH SÁCH CHI TRẢ", "Đợt: Trợ cấp tháng 01/2026",
                 "Nguồn kinh phí: Ngân sách tỉnh"):
        assert text in first
    last = pdf_pages(out)[-1]
    for text in ("NGƯỜI LẬP BIỂU", "KẾ TOÁN", "TM. ỦY BAN NHÂN DÂN CHỦ TỊCH", "Nguyễn Thị Lập"):
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
    for amount in (500_000, 700_000, 750_000, 1_000_000):
        assert format_vnd(amount, unit=False) in text
    assert f"TỔNG CỘNG: {len(PEOPLE)} người {format_vnd(TOTAL, unit=False)}" in text
    assert "Bằng chữ: " + amount_in_words_sentence(TOTAL) in text
    assert "Cộng Thôn Đông: 3 người 2.000.000" in text
    assert "Ủy quyền: Lê Văn Cường (Con)" in text
    assert "hệ số 1,5" in text


def test_payout_list_never_prints_hiv(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=ON)
    assert_no_hiv(out)
    text = pdf_text(out)
    start = text.index("Lò Thị Hạnh")
    assert "Bảo trợ xã hội" in text[start:start + 80]


def test_payout_list_masks_ids_for_public_posting(db, session, tmp_path):
    out = tmp_path / "public.pdf"
    payout_list.write(db, session, out, on=ON, mask_ids=True)
    text = pdf_text(out)
    for data, _ in PEOPLE:
        if data.get("id_number"):
            assert data["id_number"] not in text
            assert mask(data["id_number"]) in text
    assert "số định danh chỉ in 4 số cuối" in text


def test_payout_list_by_channel(db, session, tmp_path):
    out = tmp_path / "cash.pdf"
    assert payout_list.write(db, session, out, on=ON, channel="cash") == 4
    text = pdf_text(out)
    assert "DANH SÁCH CHI TRẢ BẰNG TIỀN MẶT" in text
    assert "Nguyễn Văn An" not in text and "Trần Thị Bình" in text


def test_long_list_carries_totals_and_repeats_the_header(ctx, tmp_path):
    demo.populate(ctx, 260)
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name="Quà Tết 2026", kind="tet_gift", period="2026-01", session_date=ON,
        gift_high=600_000, gift_low=300_000, fixed={"btxh": 500_000, "htxh": 500_000}))
    out = tmp_path / "long.pdf"
    payout_list.write(ctx.db, sid, out, on=ON)
    pages = pdf_pages(out)
    total = sum(line["total"] for line in payouts.session_lines(ctx.db, sid))
    assert len(pages) >= 10
    assert not any(page.count("Trang ") for page in pages[:1])           # NĐ 30: no number on page 1
    for n, page in enumerate(pages, start=1):
        assert "Họ và tên" in page and "KÝ NHẬN" in page
        if n > 1:
            assert f"Trang {n}/{len(pages)}" in page
    for n in range(len(pages) - 1):
        out_count, out_amount = re.search(r"Cộng chuyển sang trang sau: (\d+) người ([\d.]+)", pages[n]).groups()
        in_count, in_amount = re.search(r"Cộng trang trước chuyển sang: (\d+) người ([\d.]+)", pages[n + 1]).groups()
        assert (out_count, out_amount) == (in_count, in_amount)
    last = pages[-1]
    assert f"TỔNG CỘNG: 260 người {format_vnd(total, unit=False)}" in last
    assert amount_in_words_sentence(total) in last and "NGƯỜI LẬP BIỂU" in last


def test_signature_column_is_wide_and_tall_enough():
    sign = next(c for c in payout_list.COLUMNS if c.title == "KÝ NHẬN")
    assert sign.width >= 30 and payout_list.ROW_HEIGHT_MM >= 10
    assert sum(c.width for c in payout_list.COLUMNS) * mm <= frame.Page(landscape=True).width + 0.01
    table = PagedTable(payout_list.COLUMNS, row_height=payout_list.ROW_HEIGHT_MM, carry_column=8)
    row = table.measure(Row(["1", "A", "", "", "", "", "", "", "", "", "", "", ""]))
    assert row.height >= 10 * mm


@pytest.mark.parametrize("module", [payout_list, transfer_list, campaign, cleaning])
def test_columns_fill_the_landscape_page_and_every_header_word_fits(module):
    fonts.register()
    assert sum(c.width for c in module.COLUMNS) * mm == pytest.approx(frame.Page(landscape=True).width, abs=0.5)
    for column in module.COLUMNS:
        for word in column.title.split():
            assert pdfmetrics.stringWidth(word, fonts.BOLD, 9) <= column.width * mm - 2 * PAD_H, word


def test_paged_table_keeps_signatures_with_rows_and_headings_with_their_first_row():
    table = PagedTable([Column("A", 50), Column("B", 30, "RIGHT")], row_height=10, carry_column=1)
    rows = [table.measure(Row(["Thôn", ""], kind="heading"))]
    rows += [table.measure(Row([f"Người {i}", "1"], amount=1, count=1)) for i in range(40)]
    row_h = rows[1].height
    pages = table.paginate(rows, first_space=10 * row_h, page_space=10 * row_h, tail_space=9 * row_h)
    assert sum(len(p) for p in pages) == len(rows)
    assert len(pages[-1]) >= 3
    assert all(p[-1].kind != "heading" for p in pages)


def test_pdf_is_written_atomically(tmp_path):
    out = tmp_path / "list.pdf"
    out.write_bytes(b"old list")
    bad = payout_list.PayoutListLine("Nguyễn Văn An", 1940, None, "Thôn Đông", "x", 1, None, 1, 1, "pigeon")
    with pytest.raises(KeyError):
        payout_list.render([bad], out, issuer=frame.Issuer("Xã An Bình"), on=ON, title="Danh sách")
    assert out.read_bytes() == b"old list"
    assert [p.name for p in tmp_path.iterdir()] == ["list.pdf"]


# Receipts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("per_page", [2, 4])
def test_receipts_one_per_paid_person(db, session, tmp_path, per_page):
    out = tmp_path / "receipts.pdf"
    assert receipts.write(db, session, out, per_page=per_page) == 3
    pages = pdf_pages(out)
    assert len(pages) == math.ceil(3 / per_page)
    text = " ".join(pages)
    for number, name in ((1, "Nguyễn Văn An"), (2, "Trần Thị Bình"), (3, "Lò Thị Hạnh")):
        assert f"Số: {number:06d}" in text and name in text
    assert "Người nhận tiền: Lê Văn Cường (Con) là người được ủy quyền" in text
    assert text.count("Người nhận tiền: bản thân người hưởng") == 2
    assert "Đơn vị chi trả: Ủy ban nhân dân xã An Bình" in text
    assert "Số tiền: 1.000.000 đ Bằng chữ: Một triệu đồng." in text
    assert "Bằng chữ: Bảy trăm nghìn đồng." in text
    assert "Hình thức: Chuyển khoản" in text and "Hình thức: Tiền mặt tại xã" in text
    assert "035040000101" in text
    assert_no_hiv(out)


def test_receipts_reprint_and_mask(db, session, tmp_path):
    out = tmp_path / "one.pdf"
    assert receipts.write(db, session, out, receipt_nos=[2], mask_ids=True) == 1
    text = pdf_text(out)
    assert "Trần Thị Bình" in text and "Nguyễn Văn An" not in text
    assert mask("035138000102") in text and "035138000102" not in text


def test_no_receipts_before_anyone_is_paid(ctx, people, tmp_path):
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Tháng 2", kind="monthly", period="2026-02",
                                                          session_date=dt.date(2026, 2, 1)))
    with pytest.raises(UserError):
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
        assert f"Tổng số giao dịch: {len(rows)}" in text
        assert f"Tổng số tiền: {format_vnd(sum(r.amount for r in rows))}" in text
        for r in rows:
            assert r.account_number in text and r.holder in text and r.full_name in text
    agribank = next(p for p in pages if "Agribank" in p)
    assert "NGUYEN VAN AN" in agribank and "DANG VAN DAT" in agribank and "1.000.000" in agribank
    assert all("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in p for p in pages)   # each bank's pages stand alone


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
    assert cleaning.write(db, out, on=ON) == len(problems)
    text = pdf_text(out)
    assert_no_hiv(out)
    assert "Bảo trợ xã hội: mức ghi 700.000 đ" in text
    assert "Thiếu số định danh" in text and "Hoàng Thị Thu" in text
    assert "CÔNG AN XÃ" in text and "Kết quả xác minh của công an" in text


# Monthly progress report ------------------------------------------------------------------------

def test_progress_report_figures(db, session, ctx, tmp_path):
    data = progress_report.progress_data(db, "2026-01")
    total = data.total
    assert (total.account_count, total.cash_count, total.unpaid_count) == (1, 2, 4)
    assert total.account_amount == 500_000 and total.cash_amount == 1_700_000
    assert progress_report.percent(total.share) == "33,3%"
    groups = dict(data.by_group)
    assert "Bảo trợ xã hội" in groups and not any("HIV" in g for g in groups)
    assert groups["Bảo trợ xã hội"].cash_count == 1
    assert dict(data.by_village)["Thôn Đông"].count == 3
    assert data.coverage["has_account"] == 3 and data.coverage["opening"] == 1

    out = tmp_path / "report.pdf"
    progress_report.write(db, "2026-01", out, on=dt.date(2026, 2, 2))
    text = pdf_text(out)
    assert "BÁO CÁO TIẾN ĐỘ CHI TRẢ" in text and "Tháng 01/2026" in text
    assert "Kính gửi: Sở Y tế tỉnh Phú Thọ" in text
    assert "Tỷ lệ người hưởng nhận qua tài khoản qua các đợt chi trả" in text   # the chart's title
    assert "33,3%" in text and "Trợ cấp tháng 01/2026" in text
    assert_no_hiv(out)


def test_progress_report_trend_over_sessions(ctx, people):
    for month in ("2025-11", "2025-12"):
        sid = payouts.create_session(ctx, payouts.SessionSpec(
            name=f"Tháng {month}", kind="monthly", period=month, session_date=dt.date(2026, 1, 10),
            carry_forward=False))
        payouts.lock_session(ctx, sid)
        for line in payouts.session_lines(ctx.db, sid, channel="account")[: 1 if month == "2025-11" else 3]:
            payouts.pay_line(ctx, line["id"])
    data = progress_report.progress_data(ctx.db, "2025-12")
    assert [p.period for p in data.trend] == ["2025-11", "2025-12"]
    assert [p.split.account_count for p in data.trend] == [1, 3]
    assert progress_report.progress_data(ctx.db, "2025-11").sessions[0][1].account_count == 1


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
    ["payout-list", "{sid}", "--mask-ids"],
    ["payout-list", "{sid}", "--channel", "cash"],
    ["receipts", "{sid}", "--per-page", "2"],
    ["transfers", "{sid}"],
    ["campaign"],
    ["cleaning"],
    ["report", "--month", "2026-01"],
])
def test_cli_print(dbfile, tmp_path, capsys, args):
    path, sid = dbfile
    out = tmp_path / "out.pdf"
    argv = ["--db", str(path), "print"] + [a.format(sid=sid[:8]) for a in args] + ["--out", str(out),
                                                                                   "--date", "05/01/2026"]
    assert cli.main(argv) == 0
    assert f"Đã ghi {out}" in capsys.readouterr().out
    # receipts carry the day of payment, every other document the date asked for
    day = "ngày 15 tháng 01 năm 2026" if args[0] == "receipts" else "ngày 05 tháng 01 năm 2026"
    assert day in pdf_pages(out)[0]
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


def test_print_uses_lp_on_linux(tmp_path, monkeypatch):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    calls = []
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: calls.append(cmd) or subprocess.CompletedProcess(
        cmd, 0, stdout="request id is HP-7 (1 file(s))\n", stderr=""))
    assert printing.print_pdf(pdf, printer="HP", copies=2, system="Linux") == "request id is HP-7 (1 file(s))"
    assert calls == [["lp", "-d", "HP", "-n", "2", str(pdf)]]


def test_print_failures_are_user_errors(tmp_path, monkeypatch):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="lp"):
        printing.print_pdf(pdf, system="Linux")
    with pytest.raises(UserError, match="Không tìm thấy"):
        printing.print_pdf(tmp_path / "missing.pdf", system="Linux")
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/lp")
    monkeypatch.setattr(subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(
        cmd, 1, stdout="", stderr="lp: No default destination."))
    with pytest.raises(UserError, match="No default destination"):
        printing.print_pdf(pdf, system="Linux")


def test_windows_uses_the_shell_verbs(tmp_path, monkeypatch):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    calls = []
    monkeypatch.setattr(printing.os, "startfile", lambda *a: calls.append(a), raising=False)
    printing.print_pdf(pdf, system="Windows")
    printing.open_in_viewer(pdf, system="Windows")
    assert calls == [(str(pdf), "print"), (str(pdf),)]


def test_viewer_on_linux(tmp_path, monkeypatch):
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    started = []
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kw: started.append(cmd))
    printing.open_in_viewer(pdf, system="Linux")
    printing.open_in_viewer(pdf, system="Darwin")
    assert started == [["xdg-open", str(pdf)], ["open", str(pdf)]]


def test_pages_render_to_png(db, session, tmp_path):
    out = tmp_path / "list.pdf"
    payout_list.write(db, session, out, on=ON)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(out), str(tmp_path / "page")], check=True)
    assert sorted(p.name for p in tmp_path.glob("page*.png"))
