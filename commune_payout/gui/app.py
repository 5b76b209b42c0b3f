"""Starting the desktop app: the root window, first-run setup, then the main shell."""

import logging
import shutil
import sys
import tempfile
import tkinter
from pathlib import Path
from tkinter import font as tkfont

import ttkbootstrap as ttk

from commune_payout import applog, backups, paths, settings
from commune_payout.clock import Clock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError
from commune_payout.gui.dialogs import Dialogs
from commune_payout.gui.shell import Shell
from commune_payout.i18n import _, install_tk_catalogue
from commune_payout.lazy import LazyModule

console = LazyModule("commune_payout.gui.office.console")

THEME = "bootstrap-light"
DEMO_SIZE = 1000
# The window icon, largest first (made by assets/icons/make_icon.py).
ICON_FILES = ("commune_payout.png", "commune_payout_64.png", "commune_payout_48.png",
              "commune_payout_32.png", "commune_payout_16.png")


def create_root(screen: str | None = None) -> ttk.App:
    """The themed root window; a UserError when there is no display to open it on."""
    if sys.platform == "win32":
        paths.ascii_tcl_library()
    try:
        root = ttk.App(title=_("Chi trả an sinh xã hội"), theme=THEME, minsize=(1100, 620), iconphoto=None,
                       **({"screenName": screen} if screen else {}))
    except tkinter.TclError as exc:
        raise UserError(_("Không mở được cửa sổ: máy này không có màn hình đồ họa ({error}).")
                        .format(error=exc)) from exc
    for name, size in (("TkDefaultFont", 10), ("TkTextFont", 10), ("TkHeadingFont", 10),
                       ("TkMenuFont", 10)):
        tkfont.nametofont(name, root=root).configure(size=size)
    ttk.Style().configure("Treeview", rowheight=26)
    install_tk_catalogue(root)
    set_window_icon(root)
    return root


def set_window_icon(root) -> None:
    """Give ``root`` and every window opened later the app's icon (kept as ``root.icon_images``);
    a missing or unreadable icon file is logged and the app goes on without it."""
    folder = paths.assets_dir() / "icons"
    try:
        root.icon_images = [tkinter.PhotoImage(master=root, file=str(folder / name)) for name in ICON_FILES]
        root.iconphoto(True, *root.icon_images)
        if root.tk.call("tk", "windowingsystem") == "win32":
            root.iconbitmap(default=str(folder / "commune_payout.ico"))
    except tkinter.TclError as exc:
        logging.getLogger(applog.LOGGER_NAME).warning("Không đặt được biểu tượng cửa sổ: %s", exc)


def fit_to_screen(root) -> None:
    """Fill the screen (a 1366×768 laptop is the usual office screen)."""
    width, height = root.winfo_screenwidth(), root.winfo_screenheight()
    root.geometry(f"{min(width, 1600)}x{min(height, 1000)}+0+0")
    if root.tk.call("tk", "windowingsystem") == "win32":
        root.state("zoomed")


def open_main(root, db_path, *, clock: Clock | None = None, dialogs: Dialogs | None = None,
              features=None) -> Shell:
    """Open the database and show the main window in ``root`` (daily backup first)."""
    db = open_db(db_path)
    commune = settings.commune(db)
    ctx = Context(db, clock=clock or Clock(), user=commune.get("officer") or Context(db).user)
    logging.getLogger(applog.LOGGER_NAME).info("Mở %s (%s)", db_path, commune["name"])
    backups.ensure_daily(db, ctx.clock)
    root.title(_("Chi trả an sinh xã hội — {commune}").format(commune=commune["name"]))
    shell = Shell(root, ctx, Path(db_path), dialogs=dialogs, features=features)
    shell.show(sorted(shell.sections.values(), key=lambda s: s.order)[0].key)
    return shell


def needs_setup(db_path) -> bool:
    if not Path(db_path).exists():
        return True
    db = open_db(db_path)
    try:
        return not settings.is_initialised(db)
    finally:
        db.close()


def make_demo_database(folder, size: int = DEMO_SIZE) -> Path:
    """A throwaway demo commune in ``folder``."""
    from commune_payout import demo

    path = Path(folder) / "demo.sqlite"
    db = open_db(path)
    demo.populate(Context(db, user="demo"), size=size)
    db.close()
    return path


def start(root, db_path, **options):
    """Show the setup wizard if the database is new, else the main window; returns what is shown.

    An office's database opens the office console instead (:mod:`.office`); a commune's database
    is never an office's, so a commune's window opens without loading the office's modules.
    ``options`` go to :func:`open_main` (tests pass a fixed clock and fake dialogs).
    """
    if needs_setup(db_path):
        if console.is_office_database(db_path):
            return console.open_office(root, db_path, **options)
        from commune_payout.gui.setup_wizard import SetupWizard

        return SetupWizard(root, db_path, on_done=lambda: open_main(root, db_path, **options))
    return open_main(root, db_path, **options)


def run(db_path, demo: bool = False, office: bool = False) -> int:
    """Open the app on ``db_path`` (or on a throwaway demo commune) until the window closes;
    ``office`` opens the office console (setting up a new office database first); on a commune's
    database it stops before any window opens."""
    applog.setup()
    if office:
        console.refuse_commune_database(db_path)
    root = create_root()
    fit_to_screen(root)
    workdir = tempfile.mkdtemp(prefix="commune_payout_demo_") if demo else None
    try:
        if office:
            console.start_office(root, db_path)
        else:
            start(root, make_demo_database(workdir) if demo else db_path)
        root.mainloop()
    finally:
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0
