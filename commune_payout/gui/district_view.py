"""The upstream console: the same app in upstream mode, at the office above the communes.

How the app knows it is in upstream mode
========================================
A database file is the office's once its key pair has been created in it, by ``district init``
or by this console's first-run page (:func:`commune_payout.sync.upstream.is_office`). A
commune's database has its commune in the settings instead; one file is never both.

* ``commune-payout gui`` (and ``commune-payout`` alone) on an office database opens this
  console instead of the commune register: :func:`commune_payout.gui.app.start` asks
  :func:`is_office_database` first.
* ``commune-payout --db FILE gui --office`` opens the console on FILE; on a new or empty file it
  first asks for the office's name and creates its keys (:class:`OfficeSetup`). On a commune's
  database it stops with one plain line, before any window opens.
* With no display both stop with one clear line (:func:`commune_payout.gui.app.create_root`).

The console is the app's :class:`~commune_payout.gui.shell.Shell` with the office's header and
status bar (:class:`OfficeShell`) and its own sections: communes (register, confirm a key by
phone, status of each), import (many packages at once, dry run, outcome of each), reports and
send down (:mod:`commune_payout.gui.district_reports`), receipts, and the office's public key
card. Every button calls :mod:`commune_payout.sync.upstream` or :mod:`commune_payout.sync.reports`;
the same actions are the ``district …`` commands. Views tell each other through the shell's
events ``"communes_changed"`` and ``"packages_imported"``.
"""

import logging
from pathlib import Path
from tkinter import filedialog

import ttkbootstrap as ttk

from commune_payout import applog, backups, geo, settings
from commune_payout.atomic import write_text
from commune_payout.clock import Clock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError
from commune_payout.gui.dialogs import Dialogs
from commune_payout.gui.shell import Shell, short_path
from commune_payout.gui.widgets import FieldGrid, fmt_count, fmt_date, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.sync import keys as keymod
from commune_payout.sync import consolidate, package, reader, upstream

# Modules that add sections to the console (each has register_gui(shell)).
FEATURES = ["commune_payout.gui.district_view", "commune_payout.gui.district_reports"]

PACKAGE_TYPES = [(_("Gói đồng bộ"), "*.cpkg"), (_("Mọi tệp"), "*.*")]
KEY_TYPES = [(_("Tệp khóa công khai"), "*.txt")]
ALL_PROVINCES = _("Mọi tỉnh")

# Synced tables as the clerk reads them (the counts of a package, table by table).
TABLE_LABELS = {
    "beneficiaries": "người hưởng",
    "memberships": "diện hưởng",
    "beneficiary_history": "lịch sử thay đổi",
    "payout_sessions": "đợt chi trả",
    "payout_lines": "dòng chi trả",
    "payout_entries": "bút toán chi trả",
    "cash_movements": "thu chi tiền mặt",
}
OUTCOMES = {
    "applied": ("Đã nhập", "success"),
    "would_apply": ("Sẽ nhập", "primary"),
    "already": ("Đã nhập trước đây", "secondary"),
    "waiting": ("Đang chờ", "waiting"),
    "superseded": ("Bị gói sau thay thế", "secondary"),
    "rejected": ("Bị từ chối", "danger"),
}
# What a waiting package waits for.
WAITING_FOR = {"key": "chờ xác nhận khóa", "gap": "chờ gói trước"}
# The theme's warning yellow is hard to read as text on white; waiting rows use a dark amber.
WAITING_FG = "#8a5a00"


# --- choosing the mode ------------------------------------------------------------------------

def is_office_database(db_path) -> bool:
    """Whether the file at ``db_path`` is an office's database (so the console opens on it)."""
    if not Path(db_path).exists():
        return False
    db = open_db(db_path)
    try:
        return upstream.is_office(db)
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
    card = upstream.office_keys(db).card
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


