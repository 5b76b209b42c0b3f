"""Layout of every printed document, read back word by word with pdfplumber (each word's box on
the page) for a commune with two very long names and a long authorised receiver's name:
no word within 5 mm of the paper's edge (printers clip there), no two words printed over each
other, no word on a receipt crossing a cut line, and no phone or ID number on a masked list (nor
an ID number on the verification sheet, which is a phone list).
The first page of each is rendered to tests/artifacts/documents/ to be looked at."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from reportlab.lib.units import mm

from commune_payout import demo, documents, payouts, register, settings, verification
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db

ON = dt.date(2026, 1, 15)
EDGE = 5 * mm
LONG_NAMES = ("Tôn Nữ Hoàng Uyển Nhược Quỳnh Như Ý", "Công Tằng Tôn Nữ Thị Phương Thảo Hoàng Lan Chi")
LONG_RECEIVER = "Nguyễn Trần Hoàng Bảo Khánh Linh Đan"
ARTIFACTS = Path(__file__).parent / "artifacts" / "documents"
DOCUMENTS = {
    "list_monthly": ("payout-list", "monthly", {}),
    "list_monthly_cash_masked": ("payout-list", "monthly", {"channel": "cash", "masked": True}),
    "list_tet": ("payout-list", "tet", {}),
    "list_tet_account": ("payout-list", "tet", {"channel": "account"}),
    "receipts_4": ("receipts", "monthly", {"channel": "all"}),
    "receipts_2": ("receipts", "monthly", {"per_page": 2, "channel": "all"}),
    "receipts_4_masked": ("receipts", "monthly", {"masked": True}),
    "transfers": ("transfers", "tet", {}),
    "verification": ("verification", "monthly", {}),
    "campaign": ("campaign", None, {}),
    "campaign_masked": ("campaign", None, {"masked": True}),
    "cleaning": ("cleaning", None, {}),
    "report": ("report", None, {"period": "2026-01"}),
}


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    db = open_db(folder / "commune.sqlite")
    settings.init_commune(db, "05425", officer="Nguyễn Thị Lập")
    settings.put_signers(db, {"accountant": "Phạm Thị Kế Toán", "treasurer": "Đỗ Văn Quỹ",
                              "chairman": "Hoàng Văn Chủ", "deputy": True})
    ctx = Context(db, clock=FixedClock(dt.datetime(2026, 1, 15, 9)), user="test")
    demo.populate(ctx, 90)
    for n, name in enumerate(LONG_NAMES):
        register.create(ctx, {"full_name": name, "birth_year": 1941, "gender": "F", "village": "Thôn Đông",
                              "id_number": f"03514100099{n}", "phone": f"091200099{n}",
                              "receiver_name": LONG_RECEIVER, "receiver_relation": "Cháu ngoại"},
                        [{"category": "nkt_dac_biet_nang", "coefficient": 2.5}])
    sessions = {}
    for key, spec in (
        ("monthly", payouts.SessionSpec(name="Trợ cấp hằng tháng tháng 01/2026 (kèm truy lĩnh)", kind="monthly",
                                        period="2026-01", session_date=ON, funding_source="Ngân sách tỉnh")),
        ("tet", payouts.SessionSpec(name="Quà Tết Bính Ngọ 2026", kind="tet_gift", period="2026-01",
                                    session_date=ON, gift_high=600_000, gift_low=300_000,
                                    fixed={"btxh": 400_000, "htxh": 400_000})),
    ):
        sid = sessions[key] = payouts.create_session(ctx, spec)
        payouts.lock_session(ctx, sid)
    lines = payouts.session_lines(db, sessions["monthly"])
    for line in lines:
        if line["full_name"] in LONG_NAMES:
            payouts.pay_line(ctx, line["id"], received_by="authorised")
    for line in lines[:12]:
        if line["full_name"] not in LONG_NAMES:
            payouts.pay_line(ctx, line["id"])
    verification.draw(ctx, sessions["monthly"], verification.DrawSpec("all"), seed=1)
    out = {}
    for name, (kind, session, options) in DOCUMENTS.items():
        path = folder / f"{name}.pdf"
        request = documents.Request(kind, on=ON, session_id=sessions.get(session), **options)
        documents.write(db, request, path)
        out[name] = path
    db.close()
    return out


def words_of(page) -> list[dict]:
    return page.extract_words(keep_blank_chars=False, use_text_flow=False)


def overlapping(words: list[dict], slack: float = 0.6) -> list[tuple[str, str]]:
    """Pairs of words whose boxes overlap by more than ``slack`` points both ways."""
    out = []
    ordered = sorted(words, key=lambda w: w["x0"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b["x0"] >= a["x1"] - slack:
                break
            if min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > slack:
                out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("name", DOCUMENTS)
def test_no_word_near_the_edge_and_none_over_another(printed, name):
    with pdfplumber.open(printed[name]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = words_of(page)
            assert words, f"page {number} is empty"
            near = [w["text"] for w in words if w["x0"] < EDGE or w["top"] < EDGE
                    or w["x1"] > page.width - EDGE or w["bottom"] > page.height - EDGE]
            assert near == [], f"{name} page {number}: {near}"
            assert overlapping(words) == [], f"{name} page {number}"


@pytest.mark.parametrize("name", ["receipts_4", "receipts_2", "receipts_4_masked"])
def test_no_word_on_a_receipt_crosses_a_cut_line(printed, name):
    with pdfplumber.open(printed[name]) as pdf:
        for page in pdf.pages:
            middle_x, middle_y = page.width / 2, page.height / 2
            for w in words_of(page):
                assert not w["top"] < middle_y < w["bottom"], w["text"]
                if name != "receipts_2":
                    assert not w["x0"] < middle_x < w["x1"], w["text"]


def test_long_names_print_whole(printed):
    """Names on two lines in a list's cell read back line by line, so: every word of each long
    name on one page, and nothing cut short with "…"."""
    for name in ("list_monthly", "receipts_4", "receipts_2", "verification"):
        with pdfplumber.open(printed[name]) as pdf:
            pages = [[w["text"] for w in words_of(page)] for page in pdf.pages]
        assert not any(word.endswith("…") and word.strip("…") for words in pages for word in words)
        for long_name in (*LONG_NAMES, LONG_RECEIVER):
            assert any(all(part in words for part in long_name.split()) for words in pages), (name, long_name)


@pytest.mark.parametrize("name", ["list_monthly_cash_masked", "receipts_4_masked", "campaign_masked"])
def test_masked_lists_hold_no_phone_or_id_number(printed, name):
    with pdfplumber.open(printed[name]) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert re.findall(r"\d{9,}", text) == []
    assert "••••" in text


def test_the_verification_sheet_holds_phones_and_no_id_number(printed):
    with pdfplumber.open(printed["verification"]) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert re.findall(r"\d{12}", text) == [] and "••••" in text
    assert re.search(r"\b0912000990\b", text)


def test_unmasked_lists_do_hold_them(printed):
    with pdfplumber.open(printed["campaign"]) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert re.search(r"\b0\d{9}\b", text) and re.search(r"\b\d{12}\b", text)


def test_place_line_and_titles_in_the_nd30_sizes(printed):
    with pdfplumber.open(printed["report"]) as pdf:
        chars = pdf.pages[0].chars
    def size_of(text):
        line = "".join(c["text"] for c in chars)
        start = line.index(text)
        return {round(c["size"], 1) for c in chars[start:start + len(text)]}
    assert size_of("An Bình, ngày 15 tháng 01 năm 2026") == {13.0}
    assert size_of("BÁO CÁO") == {14.0}
    assert size_of("Số: 1/BC-UBND") == {13.0}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_first_pages_render_for_a_look(printed, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile", str(printed[name]),
                    str(stem)], check=True)
    assert stem.with_suffix(".png").stat().st_size > 5_000
