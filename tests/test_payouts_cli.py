"""``commune-payout session …`` end to end on a temporary database."""

import json

import pytest

from commune_payout import cli, payouts


@pytest.fixture
def dbfile(tmp_path):
    path = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(path), "demo", "--size", "80"]) == 0
    return path


def run(capsys, dbfile, *argv):
    code = cli.main(["--db", str(dbfile), "session", *argv])
    out, err = capsys.readouterr()
    return code, out, err


CREATE = ("create", "--name", "Trợ cấp tháng 1/2026", "--kind", "monthly", "--period", "2026-01",
          "--date", "2026-01-01", "--funding", "Ngân sách tỉnh")


def test_session_from_creation_to_close(dbfile, capsys, tmp_path):
    code, out, _ = run(capsys, dbfile, *CREATE, "--preview", "--json")
    preview = json.loads(out)
    assert code == 0 and preview["totals"]["count"] > 0
    assert json.loads(run(capsys, dbfile, "list", "--json")[1]) == []

    code, out, _ = run(capsys, dbfile, *CREATE)
    assert code == 0 and "Đã lập đợt chi" in out
    sessions = json.loads(run(capsys, dbfile, "list", "--json")[1])
    assert len(sessions) == 1 and sessions[0]["status"] == "draft"
    sid = sessions[0]["id"][:8]
    shown = json.loads(run(capsys, dbfile, "show", sid, "--json", "--lines")[1])
    assert shown["totals"]["amount"] == preview["totals"]["amount"]
    lines = shown["lines"]
    cash = next(line for line in lines if line["channel"] == "cash_commune" and line["id_number"])

    code, _, err = run(capsys, dbfile, "pay", sid, cash["id_number"])
    assert code == 1 and "chưa được khóa" in err
    code, _, err = run(capsys, dbfile, "override", sid, cash["id_number"], "1.000.000")
    assert code == 1 and "lý do" in err
    code, out, _ = run(capsys, dbfile, "override", sid, cash["id_number"], "1.000.000", "--reason", "QĐ 15/UBND")
    assert code == 0 and "1.000.000 đ" in out
    assert run(capsys, dbfile, "override", sid, cash["id_number"], "bỏ")[0] == 0
    assert run(capsys, dbfile, "lock", sid)[0] == 0
    code, out, _ = run(capsys, dbfile, "pay", sid, cash["id_number"], "--receiver", "Nguyễn Văn Thay")
    assert code == 0 and "Biên nhận số 1" in out and "Nguyễn Văn Thay" in out
    code, _, err = run(capsys, dbfile, "pay", sid, cash["id_number"])
    assert code == 1 and "đã được chi trả trong đợt này, biên nhận số 1" in err
    assert run(capsys, dbfile, "reverse", sid, "1", "--reason", "Ghi nhầm người nhận")[0] == 0
    code, out, _ = run(capsys, dbfile, "pay", sid, cash["id_number"], "--json")
    assert code == 0 and json.loads(out)["receipt_no"] == 2

    code, out, _ = run(capsys, dbfile, "export-transfers", sid, "--out", str(tmp_path / "nh"), "--json")
    files = json.loads(out)
    accounts = [line for line in lines if line["channel"] in payouts.TRANSFER_CHANNELS]
    assert code == 0 and sum(f["count"] for f in files) == len(accounts)
    assert all((tmp_path / "nh" / f["xlsx"]).exists() for f in files)
    result = tmp_path / "ketqua.csv"
    result.write_text("Số tài khoản,Số tiền,Trạng thái\n" + "".join(
        f"{line['account_number']},{line['total']},OK\n" for line in accounts), encoding="utf-8")
    code, out, _ = run(capsys, dbfile, "import-results", sid, str(result), "--json")
    assert code == 0 and json.loads(out)["paid"] == len(accounts) and json.loads(out)["unmatched"] == []

    code, _, err = run(capsys, dbfile, "cash", sid, "--received", str(cash["total"] + 100_000))
    assert code == 0
    code, _, err = run(capsys, dbfile, "close", sid)
    assert code == 1 and "Sổ quỹ tiền mặt còn thừa 100.000 đ" in err
    code, out, _ = run(capsys, dbfile, "cash", sid, "--handed-back", "100000", "--json")
    assert json.loads(out)["on_hand"] == 0
    code, out, _ = run(capsys, dbfile, "close", sid, "--json")
    assert code == 0 and json.loads(out)["paid_count"] == len(accounts) + 1
    code, out, _ = run(capsys, dbfile, "list")
    assert "[Đã đóng]" in out
    assert "Không có ai" in run(capsys, dbfile, "suspensions")[1]


def test_tet_gift_preview_text_and_person_resolution(dbfile, capsys):
    code, out, _ = run(capsys, dbfile, "create", "--name", "Quà Tết", "--kind", "tet_gift", "--period", "2026-01",
                       "--date", "20/01/2026", "--gift-high", "600.000", "--gift-low", "300000", "--preview")
    assert code == 0 and out.startswith("Xem trước “Quà Tết”") and "Theo hình thức:" in out
    code, _, err = run(capsys, dbfile, "create", "--name", "Quà Tết", "--kind", "tet_gift", "--period", "2026-01",
                       "--date", "2026-01-20")
    assert code == 1 and "cần mức quà" in err
    assert run(capsys, dbfile, "create", "--name", "Quà Tết", "--kind", "tet_gift", "--period", "2026-01",
               "--date", "2026-01-20", "--fixed", "ncc=400000")[0] == 0
    sid = json.loads(run(capsys, dbfile, "list", "--json")[1])[0]["id"]
    run(capsys, dbfile, "lock", sid)
    code, _, err = run(capsys, dbfile, "pay", sid, "thi")
    assert code == 1 and "khớp" in err
    code, _, err = run(capsys, dbfile, "show", "ffff")
    assert code == 1 and "Không tìm thấy đợt chi" in err


def test_a_draft_can_be_deleted_a_locked_session_cannot(dbfile, capsys):
    assert run(capsys, dbfile, *CREATE)[0] == 0
    sid = json.loads(run(capsys, dbfile, "list", "--json")[1])[0]["id"]
    code, out, _ = run(capsys, dbfile, "delete", sid[:8])
    assert code == 0 and "Đã xóa đợt chi đang lập" in out
    assert run(capsys, dbfile, *CREATE)[0] == 0
    sid = json.loads(run(capsys, dbfile, "list", "--json")[1])[0]["id"]
    run(capsys, dbfile, "lock", sid)
    code, _, err = run(capsys, dbfile, "delete", sid)
    assert code == 1 and "không xóa được" in err


def test_every_session_command_is_documented():
    parser = cli.build_parser()
    session = parser._subparsers._group_actions[0].choices["session"]
    actions = session._subparsers._group_actions[0]
    helps = {a.dest: a.help for a in actions._choices_actions}
    assert set(actions.choices) >= {"create", "list", "show", "lock", "pay", "export-transfers", "import-results",
                                    "cash", "close"}
    for name in actions.choices:
        assert helps.get(name), f"session {name} has no help text"