def run(db_path) -> int:
    """``commune-payout gui --office``: the console on ``db_path`` until the window closes."""
    from commune_payout.gui.app import create_root, fit_to_screen

    refuse_commune_database(db_path)
    root = create_root()
    fit_to_screen(root)
    start_office(root, db_path)
    root.mainloop()
    return 0


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
        self.card = upstream.office_keys(ctx.db).card
        super().__init__(root, ctx, db_path, dialogs=dialogs or OfficeDialogs(root),
                         features=FEATURES if features is None else features)

    def _build(self) -> None:
        self.frame = ttk.Frame(self.root)
        self.frame.pack(fill="both", expand=True)
        self.sidebar = ttk.Frame(self.frame, bootstyle="dark", padding=(0, 8), width=210)
        self.sidebar.pack(side="left", fill="y")
        self.sidebar.pack_propagate(False)
        ttk.Label(self.sidebar, text=self.card.name, bootstyle="@dark", font=("TkDefaultFont", 12, "bold"),
                  wraplength=190, padding=(12, 4, 8, 0)).pack(anchor="w", fill="x")
        ttk.Label(self.sidebar, text=_("Đơn vị cấp trên"), bootstyle="@dark", wraplength=190,
                  padding=(12, 0, 8, 12)).pack(anchor="w", fill="x")
        self.statusbar = ttk.Frame(self.frame, bootstyle="light", padding=(8, 3))
        self.statusbar.pack(side="bottom", fill="x")
        self.body = ttk.Frame(self.frame, padding=(12, 10))
        self.body.pack(side="left", fill="both", expand=True)

    def _add_builtin_status(self) -> None:
        self.add_status_item("database", lambda: _("Dữ liệu: {path}").format(path=short_path(self.db_path)), 20)
        self.add_status_item("communes", self._communes_text, 30)
        self.add_status_item("backup", self._backup_text, 50)

    def _communes_text(self) -> str:
        rows = upstream.communes_status(self.db)
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


def register_gui(shell) -> None:
    shell.add_section("communes", _("Các xã"), CommunesView, order=10)
    shell.add_section("import", _("Nhập gói của xã"), ImportView, order=20,
                      shortcuts={"<Control-o>": lambda view: view.choose_files()})
    shell.add_section("acks", _("Biên nhận cho xã"), AcksView, order=40)
    shell.add_section("key", _("Khóa của đơn vị"), KeyCardView, order=60)


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
        self.name = self.fields.add("name", _("Tên đơn vị"), lambda p: ttk.Entry(p, width=48),
                                    _("ví dụ: Sở Y tế tỉnh Phú Thọ"))
        buttons = ttk.Frame(self)
        buttons.pack(fill="x", pady=(18, 0))
        ttk.Button(buttons, text=_("Tạo khóa và bắt đầu"), bootstyle="primary", command=self.finish).pack(side="left")
        ttk.Label(buttons, text=_("Tệp dữ liệu: {path}").format(path=db_path), bootstyle="secondary").pack(
            side="left", padx=(14, 0))
        self.name.bind("<Return>", lambda e: self.finish())
        self.pack(fill="both", expand=True)
        self.name.focus_set()

    def finish(self) -> None:
        if not self.name.get().strip():
            self.fields.show_errors({"name": _("Ghi tên đơn vị cấp trên")})
            return
        Path(self.db_path).parent.mkdir(parents=True, exist_ok=True)
        db = open_db(self.db_path)
        try:
            upstream.init_office(Context(db, clock=self.clock), self.name.get())
        except UserError as exc:
            self.fields.show_errors({"name": str(exc)})
            return
        finally:
            db.close()
        self.destroy()
        self.opened = self.on_done()


# --- the public key card ----------------------------------------------------------------------

