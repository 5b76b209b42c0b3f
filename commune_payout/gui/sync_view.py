"""The Sync page (commune side): one card per office the commune reports to (since 7/2025 the Sở
Y tế for social assistance and the social pension, the Sở Nội vụ for người có công), each with its
programmes, what it has not acknowledged, its own packages to a USB stick or for e-mail and its
receipts; adding an office from its key card; what the offices send down, accepted or refused;
every package sent. Everything here calls :mod:`commune_payout.sync.commune`; the same actions
exist as ``sync …`` commands."""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout.context import Context
from commune_payout.errors import UserError
from commune_payout.gui.widgets import fmt_count, fmt_date, row_detail, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.lazy import LazyModule
from commune_payout.programs import PROGRAM_LABELS

# The sync modules (cryptography, age) are loaded when the section is opened, not at start-up.
commune, keys, media, reader, receipts, scope = (
    LazyModule(f"commune_payout.sync.{name}") for name in ("commune", "keys", "media", "reader", "receipts", "scope"))

PACKAGE_TYPES = [(_("Gói đồng bộ"), "*.cpkg")]
RECEIPT_TYPES = [(_("Biên nhận của cấp trên"), "*.json"), (_("Mọi tệp"), "*.*")]
KEY_TYPES = [(_("Tệp khóa công khai"), "*.txt"), (_("Mọi tệp"), "*.*")]
CARDS_PER_ROW = 2


def register_gui(shell) -> None:
    shell.add_section("sync", _("Gửi cấp trên"), SyncView, order=80)


def _when(stamp: str) -> str:
    """``2026-01-15 09:00:00`` → ``15/01/2026 09:00``."""
    return f"{fmt_date(stamp)} {stamp[11:16]}".strip()


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:,.0f} KB".replace(",", ".")
    return f"{n / 1024 / 1024:.1f} MB".replace(".", ",")


def _programs(programs) -> str:
    return ", ".join(_(PROGRAM_LABELS[p]) for p in scope.PROGRAMS if p in programs)


class OfficeCard(ttk.Labelframe):
    """One office: what it receives, what it has not acknowledged, its packages and receipts."""

    def __init__(self, master, view: "SyncView", office: "commune.Office"):
        super().__init__(master, text=office.name, padding=(12, 8))
        self.view, self.office = view, office
        ttk.Label(self, text=_("Nhận: {programs}").format(programs=_programs(office.programs)),
                  wraplength=560, justify="left").pack(anchor="w")
        ttk.Label(self, text=_("Dấu vân tay: {fp}").format(fp=office.fingerprint), bootstyle="secondary").pack(
            anchor="w")
        self.pending = ttk.Label(self, font=("TkDefaultFont", 11, "bold"))
        self.pending.pack(anchor="w", pady=(6, 0))
        self.history = ttk.Label(self, bootstyle="secondary")
        self.history.pack(anchor="w")
        row = ttk.Frame(self)
        row.pack(fill="x", pady=(8, 0))
        self.usb_button = ttk.Button(row, text=_("Gửi ra USB"), bootstyle="primary",
                                     command=lambda: view.send_to_drive(self.office))
        self.usb_button.pack(side="left")
        self.email_button = ttk.Button(row, text=_("Lưu để gửi e-mail…"), bootstyle="primary-outline",
                                       command=lambda: view.save_for_email(self.office))
        self.email_button.pack(side="left", padx=(6, 0))
        ttk.Button(row, text=_("Đổi chương trình…"), bootstyle="secondary-link",
                   command=lambda: view.edit_programs(self.office)).pack(side="left", padx=(6, 0))
        row = ttk.Frame(self)
        row.pack(fill="x", pady=(6, 0))
        ttk.Button(row, text=_("Nhập tệp biên nhận…"), bootstyle="secondary-outline",
                   command=view.load_receipt).pack(side="left")
        ttk.Label(row, text=_("hoặc mã điện thoại:")).pack(side="left", padx=(10, 4))
        self.code_entry = ttk.Entry(row, width=12)
        self.code_entry.pack(side="left")
        self.code_entry.bind("<Return>", lambda e: view.record_code(self))
        ttk.Button(row, text=_("Ghi mã"), bootstyle="secondary-outline",
                   command=lambda: view.record_code(self)).pack(side="left", padx=(4, 0))

    def show(self, state: dict) -> None:
        pending = state["unacked_changes"]
        text = (_("{n} thay đổi chưa được {office} xác nhận").format(n=fmt_count(pending), office=self.office.name)
                if pending else _("{office} đã xác nhận mọi thay đổi.").format(office=self.office.name))
        if state["resend_full"]:
            text += " " + _("(gói sau gửi toàn bộ)")
        self.pending.configure(text=text, bootstyle="default" if pending else "success")
        sent, ack = state["last_sent"], state["last_ack"]
        parts = [_("gói cuối: số {seq}, {when}").format(seq=sent["seq"], when=_when(sent["created_at"])) if sent
                 else _("chưa gửi gói nào")]
        if ack:
            parts.append(_("đã xác nhận đến gói số {seq}").format(seq=ack["seq"]))
        self.history.configure(text="; ".join(parts))


