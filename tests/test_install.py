"""What an installed copy relies on, run in-process: where files go, shipped files found,
output without a console, the self-test, and unexpected errors in the CLI.

The frozen build itself is exercised in tests/test_frozen_build.py.
"""

import io
import sys
from pathlib import Path

import pytest

from commune_payout import __version__, applog, cli, paths, selftest
from commune_payout.errors import UserError
from commune_payout.gui import smoke


@pytest.fixture
def log_file(tmp_path):
    path = applog.setup(tmp_path / "Nhật ký" / "commune_payout.log")
    yield path


# -- where files go ---------------------------------------------------------------------------

def test_database_and_log_live_in_the_user_data_folder(user_data_folder, monkeypatch):
    monkeypatch.delenv(paths.DB_ENV, raising=False)
    assert paths.data_dir() == user_data_folder / "commune_payout"
    assert paths.default_db_path() == user_data_folder / "commune_payout" / "register.sqlite"
    assert paths.log_path().is_relative_to(paths.data_dir())
    assert paths.backups_dir(paths.default_db_path()) == paths.data_dir() / "backups"
    assert "Nguyễn Văn Đức" in str(paths.data_dir())
    package_folder = Path(__import__("commune_payout").__file__).resolve().parent.parent
    assert not paths.data_dir().is_relative_to(package_folder)


def test_frozen_copy_reads_assets_from_the_bundle(monkeypatch, tmp_path):
    bundle = tmp_path / "Chi trả" / "_internal"
    (bundle / "assets" / "fonts").mkdir(parents=True)
    (bundle / "assets" / "fonts" / "LiberationSerif-Regular.ttf").write_bytes(b"font")
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert paths.is_frozen()
    assert paths.assets_dir() == bundle / "assets"
    assert paths.asset("fonts", "LiberationSerif-Regular.ttf").read_bytes() == b"font"


