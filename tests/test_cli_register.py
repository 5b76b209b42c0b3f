import json

import pytest

from commune_payout import cli


@pytest.fixture
def dbfile(tmp_path):
    path = tmp_path / "xa.sqlite"
    assert cli.main(["--db", str(path), "init", "--commune", "5425", "--officer", "Nguyễn Thị Lập"]) == 0
    return path


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_init_takes_the_commune_from_the_official_list(dbfile, capsys):
    code, out, _ = run(capsys, "--db", str(dbfile), "config")
    assert code == 0
    assert "Xã An Bình" in out and "05425" in out and "Phú Thọ" in out


def test_init_with_unknown_code_is_a_clear_error(tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(tmp_path / "a.sqlite"), "init", "--commune", "99999")
    assert code == 1
    assert "99999" in err and err.count("\n") == 1


def test_commands_before_init_explain_what_to_do(tmp_path, capsys):
    code, _, err = run(capsys, "--db", str(tmp_path / "a.sqlite"), "demo", "--size", "5")
    assert code == 0  # demo sets up the sample commune itself
    code, _, err = run(capsys, "--db", str(tmp_path / "b.sqlite"), "check")
    assert code == 1 and "init --commune" in err


def test_db_from_environment(tmp_path, monkeypatch, capsys):
    path = tmp_path / "env.sqlite"
    monkeypatch.setenv("COMMUNE_PAYOUT_DB", str(path))
    assert cli.main(["init", "--commune", "05425"]) == 0
    assert path.exists()


def test_demo_list_search_show_json(dbfile, capsys):
    code, out, _ = run(capsys, "--db", str(dbfile), "demo", "--size", "40")
    assert code == 0 and "40" in out
    code, out, _ = run(capsys, "--db", str(dbfile), "list", "--json")
    people = json.loads(out)
    assert len(people) == 40
    assert set(people[0]) >= {"id", "full_name", "birth_date", "birth_year", "gender", "id_number", "village",
                              "account_status", "bank_bin", "account_number"}
    target = people[0]
    surname = target["full_name"].split()[0]
    code, out, _ = run(capsys, "--db", str(dbfile), "search", surname, "--json")
    assert target["id"] in [p["id"] for p in json.loads(out)]
    code, out, _ = run(capsys, "--db", str(dbfile), "show", target["id"][:8])
    assert code == 0 and target["full_name"] in out and "Mức hưởng hằng tháng" in out
    code, out, _ = run(capsys, "--db", str(dbfile), "show", target["id"], "--json")
    assert json.loads(out)["full_name"] == target["full_name"]


def test_demo_refuses_a_database_with_people(dbfile, capsys):
    run(capsys, "--db", str(dbfile), "demo", "--size", "3")
    code, _, err = run(capsys, "--db", str(dbfile), "demo", "--size", "3")
    assert code == 1 and "đã có người hưởng" in err


def test_check_json_and_report(dbfile, tmp_path, capsys):
    run(capsys, "--db", str(dbfile), "demo", "--size", "300")
    report = tmp_path / "ra_soat.xlsx"
    code, out, _ = run(capsys, "--db", str(dbfile), "check", "--json", "--report", str(report))
    data = json.loads(out)
    assert code == 0 and data["problems"]
    assert set(data["problems"][0]) >= {"beneficiary_id", "field", "severity", "message"}
    assert report.exists()