class KeyCardView(ttk.Frame):
    """The office's public key card, to give every commune (file, clipboard, or read out)."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        card = shell.card
        title(self, _("Khóa công khai của đơn vị"), _("gửi cho các xã; không có gì bí mật trong thẻ này")).pack(
            fill="x")
        box = ttk.Labelframe(self, text=_("Thẻ khóa"), padding=(16, 12))
        box.pack(fill="x", pady=(12, 8))
        box.columnconfigure(1, weight=1)
        mono = ("TkFixedFont", 12)
        rows = [
            (_("Tên đơn vị"), card.name, ("TkDefaultFont", 12, "bold")),
            (_("Khóa mã hóa (age)"), f"{card.age_recipient[:4]} {keymod.group(card.age_recipient[4:])}", mono),
            (_("Khóa ký"), keymod.group(card.signing_public), mono),
        ]
        for i, (label, value, font) in enumerate(rows):
            ttk.Label(box, text=label, bootstyle="secondary").grid(row=i, column=0, sticky="nw", padx=(0, 16), pady=4)
            ttk.Label(box, text=value, font=font, wraplength=820, justify="left").grid(
                row=i, column=1, sticky="w", pady=4)
        ttk.Label(box, text=_("Dấu vân tay"), bootstyle="secondary").grid(
            row=3, column=0, sticky="w", padx=(0, 16), pady=(10, 4))
        self.fingerprint = ttk.Label(box, text=card.fingerprint, font=("TkFixedFont", 22, "bold"),
                                     bootstyle="primary")
        self.fingerprint.grid(row=3, column=1, sticky="w", pady=(10, 4))
        buttons = ttk.Frame(box)
        buttons.grid(row=4, column=0, columnspan=2, sticky="w", pady=(12, 0))
        ttk.Button(buttons, text=_("Lưu thẻ khóa ra tệp…"), bootstyle="primary", command=self.save).pack(side="left")
        ttk.Button(buttons, text=_("Chép vào bộ nhớ tạm"), bootstyle="primary-outline", command=self.copy).pack(
            side="left", padx=(8, 0))
        self.feedback = ttk.Label(buttons, bootstyle="success")
        self.feedback.pack(side="left", padx=(14, 0))

        steps = ttk.Labelframe(self, text=_("Các xã dùng thẻ khóa này thế nào"), padding=(16, 10))
        steps.pack(fill="x")
        for line in (_("1. Gửi tệp thẻ khóa cho xã qua USB hoặc e-mail (hoặc đọc cho xã gõ)."),
                     _("2. Ở xã: trang “Gửi cấp trên” → “Nhập tệp khóa của cấp trên…”."),
                     _("3. Xã gọi điện đọc dấu vân tay phần mềm của xã hiện ra: phải trùng với dấu vân tay ở trên. "
                       "Nếu khác, đừng gửi gói."),
                     _("4. Khi gói đầu tiên của xã đến, gọi lại cho xã để đối chiếu dấu vân tay của xã "
                       "(trang “Các xã”)."),):
            ttk.Label(steps, text=line, wraplength=900, justify="left").pack(anchor="w", pady=2)

    def save(self) -> None:
        path = self.shell.dialogs.ask_save_file(_("Lưu thẻ khóa công khai"), "khoa-cong-khai-cap-tren.txt", KEY_TYPES)
        if not path:
            return
        write_text(path, self.shell.card.to_text())
        self.feedback.configure(text=_("Đã lưu: {path}").format(path=short_path(path, 60)))

    def copy(self) -> None:
        self.clipboard_clear()
        self.clipboard_append(self.shell.card.to_text())
        self.feedback.configure(text=_("Đã chép thẻ khóa; dán vào e-mail gửi xã."))


# --- communes ---------------------------------------------------------------------------------

def outcome(r: upstream.ImportResult) -> str:
    """A package's outcome in words, with the class of a refusal or what a waiting one waits for."""
    label = _(OUTCOMES[r.status][0])
    if r.status == "rejected":
        return f"{label}: {_(reader.REASONS.get(r.reason, r.reason))}"
    if r.status == "waiting" and r.reason in WAITING_FOR:
        return f"{label}: {_(WAITING_FOR[r.reason])}"
    return label


def held_text(held: dict[str, list[int]]) -> str:
    """Packages held in quarantine, by the fingerprint of the key that signed them."""
    return "; ".join(_("{fingerprint}: gói {numbers}").format(fingerprint=fp, numbers=", ".join(map(str, seqs)))
                     for fp, seqs in held.items())


def _status_cells(r: dict) -> tuple:
    waiting = _("gói {numbers}").format(numbers=", ".join(map(str, r["waiting"]))) if r["waiting"] else ""
    missing = _("THIẾU gói {numbers}").format(numbers=", ".join(map(str, r["missing"]))) if r["missing"] else ""
    down = []
    if r["down"].get("sent"):
        down.append(_("{n} chờ trả lời").format(n=r["down"]["sent"]))
    if r["down"].get("rejected"):
        down.append(_("{n} bị từ chối").format(n=r["down"]["rejected"]))
    return (r["code"], r["name"], _("đã xác nhận") if r["confirmed"] else _("chưa xác nhận"),
            r["last_seq"] or "—", when(r["last_import"]) or "—", fmt_count(r["people"]), waiting, missing,
            held_text(r["held"]), "; ".join(down))


