"""The main window is a shell; each feature registers its own section (Thonny style).

How a feature adds its page
===========================

1. In its own module (for example ``commune_payout/gui/payouts_view.py``) write::

       from commune_payout.i18n import _

       def register_gui(shell):
           shell.add_section(
               "payouts",                      # key, unique
               _("Đợt chi trả"),               # sidebar title (through _())
               PayoutsView,                    # factory(parent, shell) -> a ttk widget
               order=30,                       # sidebar position (register 10, import 20 …)
               shortcuts={"<Control-p>": lambda view: view.new_session()},
           )
           shell.add_status_item("last_sync", last_sync_text, order=50)   # optional
           shell.add_command("open_session", open_session)                 # optional

2. Add the module's dotted name to :data:`FEATURES` below (one line). A feature that is
   not built is not listed, so it never shows in the sidebar.

What the shell gives a view
---------------------------
* ``shell.ctx`` (the :class:`~commune_payout.context.Context`: database, clock, officer),
  ``shell.db``, ``shell.db_path``.
* ``shell.dialogs``: message boxes and file choosers (:mod:`commune_payout.gui.dialogs`);
  tests replace it with a fake, so never call ``Messagebox`` or ``filedialog`` directly.
* ``shell.run_task(work, on_done=…, on_progress=…)``: run slow work on a worker thread
  with its own database connection; results come back on the UI thread
  (:mod:`commune_payout.gui.tasks`). The window never freezes.
* ``shell.publish(event, payload)`` / ``shell.subscribe(event, callback)``: loose coupling
  between features. Events in use: ``"register_changed"`` (people added or edited),
  ``"backup_made"``, ``"settings_changed"``.
* ``shell.add_command(name, fn)`` / ``shell.run_command(name, *args)``: actions one feature
  offers others, e.g. ``run_command("open_person", beneficiary_id)``.
* ``shell.show(key)`` switches section and returns its view; ``shell.refresh_status()``.
* ``shell.report_exception(exc)``: a :class:`~commune_payout.errors.UserError` is shown as
  it is; anything else is logged with its traceback and shown as an internal error naming
  the log file. Tk callbacks already go through it (``report_callback_exception``).

The factory is called the first time its section is shown. A view may define ``on_show()``,
called every time its section becomes visible (refresh cheap things there).

Shortcuts belong to their section and receive its view. Several sections may claim the same
keys (Ctrl+N is "new person" in the register and "new session" in payouts): the visible
section's callback runs; if it has none, the first section (by ``order``) that has one is
shown and its callback runs. Ctrl+1…Ctrl+9 switch to the sidebar entries in order.
"""

import importlib
from dataclasses import dataclass, field
from typing import Callable

import ttkbootstrap as ttk

from commune_payout import __version__, applog, backups, register, settings
from commune_payout.errors import UserError
from commune_payout.gui import about
from commune_payout.gui.dialogs import Dialogs
from commune_payout.gui.tasks import TaskRunner
from commune_payout.i18n import _

# Modules that add sections to the window (each has register_gui(shell)).
FEATURES = [
    "commune_payout.gui.register_view",
    "commune_payout.gui.import_view",
    "commune_payout.gui.cleaning_view",
    "commune_payout.gui.decisions_view",
    "commune_payout.gui.dashboard_view",
    "commune_payout.gui.payouts_view",
    "commune_payout.gui.grievances_view",
    "commune_payout.gui.printing_view",
    "commune_payout.gui.sync_view",
    "commune_payout.gui.settings_view",
]


def short_path(path, limit: int = 48) -> str:
    """A long path shortened in the middle, keeping the folder it is in and the file name."""
    text = str(path)
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


@dataclass
class Section:
    """One sidebar entry and the view behind it."""

    key: str
    title: str
    factory: Callable
    order: int = 100
    shortcuts: dict = field(default_factory=dict)
    view: object = None
    button: object = None


@dataclass
class StatusItem:
    key: str
    provider: Callable[[], str | None]
    order: int = 100
    label: object = None


