"""Message boxes and file choosers behind one small object, so tests can swap in a fake.

Views call ``shell.dialogs.…`` and never ``Messagebox`` or ``filedialog`` directly.
"""

from tkinter import filedialog

from ttkbootstrap.dialogs import Messagebox

from commune_payout.i18n import _

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
