"""Message boxes and file choosers behind one small object, so tests can swap in a fake;
and :func:`place_over`, where every dialog window of the app is put on the screen.

Views call ``shell.dialogs.…`` and never ``Messagebox`` or ``filedialog`` directly.
"""

from tkinter import filedialog

from ttkbootstrap.dialogs import Messagebox

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


class Dialogs:
    """Real dialogs, parented to the main window."""

    def __init__(self, root):
        self.root = root

    def info(self, message: str, title: str | None = None) -> None:
        Messagebox.show_info(message, title or _("Thông báo"), parent=self.root,
                             buttons=[_("Đồng ý") + ":primary"], localize=False)

    def error(self, message: str, title: str | None = None) -> None:
        Messagebox.show_error(message, title or _("Có lỗi"), parent=self.root,
                              buttons=[_("Đồng ý") + ":primary"], localize=False)

    def ask_yes_no(self, message: str, title: str | None = None) -> bool:
        yes = _("Có")
        answer = Messagebox.yesno(message, title or _("Xác nhận"), parent=self.root,
                                  buttons=[_("Không"), yes + ":primary"], localize=False)
        return answer == yes

    def ask_open_file(self, title: str, filetypes=EXCEL_TYPES) -> str | None:
        return filedialog.askopenfilename(parent=self.root, title=title, filetypes=filetypes) or None

    def ask_save_file(self, title: str, initialfile: str = "", filetypes=XLSX_TYPES) -> str | None:
        return filedialog.asksaveasfilename(parent=self.root, title=title, initialfile=initialfile,
                                            filetypes=filetypes,
                                            defaultextension=filetypes[0][1].split()[0][1:]) or None
