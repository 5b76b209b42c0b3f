"""The About box ("Giới thiệu"): what the app is, its version, and where its files live, each
with a button that shows the folder in the file manager (for whoever supports the officer).

Opened from the button at the bottom of the sidebar or with F1 (:meth:`Shell._add_about`).
"""

import tkinter

import ttkbootstrap as ttk

from commune_payout import __version__, applog, paths, printing
from commune_payout.gui.dialogs import place_over
from commune_payout.i18n import _

ICON = ("icons", "commune_payout_64.png")
WIDTH = 760


def open_about(shell) -> "AboutBox":
    """Show the About box over ``shell``'s window, raising the one already open."""
    box = getattr(shell, "about_box", None)
    if box is not None and box.winfo_exists():
        box.lift()
        box.focus_set()
        return box
    shell.about_box = AboutBox(shell)
    return shell.about_box


def places(shell) -> list[tuple[str, object, object]]:
    """(what, its path, the folder to open) for the database, the backups and the log."""
    log = applog.current_path()
    backups_folder = paths.backups_dir(shell.db_path)
    return [
        (_("Tệp dữ liệu"), shell.db_path, shell.db_path.resolve().parent),
        (_("Thư mục sao lưu"), backups_folder, backups_folder),
        (_("Tệp nhật ký"), log, log.parent),
    ]


class AboutBox(ttk.Toplevel):
    """Modal: the app's name, version and purpose, its files, the font licence; Esc closes."""

    def __init__(self, shell):
        try:
            self.return_focus = shell.root.focus_get() or shell.root
        except KeyError:                    # focus in a widget tkinter does not know (a popdown list)
            self.return_focus = shell.root
        super().__init__(title=_("Giới thiệu"), transient=shell.root, resizable=(False, False))
        self.withdraw()                     # sized to its content before it is first shown
        self.shell = shell
        self.open_buttons: dict[str, ttk.Button] = {}
        self._build()
        self.update_idletasks()
        place_over(self, shell.root, (max(WIDTH, self.winfo_reqwidth()), self.winfo_reqheight()))
        self.deiconify()
        self.bind("<Escape>", lambda e: self.close())
        self.protocol("WM_DELETE_WINDOW", self.close)
        self.close_button.focus_set()
        self._grab()

    def _grab(self, tries: int = 20) -> None:
        """Make the box modal once it is on the screen (a grab on an unmapped window fails)."""
        try:
            self.grab_set()
        except tkinter.TclError:
            if tries and self.winfo_exists():
                self.after(50, self._grab, tries - 1)

    def _build(self) -> None:
        outer = ttk.Frame(self, padding=(22, 18, 22, 14))
        outer.pack(fill="both", expand=True)

        buttons = ttk.Frame(outer)
        buttons.pack(side="bottom", fill="x", pady=(14, 0))
        self.close_button = ttk.Button(buttons, text=_("Đóng"), bootstyle="primary", padding=(26, 6),
                                       command=self.close)
        # Enter on the focused button invokes it through ttkbootstrap's TButton class binding; a
        # binding of our own as well would run first, and the class binding would then invoke a
        # button that no longer exists (TclError).
        self.close_button.pack(side="right")

        head = ttk.Frame(outer)
        head.pack(fill="x")
        try:
            self.icon = tkinter.PhotoImage(master=self, file=str(paths.assets_dir().joinpath(*ICON)))
            ttk.Label(head, image=self.icon).pack(side="left", anchor="n", padx=(0, 18))
        except tkinter.TclError:
            self.icon = None
        text = ttk.Frame(head)
        text.pack(side="left", fill="x", expand=True)
        ttk.Label(text, text=_("Chi trả an sinh xã hội không dùng tiền mặt"),
                  font=("TkDefaultFont", 14, "bold")).pack(anchor="w")
        self.version_label = ttk.Label(text, text=_("Phiên bản {version}").format(version=__version__),
                                       bootstyle="secondary")
        self.version_label.pack(anchor="w", pady=(2, 6))
        ttk.Label(text, text=_("Phần mềm chạy trên máy, không cần mạng, giúp cán bộ xã quản lý người hưởng "
                               "và chi trả trợ cấp qua tài khoản."),
                  wraplength=WIDTH - 170, justify="left").pack(anchor="w")

        ttk.Separator(outer).pack(fill="x", pady=(16, 12))
        ttk.Label(outer, text=_("Nơi lưu các tệp"), font=("TkDefaultFont", 10, "bold")).pack(anchor="w")
        grid = ttk.Frame(outer)
        grid.pack(fill="x", pady=(6, 0))
        grid.columnconfigure(1, weight=1)
        self.path_texts: dict[str, str] = {}
        for row, (what, path, folder) in enumerate(places(self.shell)):
            ttk.Label(grid, text=what).grid(row=row, column=0, sticky="w", padx=(0, 12), pady=3)
            shown = ttk.Entry(grid)
            shown.insert(0, str(path))
            shown.configure(state="readonly", takefocus=False)
            shown.grid(row=row, column=1, sticky="ew", pady=3)
            shown.bind("<Configure>", lambda e: e.widget.xview_moveto(1.0))   # a long path shows its file name
            self.path_texts[what] = str(path)
            button = ttk.Button(grid, text=_("Mở thư mục"), bootstyle="secondary-outline",
                                command=lambda f=folder: self.open_folder(f))
            button.grid(row=row, column=2, sticky="e", padx=(8, 0), pady=3)
            self.open_buttons[what] = button

        ttk.Separator(outer).pack(fill="x", pady=(14, 10))
        ttk.Label(outer, text=_("Phông chữ trên giấy tờ in: Liberation Serif, theo giấy phép SIL Open Font "
                                "License 1.1."),
                  bootstyle="secondary", wraplength=WIDTH - 50, justify="left").pack(anchor="w")

    def open_folder(self, folder) -> None:
        try:
            printing.open_folder(folder)
        except Exception as exc:  # noqa: BLE001 - a UserError is shown plainly, the rest logged
            self.shell.report_exception(exc)

    def close(self) -> None:
        """Close, giving the keyboard back to where it was (F1 and the shortcuts work at once)."""
        self.grab_release()
        self.destroy()
        try:
            self.return_focus.focus_force()
        except tkinter.TclError:            # that widget went away meanwhile
            self.shell.root.focus_force()
