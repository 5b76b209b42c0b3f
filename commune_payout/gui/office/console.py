"""The office console: choosing it, its window, and its first-run page.

A database file is the office's once its key pair has been made in it, by ``office init`` or
by the first-run page (:func:`commune_payout.sync.office.is_office`). A commune's database has
its commune in the settings instead; one file is never both.

* ``commune-payout gui`` (and ``commune-payout`` alone) on an office database opens this
  console instead of the commune register: :func:`commune_payout.gui.app.start` asks
  :func:`is_office_database` first.
* ``commune-payout --db FILE gui --office`` opens the console on FILE; on a new or empty file it
  first asks for the office's name and programmes and makes its keys (:class:`OfficeSetup`). On a
  commune's database it stops with one plain line, before any window opens.

The console is the app's :class:`~commune_payout.gui.shell.Shell` with the office's heading and
status bar (:class:`OfficeShell`) and the sections of :data:`FEATURES`.
"""

import logging
from pathlib import Path
from tkinter import filedialog

import ttkbootstrap as ttk

from commune_payout import applog, backups, settings
from commune_payout.clock import Clock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError
from commune_payout.gui.dialogs import Dialogs
from commune_payout.gui.shell import Shell, short_path
from commune_payout.gui.widgets import FieldGrid, fmt_count, fmt_date, title
from commune_payout.i18n import _
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.sync import office, scope

# Modules that add sections to the console (each has register_gui(shell)).
FEATURES = [
    "commune_payout.gui.office.communes_view",
    "commune_payout.gui.office.import_view",
    "commune_payout.gui.office.reports_view",
    "commune_payout.gui.office.acks_view",
    "commune_payout.gui.office.send_down_view",
    "commune_payout.gui.office.key_view",
]

PACKAGE_TYPES = [(_("Gói đồng bộ"), "*.cpkg"), (_("Mọi tệp"), "*.*")]
# The theme's warning yellow is hard to read as text on white; waiting rows use a dark amber.
WAITING_FG = "#8a5a00"


# --- choosing the mode ------------------------------------------------------------------------

def is_office_database(db_path) -> bool:
    """Whether the file at ``db_path`` is an office's database (so the console opens on it)."""
    if not Path(db_path).exists():
        return False
    db = open_db(db_path)
    try:
        return office.is_office(db)
    finally:
        db.close()


def refuse_commune_database(db_path) -> None:
    """Stop with a plain message if ``db_path`` is a commune's database."""
    if not Path(db_path).exists():
        return
    db = open_db(db_path)
    try:
        if settings.is_initialised(db):
            raise UserError(_("Đây là cơ sở dữ liệu của một xã. Đơn vị cấp trên cần một tệp cơ sở dữ liệu riêng "
                              "(--db)."))
    finally:
        db.close()


def open_office(root, db_path, *, clock: Clock | None = None, dialogs=None, features=None,
                first: str | None = None) -> "OfficeShell":
    """Open the office's database in ``root`` (daily backup first) and show ``first`` (or the
    first section)."""
    db = open_db(db_path)
    ctx = Context(db, clock=clock or Clock())
    card = office.office_keys(db).card
    logging.getLogger(applog.LOGGER_NAME).info("Mở %s (%s)", db_path, card.name)
    backups.ensure_daily(db, ctx.clock)
    root.title(_("Tổng hợp chi trả an sinh — {office}").format(office=card.name))
    shell = OfficeShell(root, ctx, Path(db_path), dialogs=dialogs, features=features)
    shell.show(first or sorted(shell.sections.values(), key=lambda s: s.order)[0].key)
    return shell


def start_office(root, db_path, **options):
    """The first-run page on a new database, else the console; returns what is shown."""
    refuse_commune_database(db_path)
    if is_office_database(db_path):
        return open_office(root, db_path, **options)
    return OfficeSetup(root, db_path, on_done=lambda: open_office(root, db_path, first="key", **options),
                       clock=options.get("clock"))


# --- the console's frame ----------------------------------------------------------------------

class OfficeDialogs(Dialogs):
    """The app's dialogs plus the two the office needs: several files at once, and a folder."""

    def ask_open_files(self, title: str, filetypes=PACKAGE_TYPES) -> list[str]:
        return list(filedialog.askopenfilenames(parent=self.root, title=title, filetypes=filetypes) or [])

    def ask_directory(self, title: str) -> str | None:
        return filedialog.askdirectory(parent=self.root, title=title, mustexist=False) or None


