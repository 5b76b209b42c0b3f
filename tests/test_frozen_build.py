"""The program officers install: PyInstaller builds ``build.spec`` and the result runs here.

Built once per run (about 20 s) into a temporary folder, then copied into a folder named with
Vietnamese letters, as if unpacked into "Chương trình/Chi trả" on a laptop, and run for a user
whose home folder is "Nguyễn Văn Đức". Windows-only behaviour (no console, the .exe icon and
version resource) cannot run here; everything else is the same code and the same spec.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from commune_payout import __version__, paths

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = paths.asset(*paths.SAMPLE_REGISTER)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    work = tmp_path_factory.mktemp("pyinstaller")
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(work / "dist"), "--workpath", str(work / "build"), str(ROOT / "build.spec")],
        cwd=work, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stderr[-4000:]
    installed = work / "Chương trình" / "Chi trả"
    shutil.copytree(work / "dist" / "commune-payout", installed, symlinks=True)
    return installed


@pytest.fixture
def officer(tmp_path):
    """A user whose home folder has Vietnamese letters; returns (home, environment)."""
    home = tmp_path / "Nguyễn Văn Đức"
    (home / "Tạm").mkdir(parents=True)
    (home / "Tài liệu").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMUNE_PAYOUT", "PYTHON"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), TMPDIR=str(home / "Tạm"),
               LANG="C")  # no UTF-8 locale: the frozen program must not depend on one
    return home, env


def run(bundle, program, *args, env, cwd=None, timeout=120):
    return subprocess.run([str(bundle / program), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def window_titles(env, pattern: str) -> list[str]:
    """Titles of the visible windows whose title matches ``pattern`` (an ASCII regex)."""
    ids = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", pattern], env=env,
                         capture_output=True, text=True).stdout.split()
    return [subprocess.run(["xdotool", "getwindowname", w], env=env, capture_output=True,
                           text=True, encoding="utf-8").stdout.strip() for w in ids]


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_both_programs_say_their_version(bundle, officer):
    _, env = officer
    for program in ("commune-payout", "commune-payout-cli"):
        done = run(bundle, program, "--version", env=env)
        assert (done.returncode, done.stdout) == (0, f"commune-payout {__version__}\n")


def test_bundle_carries_assets_themes_and_tk(bundle):
    internal = bundle / "_internal"
    for shipped in (ROOT / "assets").rglob("*"):
        copy = internal / "assets" / shipped.relative_to(ROOT / "assets")
        if shipped.suffix in (".py", ".pyc"):     # the icon's drawing script stays out
            assert not copy.exists()
        elif shipped.is_file():
            assert copy.read_bytes() == shipped.read_bytes(), copy
    assert (internal / "commune_payout" / "locale" / "en.json").is_file()
    assert (internal / "ttkbootstrap" / "assets" / "elements" / "checkbox-checked.png").is_file()
    assert (internal / "_tcl_data" / "init.tcl").is_file() and (internal / "_tk_data" / "tk.tcl").is_file()


def test_self_test_passes_in_a_vietnamese_path_and_writes_nothing_beside_the_program(bundle, officer):
    home, env = officer
    before = files_in(bundle)
    done = run(bundle, "commune-payout-cli", "--self-test", env=env, cwd=home / "Tài liệu", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "(bản đóng gói)" in out and "Chế độ UTF-8 của Python: bật" in out
    assert f"Tài nguyên đi kèm: {bundle / '_internal' / 'assets'}" in out
    for step in ("[1/5] Tạo cơ sở dữ liệu mới: đạt", "[2/5] Nhập sổ mẫu: đạt — 120 người",
                 "[3/5] In danh sách chi trả (PDF): đạt", "[4/5] Gói đồng bộ gửi cấp trên: đạt",
                 "[5/5] Mở cửa sổ chính: đạt"):
        assert step in out, out
    assert out.rstrip().splitlines()[-1].startswith("Tự kiểm tra: ĐẠT")
    assert files_in(bundle) == before
    assert list((home / "Tạm").iterdir()) == []
    assert list((home / "Tài liệu").iterdir()) == []
    log = home / ".local" / "share" / "commune_payout" / "logs" / "commune_payout.log"
    assert "Tự kiểm tra đạt" in log.read_text(encoding="utf-8")


def test_officer_commands_keep_their_files_in_the_user_data_folder(bundle, officer):
    home, env = officer
    documents = home / "Tài liệu"
    data = home / ".local" / "share" / "commune_payout"
    before = files_in(bundle)
    cli = lambda *args: run(bundle, "commune-payout-cli", *args, env=env, cwd=documents)  # noqa: E731

    assert cli("init", "--commune", "05425", "--officer", "Nguyễn Thị Lập").returncode == 0
    shutil.copy(SAMPLE, documents / "Danh sách hộ nghèo thôn Đồng.xlsx")
    imported = cli("import", "Danh sách hộ nghèo thôn Đồng.xlsx")
    assert imported.returncode == 0, imported.stderr
    assert "120" in imported.stdout
    found = cli("search", "duc", "--json")
    assert found.returncode == 0 and "Đức" in found.stdout
    printed = cli("print", "campaign", "--out", "Vận động mở tài khoản.pdf")
    assert printed.returncode == 0, printed.stderr
    pdfs = list(documents.glob("*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF-")

    assert (data / "register.sqlite").is_file()
    assert any((data / "backups").iterdir())      # the import backed the database up first
    assert files_in(bundle) == before
    refused = cli("import", "không có tệp này.xlsx")
    assert refused.returncode == 2 and refused.stderr.startswith("Lỗi: ") and "Traceback" not in refused.stderr


def test_double_clicked_program_opens_the_setup_window(bundle, officer):
    """No arguments: the window opens (first run: the setup wizard) and stays open."""
    home, env = officer
    proc = subprocess.Popen([str(bundle / "commune-payout")], env=env, cwd=home,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, titles = time.monotonic() + 60, []
        while time.monotonic() < deadline and not titles and proc.poll() is None:
            time.sleep(0.3)
            titles = window_titles(env, "^Chi ")   # xdotool's pattern cannot hold "ả"
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert "Chi trả an sinh xã hội" in titles, titles
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert (home / ".local" / "share" / "commune_payout" / "logs" / "commune_payout.log").is_file()
