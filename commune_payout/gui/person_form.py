"""One person's record: add or edit, status with a date, account, authorised receiver, history.

Everything is saved through :mod:`commune_payout.register` in one go; when the service
refuses, each problem is shown beside its field (and the tab holding the first one is shown).
Enter saves, Esc cancels (after asking, if something was typed).
"""

import datetime as dt
import re

import ttkbootstrap as ttk

from commune_payout import decisions, grievances, register
from commune_payout.banks import BANKS, BY_BIN
from commune_payout.errors import ValidationError
from commune_payout.gui.dialogs import place_over
from commune_payout.gui.widgets import Choice, FieldGrid, fmt_date, scrolled_tree
from commune_payout.i18n import _
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, CATEGORIES, PROGRAM_LABELS, UNRECOGNISED, coefficient_text

# Where the service's field names are shown when it reports a problem.
FIELD_ALIASES = {"birth_year": "birth", "birth_date": "birth"}
DATE_FIELDS = ("status_date", "police_verified_on")
CODED_FIELDS = {"status": register.STATUSES, "account_status": register.ACCOUNT_STATUSES,
                "channel": register.CHANNELS, "gender": register.GENDERS}


class PersonForm(ttk.Toplevel):
    """The record of one person (``bid``) or a new one (``bid=None``)."""

    _open: dict = {}

    @classmethod
    def open(cls, shell, bid: str | None, prefill: dict | None = None) -> "PersonForm":
        """Show the form for ``bid``, raising the one already open for that person; a new
        person's form may start from ``prefill`` (register field names, e.g. from an ID card)."""
        existing = cls._open.get(bid) if bid else None
        if existing is not None and existing.winfo_exists():
            existing.lift()
            existing.focus_set()
            return existing
        form = cls(shell, bid, prefill)
        if bid:
            cls._open[bid] = form
        return form

    def __init__(self, shell, bid: str | None, prefill: dict | None = None):
        self.shell = shell
        self.bid = bid
        self.prefill = prefill or {}
        self.person = register.get(shell.db, bid) if bid else None
        name = self.person["full_name"] if self.person else _("Người hưởng mới")
        super().__init__(title=name, transient=shell.root)
        place_over(self, shell.root, (860, 620), minsize=(760, 540))
        self.memberships = [dict(m) for m in (self.person or {}).get("memberships", [])]
        self._build()
        self._load()
        self.snapshot = self.values()
        self.bind("<Return>", self._on_return)
        self.bind("<KP_Enter>", self._on_return)
        self.bind("<Escape>", lambda e: self.cancel())
        self.protocol("WM_DELETE_WINDOW", self.cancel)
        self.grids["personal"].inputs["full_name"].focus_set()

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        outer = ttk.Frame(self, padding=12)
        outer.pack(fill="both", expand=True)
        buttons = ttk.Frame(outer)
        buttons.pack(side="bottom", fill="x", pady=(10, 0))
        self.message = ttk.Label(buttons, bootstyle="danger", wraplength=480)
        self.message.pack(side="left")
        ttk.Button(buttons, text=_("Hủy (Esc)"), bootstyle="secondary", command=self.cancel).pack(side="right")
        self.save_button = ttk.Button(buttons, text=_("Lưu (Enter)"), bootstyle="primary", command=self.save)
        self.save_button.pack(side="right", padx=(0, 8))

        self.tabs = ttk.Notebook(outer)
        self.tabs.pack(fill="both", expand=True)
        self.grids: dict[str, FieldGrid] = {}
        self._personal_tab()
        self._benefit_tab()
        self._account_tab()
        if self.bid:
            self._history_tab()
            self._grievances_tab()

    def _tab(self, key: str, text: str, label_width: int = 22) -> FieldGrid:
        grid = FieldGrid(self.tabs, label_width=label_width, padding=12)
        self.tabs.add(grid, text=text)
        self.grids[key] = grid
        return grid

    def _personal_tab(self) -> None:
        g = self._tab("personal", _("Thông tin cá nhân"))
        g.add("full_name", _("Họ và tên *"), ttk.Entry)
        g.add("birth", _("Ngày sinh"), ttk.Entry, _("ngày/tháng/năm, hoặc chỉ năm sinh"))
        g.add("gender", _("Giới tính"), lambda p: Choice(p, register.GENDERS, blank=""))
        g.add("id_number", _("Số định danh (CCCD)"), ttk.Entry, _("12 chữ số"))
        g.add("old_id_number", _("Số CMND cũ"), ttk.Entry, _("9 chữ số, nếu còn dùng"))
        g.add("village", _("Thôn/xóm"), lambda p: ttk.Combobox(p, values=register.villages(self.shell.db)))
        g.add("address", _("Địa chỉ"), ttk.Entry)
        g.add("phone", _("Điện thoại"), ttk.Entry)
        g.add("police_verified_on", _("Ngày công an xác minh"), ttk.Entry, _("ngày/tháng/năm"))
        g.add("notes", _("Ghi chú"), ttk.Entry)

    def _benefit_tab(self) -> None:
        g = self._tab("benefit", _("Diện hưởng và trạng thái"))
        frame, self.ms_tree, _bar = scrolled_tree(g, {
            "category": (_("Diện hưởng"), 380, "w"),
            "coefficient": (_("Hệ số"), 70, "center"),
            "amount": (_("Số tiền riêng"), 120, "e"),
        }, height=4)
        g.add_widget(ttk.Label(g, text=_("Diện hưởng"), font=("TkDefaultFont", 10, "bold")), pady=(0, 2))
        g.add_widget(frame, pady=(0, 4))
        adder = ttk.Frame(g)
        # "Diện chưa xác định" only holds a list's words until an officer picks a group: not offered here.
        self.ms_category = Choice(adder, {c.code: c.label for c in CATEGORIES if c.code != UNRECOGNISED}, width=40)
        self.ms_category.pack(side="left")
        ttk.Label(adder, text=_("Hệ số")).pack(side="left", padx=(8, 2))
        self.ms_coefficient = ttk.Entry(adder, width=6)
        self.ms_coefficient.pack(side="left")
        ttk.Label(adder, text=_("Số tiền")).pack(side="left", padx=(8, 2))
        self.ms_amount = ttk.Entry(adder, width=11)
        self.ms_amount.pack(side="left")
        g.add_widget(adder, pady=(0, 4))
        actions = ttk.Frame(g)
        ttk.Button(actions, text=_("Thêm diện"), bootstyle="secondary-outline",
                   command=self.add_membership).pack(side="left")
        ttk.Button(actions, text=_("Bỏ diện đã chọn"), bootstyle="secondary-outline",
                   command=self.remove_membership).pack(side="left", padx=(6, 0))
        g.add_widget(actions, pady=(0, 2))
        self.ms_error = ttk.Label(g, bootstyle="danger")
        g.add_widget(self.ms_error, pady=(0, 6))
        self.amount_label = ttk.Label(g, font=("TkDefaultFont", 10, "bold"))
        g.add_widget(self.amount_label, pady=(0, 8))
        g.add("monthly_amount", _("Mức hưởng riêng (đ)"), ttk.Entry,
              _("để trống nếu tính theo diện hưởng"))
        g.add_widget(ttk.Separator(g))
        status = g.add("status", _("Trạng thái"), lambda p: Choice(p, register.STATUSES))
        status.bind("<<ComboboxSelected>>", lambda e: self._status_changed())
        g.add("status_date", _("Ngày của trạng thái"), ttk.Entry, _("ngày/tháng/năm"))
        g.add("status_reason", _("Lý do"), ttk.Entry)

    def _account_tab(self) -> None:
        g = self._tab("account", _("Tài khoản và người nhận thay"), label_width=27)
        g.add("channel", _("Hình thức nhận"), lambda p: Choice(p, register.CHANNELS))
        g.add("account_status", _("Tình trạng tài khoản"), lambda p: Choice(p, register.ACCOUNT_STATUSES))
        g.add("account_status_reason", _("Lý do (nếu không mở được)"), ttk.Entry)
        g.add("bank_bin", _("Ngân hàng / ví"),
              lambda p: Choice(p, {b.bin: f"{b.short_name} — {b.full_name}" for b in BANKS}, blank=""))
        g.add("account_number", _("Số tài khoản"), ttk.Entry, _("6 đến 19 chữ số"))
        g.add("account_holder", _("Chủ tài khoản"), ttk.Entry, _("như in trên thẻ, không dấu cũng được"))
        g.add_widget(ttk.Separator(g))
        g.add_widget(ttk.Label(g, text=_("Người nhận thay (được ủy quyền)"), font=("TkDefaultFont", 10, "bold")))
        g.add("receiver_name", _("Họ và tên người nhận thay"), ttk.Entry)
        g.add("receiver_id_number", _("Số định danh người nhận thay"), ttk.Entry)
        g.add("receiver_relation", _("Quan hệ với người hưởng"), ttk.Entry, _("con, vợ, chồng, cháu…"))

    def _history_tab(self) -> None:
        frame = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(frame, text=_("Lịch sử thay đổi"))
        tree_frame, tree, _bar = scrolled_tree(frame, {
            "when": (_("Thời gian"), 135, "w"),
            "who": (_("Người sửa"), 120, "w"),
            "field": (_("Thông tin"), 140, "w"),
            "old": (_("Giá trị cũ"), 130, "w"),
            "new": (_("Giá trị mới"), 150, "w"),
            "basis": (_("Căn cứ"), 190, "w"),
        }, height=14)
        tree_frame.pack(fill="both", expand=True)
        for i, h in enumerate(register.history(self.shell.db, self.bid)):
            when = dt.datetime.fromisoformat(h["changed_at"]).strftime("%d/%m/%Y %H:%M")
            field = _("Tạo hồ sơ") if h["field"] == "created" else _(register.FIELD_LABELS.get(h["field"], h["field"]))
            tree.insert("", "end", iid=str(i), values=(when, h["changed_by"], field,
                                                       self._history_value(h["field"], h["old_value"]),
                                                       self._history_value(h["field"], h["new_value"]),
                                                       decisions.history_basis(h)))
        self.history_tree = tree

    def _grievances_tab(self) -> None:
        """The person's complaints, the open ones first; a new one, or one opened, on its page."""
        frame = ttk.Frame(self.tabs, padding=8)
        tickets = grievances.list_grievances(self.shell.db, self.shell.ctx.clock.today(), beneficiary_id=self.bid)
        self.tabs.add(frame, text=_("Khiếu nại ({n})").format(n=len(tickets)))
        bar = ttk.Frame(frame)
        bar.pack(side="bottom", fill="x", pady=(6, 0))
        ttk.Button(bar, text=_("Khiếu nại mới…"), bootstyle="secondary",
                   command=lambda: self.shell.run_command("new_grievance", self.bid)).pack(side="left")
        ttk.Button(bar, text=_("Mở phiếu"), bootstyle="secondary-outline", command=self._open_grievance).pack(
            side="left", padx=8)
        tree_frame, tree, _bar = scrolled_tree(frame, {
            "number": (_("Số phiếu"), 80, "w"), "received": (_("Tiếp nhận"), 95, "center"),
            "kind": (_("Loại"), 210, "w"), "state": (_("Trạng thái"), 130, "w"), "due": (_("Hạn trả lời"), 95, "center"),
            "resolution": (_("Kết quả giải quyết"), 230, "w")}, height=12)
        tree.column("resolution", stretch=True)
        tree.column("number", stretch=False)
        tree_frame.pack(fill="both", expand=True)
        tree.tag_configure("overdue", foreground=ttk.Style().colors.danger)
        for t in tickets:
            tree.insert("", "end", iid=t["id"], tags=("overdue",) if t["overdue"] else (), values=(
                t["number_text"], fmt_date(t["received_on"]), _(grievances.KINDS[t["kind"]]),
                _(grievances.STATES[t["state"]]) + (_(" (quá hạn)") if t["overdue"] else ""), fmt_date(t["due_on"]),
                t["resolution"].replace("\n", " · ")))
        tree.bind("<Double-1>", lambda e: self._open_grievance())
        tree.bind("<Return>", lambda e: self._open_grievance())
        self.grievance_tree = tree

    def _open_grievance(self) -> None:
        selected = self.grievance_tree.selection()
        if selected:
            self.shell.run_command("open_grievance", selected[0])

    @staticmethod
    def _history_value(field: str, value) -> str:
        if value is None:
            return ""
        labels = CODED_FIELDS.get(field, {})
        if value in labels:
            return _(labels[value])
        if field == "bank_bin" and value in BY_BIN:
            return BY_BIN[value].short_name
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return fmt_date(value)
        return value

    # -- values ----------------------------------------------------------------------------
    def _inputs(self) -> dict:
        out = {}
        for grid in self.grids.values():
            out.update(grid.inputs)
        return out

    def _load(self) -> None:
        p = self.person or {"status": "active", "channel": "cash_commune", "account_status": "needs_account",
                            **self.prefill}
        for key, widget in self._inputs().items():
            if isinstance(widget, Choice):
                widget.set_code(p.get(key))
            elif key == "birth":
                widget.insert(0, fmt_date(p["birth_date"]) if p.get("birth_date") else str(p.get("birth_year") or ""))
            elif key in DATE_FIELDS:
                widget.insert(0, fmt_date(p.get(key)))
            elif key == "monthly_amount":
                widget.insert(0, format_vnd(p.get(key), unit=False))
            else:
                widget.insert(0, p.get(key) or "")
        self._show_memberships()

    def values(self) -> dict:
        """The form as the register service expects it (dates and amounts still as typed)."""
        data = {}
        for key, widget in self._inputs().items():
            data[key] = widget.code() if isinstance(widget, Choice) else widget.get().strip()
        birth = data.pop("birth")
        if re.fullmatch(r"\d{4}", birth):
            data["birth_date"], data["birth_year"] = None, birth
        elif not birth:
            data["birth_date"], data["birth_year"] = None, None
        else:
            data["birth_date"] = birth
            try:
                data["birth_year"] = dt.datetime.strptime(birth, "%d/%m/%Y").year
            except ValueError:
                data["birth_year"] = None
        data["memberships"] = [dict(m) for m in self.memberships]
        return data

    def _show_memberships(self) -> None:
        self.ms_tree.delete(*self.ms_tree.get_children())
        for i, m in enumerate(self.memberships):
            cat = BY_CODE.get(m["category"])
            label = f"{_(PROGRAM_LABELS[cat.program])}: {_(cat.label)}" if cat else m["category"]
            self.ms_tree.insert("", "end", iid=str(i), values=(
                label, coefficient_text(m["coefficient"]) if m.get("coefficient") else "",
                format_vnd(m.get("amount"))))
        if self.person:
            amount = register.amount_of(self.shell.db, {**self.person, "memberships": self.memberships},
                                        self.shell.ctx.clock.today())
            self.amount_label.configure(text=_("Mức hưởng hằng tháng hiện nay: {amount}").format(
                amount=format_vnd(amount)))

    def add_membership(self) -> None:
        cat = BY_CODE[self.ms_category.code()]
        typed = {"program": cat.program, "category": cat.code, "coefficient": self.ms_coefficient.get(),
                 "amount": self.ms_amount.get()}
        try:
            membership = register.clean_membership(typed)
        except ValidationError as exc:
            self.ms_error.configure(text="⚠ " + exc.problems["memberships"])
            return
        if membership["coefficient"] is None and membership["amount"] is None and cat.program == "btxh":
            membership["coefficient"] = cat.coefficient
        self.memberships.append(membership)
        self.ms_error.configure(text="")
        self.ms_coefficient.delete(0, "end")
        self.ms_amount.delete(0, "end")
        self._show_memberships()

    def remove_membership(self) -> None:
        selected = self.ms_tree.selection()
        if selected:
            del self.memberships[int(selected[0])]
            self._show_memberships()

    def _status_changed(self) -> None:
        date = self.grids["benefit"].inputs["status_date"]
        status = self.grids["benefit"].inputs["status"].code()
        if status != (self.person or {}).get("status", "active") and not date.get().strip():
            date.insert(0, self.shell.ctx.clock.today().strftime("%d/%m/%Y"))

    # -- saving ----------------------------------------------------------------------------
    def _on_return(self, event):
        kind = event.widget.winfo_class()
        if kind == "TButton":
            event.widget.invoke()
        elif kind != "Treeview":
            self.save()
        return "break"

    def save(self) -> bool:
        """Write the form through the register service; show problems beside their fields."""
        data = self.values()
        memberships = data.pop("memberships")
        try:
            if self.bid:
                register.update(self.shell.ctx, self.bid, data, memberships=memberships, source="gui")
            else:
                self.bid = register.create(self.shell.ctx, data, memberships, source="gui")
        except ValidationError as exc:
            self.show_problems(exc.problems)
            return False
        self.shell.publish("register_changed", self.bid)
        self.destroy()
        return True

    def show_problems(self, problems: dict[str, str]) -> None:
        problems = {FIELD_ALIASES.get(k, k): v for k, v in problems.items()}
        first_tab = None
        for index, grid in enumerate(self.grids.values()):
            shown = grid.show_errors(problems)
            if shown and first_tab is None:
                first_tab = index
                grid.inputs[shown[0]].focus_set()
        if "memberships" in problems:
            self.ms_error.configure(text="⚠ " + problems["memberships"])
            first_tab = 1 if first_tab is None else first_tab
        self.message.configure(text=_("Chưa lưu: có {n} chỗ cần sửa (ghi màu đỏ bên cạnh ô).").format(
            n=len(problems)))
        if first_tab is not None:
            self.tabs.select(first_tab)

    def cancel(self) -> None:
        if self.values() != self.snapshot and not self.shell.dialogs.ask_yes_no(
                _("Bỏ những gì vừa nhập và đóng hồ sơ?"), _("Đóng hồ sơ")):
            return
        self.destroy()

    def destroy(self) -> None:
        """Close the window, however it is closed, and forget it as the open form of its person."""
        if PersonForm._open.get(self.bid) is self:
            del PersonForm._open[self.bid]
        super().destroy()