class CommunesView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.found: list[geo.Commune] = []
        self.provinces = geo.provinces()
        title(self, _("Các xã"), _("đăng ký xã, xác nhận khóa qua điện thoại, tình trạng gói của từng xã")).pack(
            fill="x")
        top = ttk.Frame(self)
        top.pack(fill="x", pady=(10, 8))
        top.columnconfigure(0, weight=3)
        top.columnconfigure(1, weight=2)

        box = ttk.Labelframe(top, text=_("Đăng ký xã"), padding=10)
        box.grid(row=0, column=0, sticky="nsew", padx=(0, 8))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Label(row, text=_("Tỉnh:")).pack(side="left")
        self.province = ttk.Combobox(row, state="readonly", width=18,
                                     values=[ALL_PROVINCES] + [name for _code, name in self.provinces])
        self.province.set(ALL_PROVINCES)
        self.province.pack(side="left", padx=(6, 12))
        self.province.bind("<<ComboboxSelected>>", lambda e: self.search())
        ttk.Label(row, text=_("Tìm xã:")).pack(side="left")
        self.query_var = ttk.StringVar()
        self.query = ttk.Entry(row, textvariable=self.query_var, width=20)
        self.query.pack(side="left", padx=(6, 0), fill="x", expand=True)
        self.query_var.trace_add("write", lambda *a: self.search())
        lst = ttk.Frame(box)
        lst.pack(fill="x", pady=(6, 6))
        self.listbox = ttk.Listbox(lst, height=4, exportselection=False, activestyle="none")
        bar = ttk.Scrollbar(lst, orient="vertical", command=self.listbox.yview)
        self.listbox.configure(yscrollcommand=bar.set)
        self.listbox.pack(side="left", fill="both", expand=True)
        bar.pack(side="right", fill="y")
        self.listbox.bind("<Double-1>", lambda e: self.add_selected())
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Button(row, text=_("Đăng ký xã đã chọn"), bootstyle="primary", command=self.add_selected).pack(side="left")
        self.add_feedback = ttk.Label(row, bootstyle="success")
        self.add_feedback.pack(side="left", padx=(12, 0))

        box = ttk.Labelframe(top, text=_("Xác nhận khóa của xã (qua điện thoại)"), padding=10)
        box.grid(row=0, column=1, sticky="nsew")
        ttk.Label(box, text=_("Chọn xã trong bảng dưới, gọi điện cho xã, gõ dấu vân tay cán bộ xã đọc "
                              "(trang “Gửi cấp trên” của xã)."), wraplength=400, justify="left").pack(anchor="w")
        self.chosen_label = ttk.Label(box, text=_("Chưa chọn xã."), font=("TkDefaultFont", 11, "bold"))
        self.chosen_label.pack(anchor="w", pady=(8, 4))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Label(row, text=_("Dấu vân tay:")).pack(side="left")
        self.fingerprint = ttk.Entry(row, width=16, font=("TkFixedFont", 11))
        self.fingerprint.pack(side="left", padx=(6, 6), fill="x", expand=True)
        self.fingerprint.bind("<Return>", lambda e: self.confirm())
        ttk.Button(row, text=_("Xác nhận"), bootstyle="success", command=self.confirm).pack(side="left")
        ttk.Button(box, text=_("Xác nhận bằng gói xã gửi (khóa mới, hoặc gói không được giữ)…"),
                   bootstyle="success-link", command=self.confirm_with_package).pack(anchor="w", pady=(4, 0))

        frame, self.tree, _bar = scrolled_tree(self, {
            "code": (_("Mã xã"), 70, "w"),
            "name": (_("Xã"), 120, "w"),
            "key": (_("Khóa"), 110, "w"),
            "seq": (_("Gói cuối"), 80, "e"),
            "imported": (_("Nhập lần cuối"), 140, "w"),
            "people": (_("Người hưởng"), 105, "e"),
            "waiting": (_("Gói đang chờ"), 110, "w"),
            "missing": (_("Gói thiếu"), 110, "w"),
            "held": (_("Gói giữ riêng"), 200, "w"),
            "down": (_("Gói gửi xuống"), 150, "w"),
        }, height=8)
        self.tree.column("code", stretch=False)
        self.tree.column("name", stretch=True)
        colors = ttk.Style().colors
        self.tree.tag_configure("missing", foreground=colors.danger)
        self.tree.tag_configure("unconfirmed", foreground=WAITING_FG)
        frame.pack(fill="both", expand=True)
        self.summary = ttk.Label(self, bootstyle="secondary")
        self.summary.pack(anchor="w", pady=(6, 0))
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._chosen())
        shell.subscribe("packages_imported", lambda payload: self.refresh())
        self.refresh()
        self.search()
        self.query.focus_set()

    def on_show(self) -> None:
        self.refresh()

    def province_code(self) -> str | None:
        index = self.province.current()
        return self.provinces[index - 1][0] if index > 0 else None

    def search(self) -> None:
        text, code = self.query_var.get(), self.province_code()
        self.found = geo.search_communes(text, code, limit=200) if (text.strip() or code) else []
        self.listbox.delete(0, "end")
        for c in self.found:
            self.listbox.insert("end", f"{c.name} — {c.province_name} ({c.code})")
        if len(self.found) == 1:
            self.listbox.selection_set(0)
        if not self.found:
            hint = (_("Không có xã nào khớp. Thử bớt chữ, hoặc chọn “Mọi tỉnh”.") if text.strip()
                    else _("Chọn tỉnh hoặc gõ tên xã (không cần dấu), ví dụ: an binh"))
            self.listbox.insert("end", hint)
            self.listbox.itemconfigure(0, foreground=ttk.Style().colors.secondary)

    def add_selected(self) -> None:
        chosen = self.listbox.curselection()
        if not chosen or chosen[0] >= len(self.found):
            raise UserError(_("Gõ tên xã để tìm, rồi chọn một xã trong danh sách."))
        info = upstream.add_commune(self.shell.context(), self.found[chosen[0]].code)
        self.add_feedback.configure(text=_("Đã đăng ký {name} ({code}).").format(**info))
        self.query_var.set("")
        self.refresh()
        self.tree.selection_set(info["code"])
        self.tree.see(info["code"])
        self.shell.publish("communes_changed", info["code"])

    def refresh(self) -> None:
        rows = upstream.communes_status(self.shell.db)
        chosen = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        for r in rows:
            tags = ("missing",) if r["missing"] else ("unconfirmed",) if not r["confirmed"] else ()
            self.tree.insert("", "end", iid=r["code"], values=_status_cells(r), tags=tags)
        if chosen and self.tree.exists(chosen[0]):
            self.tree.selection_set(chosen[0])
        gaps = sum(1 for r in rows if r["missing"])
        unconfirmed = sum(1 for r in rows if not r["confirmed"])
        parts = [_("{n} xã").format(n=len(rows))]
        if unconfirmed:
            parts.append(_("{n} xã chưa xác nhận khóa").format(n=unconfirmed))
        if gaps:
            parts.append(_("{n} xã thiếu gói (gọi xã gửi lại)").format(n=gaps))
        self.summary.configure(text=" · ".join(parts))
        self._chosen()

    def _chosen(self) -> None:
        chosen = self.tree.selection()
        if not chosen:
            self.chosen_label.configure(text=_("Chưa chọn xã."))
            return
        values = self.tree.item(chosen[0], "values")
        text = _("{name} ({code}): khóa {state}").format(name=values[1], code=values[0], state=values[2])
        if values[8]:
            text += "\n" + _("Đang giữ riêng: {held}").format(held=values[8])
        self.chosen_label.configure(text=text)

    def confirm(self, data: bytes | None = None) -> None:
        chosen = self.tree.selection()
        if not chosen:
            raise UserError(_("Hãy chọn xã trong bảng trước khi xác nhận khóa."))
        results = upstream.confirm_key(self.shell.context(), chosen[0], self.fingerprint.get(), data)
        self.fingerprint.delete(0, "end")
        self.refresh()
        self.shell.publish("packages_imported", chosen[0])
        applied = sum(1 for r in results if r.status == "applied")
        dropped = sum(1 for r in results if r.status == "rejected")
        message = _("Đã xác nhận khóa của xã {code}. {n} gói đã được nhập.").format(code=chosen[0], n=applied)
        if dropped:
            message += " " + _("{n} gói không nhập được (ký bằng khóa khác hoặc bị hỏng): {reasons}").format(
                n=dropped, reasons="; ".join(r.message for r in results if r.status == "rejected"))
        self.shell.dialogs.info(message)

    def confirm_with_package(self) -> None:
        if not self.tree.selection():
            raise UserError(_("Hãy chọn xã trong bảng trước khi xác nhận khóa."))
        path = self.shell.dialogs.ask_open_file(_("Chọn gói của xã mang khóa cần xác nhận"), PACKAGE_TYPES)
        if path:
            self.confirm(reader.PackageFile(Path(path).name, [Path(path)]).read())