class Shell:
    """The main window's frame: sidebar, the current section's view, status bar."""

    def __init__(self, root, ctx, db_path, dialogs: Dialogs | None = None, features=None):
        self.root = root
        self.ctx = ctx
        self.db = ctx.db
        self.db_path = db_path
        self.dialogs = dialogs or Dialogs(root)
        self.sections: dict[str, Section] = {}
        self.status_items: dict[str, StatusItem] = {}
        self.commands: dict[str, Callable] = {}
        self.subscribers: dict[str, list[Callable]] = {}
        self.current: str | None = None
        self.tasks = TaskRunner(root, db_path, self.report_exception)
        root.report_callback_exception = self._tk_exception
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._build()
        self._add_about()
        self._add_builtin_status()
        for name in features if features is not None else FEATURES:
            importlib.import_module(name).register_gui(self)
        self._fill_sidebar()
        self.refresh_status()

    def close(self) -> None:
        """Close the window; work still running (an import, a copy to a USB stick) is let finish
        first, unless the officer chooses to wait with the window open."""
        if self.tasks.busy():
            if not self.dialogs.ask_yes_no(
                    _("Phần mềm đang làm dở một việc (nhập tệp, ghi gói…). Đóng sau khi việc đó xong?"),
                    title=_("Đang làm dở")):
                return
            self.tasks.join()
        self.root.destroy()

    # -- the frame -------------------------------------------------------------------------
    def _build(self) -> None:
        self.frame = ttk.Frame(self.root)
        self.frame.pack(fill="both", expand=True)
        self.sidebar = ttk.Frame(self.frame, bootstyle="dark", padding=(0, 8), width=210)
        self.sidebar.pack(side="left", fill="y")
        self.sidebar.pack_propagate(False)
        name, where = self.sidebar_heading()
        ttk.Label(self.sidebar, text=name, bootstyle="@dark",
                  font=("TkDefaultFont", 12, "bold"), wraplength=190,
                  padding=(12, 4, 8, 0)).pack(anchor="w", fill="x")
        ttk.Label(self.sidebar, text=where, bootstyle="@dark", wraplength=185,
                  padding=(12, 0, 8, 12)).pack(anchor="w", fill="x")
        self.statusbar = ttk.Frame(self.frame, bootstyle="light", padding=(8, 3))
        self.statusbar.pack(side="bottom", fill="x")
        self.body = ttk.Frame(self.frame, padding=(12, 10))
        self.body.pack(side="left", fill="both", expand=True)

    def sidebar_heading(self) -> tuple[str, str]:
        """The two lines on top of the sidebar: whose window this is, and where."""
        commune = settings.commune(self.db)
        return commune["name"], commune["province_name"]

    def _add_about(self) -> None:
        """The "Giới thiệu" button and the version at the foot of the sidebar, and F1: the About box.

        Added after :meth:`_build`, so a shell that builds its own sidebar has it too."""
        foot = ttk.Frame(self.sidebar, bootstyle="dark")
        foot.pack(side="bottom", fill="x")
        self.about_button = ttk.Button(foot, text=_("Giới thiệu (F1)"), bootstyle="dark", padding=(14, 6),
                                       takefocus=False, command=self.open_about)
        self.about_button.pack(fill="x")
        ttk.Label(foot, text=_("Phiên bản {version}").format(version=__version__), bootstyle="@dark",
                  font=("TkDefaultFont", 8), padding=(14, 0, 8, 2)).pack(anchor="w")
        self.root.bind("<F1>", self.open_about)

    def open_about(self, event=None) -> str:
        """Show the About box (:mod:`.about`)."""
        about.open_about(self)
        return "break"

    def _fill_sidebar(self) -> None:
        for number, section in enumerate(sorted(self.sections.values(), key=lambda s: s.order), start=1):
            section.button = ttk.Button(self.sidebar, text=section.title, bootstyle="dark",
                                        command=lambda k=section.key: self.show(k), padding=(14, 8),
                                        takefocus=False)
            section.button.pack(fill="x", pady=1)
            # Sidebar entries read as a left-aligned list; only sidebar buttons stretch, so the
            # anchor changes nothing elsewhere.
            for style in ("dark", "primary"):
                ttk.Style().configure(f"{style}.TButton", anchor="w")
            if number <= 9:
                self.root.bind(f"<Control-Key-{number}>", lambda e, k=section.key: self.show(k))
        sequences = {seq for s in self.sections.values() for seq in s.shortcuts}
        for sequence in sequences:
            self.root.bind(sequence, lambda e, seq=sequence: self._shortcut(seq))

    def _shortcut(self, sequence: str) -> str:
        """Run ``sequence`` for the visible section if it has it, else for the first that does."""
        owners = [s for s in sorted(self.sections.values(), key=lambda s: s.order) if sequence in s.shortcuts]
        section = next((s for s in owners if s.key == self.current), owners[0])
        section.shortcuts[sequence](self.show(section.key))
        return "break"

    # -- registration API ------------------------------------------------------------------
    def add_section(self, key: str, title: str, factory: Callable, order: int = 100,
                    shortcuts: dict | None = None) -> None:
        """Register a sidebar entry whose view ``factory(parent, shell)`` builds on first show."""
        if key in self.sections:
            raise ValueError(f"section {key!r} registered twice")
        self.sections[key] = Section(key, title, factory, order, dict(shortcuts or {}))

    def add_status_item(self, key: str, provider: Callable[[], str | None], order: int = 100) -> None:
        """Add a status-bar field; ``provider()`` returns its text, or None to hide it."""
        self.status_items[key] = StatusItem(key, provider, order)

    def add_command(self, name: str, callback: Callable) -> None:
        """Offer an action to other features (``run_command(name, …)``)."""
        self.commands[name] = callback

    def run_command(self, name: str, *args, **kwargs):
        return self.commands[name](*args, **kwargs)

    def subscribe(self, event: str, callback: Callable) -> None:
        self.subscribers.setdefault(event, []).append(callback)

    def publish(self, event: str, payload=None) -> None:
        """Tell every subscriber of ``event``; the status bar always refreshes."""
        for callback in self.subscribers.get(event, []):
            callback(payload)
        self.refresh_status()

    def run_task(self, work, *, on_done=None, on_progress=None, on_error=None):
        """Run ``work(db, progress)`` off the UI thread; see :mod:`commune_payout.gui.tasks`."""
        return self.tasks.start(work, on_done=on_done, on_progress=on_progress, on_error=on_error)

    # -- navigation ------------------------------------------------------------------------
    def view(self, key: str):
        """The view of section ``key``, built if needed (without showing it)."""
        section = self.sections[key]
        if section.view is None:
            section.view = section.factory(self.body, self)
        return section.view

    def show(self, key: str):
        """Make section ``key`` the visible one and return its view."""
        view = self.view(key)
        if self.current and self.current != key:
            self.sections[self.current].view.pack_forget()
            self.sections[self.current].button.configure(bootstyle="dark")
        if self.current != key:
            view.pack(fill="both", expand=True)
            self.sections[key].button.configure(bootstyle="primary")
            self.current = key
        if hasattr(view, "on_show"):
            view.on_show()
        return view

    # -- status bar ------------------------------------------------------------------------
    def _add_builtin_status(self) -> None:
        commune = settings.commune(self.db)
        self.add_status_item("commune", lambda: f"{commune['name']}, {commune['province_name']}", 10)
        self.add_status_item("database", lambda: _("Dữ liệu: {path}").format(path=short_path(self.db_path)), 20)
        self.add_status_item("people", lambda: _("{n} người hưởng").format(
            n=f"{register.count(self.db):,}".replace(",", ".")), 30)
        self.add_status_item("backup", self._backup_text, 40)

    def _backup_text(self) -> str:
        last = backups.last_backup(self.db_path)
        if last is None:
            return _("Chưa sao lưu")
        return _("Sao lưu gần nhất: {when}").format(when=last.made_at.strftime("%d/%m/%Y %H:%M"))

    def refresh_status(self) -> None:
        for item in sorted(self.status_items.values(), key=lambda i: i.order):
            text = item.provider()
            if item.label is None:
                item.label = ttk.Label(self.statusbar, bootstyle="@light", padding=(0, 0, 18, 0))
            if text:
                item.label.configure(text=text)
                item.label.pack(side="left")
            else:
                item.label.pack_forget()

    # -- errors ----------------------------------------------------------------------------
    def report_exception(self, exc: BaseException) -> None:
        """Show a named error plainly; log anything else and name the log file."""
        if isinstance(exc, UserError):
            # A refusal names what to fix: "chưa hợp lệ" alone would leave the officer guessing.
            details = [p for p in getattr(exc, "problems", {}).values() if isinstance(p, str) and p not in str(exc)]
            self.dialogs.error("\n".join([str(exc), *details]))
            return
        path = applog.log_internal_error(exc)
        self.dialogs.error(
            _("Đã xảy ra lỗi bên trong phần mềm. Phần mềm vẫn chạy tiếp.\n"
              "Chi tiết lỗi đã được ghi vào tệp:\n{path}\n"
              "Hãy gửi tệp này cho người hỗ trợ.").format(path=path),
            title=_("Lỗi bên trong phần mềm"))

    def _tk_exception(self, exc_type, exc, tb) -> None:
        self.report_exception(exc.with_traceback(tb))