class OfficeShell(Shell):
    """The shell with the office's name on top and the office's status bar."""

    def __init__(self, root, ctx, db_path, dialogs=None, features=None):
        self.card = office.office_keys(ctx.db).card
        self.programs = office.programs(ctx.db)
        super().__init__(root, ctx, db_path, dialogs=dialogs or OfficeDialogs(root),
                         features=FEATURES if features is None else features)

    def sidebar_heading(self) -> tuple[str, str]:
        return self.card.name, _("Nhận: {programs}").format(programs=scope.describe(self.programs))

    def _add_builtin_status(self) -> None:
        self.add_status_item("database", lambda: _("Dữ liệu: {path}").format(path=short_path(self.db_path)), 20)
        self.add_status_item("communes", self._communes_text, 30)
        self.add_status_item("backup", self._backup_text, 50)

    def _communes_text(self) -> str:
        rows = office.communes_status(self.db)
        text = _("{n} xã đã đăng ký").format(n=fmt_count(len(rows)))
        last = max((r["last_import"] for r in rows if r["last_import"]), default=None)
        if last:
            text += " · " + _("nhập gói gần nhất: {when}").format(when=when(last))
        return text

    def context(self, db=None) -> Context:
        """A context on ``db`` (a worker's connection) or the window's own."""
        return Context(db or self.db, clock=self.ctx.clock, user=self.ctx.user)


def when(stamp: str | None) -> str:
    """``2026-01-15 09:00:00`` → ``15/01/2026 09:00``."""
    return f"{fmt_date(stamp)} {stamp[11:16]}".strip() if stamp else ""


# --- first run --------------------------------------------------------------------------------

class OfficeSetup(ttk.Frame):
    """Shown alone until the office is named and its keys made; then ``on_done()`` (kept as ``opened``)."""

    def __init__(self, root, db_path, on_done, clock: Clock | None = None):
        super().__init__(root, padding=(60, 30))
        self.root = root
        self.db_path = db_path
        self.on_done = on_done
        self.clock = clock or Clock()
        self.opened = None
        title(self, _("Chào mừng! Khai báo đơn vị cấp trên")).pack(anchor="w")
        ttk.Label(self, text=_("Chỉ cần làm một lần. Phần mềm tạo cặp khóa của đơn vị: các xã dùng khóa công khai "
                               "để mã hóa gói gửi lên, chỉ đơn vị này mở được."),
                  bootstyle="secondary", wraplength=760, justify="left").pack(anchor="w", pady=(4, 14))
        self.fields = FieldGrid(self, label_width=24)
        self.fields.pack(anchor="w")
        self.name_var = ttk.StringVar()
        self.name = self.fields.add("name", _("Tên đơn vị"),
                                    lambda p: ttk.Entry(p, width=48, textvariable=self.name_var),
                                    _("ví dụ: Sở Y tế tỉnh Phú Thọ"))
        self.program_vars = {code: ttk.BooleanVar(value=False) for code in scope.PROGRAMS}

        def checkboxes(parent):
            box = ttk.Frame(parent)
            for code, var in self.program_vars.items():
                ttk.Checkbutton(box, text=_(PROGRAM_LABELS[code]), variable=var).pack(side="left", padx=(0, 14))
            return box

        self.fields.add("programs", _("Chương trình đơn vị nhận"), checkboxes,
                        _("Sở Y tế: bảo trợ xã hội và hưu trí xã hội; Sở Nội vụ: người có công"))
        self.name_var.trace_add("write", lambda *a: self._guess_programs())
        buttons = ttk.Frame(self)
        buttons.pack(fill="x", pady=(18, 0))
        ttk.Button(buttons, text=_("Tạo khóa và bắt đầu"), bootstyle="primary", command=self.finish).pack(side="left")
        ttk.Label(buttons, text=_("Tệp dữ liệu: {path}").format(path=db_path), bootstyle="secondary").pack(
            side="left", padx=(14, 0))
        self.name.bind("<Return>", lambda e: self.finish())
        self.pack(fill="both", expand=True)
        self.name.focus_set()

    def programs(self) -> tuple[str, ...]:
        return tuple(code for code, var in self.program_vars.items() if var.get())

    def _guess_programs(self) -> None:
        """A name that says which office it is ticks that office's programmes (the officer may change them)."""
        guessed = scope.programs_of_office(self.name_var.get())
        if guessed:
            for code, var in self.program_vars.items():
                var.set(code in guessed)

    def finish(self) -> None:
        problems = {}
        if not self.name.get().strip():
            problems["name"] = _("Ghi tên đơn vị cấp trên")
        if not self.programs():
            problems["programs"] = _("Chọn ít nhất một chương trình")
        self.fields.show_errors(problems)
        if problems:
            return
        Path(self.db_path).parent.mkdir(parents=True, exist_ok=True)
        db = open_db(self.db_path)
        try:
            office.init_office(Context(db, clock=self.clock), self.name.get(), self.programs())
        except UserError as exc:
            self.fields.show_errors({"name": str(exc)})
            return
        finally:
            db.close()
        self.destroy()
        self.opened = self.on_done()