# --- import -----------------------------------------------------------------------------------

class ImportView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.files: list[Path] = []
        self.results: list[upstream.ImportResult] = []
        self.task = None
        title(self, _("Nhập gói của các xã"),
              _("nhiều tệp một lúc, thứ tự bất kỳ; gói hỏng bị từ chối và không ghi gì")).pack(fill="x")
        box = ttk.Labelframe(self, text=_("1. Chọn gói"), padding=10)
        box.pack(fill="x", pady=(10, 6))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Button(row, text=_("Chọn tệp gói…"), bootstyle="primary-outline", command=self.choose_files).pack(
            side="left")
        ttk.Button(row, text=_("Chọn cả thư mục (USB)…"), bootstyle="primary-outline",
                   command=self.choose_folder).pack(side="left", padx=(8, 0))
        ttk.Button(row, text=_("Bỏ chọn"), bootstyle="secondary-link", command=self.clear).pack(side="left",
                                                                                               padx=(8, 0))
        self.files_label = ttk.Label(box, bootstyle="secondary", wraplength=1000, justify="left")
        self.files_label.pack(anchor="w", pady=(6, 0))

        box = ttk.Labelframe(self, text=_("2. Xem trước, rồi nhập"), padding=10)
        box.pack(fill="x", pady=(0, 6))
        row = ttk.Frame(box)
        row.pack(fill="x")
        self.dry_button = ttk.Button(row, text=_("Xem trước (chưa ghi gì)"), bootstyle="info-outline",
                                     command=lambda: self.run(dry_run=True))
        self.dry_button.pack(side="left")
        self.import_button = ttk.Button(row, text=_("Nhập vào dữ liệu tổng hợp"), bootstyle="primary",
                                        command=lambda: self.run(dry_run=False))
        self.import_button.pack(side="left", padx=(8, 0))
        self.progress = ttk.Progressbar(row, length=260, mode="determinate", bootstyle="info-striped")
        self.progress.pack(side="left", padx=(16, 8))
        self.progress_label = ttk.Label(row, bootstyle="secondary")
        self.progress_label.pack(side="left", fill="x", expand=True)

        self.summary = ttk.Label(self, font=("TkDefaultFont", 11, "bold"))
        self.summary.pack(anchor="w", pady=(2, 4))
        detail = ttk.Labelframe(self, text=_("Chi tiết gói đang chọn"), padding=(10, 6))
        detail.pack(side="bottom", fill="x", pady=(6, 0))
        self.detail = ttk.Label(detail, wraplength=1050, justify="left", text=_("Chọn một dòng để xem đủ lý do."))
        self.detail.pack(anchor="w", fill="x")
        frame, self.tree, _bar = scrolled_tree(self, {
            "file": (_("Tệp"), 270, "w"),
            "commune": (_("Xã"), 160, "w"),
            "seq": (_("Gói số"), 60, "e"),
            "outcome": (_("Kết quả"), 230, "w"),
            "rows": (_("Số dòng"), 80, "e"),
            "message": (_("Lý do, ghi chú"), 280, "w"),
        }, height=6)
        self.tree.column("file", stretch=False)
        self.tree.column("message", stretch=True)
        colors = ttk.Style().colors
        for status, (_label, style) in OUTCOMES.items():
            self.tree.tag_configure(status, foreground=WAITING_FG if style == "waiting" else getattr(colors, style))
        frame.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._show_detail())
        self._show_files()

    def choose_files(self) -> None:
        chosen = self.shell.dialogs.ask_open_files(_("Chọn các gói của xã"), PACKAGE_TYPES)
        if chosen:
            self._add([Path(p) for p in chosen])

    def choose_folder(self) -> None:
        folder = self.shell.dialogs.ask_directory(_("Chọn thư mục có các gói (ví dụ USB)"))
        if not folder:
            return
        found = sorted(Path(folder).glob("*" + package.SUFFIX))
        if not found:
            raise UserError(_("Không thấy tệp gói (.cpkg) nào trong {folder}.").format(folder=folder))
        self._add(found)

    def _add(self, paths: list[Path]) -> None:
        self.files = list(dict.fromkeys([*self.files, *paths]))
        self._show_files()

    def clear(self) -> None:
        self.files = []
        self._show_files()

    def _show_files(self) -> None:
        if not self.files:
            self.files_label.configure(text=_("Chưa chọn gói nào. Có thể chọn nhiều tệp, hoặc cả một thư mục."))
        else:
            names = ", ".join(p.name for p in self.files[:6]) + (" …" if len(self.files) > 6 else "")
            self.files_label.configure(text=_("{n} tệp: {names}").format(n=len(self.files), names=names))
        state = "normal" if self.files else "disabled"
        self.dry_button.configure(state=state)
        self.import_button.configure(state=state)

    def run(self, dry_run: bool) -> None:
        if not self.files:
            raise UserError(_("Hãy chọn các gói cần nhập trước."))
        files, clock, user = list(self.files), self.shell.ctx.clock, self.shell.ctx.user

        def work(db, progress):
            if not dry_run:
                backups.make_backup(db, clock, "import")
            return upstream.import_files(Context(db, clock=clock, user=user), files, dry_run=dry_run,
                                         progress=progress)

        self.dry_button.configure(state="disabled")
        self.import_button.configure(state="disabled")
        self.progress.configure(value=0, maximum=1)
        self.progress_label.configure(text=_("Đang mở và kiểm tra các gói…"))
        self.task = self.shell.run_task(work, on_done=lambda results: self._finished(results, dry_run),
                                        on_progress=self._progress, on_error=self._failed)

    def _progress(self, done, total, text="") -> None:
        self.progress.configure(maximum=max(total, 1), value=done)
        self.progress_label.configure(text=text)

    def _failed(self, exc) -> None:
        self._show_files()
        self.progress_label.configure(text="")
        self.shell.report_exception(exc)

    def _finished(self, results, dry_run: bool) -> None:
        self.results = results
        self.progress.configure(value=self.progress.cget("maximum"))
        names = {r["code"]: r["name"] for r in upstream.communes_status(self.shell.db)}
        self.tree.delete(*self.tree.get_children())
        for i, r in enumerate(results):
            rows = sum(r.counts.values())
            self.tree.insert("", "end", iid=str(i), tags=(r.status,), values=(
                r.name, names.get(r.commune_code, r.commune_code), r.seq or "", outcome(r),
                fmt_count(rows) if r.counts else "", r.message))
        tally = {}
        for r in results:
            tally[r.status] = tally.get(r.status, 0) + 1
        self.summary.configure(text=" · ".join(f"{_(OUTCOMES[s][0])}: {n}" for s, n in tally.items()))
        if dry_run:
            self.progress_label.configure(text=_("Xem trước xong: chưa ghi gì. Bấm “Nhập” để nhập thật."))
            self._show_files()
        else:
            self.progress_label.configure(text=_("Đã nhập xong."))
            unconfirmed = {r.commune_code for r in results if r.status == "waiting"} - {
                c["code"] for c in upstream.communes_status(self.shell.db) if c["confirmed"]}
            if unconfirmed:
                self.summary.configure(text=self.summary.cget("text") + " — " + _(
                    "{n} xã chờ xác nhận khóa: gọi điện cho xã, rồi xác nhận ở trang “Các xã”.").format(
                    n=len(unconfirmed)))
            self.files = []
            self._show_files()
            self.shell.publish("packages_imported", None)
        first = next((str(i) for i, r in enumerate(results) if r.status == "rejected"), "0" if results else None)
        if first is not None:
            self.tree.selection_set(first)
            self.tree.see(first)
        self._show_detail()

    def _confirmed(self, code: str) -> bool:
        return any(r["code"] == code and r["confirmed"] for r in upstream.communes_status(self.shell.db))

    def _show_detail(self) -> None:
        chosen = self.tree.selection()
        if not chosen:
            return
        r = self.results[int(chosen[0])]
        lines = [f"{r.name}: {outcome(r)}", r.message]
        if r.counts:
            lines.append(", ".join(f"{_(TABLE_LABELS.get(t, t))} {fmt_count(n)}" for t, n in r.counts.items())
                         + (", " + _("xóa {n}").format(n=r.deleted) if r.deleted else ""))
        if r.status == "waiting" and r.commune_code and not self._confirmed(r.commune_code):
            lines.append(_("Gọi điện cho xã, rồi xác nhận dấu vân tay ở trang “Các xã”."))
        if len(r.problems) > consolidate.MAX_PROBLEMS_SHOWN:
            lines.append("; ".join(r.problems[:40]) + (" …" if len(r.problems) > 40 else ""))
        self.detail.configure(text="\n".join(lines), bootstyle="danger" if r.status == "rejected" else "default")


