"""printing: the folder shown in the file manager, the PDF shown in the viewer or sent to the
printer, per system, without starting any program (they are fakes here)."""

import shutil
import subprocess

import pytest

from commune_payout import printing
from commune_payout.errors import UserError


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kw: calls.append((cmd, kw)))
    return calls


def test_folder_opens_with_xdg_open_or_open(tmp_path, started):
    assert printing.open_folder(tmp_path, system="Linux") == tmp_path
    assert printing.open_folder(tmp_path, system="Darwin") == tmp_path
    assert [cmd for cmd, _kw in started] == [["xdg-open", str(tmp_path)], ["open", str(tmp_path)]]
    assert all(kw["start_new_session"] for _cmd, kw in started)


def test_a_file_opens_the_folder_holding_it(tmp_path, started):
    db = tmp_path / "register.sqlite"
    db.write_bytes(b"")
    assert printing.open_folder(db, system="Linux") == tmp_path
    assert started[0][0] == ["xdg-open", str(tmp_path)]


def test_windows_uses_startfile_on_the_folder(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(printing.os, "startfile", lambda *a: calls.append(a), raising=False)
    printing.open_folder(tmp_path, system="Windows")
    assert calls == [(str(tmp_path),)]


def test_failures_are_user_errors_in_vietnamese(tmp_path, monkeypatch):
    with pytest.raises(UserError, match="Không tìm thấy thư mục"):
        printing.open_folder(tmp_path / "chua-co", system="Linux")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="thiếu lệnh xdg-open"):
        printing.open_folder(tmp_path, system="Linux")

    def refuse(*args):
        raise OSError("no association")

    monkeypatch.setattr(printing.os, "startfile", refuse, raising=False)
    with pytest.raises(UserError, match="Không mở được thư mục"):
        printing.open_folder(tmp_path, system="Windows")


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4")
    return path


def lp_answers(monkeypatch, returncode=0, stdout="", stderr="", calls=None):
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")

    def run(cmd, **kw):
        if calls is not None:
            calls.append((cmd, kw))
        return subprocess.CompletedProcess(cmd, returncode, stdout=stdout, stderr=stderr)

    monkeypatch.setattr(subprocess, "run", run)


def test_print_uses_lp_on_linux_with_a_timeout(pdf, monkeypatch):
    calls = []
    lp_answers(monkeypatch, stdout="request id is HP-7 (1 file(s))\n", calls=calls)
    assert printing.print_pdf(pdf, printer="HP", copies=2, system="Linux") == "Đã gửi ra máy in (lệnh in HP-7)."
    assert calls[0][0] == ["lp", "-d", "HP", "-n", "2", str(pdf)]
    assert calls[0][1]["timeout"] == printing.PRINT_TIMEOUT


def test_a_printer_that_does_not_answer_is_a_plain_message(pdf, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/lp")

    def hang(cmd, **kw):
        raise subprocess.TimeoutExpired(cmd, kw["timeout"])

    monkeypatch.setattr(subprocess, "run", hang)
    with pytest.raises(UserError, match="không trả lời sau 60 giây"):
        printing.print_pdf(pdf, system="Linux")


@pytest.mark.parametrize("stderr, meaning", [
    ("lp: No default destination.", "chưa chọn máy in mặc định"),
    ("lp: The printer or class does not exist.", "Không có máy in tên này"),
    ('lp: Destination "HP" is not accepting jobs.', "tạm ngừng nhận lệnh in"),
    ("lp: Unable to connect to server: Connection refused", "Dịch vụ in của máy tính (CUPS) chưa chạy"),
    ("lp: Forbidden", "không có quyền in"),
    ("lp: Unsupported document-format \"application/pdf\".", "không nhận tệp PDF"),
    ("lp: something new", "Hệ thống in báo: lp: something new"),
])
def test_cups_errors_are_told_in_vietnamese(pdf, monkeypatch, stderr, meaning):
    lp_answers(monkeypatch, returncode=1, stderr=stderr)
    with pytest.raises(UserError) as caught:
        printing.print_pdf(pdf, system="Linux")
    assert str(caught.value).startswith("Không in được.") and meaning in str(caught.value)
    assert stderr in str(caught.value)                                  # the original, for a technician


def test_print_needs_lp_and_the_file(pdf, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(UserError, match="lp"):
        printing.print_pdf(pdf, system="Linux")
    with pytest.raises(UserError, match="Không tìm thấy"):
        printing.print_pdf(tmp_path / "missing.pdf", system="Linux")


def test_windows_prints_with_the_viewers_print_verb(pdf, monkeypatch):
    calls = []
    monkeypatch.setattr(printing.os, "startfile", lambda *a: calls.append(a), raising=False)
    assert printing.print_pdf(pdf, system="Windows") == "Đã gửi ra máy in mặc định."
    printing.open_in_viewer(pdf, system="Windows")
    assert calls == [(str(pdf), "print"), (str(pdf),)]


def no_print_verb(calls):
    def startfile(path, verb="open"):
        if verb == "print":
            raise OSError(1155, "No application is associated with the specified file for this operation")
        calls.append(("open", path))
    return startfile


def test_windows_without_a_print_verb_uses_sumatra_then_adobe(pdf, tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(printing.os, "startfile", no_print_verb(calls), raising=False)
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kw: calls.append(cmd))
    monkeypatch.setattr(shutil, "which", lambda name: None)
    adobe = tmp_path / "Program Files (x86)" / "Adobe" / "Acrobat Reader DC" / "Reader" / "AcroRd32.exe"
    adobe.parent.mkdir(parents=True)
    adobe.write_bytes(b"")
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path / "Program Files"))
    monkeypatch.setenv("PROGRAMFILES(X86)", str(tmp_path / "Program Files (x86)"))
    assert "AcroRd32" in printing.print_pdf(pdf, system="Windows")
    assert calls == [[str(adobe), "/t", str(pdf)]]
    sumatra = tmp_path / "Program Files" / "SumatraPDF" / "SumatraPDF.exe"
    sumatra.parent.mkdir(parents=True)
    sumatra.write_bytes(b"")
    calls.clear()
    assert "SumatraPDF" in printing.print_pdf(pdf, printer="Canon LBP", system="Windows")
    assert calls == [[str(sumatra), "-silent", "-print-to", "Canon LBP", str(pdf)]]


def test_windows_with_nothing_to_print_opens_the_pdf_and_says_ctrl_p(pdf, monkeypatch):
    calls = []
    monkeypatch.setattr(printing.os, "startfile", no_print_verb(calls), raising=False)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("PROGRAMFILES", raising=False)
    monkeypatch.delenv("PROGRAMFILES(X86)", raising=False)
    monkeypatch.delenv("LOCALAPPDATA", raising=False)
    assert printing.print_pdf(pdf, system="Windows") == printing.CTRL_P_HINT
    assert calls == [("open", str(pdf))] and "Ctrl+P" in printing.CTRL_P_HINT


def test_viewer_on_linux(pdf, monkeypatch):
    started = []
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(subprocess, "Popen", lambda cmd, **kw: started.append(cmd))
    printing.open_in_viewer(pdf, system="Linux")
    printing.open_in_viewer(pdf, system="Darwin")
    assert started == [["xdg-open", str(pdf)], ["open", str(pdf)]]