def test_a_missing_shipped_file_is_named_in_plain_words(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    with pytest.raises(UserError, match=r"Thiếu tệp fonts/LiberationSerif-Bold.ttf .*chép lại toàn bộ thư mục"):
        paths.asset("fonts", "LiberationSerif-Bold.ttf")


def test_source_tree_ships_fonts_icon_and_sample():
    for parts in (("fonts", "LiberationSerif-Regular.ttf"), ("icons", "commune_payout.ico"),
                  ("icons", "commune_payout.png"), paths.SAMPLE_REGISTER):
        assert paths.asset(*parts).stat().st_size > 0


# -- no console -------------------------------------------------------------------------------

def test_without_a_console_output_goes_to_the_log(monkeypatch, log_file):
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    assert applog.capture_missing_console() is True
    print("Đã nhập 120 người", end="")
    print("dòng thứ hai\nLỗi: Không tìm thấy tệp", file=sys.stderr)
    sys.stdout.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "INFO commune_payout: [stdout] Đã nhập 120 người" in text
    assert "ERROR commune_payout: [stderr] Lỗi: Không tìm thấy tệp" in text


def test_version_without_a_console_is_logged(monkeypatch, log_file):
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    sys.stdout.flush()
    assert f"[stdout] commune-payout {__version__}" in log_file.read_text(encoding="utf-8")


def test_with_a_console_nothing_is_replaced(capsys):
    assert applog.capture_missing_console() is False
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out == f"commune-payout {__version__}\n"


def test_old_code_page_output_is_switched_to_utf8(monkeypatch):
    raw = io.BytesIO()
    cp1252 = io.TextIOWrapper(raw, encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", cp1252)
    applog.ensure_utf8_output()
    print("Nguyễn Thị Ướt", end="")
    sys.stdout.flush()
    assert raw.getvalue().decode("utf-8") == "Nguyễn Thị Ướt"


def test_error_without_console_is_also_shown_in_a_window(monkeypatch, log_file):
    """The windowed build's errors reach the officer in a message box, not only the log."""
    shown = []
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr("tkinter.messagebox.showerror", lambda title, message, parent=None: shown.append(message))
    status = cli.main(["--db", str(log_file.parent / "không có.sqlite"), "list"])
    assert status == 1
    assert len(shown) == 1 and shown[0].startswith("Lỗi: ") and "init" in shown[0]
    sys.stderr.flush()
    assert "[stderr] Lỗi: " in log_file.read_text(encoding="utf-8")


# -- unexpected errors in the CLI -------------------------------------------------------------

def test_a_bug_in_a_command_is_logged_and_told_in_one_line(monkeypatch, capsys, log_file, tmp_path):
    import commune_payout.cli_register as cli_register

    def broken(args):
        raise ZeroDivisionError("chia cho 0")

    monkeypatch.setattr(cli_register, "cmd_init", broken)
    status = cli.main(["--db", str(tmp_path / "x.sqlite"), "init", "--commune", "05425"])
    err = capsys.readouterr().err
    assert status == 3
    assert err.count("\n") == 1 and "Lỗi bên trong phần mềm (ZeroDivisionError: chia cho 0)" in err
    assert str(log_file) in err
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "ZeroDivisionError: chia cho 0" in logged


# -- the self-test ----------------------------------------------------------------------------

def test_self_test_passes_and_leaves_nothing_behind(tmp_path, monkeypatch, log_file):
    temp = tmp_path / "Tạm"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    lines = []
    assert selftest.run(out=lines.append, window_check=smoke.window_check) == 0
    steps = [line for line in lines if line.startswith("[")]
    assert len(steps) == 5 and all(": đạt — " in line for line in steps)
    assert steps[1].endswith("120 người từ sample_register.xlsx; nhập lại: 120 người không đổi")
    assert "cấp trên mở được, nhận 120 người" in steps[3]
    assert "ảnh vẽ bằng Pillow hiển thị được" in steps[4]
    assert lines[-1].startswith("Tự kiểm tra: ĐẠT")
    assert list(temp.iterdir()) == []
    assert "Tự kiểm tra đạt" in log_file.read_text(encoding="utf-8")


def test_self_test_stops_at_the_first_failing_step(monkeypatch, log_file):
    def broken(work, state):
        raise selftest.SelfTestFailed("tệp PDF không nhúng phông chữ tiếng Việt")

    monkeypatch.setattr(selftest, "STEPS", [selftest.STEPS[0], ("In danh sách chi trả (PDF)", broken),
                                            *selftest.STEPS[2:]])
    lines = []
    assert selftest.run(out=lines.append) == 1
    assert lines[-2] == "[2/4] In danh sách chi trả (PDF): LỖI — tệp PDF không nhúng phông chữ tiếng Việt"
    assert lines[-1] == f"Tự kiểm tra: KHÔNG ĐẠT. Chi tiết ở {log_file}"
    assert not any(line.startswith("[3/4]") for line in lines)
    assert "SelfTestFailed" in log_file.read_text(encoding="utf-8")


def test_self_test_from_the_cli_without_a_display_says_the_window_was_skipped(monkeypatch, capsys):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert cli.main(["--self-test"]) == 0
    out = capsys.readouterr().out
    assert "Mở cửa sổ chính: bỏ qua — máy này không có màn hình đồ họa" in out
    assert out.rstrip().splitlines()[-1].startswith("Tự kiểm tra: ĐẠT")
    assert f"Tệp nhật ký: {paths.log_path()}" in out


def test_tcl_library_under_a_vietnamese_folder_is_given_by_its_short_name():
    environ = {"TCL_LIBRARY": r"C:\Users\Đức\Desktop\Chi trả\_internal\_tcl_data",
               "TK_LIBRARY": r"C:\Users\Đức\Desktop\Chi trả\_internal\_tk_data", "PATH": "x"}
    short = {environ["TCL_LIBRARY"]: r"C:\Users\C~1\Desktop\CHITR~1\_internal\_TCL_D~1",
             environ["TK_LIBRARY"]: r"C:\Users\C~1\Desktop\CHITR~1\_internal\_TK_DA~1"}
    assert paths.ascii_tcl_library(environ, short.get) == ["TCL_LIBRARY", "TK_LIBRARY"]
    assert environ["TCL_LIBRARY"] == r"C:\Users\C~1\Desktop\CHITR~1\_internal\_TCL_D~1"
    assert environ["TK_LIBRARY"] == r"C:\Users\C~1\Desktop\CHITR~1\_internal\_TK_DA~1"


def test_tcl_library_is_left_alone_when_ascii_or_without_a_short_name():
    ascii_env = {"TCL_LIBRARY": r"C:\Program Files\commune-payout\_internal\_tcl_data"}
    assert paths.ascii_tcl_library(ascii_env, lambda p: pytest.fail("not asked")) == []
    no_short = {"TCL_LIBRARY": r"D:\Đức\_tcl_data"}
    assert paths.ascii_tcl_library(no_short, lambda p: "") == []
    assert no_short["TCL_LIBRARY"] == r"D:\Đức\_tcl_data"
    assert paths.ascii_tcl_library({}, lambda p: pytest.fail("not asked")) == []


def test_self_test_of_the_windowed_program_shows_its_result_in_a_window(monkeypatch):
    shown = []
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.delenv("DISPLAY", raising=False)     # the window step is skipped: quicker
    monkeypatch.setattr("tkinter.Tk", lambda: type("Root", (), {"withdraw": lambda s: None,
                                                                "destroy": lambda s: None})())
    monkeypatch.setattr("tkinter.messagebox.showinfo",
                        lambda title, message, parent=None: shown.append(("info", message)))
    assert cli.main(["--self-test"]) == 0
    assert len(shown) == 1 and shown[0][0] == "info"
    assert shown[0][1].splitlines()[-1].startswith("Tự kiểm tra: ĐẠT")
    sys.stdout.flush()
    assert "[stdout] [2/4] Nhập sổ mẫu: đạt" in paths.log_path().read_text(encoding="utf-8")
