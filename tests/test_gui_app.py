"""The real main window under Xvfb: register, person form, import wizard, cleaning, dashboard,
settings, errors, keyboard; screenshots of every view go to tests/artifacts/.

One root per class (:func:`open_window`), destroyed at the end with its workers joined and its
Tk objects freed on the main thread (:func:`close_window`), as in IDLE's tests; message boxes and
file choosers are replaced by :class:`FakeDialogs`, so the logic runs without anything blocking.
Tests wait with :func:`pump` until a condition holds, never for a fixed time. The windows open on
a display of their own at the laptop sizes the app must fit (1366×768, 1280×720).
"""

import datetime as dt
import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from PIL import ImageGrab

from commune_payout import applog, backups, paths, payouts, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.errors import UserError
from commune_payout.gui import app
from commune_payout.gui.dialogs import TASKBAR, TITLE_BAR
from commune_payout.gui.cleaning_view import RecordDecisionForm
from commune_payout.gui.person_form import PersonForm
from commune_payout.text import fold, name_sort_key, sort_key

ARTIFACTS = Path(__file__).parent / "artifacts"
DATA = Path(__file__).parent / "data"


class FakeDialogs:
    """Records what would have been shown; answers from preset values."""

    def __init__(self):
        self.infos, self.errors, self.questions = [], [], []
        self.answer = True
        self.open_path = None
        self.save_path = None

    def info(self, message, title=None):
        self.infos.append(message)

    def error(self, message, title=None):
        self.errors.append(message)

    def ask_yes_no(self, message, title=None):
        self.questions.append(message)
        return self.answer

    def ask_open_file(self, title, filetypes=None):
        return self.open_path

    def ask_save_file(self, title, initialfile="", filetypes=None):
        return self.save_path


_displays: dict = {}


def display_of_size(width, height):
    """An Xvfb display of the given size, started once and stopped only after this process ends.

    Tk keeps its X connection until the interpreter is gone; a server that went away earlier
    would take the test process down with it. The shell wrapper kills Xvfb when our end of
    its stdin closes, that is, when the process exits.
    """
    if (width, height) not in _displays:
        read, write = os.pipe()
        proc = subprocess.Popen(
            ["sh", "-c", f'Xvfb -displayfd {write} -screen 0 {width}x{height}x24 -nolisten tcp '
                         f'2>/dev/null & pid=$!; read _; kill $pid'],
            stdin=subprocess.PIPE, pass_fds=[write])
        os.close(write)
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        _displays[(width, height)] = (proc, f":{number}")
    return _displays[(width, height)][1]


def pump(root, until, timeout=60.0):
    """Run the Tk event loop until ``until()`` holds; the timeout is generous because CI runs
    on two loaded cores, and a condition that holds returns at once anyway."""
    end = time.monotonic() + timeout
    while True:
        root.update()
        if until():
            return
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for the window")
        time.sleep(0.02)


