"""printing.open_folder: the folder shown in the file manager, per system, without starting one."""

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
