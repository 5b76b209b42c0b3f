"""The printed decision read back with pdfplumber: number, date, the person, the group, the amount
in figures and in words, the month; the list attached when it covers several people; the
funeral-support decision; the NĐ 30 frame (sizes, no word near the edge or over another).
First pages are rendered to tests/artifacts/documents/ to be looked at."""

import datetime as dt
import re
import subprocess
from pathlib import Path

import pdfplumber
import pytest

from commune_payout import decisions, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.documents import decision as decision_document
from commune_payout.errors import UserError
from test_document_layout import EDGE, overlapping, words_of

ARTIFACTS = Path(__file__).parent / "artifacts" / "documents"
SIGNED = dt.date(2026, 10, 20)


@pytest.fixture
def ctx(db):
    settings.put_signers(db, {"chairman": "Hoàng Văn Chủ", "deputy": False})
    return Context(db, clock=FixedClock(dt.datetime(2026, 10, 20, 9)), user="test")


def text_of(path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def render_for_a_look(path, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(path), str(stem)], check=True)
    assert stem.with_suffix(".png").stat().st_size > 5_000


def check_layout(path):
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = words_of(page)
            assert words, f"page {number} is empty"
            near = [w["text"] for w in words if w["x0"] < EDGE or w["top"] < EDGE
                    or w["x1"] > page.width - EDGE or w["bottom"] > page.height - EDGE]
            assert near == [] and overlapping(words) == [], (number, near)


def test_a_decision_for_one_person_reads_back(ctx, tmp_path):
    bid = register.create(ctx, {"full_name": "Nguyễn Thị Hoa", "birth_year": 1950, "gender": "F",
                                "village": "Thôn Đông", "id_number": "035150000123"})
    app = decisions.add_application(ctx, "grant", "2026-07-03", beneficiary_id=bid, category="nct_ngheo_60_80")
    did = decisions.create_decision(ctx, decisions.DecisionSpec(SIGNED, "2026-07", number=12),
                                    applications=[app])
    out = tmp_path / "qd12.pdf"
    assert decision_document.write(ctx.db, did, out) == 1
    text = flat(text_of(out))
    for expected in ("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH", "Số: 12/QĐ-UBND", "An Bình, ngày 20 tháng 10 năm 2026",
                     "QUYẾT ĐỊNH Về việc trợ cấp xã hội hằng tháng", "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH",
                     "Căn cứ Nghị định số 20/2021/NĐ-CP ngày 15 tháng 3 năm 2021",
                     "Điều 1. Trợ cấp xã hội hằng tháng đối với bà Nguyễn Thị Hoa, sinh năm 1950, số định danh "
                     "cá nhân 035150000123, thường trú tại Thôn Đông, xã An Bình, tỉnh Phú Thọ.",
                     "Diện hưởng: Người cao tuổi nghèo không người phụng dưỡng (60–80 tuổi), hệ số 1,5.",
                     "Mức trợ cấp: 750.000 đồng/tháng (Bằng chữ: Bảy trăm năm mươi nghìn đồng/tháng).",
                     "Thời gian hưởng: kể từ tháng 7 năm 2026.", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
                     "và bà Nguyễn Thị Hoa chịu trách nhiệm thi hành Quyết định này./.", "Nơi nhận:",
                     "- Như Điều 3;", "- Lưu: VT, VHXH.", "CHỦ TỊCH", "Hoàng Văn Chủ"):
        assert expected in text, expected
    assert "TM. ỦY BAN NHÂN DÂN" not in text          # the chairman decides in his own name
    assert "DANH SÁCH" not in text
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
        line = "".join(c["text"] for c in chars)
        start = line.index("Số: 12/QĐ-UBND")
        assert {round(c["size"], 1) for c in chars[start:start + 14]} == {13.0}
        grounds = line.index("Căn cứ Luật")
        assert all("Italic" in c["fontname"] for c in chars[grounds:grounds + 20])
    check_layout(out)
    render_for_a_look(out, "decision_one")


