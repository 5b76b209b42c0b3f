"""The Sync page (commune side): send changes to the upstream office on a USB stick or by
e-mail, record its receipt, accept or refuse what the office sends down, and see every package
sent. Everything here calls :mod:`commune_payout.sync.commune`; the same actions exist as
``sync …`` commands."""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout.context import Context
from commune_payout.errors import UserError
from commune_payout.gui.widgets import fmt_count, fmt_date, row_detail, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.lazy import LazyModule

# The sync modules (cryptography, age) are loaded when the section is opened, not at start-up.
commune, keys = LazyModule("commune_payout.sync.commune"), LazyModule("commune_payout.sync.keys")

PACKAGE_TYPES = [(_("Gói đồng bộ"), "*.cpkg")]
RECEIPT_TYPES = [(_("Biên nhận của cấp trên"), "*.json"), (_("Mọi tệp"), "*.*")]
KEY_TYPES = [(_("Tệp khóa công khai"), "*.txt"), (_("Mọi tệp"), "*.*")]


def register_gui(shell) -> None:
    shell.add_section("sync", _("Gửi cấp trên"), SyncView, order=80)


def _when(stamp: str) -> str:
    """``2026-01-15 09:00:00`` → ``15/01/2026 09:00``."""
    return f"{fmt_date(stamp)} {stamp[11:16]}".strip()


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:,.0f} KB".replace(",", ".")
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


