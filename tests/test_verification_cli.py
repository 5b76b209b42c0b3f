"""``session verify``, ``session verify-answer``, ``print verification`` and ``grievance …`` end to
end on a temporary database; the printed sheet is read back with pdfplumber."""

import json
import re

import pdfplumber
import pytest

from commune_payout import cli, payouts
from commune_payout.context import Context
from commune_payout.db import open_db


@pytest.fixture
def dbfile(tmp_path):
    """A demo commune with a locked monthly session (December 2025), 40 of its lines paid."""
    path = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(path), "demo", "--size", "60"]) == 0
    assert cli.main(["--db", str(path), "session", "create", "--name", "Trợ cấp tháng 12/2025", "--kind", "monthly",
                     "--period", "2025-12", "--date", "2025-12-01"]) == 0
    db = open_db(path)
    ctx = Context(db, user="Nguyễn Thị Lập")
    [session] = payouts.list_sessions(db)
    payouts.lock_session(ctx, session["id"])
    for line in payouts.session_lines(db, session["id"])[:40]:
        payouts.pay_line(ctx, line["id"])
    db.close()
    return path


def run(capsys, dbfile, *argv):
    code = cli.main(["--db", str(dbfile), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def session_id(capsys, dbfile) -> str:
    return json.loads(run(capsys, dbfile, "session", "list", "--json")[1])[0]["id"][:8]


def test_verify_a_session_by_sample_and_follow_a_complaint_to_closure(dbfile, capsys, tmp_path):
    sid = session_id(capsys, dbfile)
    code, out, err = run(capsys, dbfile, "session", "verify", sid, "--seed", "2026")
    assert code == 0, err
    assert "Đã rút mẫu xác minh. Mẫu ngẫu nhiên 29/40 người đã nhận tiền" in out   # 96.04×40/135.04 = 28.4
    assert "số hạt giống 2026" in out and "chưa hỏi 29" in out
    first = json.loads(run(capsys, dbfile, "session", "verify", sid, "--json")[1])
    assert [i["line_id"] for i in first["items"]][:3]
    code, out, _ = run(capsys, dbfile, "session", "verify", sid, "--sample", "--seed", "2026")
    again = json.loads(run(capsys, dbfile, "session", "verify", sid, "--json")[1])
    assert [i["line_id"] for i in again["items"]] == [i["line_id"] for i in first["items"]]   # the draw repeats

    code, out, err = run(capsys, dbfile, "session", "verify-answer", sid, "#1", "--answer", "received",
                         "--by", "Trưởng thôn Đông")
    assert code == 0 and out.startswith("Đã ghi: #1 ") and "Đã nhận đủ" in out, err
    code, out, err = run(capsys, dbfile, "session", "verify-answer", sid, "#2", "--answer", "not_received",
                         "--by", "Trưởng thôn Đông", "--how", "visit", "--note", "Tài khoản cũ đã khóa", "--grievance")
    assert code == 0 and "Đã mở phiếu khiếu nại số 1/" in out, err
    code, out, err = run(capsys, dbfile, "session", "verify-answer", sid, "#3", "--answer", "different_amount",
                         "--by", "Trưởng thôn Đông")
    assert code == 1 and "amount_received" in err
    code, out, _ = run(capsys, dbfile, "session", "verify-answer", sid, "#3", "--answer", "unreachable")
    assert code == 0 and "Không liên lạc được" in out
    code, out, _ = run(capsys, dbfile, "session", "verify", sid)
    assert "Đã trả lời 2/29 (6,9%)" in out and "phiếu 1/" in out and "mới tiếp nhận" in out
    code, out, err = run(capsys, dbfile, "session", "verify", sid, "--all")
    assert code == 1 and "không rút mẫu lại được" in err

    code, out, _ = run(capsys, dbfile, "grievance", "list")
    assert code == 0 and "Mới tiếp nhận" in out and "Chưa nhận được tiền" in out
    code, out, err = run(capsys, dbfile, "grievance", "update", "1", "--state", "closed")
    assert code == 1 and "Được làm: Tiếp nhận xử lý" in err
    assert run(capsys, dbfile, "grievance", "update", "1", "--state", "in_progress", "--handled-by", "Lê Văn Xử")[0] == 0
    ticket = json.loads(run(capsys, dbfile, "grievance", "show", "1", "--json")[1])
    line = next(i for i in again["items"] if i["line_id"] == ticket["line_id"])
    receipt = payouts.get_line(open_db(dbfile), line["line_id"])["receipt_no"]
    assert run(capsys, dbfile, "session", "reverse", sid, str(receipt), "--reason", "Chuyển vào tài khoản đã khóa")[0] == 0
    assert run(capsys, dbfile, "session", "pay", sid, line["id_number"], "--channel", "cash_commune")[0] == 0
    code, out, _ = run(capsys, dbfile, "grievance", "show", "1")
    assert "Có thể gắn cách khắc phục" in out and "repayment:" in out
    reversal = re.search(r"repayment:(\w+)\s+Đảo bút toán", out)[1]
    code, out, err = run(capsys, dbfile, "grievance", "update", "1", "--state", "resolved", "--resolution",
                         "Đã đảo khoản chuyển nhầm, chi tiền mặt tại xã", "--fix", f"repayment:{reversal}")
    assert code == 0 and "Đã giải quyết. Khắc phục: Đảo khoản chi và chi trả lại: Đảo bút toán" in out, err
    code, out, _ = run(capsys, dbfile, "grievance", "update", "1", "--state", "closed", "--note", "Đã nhận đủ")
    assert code == 0 and "Đã đóng" in out
    code, out, _ = run(capsys, dbfile, "grievance", "show", "1")
    assert [l.split(": ", 1)[1] for l in out.splitlines() if l.startswith("  20")] == [
        "Mới tiếp nhận — Tiếp nhận: qua xác minh chi trả", "Mới tiếp nhận → Đang xử lý",
        "Đang xử lý → Đã giải quyết — Đã đảo khoản chuyển nhầm, chi tiền mặt tại xã", "Đã giải quyết → Đã đóng — Đã nhận đủ"]

    pdf = tmp_path / "phieu.pdf"
    code, out, err = run(capsys, dbfile, "print", "verification", sid, "--out", str(pdf))
    assert code == 0 and "Phiếu xác minh chi trả: 29 người cần hỏi" in out, err
    check_sheet(pdf, again["items"])


def check_sheet(pdf, items):
    """Read the sheet back: every person drawn, by number, with the phone in full, the ID masked,
    the amount and the answer boxes; each village starts a page of its own."""
    with pdfplumber.open(pdf) as doc:
        pages = [page.extract_text() for page in doc.pages]
        tables = [row for page in doc.pages for table in page.extract_tables() for row in table]
    text = "\n".join(pages)
    assert "PHIẾU XÁC MINH CHI TRẢ" in text and "Trợ cấp tháng 12/2025" in text
    assert re.findall(r"\d{12}", text) == []
    rows = {row[0]: row for row in tables if row and row[0] and row[0].isdigit()}
    assert sorted(map(int, rows)) == list(range(1, len(items) + 1))
    for item in items:
        row = rows[str(item["seq"])]
        assert row[1].replace("\n", " ") == item["full_name"]
        assert row[3] == "••••••••" + item["id_number"][-4:]
        assert row[4] == (item["phone"] or "(chưa có)")
        assert row[5] == f"{item['total']:,}".replace(",", ".")
        assert row[7] == row[8] == row[10] == "□" and row[9] == ""
    villages = list(dict.fromkeys(i["village"] for i in items))
    starts = [next(n for n, page in enumerate(pages) if f"{v} (" in page) for v in villages]
    assert starts == sorted(set(starts)) and len(set(starts)) == len(villages)


def test_grievance_commands(dbfile, capsys):
    code, out, err = run(capsys, dbfile, "grievance", "add", "--name", "Phạm Thị Sót", "--village", "Thôn Đông",
                         "--kind", "left_out", "--text", "Đủ 80 tuổi nhưng không có tên")
    assert code == 1 and "program" in err
    code, out, err = run(capsys, dbfile, "grievance", "add", "--name", "Phạm Thị Sót", "--village", "Thôn Đông",
                         "--kind", "left_out", "--text", "Đủ 80 tuổi nhưng không có tên", "--program", "btxh",
                         "--via", "village_head", "--received", "01/12/2025", "--json")
    ticket = json.loads(out)
    assert code == 0 and ticket["number_text"] == "1/2025" and ticket["due_on"] == "2025-12-15"
    assert ticket["overdue"] is True
    code, out, _ = run(capsys, dbfile, "grievance", "list")
    assert re.match(r"! +1/2025  01/12/2025  hạn 15/12/2025  Mới tiếp nhận", out) and "1 phiếu quá hạn" in out
    code, out, _ = run(capsys, dbfile, "grievance", "deadlines", "left_out=15", "other=5")
    assert "Không có tên trong danh sách: 15 ngày làm việc" in out and "Khác: 5 ngày làm việc" in out
    code, _, err = run(capsys, dbfile, "grievance", "deadlines", "left_out=0")
    assert code == 1 and "từ 1 đến 90" in err
    code, _, err = run(capsys, dbfile, "grievance", "update", "1")
    assert code == 1 and "Không có gì để cập nhật" in err
    code, _, err = run(capsys, dbfile, "grievance", "show", "99/2025")
    assert code == 1 and "Không tìm thấy phiếu" in err
    code, _, err = run(capsys, dbfile, "grievance", "add", "--kind", "other", "--text", "x", "--from-answer")
    assert code == 1 and "--session" in err
    sid = session_id(capsys, dbfile)
    with pytest.raises(SystemExit) as refused:
        run(capsys, dbfile, "session", "verify", sid, "--share", "0")
    assert refused.value.code == 2 and "Tỷ lệ từ trên 0 % đến 100 %" in capsys.readouterr().err


def test_every_grievance_and_verification_command_is_documented():
    parser = cli.build_parser()
    sub = parser._subparsers._group_actions[0]
    for top, names in (("grievance", {"add", "list", "show", "update", "deadlines"}),
                       ("session", {"verify", "verify-answer"}), ("print", {"verification"})):
        actions = sub.choices[top]._subparsers._group_actions[0]
        helps = {a.dest: a.help for a in actions._choices_actions}
        assert names <= set(actions.choices) and all(helps.get(n) for n in names), top
