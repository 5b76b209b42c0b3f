"""The office's communes: register them from the official list, confirm each commune's key by
phone (which applies the packages held for it), and see where each stands."""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout import geo
from commune_payout.errors import UserError
from commune_payout.gui.office.console import PACKAGE_TYPES, WAITING_FG, when
from commune_payout.gui.widgets import fmt_count, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.sync import office, reader

ALL_PROVINCES = _("Mọi tỉnh")


def register_gui(shell) -> None:
    shell.add_section("communes", _("Các xã"), CommunesView, order=10)


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
        info = office.add_commune(self.shell.context(), self.found[chosen[0]].code)
        self.add_feedback.configure(text=_("Đã đăng ký {name} ({code}).").format(**info))
        self.query_var.set("")
        self.refresh()
        self.tree.selection_set(info["code"])
        self.tree.see(info["code"])
        self.shell.publish("communes_changed", info["code"])

    def refresh(self) -> None:
        rows = office.communes_status(self.shell.db)
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
        results = office.confirm_key(self.shell.context(), chosen[0], self.fingerprint.get(), data)
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