class SyncView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.find_drives = media.removable_drives  # tests point this at a folder
        self.drives: list[Path] = []
        self.cards: dict[int, OfficeCard] = {}
        self.editing: "commune.Office | keys.PublicCard | None" = None
        title(self, _("Gửi cấp trên"), _("mỗi đơn vị nhận gói của các chương trình mình phụ trách; tệp được ký và "
                                         "mã hóa")).pack(fill="x")
        top = ttk.Frame(self)
        top.pack(fill="x", pady=(8, 4))
        ttk.Label(top, text=_("USB:")).pack(side="left")
        self.drive_box = ttk.Combobox(top, state="readonly", width=34)
        self.drive_box.pack(side="left", padx=(6, 6))
        ttk.Button(top, text=_("Tìm lại USB"), bootstyle="secondary-outline", command=self.refresh_drives).pack(
            side="left")
        self.full_var = ttk.BooleanVar(value=False)
        ttk.Checkbutton(top, text=_("Gửi lại toàn bộ (khi cấp trên mất dữ liệu)"), variable=self.full_var,
                        bootstyle="round-toggle").pack(side="left", padx=(16, 0))
        ttk.Button(top, text=_("Thêm đơn vị cấp trên (nhập tệp khóa)…"), bootstyle="secondary-outline",
                   command=self.load_upstream_key).pack(side="right")
        self.own_label = ttk.Label(self, bootstyle="secondary")
        self.own_label.pack(anchor="w")

        self.editor = ttk.Labelframe(self, padding=(12, 8))
        self.editor_label = ttk.Label(self.editor, wraplength=1000, justify="left")
        self.editor_label.pack(anchor="w")
        row = ttk.Frame(self.editor)
        row.pack(fill="x", pady=(6, 0))
        ttk.Label(row, text=_("Gửi cho đơn vị này:")).pack(side="left", padx=(0, 8))
        self.program_vars = {code: ttk.BooleanVar(value=False) for code in scope.PROGRAMS}
        for code, var in self.program_vars.items():
            ttk.Checkbutton(row, text=_(PROGRAM_LABELS[code]), variable=var).pack(side="left", padx=(0, 12))
        ttk.Button(row, text=_("Lưu"), bootstyle="primary", command=self.save_office).pack(side="left", padx=(8, 0))
        ttk.Button(row, text=_("Hủy"), bootstyle="secondary-link", command=self.close_editor).pack(side="left")

        self.cards_frame = ttk.Frame(self)
        self.cards_frame.pack(fill="x", pady=(6, 0))
        for column in range(CARDS_PER_ROW):
            self.cards_frame.columnconfigure(column, weight=1, uniform="card")
        self.warning = ttk.Label(self, bootstyle="danger", wraplength=1000, justify="left")

        self.tabs = ttk.Notebook(self)
        self.tabs.pack(fill="both", expand=True, pady=(8, 0))
        box = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(box, text=_("Các gói đã gửi"))
        frame, self.tree, _bar = scrolled_tree(box, {
            "office": (_("Đơn vị"), 180, "w"),
            "seq": (_("Gói số"), 60, "e"),
            "created": (_("Ngày tạo"), 140, "w"),
            "rows": (_("Số dòng"), 80, "e"),
            "size": (_("Dung lượng"), 100, "e"),
            "file": (_("Tệp"), 230, "w"),
            "ack": (_("Cấp trên xác nhận"), 210, "w"),
        }, height=5)
        self.tree.column("office", stretch=False)
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
            "title": (_("Gói"), 170, "w"),
            "office": (_("Đơn vị gửi"), 170, "w"),
            "issued": (_("Ngày gửi"), 90, "w"),
            "content": (_("Nội dung"), 300, "w"),
            "status": (_("Tình trạng"), 260, "w"),
        }, height=3)
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
        if info["fingerprint"]:
            self.own_label.configure(text=_("Dấu vân tay của xã (đọc cho cấp trên khi họ gọi xác nhận): {fp}").format(
                fp=info["fingerprint"]))
        else:
            self.own_label.configure(text=_("Khóa của xã sẽ được tạo khi gửi gói đầu tiên."))
        self._show_cards(info)
        self.tree.delete(*self.tree.get_children())
        for p in commune.sent_packages(self.shell.db):
            ack = _("chưa") if not p["acked_at"] else _("{when} ({how})").format(
                when=_when(p["acked_at"]), how=_("tệp") if p["ack_source"] == "file" else _("mã điện thoại"))
            self.tree.insert("", "end", iid=p["id"], values=(
                p["office"], p["seq"], _when(p["created_at"]), fmt_count(p["rows"]), _size(p["size"]),
                p["file_name"], ack))
        self.down_tree.delete(*self.down_tree.get_children())
        for d in commune.down_packages(self.shell.db):
            status = {"received": _("chờ xử lý"), "accepted": _("đã nhận {when}"),
                      "rejected": _("đã từ chối {when}: {reason}")}[d["status"]].format(
                when=_when(d["decided_at"] or ""), reason=d["reason"])
            self.down_tree.insert("", "end", iid=d["id"], values=(
                d["title"], d["office"] or "", fmt_date(d["issued_at"]),
                "; ".join(commune.describe_items(d["kind"], d["items"])), status))

    def _show_cards(self, info: dict) -> None:
        states = {o["id"]: o for o in info["offices"]}
        found = commune.offices(self.shell.db)
        if [c.office for c in self.cards.values()] != found:
            for card in self.cards.values():
                card.destroy()
            self.cards = {}
            for i, office in enumerate(found):
                card = OfficeCard(self.cards_frame, self, office)
                card.grid(row=i // CARDS_PER_ROW, column=i % CARDS_PER_ROW, sticky="nsew", padx=(0, 8), pady=(0, 8))
                self.cards[office.id] = card
        for office_id, card in self.cards.items():
            card.show(states[office_id])
        if not self.cards:
            self.warning.configure(text=_("Chưa có khóa của đơn vị cấp trên nào. Hãy nhập tệp khóa mỗi đơn vị gửi "
                                          "(Sở Y tế, Sở Nội vụ), qua USB hoặc e-mail."))
        elif info["unassigned"]:
            self.warning.configure(text=_("Chưa có đơn vị nào nhận {programs}: dữ liệu các chương trình này chưa "
                                          "được gửi đi. Hãy thêm đơn vị đó, hoặc đổi chương trình của một đơn vị."
                                          ).format(programs=_programs(info["unassigned"])))
        else:
            self.warning.pack_forget()
            return
        self.warning.pack(anchor="w", pady=(0, 4), before=self.tabs)

    def refresh_drives(self) -> None:
        self.drives = self.find_drives()
        self.drive_box.configure(values=[str(d) for d in self.drives])
        if self.drives:
            self.drive_box.current(0)
        else:
            self.drive_box.set(_("(không thấy USB nào — cắm USB rồi bấm Tìm lại)"))

    # -- sending -------------------------------------------------------------------------------
    def _send(self, office: "commune.Office", folder: Path, done_message) -> None:
        full = self.full_var.get()
        outbox = commune.outbox_dir(self.shell.db_path)
        clock, user = self.shell.ctx.clock, self.shell.ctx.user

        def work(db, progress):
            progress(0, 2, _("Đang tạo gói…"))
            pkg = commune.build(Context(db, clock=clock, user=user), office, full=full)
            progress(1, 2, _("Đang chép và kiểm tra lại…"))
            return pkg, media.copy_verified(commune.save(pkg, outbox), folder)

        def finished(result) -> None:
            pkg, copied = result
            self.refresh()
            self.shell.dialogs.info(done_message(pkg, copied))

        self.shell.run_task(work, on_done=finished)

    def send_to_drive(self, office: "commune.Office") -> None:
        chosen = self.drive_box.current()
        if chosen < 0 or chosen >= len(self.drives):
            raise UserError(_("Chưa thấy USB. Cắm USB rồi bấm “Tìm lại USB”."))
        self._send(office, self.drives[chosen], lambda pkg, copied: _(
            "Đã ghi gói số {seq} cho {office} ({size}) ra {where} và đọc lại đúng.\nCó thể rút USB an toàn.").format(
                seq=pkg.seq, office=office.name, size=_size(pkg.size), where=copied[0].parent))

    def save_for_email(self, office: "commune.Office") -> None:
        path = self.shell.dialogs.ask_save_file(_("Lưu gói gửi {office} qua e-mail").format(office=office.name),
                                                commune.next_file_name(self._ctx(), office), PACKAGE_TYPES)
        if not path:
            return
        self._send(office, Path(path).parent, lambda pkg, copied: _(
            "Gói số {seq} cho {office} đã sẵn sàng đính kèm e-mail:\n{files}\nDung lượng: {size}.").format(
                seq=pkg.seq, office=office.name, files="\n".join(str(p) for p in copied), size=_size(pkg.size)))

    # -- offices -------------------------------------------------------------------------------
    def load_upstream_key(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn tệp khóa công khai của đơn vị cấp trên"), KEY_TYPES)
        if not path:
            return
        card = keys.parse_card(reader.read_file(path, keys.MAX_CARD, "khóa công khai"))
        known = [o for o in commune.offices(self.shell.db) if o.fingerprint == card.fingerprint]
        guessed = known[0].programs if known else scope.programs_of_office(card.name)
        self._open_editor(card, _("Khóa của {name}, dấu vân tay {fp}. Hãy gọi điện cho đơn vị đối chiếu dấu vân tay "
                                  "này, rồi chọn các chương trình xã gửi cho đơn vị.").format(
            name=card.name, fp=card.fingerprint), guessed or ([] if commune.offices(self.shell.db) else scope.PROGRAMS))

    def edit_programs(self, office: "commune.Office") -> None:
        self._open_editor(office, _("Các chương trình gửi cho {name}. Đổi chương trình thì gói sau cho đơn vị "
                                    "gửi toàn bộ.").format(name=office.name), office.programs)

    def _open_editor(self, target, text: str, programs) -> None:
        self.editing = target
        self.editor.configure(text=target.name)
        self.editor_label.configure(text=text)
        for code, var in self.program_vars.items():
            var.set(code in programs)
        self.editor.pack(fill="x", pady=(6, 0), before=self.cards_frame)

    def close_editor(self) -> None:
        self.editing = None
        self.editor.pack_forget()

    def save_office(self) -> None:
        chosen = tuple(code for code, var in self.program_vars.items() if var.get())
        if not chosen:
            raise UserError(_("Chọn ít nhất một chương trình gửi cho đơn vị này."))
        card = self.editing.card if isinstance(self.editing, commune.Office) else self.editing
        office = commune.set_upstream(self._ctx(), card, chosen)
        self.close_editor()
        self.refresh()
        self.shell.publish("settings_changed", None)
        self.shell.dialogs.info(_("Đã ghi {name}: gửi {programs}.\nDấu vân tay: {fp}\nHãy gọi điện cho đơn vị để "
                                  "đối chiếu dấu vân tay này trước khi gửi gói.").format(
            name=office.name, programs=_programs(office.programs), fp=office.fingerprint))

    # -- what the offices send down ------------------------------------------------------------
    def open_down(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn gói cấp trên gửi xuống"), PACKAGE_TYPES)
        if not path:
            return
        pkg = commune.read_down(self._ctx(), reader.read_file(path, reader.MAX_PACKAGE, "gói đồng bộ"))
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
        self.shell.dialogs.info(_("Đã từ chối “{title}”; lý do sẽ gửi lên {office} cùng gói sau.").format(
            title=pkg.title, office=pkg.office))

    # -- receipts ------------------------------------------------------------------------------
    def load_receipt(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn tệp biên nhận của cấp trên"), RECEIPT_TYPES)
        if not path:
            return
        self._recorded(commune.record_ack_file(self._ctx(), reader.read_file(path, receipts.MAX_ACK, "biên nhận")))

    def record_code(self, card: OfficeCard) -> None:
        code = card.code_entry.get().strip()
        if not code:
            raise UserError(_("Hãy gõ mã biên nhận cấp trên đọc qua điện thoại, ví dụ 7-48213-K3QF."))
        self._recorded(commune.record_ack_code(self._ctx(), code, card.office))
        card.code_entry.delete(0, "end")

    def _recorded(self, done: dict) -> None:
        self.refresh()
        self.shell.dialogs.info(_("{office} đã nhận gói số {seq}. Các gói sau cho đơn vị này chỉ gửi những thay đổi "
                                  "mới.").format(office=done["office"], seq=done["seq"]))