def test_export_round_trips_through_csv_and_xlsx(dbfile, tmp_path, capsys):
    run(capsys, "--db", str(dbfile), "demo", "--size", "25")
    for name in ("ds.xlsx", "ds.csv"):
        code, out, _ = run(capsys, "--db", str(dbfile), "export", str(tmp_path / name))
        assert code == 0 and "25" in out
    raw = (tmp_path / "ds.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    assert "Họ và tên" in raw.decode("utf-8-sig")
    code, _, err = run(capsys, "--db", str(dbfile), "export", str(tmp_path / "ds.pdf"))
    assert code == 1 and ".xlsx" in err


def test_show_unknown_person(dbfile, capsys):
    code, _, err = run(capsys, "--db", str(dbfile), "show", "001099999999")
    assert code == 1 and "Không tìm thấy" in err


def test_every_command_is_documented():
    parser = cli.build_parser()
    sub = parser._subparsers._group_actions[0]
    helps = {a.dest: a.help for a in sub._choices_actions}
    for name, parser in sub.choices.items():
        # an alias ("district" for "office") shares its command's parser and help
        assert any(helps.get(other) for other, same in sub.choices.items() if same is parser), \
            f"subcommand {name} has no help text"


def test_commune_can_be_corrected_only_while_the_register_is_empty(dbfile, capsys):
    code, out, _ = run(capsys, "--db", str(dbfile), "init", "--commune", "00004")
    assert code == 0 and "00004" in out
    run(capsys, "--db", str(dbfile), "demo", "--size", "2")
    code, _, err = run(capsys, "--db", str(dbfile), "init", "--commune", "05425")
    assert code == 1 and "không thể chuyển sang xã khác" in err


def _card_of(person: dict) -> str:
    """The QR text a scanner types for ``person``'s chip card (with a field newer cards add)."""
    born = person["birth_date"] or f"{person['birth_year']}-01-01"
    day = f"{born[8:10]}{born[5:7]}{born[:4]}"
    return f"{person['id_number']}||{person['full_name'].upper()}|{day}|Nam|Thôn Đông, Xã An Bình|15042021|x"


def test_search_and_show_take_a_scanned_card(dbfile, capsys):
    run(capsys, "--db", str(dbfile), "demo", "--size", "30")
    code, out, _ = run(capsys, "--db", str(dbfile), "list", "--json")
    person = next(p for p in json.loads(out) if p["id_number"])
    scan = _card_of(person)
    code, out, _ = run(capsys, "--db", str(dbfile), "search", scan, "--json")
    assert code == 0 and [p["id"] for p in json.loads(out)] == [person["id"]]
    code, out, _ = run(capsys, "--db", str(dbfile), "show", scan)
    assert code == 0 and out.startswith(person["full_name"])
    stranger = "079300000001||LE THI B|02021950|Nữ|Thôn Hạ|01012023"
    code, out, _ = run(capsys, "--db", str(dbfile), "search", stranger)
    assert code == 0 and "Không ai trong sổ mang thẻ căn cước số 079300000001 (Le Thi B)" in out
    code, _, err = run(capsys, "--db", str(dbfile), "show", stranger)
    assert code == 1 and "079300000001" in err
    code, _, err = run(capsys, "--db", str(dbfile), "show", "079300000001|x|y")
    assert code == 1 and "chỉ có 3 trường" in err and err.count("\n") == 1


def test_changes_are_recorded_under_the_officer_of_the_settings_not_the_login(dbfile, capsys):
    run(capsys, "--db", str(dbfile), "demo", "--size", "3")
    code, out, _ = run(capsys, "--db", str(dbfile), "list", "--json")
    person = json.loads(out)[0]
    code, out, _ = run(capsys, "--db", str(dbfile), "config", "--officer", "Trần Văn Bình")
    run(capsys, "--db", str(dbfile), "show", person["id"], "--json")
    from commune_payout import register
    from commune_payout.cli import open_context

    class Args:
        db = str(dbfile)

    ctx = open_context(Args())
    assert ctx.user == "Trần Văn Bình"
    register.update(ctx, person["id"], {"phone": "0912000111"})
    assert register.history(ctx.db, person["id"])[0]["changed_by"] == "Trần Văn Bình"
    ctx.db.close()


def test_help_and_usage_errors_are_in_vietnamese(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert stop.value.code == 0
    assert out.startswith("Cách dùng: commune-payout") and "tùy chọn:" in out and "đối số:" in out
    assert "usage" not in out and "options:" not in out and "show this help" not in out
    with pytest.raises(SystemExit) as stop:
        cli.main(["search"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and "lỗi: thiếu đối số bắt buộc: text" in err and "error" not in err
    with pytest.raises(SystemExit):
        cli.main(["list", "--status", "x"])
    assert "lựa chọn không hợp lệ: 'x'" in capsys.readouterr().err


def test_a_reader_that_stops_early_is_no_error(dbfile, tmp_path):
    """``commune-payout list | head -1``: exit 0, nothing on stderr, nothing in the log."""
    import os
    import subprocess
    import sys

    assert cli.main(["--db", str(dbfile), "demo", "--size", "2000"]) == 0       # more than a pipe holds
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen([sys.executable, "-m", "commune_payout", "--db", str(dbfile), "list"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    first = process.stdout.readline()
    process.stdout.close()                      # as head does after its first line
    err = process.stderr.read()
    assert process.wait(timeout=60) == 0 and first
    assert err == b""
    assert not list((tmp_path / "data").rglob("*.log"))


def test_import_prints_a_summary_and_the_first_problems_and_json_has_them_all(dbfile, tmp_path, capsys):
    """Thousands of problem lines help nobody in a console: counts by column, the first
    problems, and where the rest are; --report and --json keep every one."""
    from commune_payout.cli_register import SHOWN_PROBLEMS

    source = tmp_path / "ds.csv"
    source.write_text("Họ và tên,Năm sinh,Thôn,Số CCCD\n"
                      + "".join(f"Lê Văn An {n},1950,Thôn Đông,12345{n}\n" for n in range(60)), encoding="utf-8")
    report = tmp_path / "báo cáo.xlsx"
    code, out, _ = run(capsys, "--db", str(dbfile), "import", "--dry-run", str(source))
    assert code == 0
    assert "60 lỗi, 0 cảnh báo" in out and "cột Số định danh: 60 lỗi" in out
    assert out.count(" LỖI: ") == SHOWN_PROBLEMS
    assert f"còn {60 - SHOWN_PROBLEMS} vấn đề nữa" in out and "--report" in out
    code, out, _ = run(capsys, "--db", str(dbfile), "import", "--dry-run", "--report", str(report), str(source))
    assert code == 0 and f"có đủ trong {report}" in out and f"Đã ghi báo cáo nhập: {report}" in out
    import openpyxl

    assert openpyxl.load_workbook(report)["Danh sách lỗi"].max_row == 1 + 60
    code, out, _ = run(capsys, "--db", str(dbfile), "import", "--dry-run", "--json", str(source))
    assert len(json.loads(out)["problems"]) == 60


def test_check_prints_the_first_people_of_each_kind_and_json_has_them_all(dbfile, tmp_path, capsys):
    from commune_payout.cli_register import SHOWN_PER_GROUP

    source = tmp_path / "ds.csv"
    source.write_text("Họ và tên,Năm sinh,Thôn\n" + "".join(f"Lê Văn An {n},1950,Thôn Đông\n" for n in range(40)),
                      encoding="utf-8")
    assert run(capsys, "--db", str(dbfile), "import", str(source))[0] == 0
    code, out, _ = run(capsys, "--db", str(dbfile), "check")
    assert code == 0 and "Thiếu số định danh: 40" in out
    assert out.count("Chưa có số định danh") == SHOWN_PER_GROUP and f"còn {40 - SHOWN_PER_GROUP} người nữa" in out
    assert "--report" in out
    code, out, _ = run(capsys, "--db", str(dbfile), "check", "--json")
    assert sum(p["code"] == "missing_id" for p in json.loads(out)["problems"]) == 40



def test_import_names_every_column_of_a_problem_in_the_officers_words(dbfile, tmp_path, capsys):
    """The import's own columns (rate, children, the VNeID account) were printed by their code
    name ("[injury_rate]") because the CLI looked them up in the register's labels only."""
    from commune_payout.importer import FIELD_LABELS

    source = tmp_path / "ds.csv"
    source.write_text("Họ và tên,Năm sinh,Thôn,Diện đối tượng,Tỷ lệ suy giảm,Số con\n"
                      "Lê Văn An,1950,Thôn Đông,Thương binh,850,\n"
                      "Lê Thị Ba,1990,Thôn Đông,Người đơn thân nghèo đang nuôi con,,99\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", str(dbfile), "import", "--dry-run", str(source))
    assert code == 0
    assert f"[{FIELD_LABELS['injury_rate']}] LỖI" in out and f"[{FIELD_LABELS['children']}] LỖI" in out
    assert "[injury_rate]" not in out and "[children]" not in out
