"""The ``sync`` and ``office`` (alias ``district``) commands, end to end on database files, as an officer types them."""

import json

import pytest

from commune_payout import cli, cli_sync


@pytest.fixture
def run(capsys):
    def _run(*argv, status=0):
        code = cli.main([str(a) for a in argv])
        out = capsys.readouterr()
        assert code == status, out.err or out.out
        return out.out + out.err

    return _run


def test_every_sync_command_is_documented():
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert commands["district"] is commands["office"]  # scripts of the district era still run
    for group in ("sync", "office"):
        sub = commands[group]._subparsers._group_actions[0].choices
        for name in sub:
            assert f"{group} {name}" in cli_sync.__doc__, f"{group} {name} missing from the module docstring"


def test_commune_and_office_from_the_command_line(run, tmp_path):
    office, village = ["--db", tmp_path / "office.sqlite"], ["--db", tmp_path / "xa.sqlite"]
    out = run(*office, "office", "init", "--name", "Sở Y tế tỉnh Phú Thọ")
    assert "age1" in out and "fingerprint:" in out and "AGE-SECRET-KEY" not in out
    run(*office, "office", "public-key", "--out", tmp_path / "so.pub.txt")
    run(*office, "office", "add-commune", "05425")
    run(*village, "init", "--commune", "05425")
    run(*village, "demo", "--size", "20")
    assert "Chưa có khóa công khai" in run(*village, "sync", "export", status=1)
    assert "Dấu vân tay" in run(*village, "sync", "set-upstream", tmp_path / "so.pub.txt")
    stick = tmp_path / "usb"
    stick.mkdir()
    out = run(*village, "sync", "export", "--to", stick)
    assert "rút USB an toàn" in out
    [package_file] = stick.glob("*.cpkg")

    assert "đang chờ" in run(*office, "district", "import", "--dry-run", stick)
    assert json.loads(run(*office, "office", "status", "--json"))[0]["waiting"] == []
    out = run(*office, "office", "import", stick)
    assert "confirm-key 05425" in out
    fingerprint = json.loads(run(*village, "sync", "status", "--json"))["fingerprint"]
    assert "Đã nhập gói số 1" in run(*office, "office", "confirm-key", "05425", fingerprint)
    assert "= " in run(*office, "office", "import", package_file)
    status = json.loads(run(*office, "office", "status", "--json"))
    assert status[0]["last_seq"] == 1 and status[0]["people"] == 20

    out = run(*office, "office", "ack", "--out", tmp_path / "acks")
    code = out.split("điện thoại: ")[1].split(")")[0]
    assert "Đã ghi nhận" in run(*village, "sync", "ack", "--code", code)
    assert "Không có thay đổi" in run(*village, "sync", "export", status=1)

    run(*office, "office", "send-down", "05425", "--out", tmp_path / "down",
        "--base-level", "btxh:2026-07-01:600.000", "--title", "Mức chuẩn mới")
    [down] = (tmp_path / "down").glob("*.cpkg")
    assert "Chưa xử lý" in run(*village, "sync", "import-down", down)
    assert "Đã nhận và áp dụng" in run(*village, "sync", "import-down", down, "--accept")

    [coverage] = json.loads(run(*office, "office", "view", "coverage", "--json"))
    assert coverage["Mã xã"] == "05425" and coverage["Đang hưởng"] == 20
    assert len(run(*office, "office", "view", "people", "--commune", "5425").splitlines()) == 21
    run(*office, "office", "export", "coverage", tmp_path / "coverage.xlsx")
    assert (tmp_path / "coverage.xlsx").exists()
    rejected = tmp_path / "broken.cpkg"
    rejected.write_bytes(package_file.read_bytes()[:200])
    assert "✗" in run(*office, "office", "import", rejected, status=1)
    assert "cơ sở dữ liệu của một xã" in run(*village, "office", "status", status=1)
