"""Message boxes and file choosers behind one small object, so tests can swap in a fake;
and :func:`place_over`, where every dialog window of the app is put on the screen.

Views call ``shell.dialogs.…`` and never ``Messagebox`` or ``filedialog`` directly.
"""

from tkinter import filedialog

from ttkbootstrap.dialogs.message import MessageDialog, _alert_icon

from commune_payout.i18n import _

# Room the window decorations take, kept free when a dialog is placed: the title bar the
# window manager adds above it, and the Windows taskbar along the bottom of the screen.
TITLE_BAR = 32
TASKBAR = 48


def place_over(window, parent, size: tuple[int, int], minsize: tuple[int, int] | None = None) -> None:
    """Give the dialog ``window`` its ``size`` and centre it over ``parent`` (the main window),
    shrunk and moved as needed to stay wholly on the screen, clear of the taskbar.

    Call it right after creating the window, before it is first drawn, so it never shows
    anywhere else first.
    """
    screen_w, screen_h = window.winfo_screenwidth(), window.winfo_screenheight()
    room_h = screen_h - TASKBAR - TITLE_BAR
    width, height = min(size[0], screen_w), min(size[1], room_h)
    if minsize:
        window.minsize(min(minsize[0], width), min(minsize[1], height))
    parent.update_idletasks()
    if parent.winfo_ismapped() and parent.winfo_width() > 1:
        centre_x = parent.winfo_rootx() + parent.winfo_width() // 2
        centre_y = parent.winfo_rooty() + parent.winfo_height() // 2
    else:
        centre_x, centre_y = screen_w // 2, screen_h // 2
    x = max(0, min(centre_x - width // 2, screen_w - width))
    y = max(0, min(centre_y - (height + TITLE_BAR) // 2, room_h - height))
    window.geometry(f"{width}x{height}+{x}+{y}")


EXCEL_TYPES = [(_("Bảng tính Excel hoặc CSV"), "*.xlsx *.csv"), (_("Mọi tệp"), "*.*")]
XLSX_TYPES = [(_("Bảng tính Excel"), "*.xlsx")]


class MessageBox(MessageDialog):
    """ttkbootstrap's message box, answerable from the keyboard whatever has the focus.

    The box takes the keyboard once it is on the screen and keeps it while it is open (a
    window closing just before it, such as the About box, gives the focus back to where it
    was after the box asked for it), and Enter anywhere in it presses the default button
    (Enter on a focused button presses that one, through ttkbootstrap's TButton binding).
    """

    def create_buttonbox(self, master) -> None:
        super().create_buttonbox(master)
        box, default = self._toplevel, self._initial_focus

        def keep_focus() -> None:
            focus = box.focus_get() if box.winfo_exists() else box
            if focus is None or focus.winfo_toplevel() is not box:
                default.focus_force()

        def press_default(event) -> None:
            if event.widget.winfo_class() != "TButton":
                default.invoke()

        default.bind("<Map>", lambda e: default.focus_force(), add="+")
        box.bind("<FocusOut>", lambda e: box.after_idle(keep_focus), add="+")
        for sequence in ("<Return>", "<KP_Enter>"):
            box.bind(sequence, press_default, add="+")


class Dialogs:
    """Real dialogs, parented to the main window."""

    def __init__(self, root):
        self.root = root

    def _show(self, message: str, title: str, buttons: list[str], icon=None) -> str | None:
        box = MessageBox(message, title, buttons=buttons, parent=self.root, icon=icon, localize=False)
        box.show()
        return box.result

    def info(self, message: str, title: str | None = None) -> None:
        self._show(message, title or _("Thông báo"), [_("Đồng ý") + ":primary"], _alert_icon("info"))

    def error(self, message: str, title: str | None = None) -> None:
        self.root.bell()
        self._show(message, title or _("Có lỗi"), [_("Đồng ý") + ":primary"], _alert_icon("error"))

    def ask_yes_no(self, message: str, title: str | None = None) -> bool:
        yes = _("Có")
        return self._show(message, title or _("Xác nhận"), [_("Không"), yes + ":primary"]) == yes

    def ask_open_file(self, title: str, filetypes=EXCEL_TYPES) -> str | None:
        return filedialog.askopenfilename(parent=self.root, title=title, filetypes=filetypes) or None

    def ask_save_file(self, title: str, initialfile: str = "", filetypes=XLSX_TYPES) -> str | None:
        return filedialog.asksaveasfilename(parent=self.root, title=title, initialfile=initialfile,
                                            filetypes=filetypes,
                                            defaultextension=filetypes[0][1].split()[0][1:]) or None