def settle(root, seconds=0.3):
    """Let the window draw for a moment (for screenshots; tests wait with :func:`pump`)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        root.update()
        time.sleep(0.02)


CLOCK = FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0))
_old_displays: list = []


def new_root(size=(1366, 768)):
    """A themed root window filling a display of ``size``; close it with :func:`destroy_root`.

    Windows of earlier tests are garbage by now (reference cycles); they are collected here,
    on the main thread, before this window's workers could collect them in theirs, where Tcl
    aborts the whole process ("Tcl_AsyncDelete: async handler deleted by the wrong thread").
    """
    gc.collect()
    _old_displays.append(os.environ.get("DISPLAY"))
    os.environ["DISPLAY"] = display_of_size(*size)
    root = app.create_root()
    root.geometry(f"{size[0]}x{size[1]}+0+0")
    return root


def destroy_root(root, tasks=None):
    """Let running workers finish, destroy ``root``, and give back the previous display."""
    if tasks is not None:
        assert tasks.join(timeout=120), "a worker thread did not finish"
    root.destroy()
    old = _old_displays.pop()
    if old is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = old


def open_window(folder, size=(1366, 768), *, features=None, db_path=None, people=300, clock=CLOCK):
    """The main window on a demo commune of ``people`` (or on ``db_path``), with fake dialogs.

    Close it with :func:`close_window`."""
    applog.setup(folder / "log" / "commune_payout.log")
    db_path = db_path or app.make_demo_database(folder, size=people)
    root = new_root(size)
    shell = app.open_main(root, db_path, clock=clock, dialogs=FakeDialogs(), features=features)
    shell.folder = folder
    settle(root)
    return shell


def close_window(shell):
    """Join the workers, destroy the window and free its Tk objects on this (main) thread.

    The test fixture keeps ``shell`` until after this returns, so the shell lets go of
    everything it holds first; otherwise the window would be freed later, by whichever thread
    next runs the garbage collector."""
    destroy_root(shell.root, shell.tasks)
    shell.db.close()
    applog.setup(shell.folder / "log" / "after.log")
    vars(shell).clear()
    gc.collect()


def screenshot(root, name):
    settle(root)
    ARTIFACTS.mkdir(exist_ok=True)
    out = ARTIFACTS / f"{name}.png"
    # Pillow grabs the X screen itself (its XCB support), so no screenshot tool is needed.
    ImageGrab.grab(xdisplay=root.winfo_screen()).save(out)
    assert out.stat().st_size > 10_000
    return out


def open_forms(root):
    return [w for w in root.winfo_children() if isinstance(w, PersonForm)]


def assert_placed_over_the_window(dialog, shell):
    """``dialog`` is centred over the main window (or as near as the screen allows), wholly on
    the screen, with room for its title bar and the taskbar."""
    dialog.update_idletasks()
    root, screen_w, screen_h = shell.root, dialog.winfo_screenwidth(), dialog.winfo_screenheight()
    left, top = dialog.winfo_rootx(), dialog.winfo_rooty()
    right, bottom = left + dialog.winfo_width(), top + dialog.winfo_height()
    lowest = screen_h - TASKBAR - TITLE_BAR
    assert 0 <= left and right <= screen_w and 0 <= top and bottom <= lowest
    assert abs((left + right) / 2 - (root.winfo_rootx() + root.winfo_width() / 2)) <= 2
    centred = abs((top + bottom) / 2 - (root.winfo_rooty() + root.winfo_height() / 2)) <= TITLE_BAR
    assert centred or bottom == lowest


def cut_cells(tree) -> list[tuple[str, str]]:
    """(column, text) of every cell of ``tree`` too wide for its column as drawn (text cut off)."""
    from tkinter import font as tkfont

    font = tkfont.nametofont(ttk_style_font(tree))
    shown = list(tree["displaycolumns"])
    columns = list(tree["columns"]) if shown in (["#all"], ("#all",)) else shown
    out = []
    for item in tree.get_children():
        values = dict(zip(tree["columns"], tree.item(item, "values")))
        for column in columns:
            text = str(values.get(column, ""))
            if text and font.measure(text) + 8 > int(tree.column(column, "width")):
                out.append((column, text))
    return out


def ttk_style_font(tree) -> str:
    return tree.tk.call("ttk::style", "lookup", "Treeview", "-font") or "TkDefaultFont"


def fill(entry, text):
    entry.delete(0, "end")
    entry.insert(0, text)


UNIKEY_DDANGWJ = [(0, "d"), (0, "d"), (2, "đ"), (0, "a"), (0, "n"), (0, "g"), (3, "ăng"), (3, "ặng")]


class AppWindow:
    """A demo commune opened in the real main window on a display of ``size``."""

    size = (1366, 768)

    @pytest.fixture(scope="class")
    @classmethod
    def window(cls, tmp_path_factory):
        shell = open_window(tmp_path_factory.mktemp("gui"), cls.size)
        yield shell
        close_window(shell)

    @pytest.fixture
    def shell(self, window):
        yield window
        for form in open_forms(window.root):
            form.destroy()
        window.dialogs.__init__()
        window.show("register")


class TestMainWindow(AppWindow):
    def test_sidebar_lists_the_built_sections_in_order(self, shell):
        titles = [s.title for s in sorted(shell.sections.values(), key=lambda s: s.order)]
        mine = ["Sổ người hưởng", "Nhập từ Excel", "Làm sạch dữ liệu", "Tiến độ mở tài khoản",
                "Cài đặt và sao lưu"]
        assert [t for t in titles if t in mine] == mine
        assert [b.cget("text") for b in shell.sidebar.winfo_children() if b.winfo_class() == "TButton"] == titles

    def test_status_bar_names_commune_database_people_and_backup(self, shell):
        texts = [item.label.cget("text") for item in shell.status_items.values()]
        assert "Xã An Bình, Phú Thọ" in texts
        assert any(t.startswith("Dữ liệu: ") and t.endswith(shell.db_path.name) for t in texts)
        assert f"{register.count(shell.db)} người hưởng" in texts
        assert "Sao lưu gần nhất: 15/01/2026 09:00" in texts

    def test_daily_backup_made_on_opening(self, shell):
        assert [b.reason for b in backups.list_backups(shell.db_path)][-1] == "daily"

    def test_control_number_switches_section(self, shell):
        ordered = [s.key for s in sorted(shell.sections.values(), key=lambda s: s.order)]
        shell.root.event_generate("<Control-Key-3>")
        assert shell.current == ordered[2]
        shell.root.event_generate("<Control-Key-1>")
        assert shell.current == ordered[0]

    def test_shared_shortcut_runs_for_the_visible_section_first(self, shell):
        seen = []
        shell.sections["dashboard"].shortcuts["<Control-n>"] = seen.append
        try:
            shell.show("dashboard")
            shell._shortcut("<Control-n>")
            assert seen == [shell.view("dashboard")] and not open_forms(shell.root)
            shell.show("settings")
            shell._shortcut("<Control-n>")
            assert shell.current == "register" and len(open_forms(shell.root)) == 1
        finally:
            del shell.sections["dashboard"].shortcuts["<Control-n>"]

    def test_unexpected_error_is_logged_and_named_app_keeps_running(self, shell):
        def broken():
            raise RuntimeError("hỏng ở đây")

        shell.root.after(0, broken)
        pump(shell.root, lambda: shell.dialogs.errors)
        log = applog.current_path()
        assert str(log) in shell.dialogs.errors[0]
        assert "RuntimeError: hỏng ở đây" in log.read_text(encoding="utf-8")
        assert "Traceback" in log.read_text(encoding="utf-8")
        assert shell.root.winfo_exists()

    def test_unexpected_error_in_a_worker_is_logged_too(self, shell):
        task = shell.run_task(lambda db, progress: 1 / 0)
        pump(shell.root, lambda: task.done)
        assert isinstance(task.error, ZeroDivisionError)
        assert str(applog.current_path()) in shell.dialogs.errors[0]
        assert "ZeroDivisionError" in applog.current_path().read_text(encoding="utf-8")

    def test_work_that_holds_a_tk_object_is_refused(self, shell):
        view = shell.view("register")
        with pytest.raises(TypeError, match="Tk objects"):
            shell.run_task(lambda db, progress: view.rows)
        with pytest.raises(TypeError, match="Tk objects"):
            shell.run_task(view.reload)
        rows = view.rows
        task = shell.run_task(lambda db, progress: len(rows))
        pump(shell.root, lambda: task.done)
        assert task.result == len(rows) and not shell.tasks.busy()

    def test_closing_waits_for_running_work(self, shell, monkeypatch):
        import threading

        release = threading.Event()
        task = shell.run_task(lambda db, progress: release.wait(30))
        destroyed = []
        monkeypatch.setattr(shell.root, "destroy", lambda: destroyed.append(task.done))
        shell.dialogs.answer = False
        shell.close()                      # the officer prefers to keep the window open
        assert shell.dialogs.questions and not destroyed and shell.tasks.busy()
        shell.dialogs.answer = True
        threading.Timer(0.3, release.set).start()
        shell.close()                      # waits for the worker, then closes
        assert destroyed and not shell.tasks.busy()

    def test_user_error_is_shown_plainly(self, shell):
        def refused():
            raise UserError("Hãy chọn một bản sao lưu.")

        shell.root.after(0, refused)
        pump(shell.root, lambda: shell.dialogs.errors)
        assert shell.dialogs.errors == ["Hãy chọn một bản sao lưu."]


class TestRegisterView(AppWindow):
    def test_screenshot(self, shell):
        assert screenshot(shell.root, "register").stat().st_size > 10_000

    def test_lazy_fill_then_more_on_scroll(self, shell):
        view = shell.view("register")
        assert len(view.rows) == register.count(shell.db)
        assert len(view.tree.get_children()) == 200

        def scrolled_to_the_end():
            view.tree.yview_moveto(1.0)
            return len(view.tree.get_children()) == len(view.rows)
        pump(shell.root, scrolled_to_the_end)

    def test_search_follows_each_keystroke_accent_insensitive_and_never_rewrites_the_entry(self, shell):
        view = shell.view("register")
        # Unikey, Telex "ddangwj": each key either adds letters or sends backspaces and a
        # replacement ("dd" → "đ", "w" turns "ang" into "ăng", "j" adds the dot below). The table
        # follows as soon as Tk is idle, with no fixed wait: no timer runs between the keystrokes.
        for backspaces, text in UNIKEY_DDANGWJ:
            for _ in range(backspaces):
                view.search.delete(len(view.search.get()) - 1)
            view.search.insert("end", text)
            shell.root.update_idletasks()
            assert view.shown_text == view.search.get()
        assert view.search.get() == "đặng"
        names = [view.tree.item(i, "values")[0] for i in view.tree.get_children()]
        assert names and all(fold(n).startswith("dang") for n in names)
        fill(view.search, "dang")
        shell.root.update_idletasks()
        assert [view.tree.item(i, "values")[0] for i in view.tree.get_children()] == names
        fill(view.search, "")
        shell.root.update_idletasks()
        assert len(view.tree.get_children()) == 200

    def test_narrowing_a_search_reuses_the_rows_already_drawn(self, shell, monkeypatch):
        view = shell.view("register")
        fill(view.search, "d")
        shell.root.update_idletasks()
        before = set(view.tree.get_children())
        inserted = []
        real_insert = view.tree.insert
        monkeypatch.setattr(view.tree, "insert", lambda *a, **k: inserted.append(k.get("iid")) or real_insert(*a, **k))
        fill(view.search, "da")
        shell.root.update_idletasks()
        after = set(view.tree.get_children())
        assert after and after <= before           # "da" narrows "d" (up to its first 200 rows) …
        assert inserted == []                      # … so not one row is drawn again
        order = [view.tree.item(i, "values")[0] for i in view.tree.get_children()]
        assert order == [r["full_name"] for r in view.rows[:len(order)]]
        fill(view.search, "")
        shell.root.update_idletasks()

    def test_ctrl_f_focuses_search(self, shell):
        shell.show("dashboard")
        shell.root.event_generate("<Control-f>")
        assert shell.current == "register"
        pump(shell.root, lambda: shell.root.focus_get() is shell.view("register").search)

    def test_filters_by_village_group_and_account_status(self, shell):
        view = shell.view("register")
        view.village.set("Thôn Đông")
        view.account.set_code("refuses")
        view.account.event_generate("<<ComboboxSelected>>")
        rows = view.rows
        assert rows and all(r["village"] == "Thôn Đông" and r["account_status"] == "refuses" for r in rows)
        assert rows == register.list_beneficiaries(shell.db, village="Thôn Đông", account_status="refuses")
        view.clear_filters()
        view.category.set_code("nct_80")
        view.category.event_generate("<<ComboboxSelected>>")
        assert len(view.rows) == register.count(shell.db, category="nct_80")
        screenshot(shell.root, "register_filtered")
        view.clear_filters()
        assert len(view.rows) == register.count(shell.db)

    def test_sorting_is_vietnamese_d_before_dd(self, shell):
        view = shell.view("register")
        view.sort_by("full_name")  # already by name: now descending
        assert view.descending
        view.sort_by("full_name")
        initials = [r["full_name"].split()[-1][0] for r in view.rows]
        d_run = [c for c in initials if c in "DĐ"]
        assert "D" in d_run and "Đ" in d_run
        assert d_run == sorted(d_run, key=lambda c: c == "Đ")
        assert view.tree.heading("full_name", "text").endswith("▲")
        register.create(shell.ctx, {"full_name": "Hà Văn Dộc", "birth_year": 1950, "village": "Thôn Dộc"})
        view.sort_by("village")
        villages = [r["village"] for r in view.rows]
        assert villages.index("Thôn Dộc") < villages.index("Thôn Đoài") < villages.index("Thôn Hạ")
        assert villages == sorted(villages, key=sort_key) and villages[0] != villages[-1]
        first_of = {v: [r["full_name"] for r in view.rows if r["village"] == v] for v in set(villages)}
        assert all(names == sorted(names, key=name_sort_key) for names in first_of.values())
        view.sort_by("full_name")


class TestPersonForm(AppWindow):
    def new_form(self, shell):
        search = shell.view("register").search
        search.focus_force()
        pump(shell.root, lambda: search.focus_get() is search)
        search.event_generate("<Control-n>")
        pump(shell.root, lambda: open_forms(shell.root))
        forms = open_forms(shell.root)
        assert len(forms) == 1
        assert_placed_over_the_window(forms[0], shell)
        return forms[0]

    def test_add_a_person_with_enter(self, shell):
        before = register.count(shell.db)
        form = self.new_form(shell)
        inputs = form._inputs()
        fill(inputs["full_name"], "  Đỗ   Thị Yên  ")
        fill(inputs["birth"], "05/03/1950")
        inputs["gender"].set_code("F")
        fill(inputs["id_number"], "025150000777")
        inputs["village"].set("Xóm Mới")
        form.ms_category.set_code("nct_ngheo_60_80")
        form.add_membership()
        assert form.ms_tree.item(form.ms_tree.get_children()[0], "values")[1] == "1,5"   # as everywhere else
        screenshot(shell.root, "person_new")
        inputs["phone"].focus_set()
        inputs["phone"].event_generate("<Return>")
        pump(shell.root, lambda: not open_forms(shell.root))
        assert register.count(shell.db) == before + 1
        bid = register.find_by_id_number(shell.db, "025150000777")
        person = register.get(shell.db, bid)
        assert person["full_name"] == "Đỗ Thị Yên" and person["birth_date"] == "1950-03-05"
        assert person["memberships"][0]["coefficient"] == 1.5
        # Sorted near the end, beyond the first rows drawn: the table fills up to show it.
        view = shell.view("register")
        assert [r["id"] for r in view.rows].index(bid) >= 200
        assert view.tree.selection() == (bid,)

    def test_validation_errors_shown_beside_fields(self, shell):
        form = self.new_form(shell)
        inputs = form._inputs()
        fill(inputs["birth"], "31/02/1950")
        fill(inputs["id_number"], "12345")
        form.tabs.select(2)
        assert form.save() is False
        errors = form.grids["personal"].errors
        assert errors["full_name"].cget("text") == "⚠ Chưa có họ và tên"
        assert "ngày/tháng/năm" in errors["birth"].cget("text")
        assert errors["id_number"].cget("text") == "⚠ Số định danh phải có đúng 12 chữ số"
        assert form.tabs.index("current") == 0
        pump(shell.root, lambda: form.focus_get() is form._inputs()["full_name"])
        assert "3 chỗ cần sửa" in form.message.cget("text")
        screenshot(shell.root, "person_validation")
        fill(inputs["full_name"], "Phạm Văn Đông")
        fill(inputs["birth"], "1945")
        fill(inputs["id_number"], "")
        assert form.save() is True

    def test_escape_asks_before_dropping_typed_text(self, shell):
        form = self.new_form(shell)
        fill(form._inputs()["full_name"], "Ai Đó")
        shell.dialogs.answer = False
        form.event_generate("<Escape>")
        assert open_forms(shell.root) == [form] and shell.dialogs.questions
        shell.dialogs.answer = True
        form.event_generate("<Escape>")
        pump(shell.root, lambda: not open_forms(shell.root))

    def test_status_with_date_account_receiver_and_history(self, shell):
        bid = register.list_beneficiaries(shell.db, account_status="needs_account", limit=1)[0]["id"]
        shell.run_command("open_person", bid)
        form = PersonForm._open[bid]
        assert shell.run_command("open_person", bid) is form
        inputs = form._inputs()
        inputs["status"].set_code("suspended")
        inputs["status"].event_generate("<<ComboboxSelected>>")
        assert inputs["status_date"].get() == "15/01/2026"
        fill(inputs["status_reason"], "Ba tháng không nhận")
        inputs["account_status"].set_code("has_account")
        inputs["channel"].set_code("account")
        inputs["bank_bin"].set_code("970405")
        fill(inputs["account_number"], "1500 2050 12345")
        fill(inputs["account_holder"], "NGUYEN VAN CON")
        fill(inputs["receiver_name"], "Nguyễn Văn Con")
        fill(inputs["receiver_id_number"], "025090000001")
        fill(inputs["receiver_relation"], "Con")
        form.tabs.select(2)
        screenshot(shell.root, "person_account")
        assert form.save()
        person = register.get(shell.db, bid)
        assert (person["status"], person["status_date"]) == ("suspended", "2026-01-15")
        assert (person["account_status"], person["bank_bin"], person["account_number"]) == (
            "has_account", "970405", "1500205012345")
        assert person["receiver_name"] == "Nguyễn Văn Con"
        shell.run_command("open_person", bid)
        form = PersonForm._open[bid]
        form.tabs.select(3)
        fields = [form.history_tree.item(i, "values")[2] for i in form.history_tree.get_children()]
        assert {"Trạng thái", "Ngày trạng thái", "Số tài khoản", "Người nhận thay", "Tạo hồ sơ"} <= set(fields)
        screenshot(shell.root, "person_history")
        form.cancel()


class TestImportWizard(AppWindow):
    def test_sample_register_preview_import_and_annotated_copy(self, shell, tmp_path):
        view = shell.show("import")
        before = register.count(shell.db)
        shell.dialogs.open_path = str(paths.asset(*paths.SAMPLE_REGISTER))
        view.choose_button.invoke()
        assert view.busy()
        pump(shell.root, lambda: not view.busy())
        assert view.result.dry_run and view.result.imported == 120
        assert "Nếu nhập: 120 người mới" in view.summary.cget("text")
        assert register.count(shell.db) == before
        screenshot(shell.root, "import_preview")
        view.import_button.invoke()
        pump(shell.root, lambda: not view.busy())
        assert register.count(shell.db) == before + 120
        assert "Đã nhập xong: 120 người mới" in view.summary.cget("text")
        assert backups.last_backup(shell.db_path).reason == "import"
        assert shell.view("register").rows.__len__() == before + 120
        screenshot(shell.root, "import_done")
        shell.dialogs.save_path = str(tmp_path / "annotated.xlsx")
        view.annotated_button.invoke()
        pump(shell.root, lambda: not view.busy())
        assert (tmp_path / "annotated.xlsx").exists() and shell.dialogs.infos

    def test_problems_listed_with_row_and_field(self, shell, tmp_path):
        path = tmp_path / "thon_moi.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["STT", "Họ và tên", "Năm sinh", "Số CCCD", "Thôn"])
        ws.append([1, "Lò Văn Pá", 1950, "12345", "Bản Mới"])
        ws.append([2, "Lò Thị Ín", 1955, "025155000001", "Bản Mới"])
        wb.save(path)
        view = shell.show("import")
        view.preview(path)
        pump(shell.root, lambda: not view.busy())
        rows = [view.tree.item(i, "values") for i in view.tree.get_children()]
        assert any(r[0] == "2" and r[1] == "Lò Văn Pá" and r[2] == "Số định danh" for r in rows), rows
        screenshot(shell.root, "import_problems")

    def test_a_second_import_does_not_start_while_one_runs(self, shell, tmp_path):
        view = shell.show("import")
        other = tmp_path / "khac.csv"
        other.write_text("Họ và tên,Năm sinh,Thôn\nLê Văn An,1950,Thôn Đông\n", encoding="utf-8")
        view.preview(paths.asset(*paths.SAMPLE_REGISTER))
        assert view.busy()
        task = view.task
        view.preview(other)
        view.run_import()
        assert view.task is task and view.path.name != other.name
        assert shell.dialogs.infos and "Hãy chờ xong" in shell.dialogs.infos[-1]
        pump(shell.root, lambda: not view.busy())
        # rows that are not people are listed with their reason, in the order of the file
        rows = [view.tree.item(i, "values") for i in view.tree.get_children()]
        skipped = [r for r in rows if r[3] == "Bỏ qua"]
        assert len(skipped) == view.result.skipped == 21
        assert any(r[0] == "141" and "dòng tổng cộng" in r[4] for r in skipped)
        screenshot(shell.root, "import_preview_skipped_rows")

    def test_rounded_accounts_are_read_whole_named_and_counted(self, shell, tmp_path):
        """Excel rounded three account numbers: the window names the people, shows each message
        whole under the table, says the numbers were not saved, and opens the person."""
        path = tmp_path / "lam_tron.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["STT", "Họ và tên", "Ngày sinh", "Số CCCD", "Thôn", "Ngân hàng", "Số tài khoản"])
        for i in range(3):
            ws.append([i + 1, f"Hà Văn Tròn {i}", "01/01/1950", f"02515000090{i}", "Thôn Đông", "Agribank",
                       1.4485192814829e15 + i])
        wb.save(path)
        view = shell.show("import")
        view.preview(path)
        pump(shell.root, lambda: not view.busy())
        text = view.summary.cget("text")
        assert "3 lỗi" in text and "Mọi dòng đều được nhập" in text and "dòng có lỗi sẽ chưa được nhập" not in text
        assert "3 số tài khoản chưa được lưu" in text and "Đã có tài khoản, cần ghi lại số" in text
        first = next(i for i in view.tree.get_children() if view.tree.item(i, "values")[3] == "Lỗi")
        assert view.tree.item(first, "values")[1] == "Hà Văn Tròn 0"          # the header row is listed first
        view.tree.selection_set(first)
        message = view.tree.item(first, "values")[4]
        pump(shell.root, lambda: message in view.detail.cget("text"))
        assert message.endswith("theo sổ/thẻ ngân hàng")
        screenshot(shell.root, "import_rounded")
        view.import_button.invoke()
        pump(shell.root, lambda: not view.busy())
        bid = register.find_by_id_number(shell.db, "025150000900")
        assert register.account_status_label(register.get(shell.db, bid)) == "Đã có tài khoản, cần ghi lại số"
        view.tree.selection_set(next(i for i in view.tree.get_children() if view.tree.item(i, "values")[3] == "Lỗi"))
        view.tree.focus_force()
        pump(shell.root, lambda: shell.root.focus_get() is view.tree)
        view.tree.event_generate("<Return>")
        pump(shell.root, lambda: [f.bid for f in open_forms(shell.root)] == [bid])

    def test_unreadable_file_is_reported_plainly(self, shell, tmp_path):
        path = tmp_path / "rong.csv"
        path.write_text("không có gì ở đây\n", encoding="utf-8")
        view = shell.show("import")
        view.preview(path)
        pump(shell.root, lambda: not view.busy())
        assert shell.dialogs.errors and "Không nhập được" in view.summary.cget("text")
        assert not any("bên trong phần mềm" in e for e in shell.dialogs.errors)


class TestCleaningDashboardSettings(AppWindow):
    def test_cleaning_groups_open_person_and_export(self, shell, tmp_path):
        view = shell.show("cleaning")
        pump(shell.root, lambda: view.task.done)
        groups = view.tree.get_children()
        assert groups and all(g.startswith("group:") for g in groups)
        assert "Chọn một dòng" in view.detail_text.cget("text")
        view.tree.selection_set(groups[0])
        pump(shell.root, lambda: view.detail_title.cget("text") == view.tree.item(groups[0], "text"))
        assert str(view.open_button.cget("state")) == "disabled"
        # The longest message, cut off in its column, is read in full under the table.
        longest = max(range(len(view.problems)), key=lambda i: len(view.problems[i].message))
        problem = view.problems[longest]
        view.tree.selection_set(f"p:{longest}")
        pump(shell.root, lambda: view.detail_text.cget("text") == problem.message)
        view.tree.see(f"p:{longest}")
        assert view.detail_title.cget("text").startswith(problem.full_name)
        assert view.detail_text.winfo_ismapped() and view.detail_text.winfo_reqwidth() <= view.winfo_width()
        screenshot(shell.root, "cleaning")
        view.open_button.invoke()
        assert problem.beneficiary_id in PersonForm._open
        PersonForm._open[problem.beneficiary_id].destroy()
        assert not PersonForm._open
        shell.dialogs.save_path = str(tmp_path / "cong_an.xlsx")
        view.export()
        pump(shell.root, lambda: shell.dialogs.infos)
        assert openpyxl.load_workbook(tmp_path / "cong_an.xlsx").active["A2"].value.startswith("DANH SÁCH")

    def test_dashboard_counts_match_the_register(self, shell):
        view = shell.show("dashboard")
        active = register.count(shell.db, status="active")
        assert sum(view.total.values()) == active
        has = register.count(shell.db, status="active", account_status="has_account")
        assert view.tile_labels["has_account"].cget("text").startswith(str(has))
        assert len(view.villages) == len(register.villages(shell.db))
        for village, totals in view.villages:
            for code, n in totals.items():
                assert n == register.count(shell.db, village=village, account_status=code, status="active")
        screenshot(shell.root, "dashboard")

    def test_settings_backup_and_restore_after_confirmation(self, shell):
        view = shell.show("settings")
        view.backup_now()
        assert view.backups[0].reason == "manual"
        screenshot(shell.root, "settings")
        bid = register.create(shell.ctx, {"full_name": "Người Thêm Sau", "birth_year": 1970})
        view.tree.selection_set("0")
        shell.dialogs.answer = False
        view.restore_selected()
        assert register.get(shell.db, bid)
        shell.dialogs.answer = True
        view.restore_selected()
        with pytest.raises(UserError):
            register.get(shell.db, bid)
        assert view.backups[0].reason == "restore"
        assert "Đã khôi phục" in shell.dialogs.infos[-1]

    def test_settings_restore_from_a_file_refuses_what_is_not_this_communes(self, shell, tmp_path):
        from commune_payout.db import open_db

        other = open_db(tmp_path / "khac.sqlite")
        settings.init_commune(other, "00004")
        other.close()
        (tmp_path / "ghi-chu.sqlite").write_text("không phải cơ sở dữ liệu", encoding="utf-8")
        view = shell.show("settings")
        shell.dialogs.answer = True
        before = register.count(shell.db)
        for name, why in (("khac.sqlite", "xã khác"), ("ghi-chu.sqlite", "không phải dữ liệu")):
            shell.dialogs.open_path = str(tmp_path / name)
            with pytest.raises(UserError, match=why):
                view.restore_file()
            assert register.count(shell.db) == before

    def test_settings_edit_officer(self, shell):
        view = shell.show("settings")
        fill(view.officer, "Trần Văn Mới")
        view.save_commune()
        assert settings.commune(shell.db)["officer"] == "Trần Văn Mới"
        assert shell.ctx.user == "Trần Văn Mới"


class TestImportWithoutDecision(AppWindow):
    """A register whose title names no decision: its people are one entry in data cleaning, and
    the officer records the decision they rest on in one dialog."""

    def test_the_import_is_one_entry_and_its_decision_is_recorded_in_one_action(self, shell, tmp_path):
        wb = openpyxl.load_workbook(paths.asset(*paths.SAMPLE_REGISTER))
        wb.active["A5"] = None
        path = tmp_path / "danh_sach_cu.xlsx"
        wb.save(path)
        view = shell.show("import")
        view.preview(path)
        pump(shell.root, lambda: not view.busy())
        view.run_import()
        pump(shell.root, lambda: not view.busy() and not view.result.dry_run)
        assert "Tệp không ghi quyết định nào ở phần đầu" in view.summary.cget("text")
        view = shell.show("cleaning")
        pump(shell.root, lambda: view.task is not None and view.task.done and view.problems)
        [entry] = [i for i, p in enumerate(view.problems) if p.batch]
        batch = view.problems[entry]
        assert (batch.full_name, batch.people) == ("Nhập từ tệp danh_sach_cu.xlsx ngày 15/01/2026", 120)
        by_hand = sum(1 for p in view.problems if p.code == "no_decision" and not p.batch)
        assert view.tree.item("group:no_decision", "text") == (
            f"Đang hưởng nhưng chưa có quyết định ({120 + by_hand})")
        assert "1 lần nhập (120 người) chưa có căn cứ quyết định" in view.summary.cget("text")
        view.tree.item("group:no_decision", open=True)
        view.tree.selection_set(f"p:{entry}")
        view.tree.see(f"p:{entry}")
        pump(shell.root, lambda: view.open_button.cget("text") == "Ghi quyết định cho 120 người (Enter)")
        screenshot(shell.root, "cleaning_import_without_decision")
        view.open_selected()
        [form] = [w for w in shell.root.winfo_children() if isinstance(w, RecordDecisionForm)]
        pump(shell.root, form.save_button.winfo_ismapped)
        assert_placed_over_the_window(form, shell)
        fill(form.number, "12/QĐ-UBND")
        fill(form.signed_on, "31/02/2026")
        form.save()
        assert form.grid_.errors["signed_on"].cget("text") == "⚠ Ngày ký không có thật"
        screenshot(shell.root, "cleaning_record_decision")
        fill(form.signed_on, "05/01/2026")
        form.save()
        assert not form.winfo_exists()
        assert shell.dialogs.infos[-1] == "Đã ghi căn cứ Quyết định số 12/QĐ-UBND ngày 05/01/2026 cho 120 người."
        pump(shell.root, lambda: view.task.done and not any(p.batch for p in view.problems))
        assert view.tree.item("group:no_decision", "text") == f"Đang hưởng nhưng chưa có quyết định ({by_hand})"
        screenshot(shell.root, "cleaning_after_recording")


class TestSmallScreen(AppWindow):
    """1280×720 must stay usable: every section and the form fit."""

    size = (1280, 720)

    def test_views_fit(self, shell):
        for key in ("register", "import", "cleaning", "dashboard", "settings"):
            view = shell.show(key)
            pump(shell.root, view.winfo_ismapped)
            assert view.winfo_width() <= 1280 and view.winfo_rooty() + view.winfo_height() <= 720
            screenshot(shell.root, f"small_{key}")
        shell.show("register")
        form = shell.view("register").new_person()
        pump(shell.root, form.save_button.winfo_ismapped)
        assert_placed_over_the_window(form, shell)
        screenshot(shell.root, "small_person")
        form.destroy()

    def test_payout_desk_fits(self, shell):
        ctx = Context(shell.db, clock=CLOCK, user="test")
        sid = payouts.create_session(ctx, payouts.SessionSpec(
            name="Tháng 01/2026", kind="monthly", period="2026-01", session_date=dt.date(2026, 1, 15)))
        payouts.lock_session(ctx, sid)
        view = shell.show("payouts")
        view.select(sid)
        view.notebook.select(view.desk)
        pump(shell.root, view.tree.winfo_ismapped)
        settle(shell.root, 0.2)
        shown = [c for c in view.tree["displaycolumns"] if c != "#all"] or list(view.tree["columns"])
        assert {"name", "id_number", "village", "amount", "channel"} <= set(shown)
        assert view.tree.column("name", "width") >= 150
        assert view.tree.winfo_rootx() + view.tree.winfo_width() <= view.pay_button.winfo_rootx()
        screenshot(shell.root, "small_payouts_desk")
        wizard = view.open_wizard()
        pump(shell.root, wizard.create_button.winfo_ismapped)
        assert_placed_over_the_window(wizard, shell)
        screenshot(shell.root, "small_payouts_wizard")
        wizard.destroy()


class TestSetupWizard:
    @pytest.fixture
    def root(self, tmp_path):
        applog.setup(tmp_path / "log" / "commune_payout.log")
        root = new_root()
        yield root
        destroy_root(root)

    def test_first_run_chooses_commune_and_creates_the_database(self, root, tmp_path):
        db_path = tmp_path / "xa" / "register.sqlite"
        dialogs = FakeDialogs()
        wizard = app.start(root, db_path, clock=FixedClock(), dialogs=dialogs)
        assert wizard.__class__.__name__ == "SetupWizard" and not db_path.exists()
        names = list(wizard.province.cget("values"))
        assert names.index("Hà Tĩnh") == names.index("Thành phố Hà Nội") + 1     # under H, not T
        # Tab goes from field to field, with no invisible stop between them
        settle(root)
        stops, widget = [], wizard.province
        for _ in range(7):
            stops.append(widget.winfo_class())
            widget = widget.tk_focusNext()
        assert stops == ["TCombobox", "TEntry", "Listbox", "TEntry", "TEntry", "TEntry", "TButton"]
        wizard.province.set("Phú Thọ")
        wizard.province.event_generate("<<ComboboxSelected>>")
        provincewide = wizard.listbox.size()
        wizard.query.insert(0, "an")
        assert 1 < wizard.listbox.size() < provincewide
        wizard.finish()
        assert wizard.grid_fields.errors["commune"].cget("text") == "⚠ Chọn xã, phường trong danh sách"
        assert wizard.grid_fields.errors["officer"].cget("text").startswith("⚠")
        wizard.query.insert("end", " binh")
        assert wizard.listbox.get(0, "end") == ("Xã An Bình  ·  mã 05425",)     # the official code shows
        assert wizard.selected_commune().code == "05425"
        wizard.officer.insert(0, "Hà Thị Thu")
        # the offices of 2026 for the province chosen, and the officer may name them otherwise
        assert wizard.offices["office_health"].get() == "Sở Y tế tỉnh Phú Thọ"
        assert wizard.offices["office_home_affairs"].get() == "Sở Nội vụ tỉnh Phú Thọ"
        wizard.province.set("Thành phố Hà Nội")
        wizard.province.event_generate("<<ComboboxSelected>>")
        assert wizard.offices["office_health"].get() == "Sở Y tế thành phố Hà Nội"
        wizard.province.set("Phú Thọ")
        wizard.province.event_generate("<<ComboboxSelected>>")
        fill(wizard.offices["office_home_affairs"], "Sở Nội vụ tỉnh Phú Thọ (Phòng Người có công)")
        screenshot(root, "setup_wizard")
        wizard.finish()
        shell = wizard.opened
        assert settings.commune(shell.db) == {
            "code": "05425", "name": "Xã An Bình", "province_code": "25", "province_name": "Phú Thọ",
            "officer": "Hà Thị Thu", "offices": {"btxh": "Sở Y tế tỉnh Phú Thọ", "htxh": "Sở Y tế tỉnh Phú Thọ",
                                                "ncc": "Sở Nội vụ tỉnh Phú Thọ (Phòng Người có công)"}}
        assert shell.current == "register" and shell.ctx.user == "Hà Thị Thu"
        screenshot(root, "empty_register")
        shell.db.close()

    def test_existing_database_opens_straight_into_the_main_window(self, root, tmp_path):
        db_path = app.make_demo_database(tmp_path, size=20)
        assert not app.needs_setup(db_path)
        shell = app.start(root, db_path, clock=FixedClock(), dialogs=FakeDialogs())
        assert shell.current == "register"
        shell.db.close()


WORKER_AFTER_AN_OLD_WINDOW = """
import gc, sys
from commune_payout.gui import app
from commune_payout.gui.tasks import TaskRunner

