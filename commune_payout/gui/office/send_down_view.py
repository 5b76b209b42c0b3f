"""Packages the office sends down to its communes: a new base level or a Tết gift list, for the
programmes the office owns, one signed and encrypted package per commune
(:func:`commune_payout.sync.office.send_down`), and the answers the communes sent back."""

import datetime as dt
from pathlib import Path

import ttkbootstrap as ttk

from commune_payout.errors import UserError
from commune_payout.gui.office.console import when
from commune_payout.gui.widgets import Choice, fmt_date, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.money import parse_vnd
from commune_payout.programs import CATEGORIES, PROGRAM_LABELS
from commune_payout.sync import office
from commune_payout.sync.commune import DOWN_KINDS, describe_items
from commune_payout.text import excerpt

DOWN_STATUSES = {"sent": "chờ xã trả lời", "accepted": "xã đã nhận {when}", "rejected": "xã từ chối {when}: {reason}"}


def register_gui(shell) -> None:
    shell.add_section("send_down", _("Gửi xuống xã"), SendDownView, order=50)


class SendDownView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.items: list[dict] = []
        title(self, _("Gửi xuống xã"), _("mức chuẩn mới hoặc danh sách quà Tết; xã xem rồi nhận hoặc từ chối")).pack(
            fill="x")
        top = ttk.Frame(self)
        top.pack(fill="x", pady=(10, 8))
        top.columnconfigure(0, weight=3)
        top.columnconfigure(1, weight=2)

        box = ttk.Labelframe(top, text=_("1. Nội dung gói"), padding=10)
        box.grid(row=0, column=0, sticky="nsew", padx=(0, 8))
        row = ttk.Frame(box)
        row.pack(fill="x")
        self.kind = ttk.StringVar(value="base_level")
        for code, label in DOWN_KINDS.items():
            ttk.Radiobutton(row, text=_(label), value=code, variable=self.kind, command=self._kind_changed).pack(
                side="left", padx=(0, 16))
        row = ttk.Frame(box)
        row.pack(fill="x", pady=(8, 0))
        ttk.Label(row, text=_("Tiêu đề:"), width=10).pack(side="left")
        self.title_entry = ttk.Entry(row)
        self.title_entry.pack(side="left", fill="x", expand=True)
        self.editor = ttk.Frame(box)
        self.editor.pack(fill="x", pady=(8, 0))
        items = ttk.Frame(box)
        items.pack(fill="x", pady=(8, 0))
        frame, self.items_tree, _bar = scrolled_tree(items, {"item": (_("Các mục trong gói"), 420, "w")}, height=3)
        frame.pack(side="left", fill="x", expand=True)
        ttk.Button(items, text=_("Bỏ mục"), bootstyle="secondary-outline", command=self.remove_item).pack(
            side="left", anchor="n", padx=(8, 0))
        self._kind_changed()

        box = ttk.Labelframe(top, text=_("2. Gửi cho các xã"), padding=10)
        box.grid(row=0, column=1, sticky="nsew")
        ttk.Label(box, text=_("Chỉ xã đã xác nhận khóa (giữ Ctrl để chọn nhiều)."), bootstyle="secondary").pack(
            anchor="w")
        frame, self.communes_tree, _bar = scrolled_tree(box, {"name": (_("Xã"), 260, "w")}, height=5)
        self.communes_tree.configure(selectmode="extended", show="tree")
        frame.pack(fill="both", expand=True, pady=(4, 6))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Button(row, text=_("Chọn tất cả"), bootstyle="secondary-outline",
                   command=lambda: self.communes_tree.selection_set(self.communes_tree.get_children())).pack(
            side="left")
        ttk.Button(row, text=_("Tạo gói, lưu vào thư mục…"), bootstyle="primary", command=self.send).pack(
            side="left", padx=(8, 0))

        ttk.Label(self, text=_("Các gói đã gửi xuống"), font=("TkDefaultFont", 11, "bold")).pack(anchor="w")
        frame, self.history, _bar = scrolled_tree(self, {
            "created": (_("Ngày tạo"), 145, "w"),
            "commune": (_("Xã"), 150, "w"),
            "title": (_("Gói"), 180, "w"),
            "status": (_("Trả lời của xã"), 240, "w"),
            "file": (_("Tệp"), 260, "w"),
        }, height=4)
        self.history.column("created", stretch=False)
        self.history.column("file", stretch=True)
        frame.pack(fill="both", expand=True, pady=(4, 0))
        shell.subscribe("packages_imported", lambda payload: self.refresh())
        shell.subscribe("communes_changed", lambda payload: self.refresh())
        self.refresh()

    def on_show(self) -> None:
        self.refresh()

    def _kind_changed(self) -> None:
        for child in self.editor.winfo_children():
            child.destroy()
        self.items = []
        self._show_items()
        kind = self.kind.get()
        self.title_entry.delete(0, "end")
        self.title_entry.insert(0, _(DOWN_KINDS[kind]))
        e = ttk.Frame(self.editor)
        e.pack(fill="x")
        if kind == "base_level":
            ttk.Label(e, text=_("Chế độ:"), width=10).pack(side="left")
            self.program = Choice(e, {p: _(PROGRAM_LABELS[p]) for p in self.shell.programs if p != "other"}, width=18)
            self.program.pack(side="left")
            ttk.Label(e, text=_("áp dụng từ ngày")).pack(side="left", padx=(12, 4))
            self.valid_from = ttk.Entry(e, width=12)
            self.valid_from.pack(side="left")
        else:
            ttk.Label(e, text=_("Diện:"), width=10).pack(side="left")
            self.category = Choice(e, {c.code: c.label for c in CATEGORIES if c.program in self.shell.programs},
                                   width=48)
            self.category.pack(side="left", fill="x", expand=True)
        e = ttk.Frame(self.editor)
        e.pack(fill="x", pady=(6, 0))
        ttk.Label(e, text=_("Số tiền:"), width=10).pack(side="left")
        self.amount = ttk.Entry(e, width=14)
        self.amount.pack(side="left")
        self.amount.bind("<Return>", lambda ev: self.add_item())
        ttk.Label(e, text=_("đồng"), bootstyle="secondary").pack(side="left", padx=(4, 0))
        ttk.Button(e, text=_("Thêm mục"), bootstyle="secondary", command=self.add_item).pack(side="left", padx=(12, 0))

    def add_item(self) -> None:
        try:
            amount = parse_vnd(self.amount.get())
        except ValueError:
            amount = None
        if not amount or amount <= 0:
            raise UserError(_("Số tiền “{text}” không hợp lệ; gõ ví dụ 600.000.").format(
                text=excerpt(self.amount.get())))
        if self.kind.get() == "base_level":
            try:
                valid_from = dt.datetime.strptime(self.valid_from.get().strip(), "%d/%m/%Y").date()
            except ValueError as exc:
                raise UserError(_("Ngày áp dụng “{text}” không đúng dạng ngày/tháng/năm, ví dụ 01/07/2026.").format(
                    text=excerpt(self.valid_from.get()))) from exc
            self.items.append({"program": self.program.code(), "valid_from": valid_from.isoformat(), "amount": amount})
        elif self.category.code() is None:
            raise UserError(_("Hãy chọn diện trong danh sách."))
        else:
            self.items.append({"category": self.category.code(), "amount": amount})
        self.amount.delete(0, "end")
        self._show_items()

    def remove_item(self) -> None:
        chosen = self.items_tree.selection()
        if chosen:
            del self.items[int(chosen[0])]
            self._show_items()

    def _show_items(self) -> None:
        self.items_tree.delete(*self.items_tree.get_children())
        for i, line in enumerate(describe_items(self.kind.get(), self.items)):
            self.items_tree.insert("", "end", iid=str(i), values=(line,))

    def refresh(self) -> None:
        chosen = set(self.communes_tree.selection())
        self.communes_tree.delete(*self.communes_tree.get_children())
        for r in office.communes_status(self.shell.db):
            if r["confirmed"]:
                self.communes_tree.insert("", "end", iid=r["code"], text=f"{r['name']} ({r['code']})")
        self.communes_tree.selection_set([c for c in chosen if self.communes_tree.exists(c)])
        self.history.delete(*self.history.get_children())
        for d in office.sent_down(self.shell.db):
            status = _(DOWN_STATUSES[d["status"]]).format(when=fmt_date(d["decided_at"]), reason=d["reason"])
            self.history.insert("", "end", iid=d["id"], values=(
                when(d["created_at"]), d["commune_name"], d["title"], status, d["file_name"]))

    def send(self) -> None:
        codes = list(self.communes_tree.selection())
        if not self.items:
            raise UserError(_("Gói chưa có mục nào: thêm ít nhất một mục."))
        if not codes:
            raise UserError(_("Hãy chọn xã nhận gói."))
        folder = self.shell.dialogs.ask_directory(_("Chọn thư mục lưu các gói (USB hoặc thư mục gửi e-mail)"))
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        ctx = self.shell.context()
        paths = [office.send_down(ctx, code, self.kind.get(), self.title_entry.get().strip(), self.items, folder)
                 for code in codes]
        self.refresh()
        self.shell.dialogs.info(_("Đã tạo {n} gói trong {folder}:\n{files}\nGửi mỗi xã tệp mang mã của xã.").format(
            n=len(paths), folder=folder, files="\n".join(p.name for p in paths)))
