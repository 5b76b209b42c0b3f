"""The ``sync`` and ``office`` (alias ``district``) commands, end to end on database files, as an officer types them."""

import json
from pathlib import Path

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


def test_commune_and_two_offices_from_the_command_line(run, tmp_path):
    office, village = ["--db", tmp_path / "office.sqlite"], ["--db", tmp_path / "xa.sqlite"]
    home = ["--db", tmp_path / "so-noi-vu.sqlite"]
    out = run(*office, "office", "init", "--name", "Sở Y tế tỉnh Phú Thọ", "--programs", "btxh,htxh")
    assert "age1" in out and "fingerprint:" in out and "AGE-SECRET-KEY" not in out
    assert "Bảo trợ xã hội, Hưu trí xã hội" in out
    run(*home, "district", "init", "--name", "Sở Nội vụ tỉnh Phú Thọ", "--programs", "ncc")
    assert "(ncc)" in run(*home, "office", "programs")
    run(*office, "office", "public-key", "--out", tmp_path / "so.pub.txt")
    run(*home, "office", "public-key", "--out", tmp_path / "snv.pub.txt")
    run(*office, "office", "add-commune", "05425")
    run(*home, "office", "add-commune", "05425")
    run(*village, "init", "--commune", "05425")
    run(*village, "demo", "--size", "20")
    assert "Chưa có khóa công khai" in run(*village, "sync", "export", status=1)
    out = run(*village, "sync", "set-upstream", tmp_path / "so.pub.txt")
    assert "Dấu vân tay" in out and "Bảo trợ xã hội, Hưu trí xã hội" in out
    assert "chưa có đơn vị cấp trên nào nhận Người có công" in out
    assert "Người có công" in run(*village, "sync", "set-upstream", tmp_path / "snv.pub.txt", "--programs", "ncc")
    offices = json.loads(run(*village, "sync", "offices", "--json"))
    assert [(o["name"], o["programs"]) for o in offices] == [("Sở Y tế tỉnh Phú Thọ", ["btxh", "htxh"]),
                                                            ("Sở Nội vụ tỉnh Phú Thọ", ["ncc"])]
    stick = tmp_path / "usb"
    stick.mkdir()
    listed = json.loads(run(*village, "sync", "export", "--to", stick, "--json"))
    assert [(p["office"], p["rows"] > 0, Path(p["file"]).parent) for p in listed] == [
        ("Sở Y tế tỉnh Phú Thọ", True, stick), ("Sở Nội vụ tỉnh Phú Thọ", True, stick)]
    package_file, home_file = (Path(p["file"]) for p in listed)

    assert "đang chờ" in run(*office, "district", "import", "--dry-run", package_file)
    assert json.loads(run(*office, "office", "status", "--json"))[0]["waiting"] == []
    out = run(*office, "office", "import", package_file)
    assert "confirm-key 05425" in out
    fingerprint = json.loads(run(*village, "sync", "status", "--json"))["fingerprint"]
    assert "Đã nhập gói số 1" in run(*office, "office", "confirm-key", "05425", fingerprint)
    assert "= " in run(*office, "office", "import", package_file)
    status = json.loads(run(*office, "office", "status", "--json"))
    health_people = listed[0]["counts"]["beneficiaries"]
    assert status[0]["last_seq"] == 1 and status[0]["people"] == health_people
    # the Sở Y tế refuses the Sở Nội vụ's package (another key), the Sở Nội vụ takes it
    assert "✗" in run(*office, "office", "import", home_file, status=1)
    run(*home, "office", "import", home_file)
    assert "Đã nhập gói số 1" in run(*home, "office", "confirm-key", "05425", fingerprint)

    out = run(*office, "office", "ack", "--out", tmp_path / "acks")
    code = out.split("điện thoại: ")[1].split(")")[0]
    assert "Đã ghi nhận: Sở Y tế tỉnh Phú Thọ" in run(*village, "sync", "ack", "--code", code)
    assert "Không có thay đổi nào Sở Y tế" in run(*village, "sync", "export", "--office", "so y te", status=1)
    [again] = json.loads(run(*village, "sync", "export", "--json"))     # the Sở Nội vụ has sent no receipt
    assert again["office"] == "Sở Nội vụ tỉnh Phú Thọ" and again["seq"] == 2

    run(*office, "office", "send-down", "05425", "--out", tmp_path / "down",
        "--base-level", "btxh:2026-07-01:600.000", "--title", "Mức chuẩn mới")
    assert "không phụ trách" in run(*home, "office", "send-down", "05425", "--out", tmp_path / "down2",
                                    "--base-level", "btxh:2026-07-01:600.000", status=1)
    [down] = (tmp_path / "down").glob("*.cpkg")
    assert "Chưa xử lý" in run(*village, "sync", "import-down", down)
    assert "Đã nhận và áp dụng" in run(*village, "sync", "import-down", down, "--accept")

    [coverage] = json.loads(run(*office, "office", "view", "coverage", "--json"))
    assert coverage["Mã xã"] == "05425" and coverage["Đang hưởng"] == health_people
    assert len(run(*office, "office", "view", "people", "--commune", "5425").splitlines()) == health_people + 1
    assert len(run(*office, "office", "view", "people", "--program", "ncc").splitlines()) == 1
    run(*office, "office", "export", "coverage", tmp_path / "coverage.xlsx")
    assert (tmp_path / "coverage.xlsx").exists()
    rejected = tmp_path / "broken.cpkg"
    rejected.write_bytes(package_file.read_bytes()[:200])
    assert "✗" in run(*office, "office", "import", rejected, status=1)
    assert "cơ sở dữ liệu của một xã" in run(*village, "office", "status", status=1)