db_path = app.make_demo_database(sys.argv[1], size=20)
old = app.create_root()
old.update()
old.destroy()
del old
root = app.create_root()          # the old window is now garbage, in reference cycles
task = TaskRunner(root, db_path, print).start(lambda db, progress: gc.collect())
while not task.done:
    root.update()
print("ok", task.error)
"""


def test_a_worker_never_finalises_a_destroyed_window(tmp_path):
    """The crash that once aborted the test run: a destroyed root collected by a worker's
    garbage collection made Tcl abort ("async handler deleted by the wrong thread"). Run in a
    process of its own, since that failure takes the process down."""
    env = {**os.environ, "DISPLAY": display_of_size(1366, 768)}
    done = subprocess.run([sys.executable, "-c", WORKER_AFTER_AN_OLD_WINDOW, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "ok None"), done.stderr
    assert "Exception ignored" not in done.stderr


def test_no_display_exits_with_one_clear_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["COMMUNE_PAYOUT_DB"] = str(tmp_path / "register.sqlite")
    env["XDG_DATA_HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "commune_payout", "--demo"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi: Không mở được cửa sổ")


def test_gui_subcommand_documents_demo():
    done = subprocess.run([sys.executable, "-m", "commune_payout", "gui", "--help"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--demo" in done.stdout