# --- receipts ---------------------------------------------------------------------------------

class AcksView(ttk.Frame):
    """A receipt per commune: a file for the stick or e-mail, and a short code to read by phone."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.codes: dict[str, str] = {}
        title(self, _("Biên nhận cho các xã"),
              _("xã ghi nhận biên nhận thì thôi gửi lại dữ liệu cũ")).pack(fill="x")
        ttk.Label(self, text=_("Chọn xã (giữ Ctrl để chọn nhiều), rồi ghi tệp biên nhận ra USB hoặc thư mục "
                               "gửi e-mail. Không có tệp thì đọc mã cho cán bộ xã gõ vào trang “Gửi cấp trên”."),
                  wraplength=1050, justify="left").pack(anchor="w", pady=(8, 6))
        row = ttk.Frame(self)
        row.pack(fill="x", pady=(0, 8))
        ttk.Button(row, text=_("Ghi biên nhận cho các xã đã chọn…"), bootstyle="primary",
                   command=lambda: self.write(selected=True)).pack(side="left")
        ttk.Button(row, text=_("Ghi cho mọi xã…"), bootstyle="primary-outline",
                   command=lambda: self.write(selected=False)).pack(side="left", padx=(8, 0))
        box = ttk.Frame(self, bootstyle="light", padding=(14, 8))
        box.pack(side="bottom", fill="x", pady=(8, 0))
        self.phone_title = ttk.Label(box, text=_("Mã đọc qua điện thoại"), bootstyle="@light")
        self.phone_title.pack(anchor="w")
        self.phone_code = ttk.Label(box, text="—", font=("TkFixedFont", 22, "bold"), bootstyle="@light")
        self.phone_code.pack(anchor="w")
        frame, self.tree, _bar = scrolled_tree(self, {
            "name": (_("Xã"), 220, "w"),
            "code": (_("Mã xã"), 70, "w"),
            "seq": (_("Gói cuối đã nhập"), 150, "e"),
            "phone": (_("Mã điện thoại"), 160, "w"),
            "file": (_("Tệp biên nhận đã ghi"), 360, "w"),
        }, height=8)
        self.tree.configure(selectmode="extended")
        self.tree.column("name", stretch=False)
        self.tree.column("file", stretch=True)
        frame.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._show_code())
        shell.subscribe("packages_imported", lambda payload: self.refresh())
        self.refresh()

    def on_show(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        written = {iid: self.tree.item(iid, "values")[4] for iid in self.tree.get_children()}
        self.tree.delete(*self.tree.get_children())
        self.codes = {}
        ctx = self.shell.context()
        for r in upstream.communes_status(self.shell.db):
            if not r["last_seq"]:
                continue
            _data, phone, _ack = upstream.make_ack(ctx, r["code"])
            self.codes[r["code"]] = phone
            self.tree.insert("", "end", iid=r["code"], values=(
                r["name"], r["code"], r["last_seq"], phone, written.get(r["code"], "")))
        self._show_code()

    def _show_code(self) -> None:
        chosen = self.tree.selection()
        if len(chosen) == 1:
            name = self.tree.item(chosen[0], "values")[0]
            self.phone_title.configure(text=_("Mã đọc qua điện thoại cho {name}").format(name=name))
            self.phone_code.configure(text=self.codes[chosen[0]])
        else:
            self.phone_title.configure(text=_("Chọn một xã để xem mã đọc qua điện thoại"))
            self.phone_code.configure(text="—")

    def write(self, selected: bool) -> None:
        codes = list(self.tree.selection()) if selected else list(self.tree.get_children())
        if not codes:
            raise UserError(_("Hãy chọn xã trong bảng (hoặc bấm “Ghi cho mọi xã…”).") if selected
                            else _("Chưa nhập gói nào của xã nào: chưa có gì để xác nhận."))
        folder = self.shell.dialogs.ask_directory(_("Chọn thư mục ghi biên nhận (USB hoặc thư mục gửi e-mail)"))
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        written = upstream.write_acks(self.shell.context(), folder, codes)
        for code, (path, _phone) in zip(codes, written):
            self.tree.set(code, "file", Path(path).name)
        self.shell.dialogs.info(_("Đã ghi {n} biên nhận vào {folder}.").format(n=len(written), folder=folder))