class SyncView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.find_drives = commune.removable_drives  # tests point this at a folder
        self.drives: list[Path] = []
        title(self, _("Gửi cấp trên"), _("qua USB hoặc e-mail; tệp được ký và mã hóa")).pack(fill="x")

        box = ttk.Labelframe(self, text=_("Đơn vị cấp trên"), padding=12)
        box.pack(fill="x", pady=(10, 8))
        self.upstream_label = ttk.Label(box, justify="left")
        self.upstream_label.pack(anchor="w")
        self.own_label = ttk.Label(box, bootstyle="secondary", justify="left")
        self.own_label.pack(anchor="w", pady=(4, 0))
        ttk.Button(box, text=_("Nhập tệp khóa của cấp trên…"), bootstyle="secondary-outline",
                   command=self.load_upstream_key).pack(anchor="w", pady=(8, 0))

        box = ttk.Labelframe(self, text=_("Gửi gói dữ liệu"), padding=12)
        box.pack(fill="x", pady=(0, 8))
        self.pending_label = ttk.Label(box, font=("TkDefaultFont", 11, "bold"))
        self.pending_label.pack(anchor="w")
        row = ttk.Frame(box)
        row.pack(fill="x", pady=(8, 0))
        ttk.Label(row, text=_("USB:")).pack(side="left")
        self.drive_box = ttk.Combobox(row, state="readonly", width=40)
        self.drive_box.pack(side="left", padx=(6, 6))
        ttk.Button(row, text=_("Tìm lại USB"), bootstyle="secondary-outline",
                   command=self.refresh_drives).pack(side="left")
        row = ttk.Frame(box)
        row.pack(fill="x", pady=(8, 0))
        self.usb_button = ttk.Button(row, text=_("Gửi ra USB"), bootstyle="primary", command=self.send_to_drive)
        self.usb_button.pack(side="left")
        self.email_button = ttk.Button(row, text=_("Lưu để gửi e-mail…"), bootstyle="primary-outline",
                                       command=self.save_for_email)
        self.email_button.pack(side="left", padx=(8, 0))
        self.full_var = ttk.BooleanVar(value=False)
        ttk.Checkbutton(row, text=_("Gửi lại toàn bộ (khi cấp trên mất dữ liệu)"), variable=self.full_var,
                        bootstyle="round-toggle").pack(side="left", padx=(16, 0))

        box = ttk.Labelframe(self, text=_("Biên nhận của cấp trên"), padding=12)
        box.pack(fill="x", pady=(0, 8))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Button(row, text=_("Nhập tệp biên nhận…"), bootstyle="secondary-outline",
                   command=self.load_receipt).pack(side="left")
        ttk.Label(row, text=_("hoặc mã đọc qua điện thoại:")).pack(side="left", padx=(16, 6))
        self.code_entry = ttk.Entry(row, width=20)
        self.code_entry.pack(side="left")
        self.code_entry.bind("<Return>", lambda e: self.record_code())
        ttk.Button(row, text=_("Ghi mã"), bootstyle="secondary-outline", command=self.record_code).pack(
            side="left", padx=(6, 0))

        self.tabs = ttk.Notebook(self)
        self.tabs.pack(fill="both", expand=True)
        box = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(box, text=_("Các gói đã gửi"))
        frame, self.tree, _bar = scrolled_tree(box, {
            "seq": (_("Gói số"), 70, "e"),
            "created": (_("Ngày tạo"), 140, "w"),
            "rows": (_("Số dòng"), 90, "e"),
            "size": (_("Dung lượng"), 100, "e"),
            "file": (_("Tệp"), 260, "w"),
            "ack": (_("Cấp trên xác nhận"), 260, "w"),
        }, height=6)
        self.tree.column("seq", stretch=False)
        self.tree.column("file", stretch=True)
        frame.pack(fill="both", expand=True)

        box = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(box, text=_("Gói cấp trên gửi xuống"))
        row = ttk.Frame(box)
        row.pack(side="bottom", fill="x", pady=(8, 0))
        ttk.Button(row, text=_("Mở gói cấp trên gửi…"), bootstyle="secondary-outline",
                   command=self.open_down).pack(side="left")
        ttk.Button(row, text=_("Nhận và áp dụng"), bootstyle="success", command=self.accept_down).pack(
            side="left", padx=(16, 0))
        ttk.Label(row, text=_("Lý do từ chối:")).pack(side="left", padx=(16, 6))
        self.reason_entry = ttk.Entry(row, width=36)
        self.reason_entry.pack(side="left")
        ttk.Button(row, text=_("Từ chối"), bootstyle="danger-outline", command=self.reject_down).pack(
            side="left", padx=(6, 0))
        frame, self.down_tree, _bar = scrolled_tree(box, {
            "title": (_("Gói"), 200, "w"),
            "issued": (_("Ngày gửi"), 100, "w"),
            "content": (_("Nội dung"), 360, "w"),
            "status": (_("Tình trạng"), 340, "w"),
        }, height=4)
        self.down_tree.column("title", stretch=False)
        self.down_tree.column("content", stretch=True)
        # A long list of amounts or a refusal's reason is read in full under the table.
        self.down_detail = row_detail(box, self.down_tree, _("Chọn một gói để đọc đầy đủ nội dung."))
        self.down_detail.pack(side="bottom", fill="x", pady=(6, 0))
        frame.pack(fill="both", expand=True)
        self.refresh()
        self.refresh_drives()

    def on_show(self) -> None:
        self.refresh()

    def _ctx(self, db=None) -> Context:
        return Context(db or self.shell.db, clock=self.shell.ctx.clock, user=self.shell.ctx.user)

    def refresh(self) -> None:
        info = commune.status(self.shell.db)
        up = info["upstream"]
        if up:
            self.upstream_label.configure(text=_("{name}\nDấu vân tay: {fp}").format(
                name=up["name"], fp=up["fingerprint"]))
        else:
            self.upstream_label.configure(text=_("Chưa có khóa của cấp trên. Hãy nhập tệp khóa cấp trên gửi "
                                                 "(qua USB hoặc e-mail)."))
        if info["fingerprint"]:
            self.own_label.configure(text=_("Dấu vân tay của xã (đọc cho cấp trên khi họ gọi xác nhận): {fp}").format(
                fp=info["fingerprint"]))
        else:
            self.own_label.configure(text=_("Khóa của xã sẽ được tạo khi gửi gói đầu tiên."))
        pending = info["unacked_changes"]
        self.pending_label.configure(
            text=_("{n} thay đổi chưa được cấp trên xác nhận").format(n=fmt_count(pending)) if pending
            else _("Cấp trên đã xác nhận mọi thay đổi."))
        state = "normal" if up else "disabled"
        self.usb_button.configure(state=state)
        self.email_button.configure(state=state)
        self.tree.delete(*self.tree.get_children())
        for p in commune.sent_packages(self.shell.db):
            ack = _("chưa") if not p["acked_at"] else _("{when} ({how})").format(
                when=_when(p["acked_at"]), how=_("tệp") if p["ack_source"] == "file" else _("mã điện thoại"))
            self.tree.insert("", "end", iid=p["id"], values=(
                p["seq"], _when(p["created_at"]), fmt_count(p["rows"]), _size(p["size"]), p["file_name"], ack))
        self.down_tree.delete(*self.down_tree.get_children())
        for d in commune.down_packages(self.shell.db):
            status = {"received": _("chờ xử lý"), "accepted": _("đã nhận {when}"),
                      "rejected": _("đã từ chối {when}: {reason}")}[d["status"]].format(
                when=_when(d["decided_at"] or ""), reason=d["reason"])
            self.down_tree.insert("", "end", iid=d["id"], values=(
                d["title"], fmt_date(d["issued_at"]), "; ".join(commune.describe_items(d["kind"], d["items"])), status))

    def refresh_drives(self) -> None:
        self.drives = self.find_drives()
        self.drive_box.configure(values=[str(d) for d in self.drives])
        if self.drives:
            self.drive_box.current(0)
        else:
            self.drive_box.set(_("(không thấy USB nào — cắm USB rồi bấm Tìm lại)"))

    def _send(self, folder: Path, done_message) -> None:
        full = self.full_var.get()
        outbox = commune.outbox_dir(self.shell.db_path)
        clock, user = self.shell.ctx.clock, self.shell.ctx.user

        def work(db, progress):
            progress(0, 2, _("Đang tạo gói…"))
            pkg = commune.build(Context(db, clock=clock, user=user), full=full)
            progress(1, 2, _("Đang chép và kiểm tra lại…"))
            return pkg, commune.copy_verified(commune.save(pkg, outbox), folder)

        def finished(result) -> None:
            pkg, copied = result
            self.refresh()
            self.shell.dialogs.info(done_message(pkg, copied))

        self.shell.run_task(work, on_done=finished)

    def send_to_drive(self) -> None:
        chosen = self.drive_box.current()
        if chosen < 0 or chosen >= len(self.drives):
            raise UserError(_("Chưa thấy USB. Cắm USB rồi bấm “Tìm lại USB”."))
        self._send(self.drives[chosen], lambda pkg, copied: _(
            "Đã ghi gói số {seq} ({size}) ra {where} và đọc lại đúng.\nCó thể rút USB an toàn.").format(
                seq=pkg.seq, size=_size(pkg.size), where=copied[0].parent))

    def save_for_email(self) -> None:
        path = self.shell.dialogs.ask_save_file(_("Lưu gói để gửi e-mail"), commune.next_file_name(self._ctx()),
                                                PACKAGE_TYPES)
        if not path:
            return
        self._send(Path(path).parent, lambda pkg, copied: _(
            "Gói số {seq} đã sẵn sàng đính kèm e-mail:\n{files}\nDung lượng: {size}.").format(
                seq=pkg.seq, files="\n".join(str(p) for p in copied), size=_size(pkg.size)))

    def load_upstream_key(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn tệp khóa công khai của cấp trên"), KEY_TYPES)
        if not path:
            return
        card = keys.parse_card(Path(path).read_text(encoding="utf-8", errors="replace"))
        commune.set_upstream(self._ctx(), card)
        self.refresh()
        self.shell.publish("settings_changed", None)
        self.shell.dialogs.info(_("Đã ghi khóa của {name}.\nDấu vân tay: {fp}\nHãy gọi điện cho cấp trên để "
                                  "đối chiếu dấu vân tay này trước khi gửi gói.").format(
            name=card.name, fp=card.fingerprint))

    def open_down(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn gói cấp trên gửi xuống"), PACKAGE_TYPES)
        if not path:
            return
        pkg = commune.read_down(self._ctx(), Path(path).read_bytes())
        self.refresh()
        self.tabs.select(1)
        self.down_tree.selection_set(pkg.id)
        self.down_tree.see(pkg.id)

    def _selected_down(self) -> str:
        chosen = self.down_tree.selection()
        if not chosen:
            raise UserError(_("Hãy chọn một gói cấp trên gửi xuống trong danh sách."))
        return chosen[0]

    def accept_down(self) -> None:
        pkg = commune.decide_down(self._ctx(), self._selected_down(), accept=True)
        self.refresh()
        self.shell.publish("settings_changed", None)
        self.shell.dialogs.info(_("Đã nhận và áp dụng “{title}”.").format(title=pkg.title))

    def reject_down(self) -> None:
        pkg = commune.decide_down(self._ctx(), self._selected_down(), accept=False, reason=self.reason_entry.get())
        self.reason_entry.delete(0, "end")
        self.refresh()
        self.shell.dialogs.info(_("Đã từ chối “{title}”; lý do sẽ gửi lên cấp trên cùng gói sau.").format(
            title=pkg.title))

    def load_receipt(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn tệp biên nhận của cấp trên"), RECEIPT_TYPES)
        if not path:
            return
        self._recorded(commune.record_ack_file(self._ctx(), Path(path).read_bytes()))

    def record_code(self) -> None:
        code = self.code_entry.get().strip()
        if not code:
            raise UserError(_("Hãy gõ mã biên nhận cấp trên đọc qua điện thoại, ví dụ 7-48213-K3QF."))
        self._recorded(commune.record_ack_code(self._ctx(), code))
        self.code_entry.delete(0, "end")

    def _recorded(self, done: dict) -> None:
        self.refresh()
        self.shell.dialogs.info(_("Cấp trên đã nhận gói số {seq}. Các gói sau chỉ gửi những thay đổi mới.").format(
            seq=done["seq"]))
