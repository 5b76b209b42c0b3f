"""The app's icon (the files and the window's) and the About box ("Giới thiệu"), in the real
window under Xvfb: reached by F1 and by the sidebar of both the commune's window and the office
console, showing the version and where the files live, opening their folders, closed by Esc.
Screenshots go to tests/artifacts/about*.png."""

import gc
import logging
import subprocess
import time
import tkinter

import pytest
import ttkbootstrap as ttk
from PIL import Image

import test_gui_app as gui
from commune_payout import __version__, applog, paths, printing
from commune_payout.errors import UserError
from commune_payout.gui import about, app, dialogs
from commune_payout.gui.office import console

ICONS = paths.assets_dir() / "icons"


def test_icon_files_hold_every_size():
    ico = Image.open(ICONS / "commune_payout.ico")
    assert sorted(ico.ico.sizes()) == [(px, px) for px in (16, 24, 32, 48, 64, 128, 256)]
    for px in (16, 48, 256):
        ico.size = (px, px)
        image = ico.copy().convert("RGBA")
        assert image.getpixel((px // 2, px // 2))[3] == 255      # drawn, not blank
        assert image.getpixel((0, 0))[3] < 255                    # the rounded corner is see-through
    png = Image.open(ICONS / "commune_payout.png")
    assert png.size == (256, 256) and png.mode == "RGBA"
    for px in (16, 32, 48, 64):
        assert Image.open(ICONS / f"commune_payout_{px}.png").size == (px, px)


def all_texts(widget) -> list[str]:
    out = []
    for child in widget.winfo_children():
        try:
            text = child.cget("text")
        except Exception:  # noqa: BLE001 - frames and entries have no text
            text = ""
        if text:
            out.append(str(text))
        out += all_texts(child)
    return out


def close_about(shell):
    box = getattr(shell, "about_box", None)
    if box is not None and box.winfo_exists():
        box.close()


class TestAboutBox(gui.AppWindow):
    @pytest.fixture
    def shell(self, window):
        yield window
        close_about(window)
        window.dialogs.__init__()

    def test_the_window_has_the_app_icon(self, shell, monkeypatch):
        root = shell.root
        assert [(i.width(), i.height()) for i in root.icon_images] == [(256, 256), (64, 64), (48, 48), (32, 32),
                                                                       (16, 16)]
        assert all(root.tk.call("image", "type", image) == "photo" for image in root.icon_images)
        # every size goes to Tk as the default for all windows (dialogs too), none of ttkbootstrap's own
        calls, real = [], root.iconphoto
        monkeypatch.setattr(root, "iconphoto", lambda default, *images: calls.append((default, images))
                            or real(default, *images))
        app.set_window_icon(root)
        assert calls == [(True, tuple(root.icon_images))]

    def test_a_missing_icon_is_logged_and_the_window_goes_on(self, shell, tmp_path, monkeypatch, caplog):
        root = shell.root
        before = root.icon_images
        monkeypatch.setattr(paths, "assets_dir", lambda: tmp_path)
        with caplog.at_level(logging.WARNING, logger=applog.LOGGER_NAME):
            app.set_window_icon(root)
        assert "biểu tượng" in caplog.text
        assert root.icon_images is before and root.winfo_exists()

    def test_f1_opens_the_about_box_with_version_and_files(self, shell):
        shell.show("dashboard")
        shell.root.event_generate("<F1>")
        box = shell.about_box
        assert isinstance(box, about.AboutBox) and box.winfo_exists()
        assert box.title() == "Giới thiệu"
        gui.pump(shell.root, lambda: box.winfo_ismapped() and box.grab_status() == "local")
        texts = all_texts(box)
        assert "Chi trả an sinh xã hội không dùng tiền mặt" in texts
        assert f"Phiên bản {__version__}" in texts and box.version_label.cget("text") == f"Phiên bản {__version__}"
        assert any("không cần mạng" in t for t in texts)
        assert any("Liberation Serif" in t and "SIL Open Font License" in t for t in texts)
        assert box.path_texts == {"Tệp dữ liệu": str(shell.db_path),
                                  "Thư mục sao lưu": str(paths.backups_dir(shell.db_path)),
                                  "Tệp nhật ký": str(applog.current_path())}
        assert texts.count("Mở thư mục") == 3 and "Đóng" in texts
        assert box.icon is not None and box.icon.width() == 64
        gui.assert_placed_over_the_window(box, shell)
        # everything inside fits: the close button is wholly within the box
        box.update_idletasks()
        bottom = box.close_button.winfo_rooty() + box.close_button.winfo_height()
        assert bottom <= box.winfo_rooty() + box.winfo_height()
        assert gui.screenshot(shell.root, "about").exists()
        # F1 again raises the same box rather than a second one
        shell.root.event_generate("<F1>")
        assert shell.about_box is box
        assert [w for w in shell.root.winfo_children() if isinstance(w, about.AboutBox)] == [box]

    def test_sidebar_button_at_the_bottom_opens_it(self, shell):
        button = shell.about_button
        assert button.cget("text") == "Giới thiệu (F1)" and button.winfo_ismapped()
        sidebar = shell.sidebar
        last_section = max((s.button for s in shell.sections.values()), key=lambda b: b.winfo_rooty())
        assert button.winfo_rooty() > last_section.winfo_rooty() + last_section.winfo_height()
        assert button.winfo_rooty() + button.winfo_height() <= sidebar.winfo_rooty() + sidebar.winfo_height()
        assert f"Phiên bản {__version__}" in all_texts(button.master)
        button.invoke()
        assert isinstance(shell.about_box, about.AboutBox) and shell.about_box.winfo_exists()

    def test_open_folder_buttons_open_the_right_folders(self, shell, monkeypatch):
        opened = []
        monkeypatch.setattr(printing, "open_folder", lambda folder, system=None: opened.append(folder))
        box = about.open_about(shell)
        for what in ("Tệp dữ liệu", "Thư mục sao lưu", "Tệp nhật ký"):
            box.open_buttons[what].invoke()
        assert opened == [shell.db_path.resolve().parent, paths.backups_dir(shell.db_path),
                          applog.current_path().parent]
        assert shell.db_path.resolve().parent.is_dir() and paths.backups_dir(shell.db_path).is_dir()

        def refuse(folder, system=None):
            raise UserError(f"Không mở được thư mục {folder}")

        monkeypatch.setattr(printing, "open_folder", refuse)
        box.open_buttons["Tệp nhật ký"].invoke()
        assert shell.dialogs.errors == [f"Không mở được thư mục {applog.current_path().parent}"]
        assert box.winfo_exists()

    def test_escape_and_the_close_button_close_it(self, shell):
        box = about.open_about(shell)
        gui.pump(shell.root, lambda: box.grab_status() == "local")
        box.event_generate("<Escape>")
        gui.pump(shell.root, lambda: not box.winfo_exists())
        assert shell.root.grab_current() is None
        box = about.open_about(shell)
        box.close_button.invoke()
        assert not box.winfo_exists()


    def test_enter_on_the_close_button_closes_it_without_an_error(self, shell):
        search = shell.show("register").search
        search.focus_force()
        gui.pump(shell.root, lambda: shell.root.focus_get() is search)
        shell.root.event_generate("<F1>")
        box = shell.about_box
        gui.pump(shell.root, lambda: box.grab_status() == "local" and box.focus_get() is box.close_button)
        box.close_button.event_generate("<Return>")
        gui.pump(shell.root, lambda: not box.winfo_exists())
        gui.settle(shell.root, 0.1)
        assert shell.dialogs.errors == []
        assert shell.root.focus_get() is search


def press_enter_when_a_box_shows(root, pressed: list) -> None:
    """Type Enter (a real key, through the X server) once a message box is on the screen and
    holds the keyboard focus; close the box by hand after 30 s, so a box that never takes the
    focus or is deaf to Enter fails the test instead of hanging it.

    Waiting for the focus, not only for the box to be mapped, matters on a loaded machine: the
    window manager may give the box the focus a moment after mapping it, and a key typed in
    between goes to the main window, which is not what an officer's Enter would meet."""
    started = time.monotonic()

    def has_focus(box) -> bool:
        focused = box.focus_get()
        return focused is not None and str(focused).startswith(str(box))

    def poll() -> None:
        boxes = [w for w in root.winfo_children() if isinstance(w, tkinter.Toplevel) and w.winfo_ismapped()]
        if boxes and not pressed and has_focus(boxes[0]):
            pressed.append("Enter")
            subprocess.run(["xdotool", "key", "Return"], check=True)
        if boxes and time.monotonic() - started > 30:
            pressed.append("closed by hand")
            boxes[0].destroy()
            return
        root.after(50, poll)

    root.after(50, poll)


def test_the_real_message_boxes_answer_enter(tmp_path):
    """An error box shown while the window takes the focus back (as when a dialog has just
    closed) still closes with Enter, and Enter answers "Có" to a question."""
    root = gui.new_root()
    try:
        entry = ttk.Entry(root)
        entry.pack()
        gui.settle(root)
        real = dialogs.Dialogs(root)
        pressed: list = []
        root.after(0, entry.focus_force)
        press_enter_when_a_box_shows(root, pressed)
        real.error("Không mở được thư mục")
        assert pressed == ["Enter"]
        pressed.clear()
        press_enter_when_a_box_shows(root, pressed)
        assert real.ask_yes_no("Đóng đợt chi?") is True
        assert pressed == ["Enter"]
    finally:
        gui.destroy_root(root)


class TestSmallScreen(gui.AppWindow):
    size = (1280, 720)

    def test_about_box_fits_1280x720(self, window):
        box = about.open_about(window)
        gui.pump(window.root, lambda: box.winfo_ismapped())
        gui.assert_placed_over_the_window(box, window)
        box.update_idletasks()
        assert box.close_button.winfo_rooty() + box.close_button.winfo_height() <= box.winfo_rooty() + box.winfo_height()
        assert gui.screenshot(window.root, "about_small").exists()
        box.close()


@pytest.fixture
def office(tmp_path):
    """A new office's console (set up through its first-run page)."""
    applog.setup(tmp_path / "log" / "commune_payout.log")
    root = gui.new_root()
    setup = console.start_office(root, tmp_path / "so" / "tong-hop.sqlite", clock=gui.CLOCK,
                                       dialogs=gui.FakeDialogs())
    setup.name.insert(0, "Sở Y tế tỉnh Phú Thọ")
    setup.finish()
    shell = setup.opened
    gui.settle(root)
    yield shell
    gui.destroy_root(root, shell.tasks)
    shell.db.close()
    applog.setup(tmp_path / "log" / "after.log")
    vars(shell).clear()
    gc.collect()


def test_office_console_has_the_about_box_too(office):
    assert isinstance(office, console.OfficeShell)
    button = office.about_button
    assert button.winfo_ismapped() and button.master.master is office.sidebar
    button.invoke()
    box = office.about_box
    assert box.path_texts["Tệp dữ liệu"] == str(office.db_path)
    assert f"Phiên bản {__version__}" in all_texts(box)
    assert gui.screenshot(office.root, "about_office").exists()
    box.close()
    office.root.event_generate("<F1>")
    assert office.about_box is not box and office.about_box.winfo_exists()
    office.about_box.close()