def test_a_decision_for_several_people_has_its_list(ctx, tmp_path):
    settings.put_signers(ctx.db, {"chairman": "Trần Văn Phó", "deputy": True})
    people = [("Lê Văn Nam", 2015, "tre_mo_coi", 750_000), ("Công Tằng Tôn Nữ Thị Phương Thảo Hoàng Lan Chi", 1980,
                                                             "nkt_nang", 750_000),
              ("Phạm Văn Đức", 1960, "nkt_dac_biet_nang", 1_250_000), ("Đỗ Thị Thu", 2018, "tre_hiv", 1_000_000)]
    apps = [decisions.add_application(ctx, "grant", "2026-10-02", person={
        "full_name": name, "birth_year": year, "village": "Thôn Tây", "id_number": f"0352{year % 100:02d}00{n:04d}"},
        category=group) for n, (name, year, group, _amount) in enumerate(people)]
    did = decisions.create_decision(ctx, decisions.DecisionSpec(SIGNED, "2026-11"), applications=apps)
    out = tmp_path / "qd.pdf"
    assert decision_document.write(ctx.db, did, out) == 4
    with pdfplumber.open(out) as pdf:
        first, second = (flat(page.extract_text()) for page in pdf.pages)
    assert "Điều 1. Trợ cấp xã hội hằng tháng đối với 4 người có tên trong danh sách kèm theo Quyết định này." in first
    assert ("Tổng mức trợ cấp: 3.750.000 đồng/tháng (Bằng chữ: Ba triệu bảy trăm năm mươi nghìn đồng/tháng)."
            in first)
    assert "KT. CHỦ TỊCH" in first and "PHÓ CHỦ TỊCH" in first and "Trần Văn Phó" in first
    assert "các ông (bà) có tên tại Điều 1" in first
    assert "DANH SÁCH Người được hưởng trợ cấp xã hội hằng tháng" in second
    assert "(Kèm theo Quyết định số 1/QĐ-UBND ngày 20 tháng 10 năm 2026 của Chủ tịch Ủy ban nhân dân xã An Bình)" \
        in second
    for name, year, _group, amount in people:
        assert all(part in second for part in name.split())
        assert f"{amount:,}".replace(",", ".") in second
    assert "TỔNG CỘNG: 4 người 3.750.000" in second
    assert "HIV" not in first + second and "BTXH" in second          # an HIV group shows as its programme
    check_layout(out)
    render_for_a_look(out, "decision_list")


def test_a_funeral_support_decision(ctx, tmp_path):
    bid = register.create(ctx, {"full_name": "Phan Văn Mất", "birth_year": 1938, "gender": "M",
                                "village": "Thôn Tây"}, [{"category": "nct_ngheo_80"}])
    app = decisions.add_application(ctx, "funeral", "2026-10-18", beneficiary_id=bid, died_on="15/10/2026",
                                    receiver={"name": "Phan Thị Con", "id_number": "035190001234",
                                              "relation": "con gái"})
    did = decisions.create_decision(ctx, decisions.DecisionSpec(SIGNED, "2026-10", number=31), applications=[app])
    out = tmp_path / "mai-tang.pdf"
    decision_document.write(ctx.db, did, out)
    text = flat(text_of(out))
    assert "QUYẾT ĐỊNH Về việc hỗ trợ chi phí mai táng" in text
    assert ("Hỗ trợ chi phí mai táng cho ông (bà) Phan Thị Con, số định danh cá nhân 035190001234, là con gái của "
            "ông Phan Văn Mất, sinh năm 1938") in text
    assert "đã mất ngày 15/10/2026" in text
    assert "Mức hỗ trợ: 10.000.000 đồng (Bằng chữ: Mười triệu đồng)." in text
    check_layout(out)
    render_for_a_look(out, "decision_funeral")


def test_a_recorded_decision_is_not_printed_again(ctx, tmp_path):
    bid = register.create(ctx, {"full_name": "Đinh Văn Cũ", "birth_year": 1940}, [{"category": "nct_ngheo_80"}])
    did = decisions.create_decision(ctx, decisions.DecisionSpec(dt.date(2021, 6, 20), "2021-07", recorded=True),
                                    items=[{"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_80"}])
    with pytest.raises(UserError, match="bản gốc"):
        decision_document.write(ctx.db, did, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_the_legal_bases_are_a_setting(ctx, tmp_path):
    decisions.set_grounds(ctx.db, "btxh", ["Căn cứ Nghị quyết số 99/2026/NQ-HĐND của HĐND tỉnh;", " ", "Theo đề nghị."])
    bid = register.create(ctx, {"full_name": "Vũ Thị Mai", "birth_year": 1955}, [])
    did = decisions.create_decision(ctx, decisions.DecisionSpec(SIGNED, "2026-11"), items=[
        {"beneficiary_id": bid, "action": "grant", "category": "nct_ngheo_60_80"}])
    out = tmp_path / "qd.pdf"
    decision_document.write(ctx.db, did, out)
    text = flat(text_of(out))
    assert "Căn cứ Nghị quyết số 99/2026/NQ-HĐND của HĐND tỉnh; Theo đề nghị." in text
    assert re.search("Nghị định số 20/2021", text) is None
