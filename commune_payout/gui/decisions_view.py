"""Applications and the chairman's decisions in the window: the files with their due dates (the
overdue ones in red), the population-data check, drafting a decision from the chosen files,
printing it, applying it once signed; the deaths that call for funeral support.

Every action calls :mod:`commune_payout.decisions` (and :mod:`commune_payout.documents.decision`
to print). Keyboard: Ctrl+N a new file; in a list, Enter opens the main action of the tab.
"""

import datetime as dt
from pathlib import Path

from tkinter import font as tkfont

import ttkbootstrap as ttk

from commune_payout import decisions, printing, register, settings
from commune_payout.errors import UserError, ValidationError
from commune_payout.gui.dialogs import place_over
from commune_payout.gui.widgets import Choice, FieldGrid, fmt_count, fmt_date, row_detail, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.programs import BY_CODE

PDF_TYPES = [(_("Tệp PDF"), "*.pdf")]
SOON = 2                    # working days left from which a file is shown as nearly due
CHECKS_SHORT = {"match": "khớp", "mismatch": "có sai khác", "not_found": "không thấy"}


def register_gui(shell) -> None:
    shell.add_section("decisions", _("Hồ sơ và quyết định"), DecisionsView, order=32, shortcuts={
        "<Control-n>": lambda view: view.new_application(),
    })


def _groups() -> dict:
    return {c.code: c.label for c in BY_CODE.values()}


def _date(text: str, field: str, problems: dict) -> dt.date | None:
    try:
        return decisions.parse_day(text)
    except ValueError:
        problems[field] = _("Ngày dạng ngày/tháng/năm, ví dụ 20/10/2026")
        return None


class PersonPicker(ttk.Frame):
    """A search box over the register and the people it finds; ``chosen`` is the picked person."""

    def __init__(self, master, shell, on_pick=None):
        super().__init__(master)
        self.shell = shell
        self.on_pick = on_pick
        self.chosen: dict | None = None
        self.var = ttk.StringVar()
        self.entry = ttk.Entry(self, textvariable=self.var)
        self.entry.pack(fill="x")
        frame, self.tree, _bar = scrolled_tree(self, {
            "name": (_("Họ và tên"), 190, "w"), "born": (_("Năm sinh"), 70, "center"),
            "id_number": (_("Số định danh"), 120, "w"), "village": (_("Thôn"), 110, "w")}, height=4)
        frame.pack(fill="x", pady=(2, 0))
        self.var.trace_add("write", lambda *a: self.after_idle(self.search))
        self.entry.bind("<Down>", lambda e: self._into_list())
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._pick())

    def search(self) -> None:
        """Show who the typed text finds; the chosen person stays chosen while they are among them."""
        text = self.var.get()
        kept = self.chosen["id"] if self.chosen else None
        self.tree.delete(*self.tree.get_children())
        found = register.search(self.shell.db, text, limit=20) if len(text.strip()) >= 2 else []
        if kept and text.strip() in (self.chosen["full_name"], self.chosen["id_number"]) and \
                kept not in {row["id"] for row in found}:
            found.insert(0, self.chosen)
        for row in found:
            self.tree.insert("", "end", iid=row["id"], values=(
                row["full_name"], row["birth_year"] or "", row["id_number"] or "", row["village"]))
        if kept and self.tree.exists(kept):
            self.tree.selection_set(kept)

    def _into_list(self) -> str:
        children = self.tree.get_children()
        if children:
            self.tree.focus_set()
            self.tree.selection_set(children[0])
            self.tree.focus(children[0])
        return "break"

    def _pick(self) -> None:
        selected = self.tree.selection()
        chosen = register.get(self.shell.db, selected[0]) if selected else None
        if (chosen or {}).get("id") != (self.chosen or {}).get("id"):
            self.chosen = chosen
            if self.on_pick:
                self.on_pick(chosen)

    def pick(self, bid: str) -> None:
        """Choose ``bid`` as if found and selected."""
        self.chosen = register.get(self.shell.db, bid)
        self.var.set(self.chosen["id_number"] or self.chosen["full_name"])
        self.search()
        if self.on_pick:
            self.on_pick(self.chosen)


class FormWindow(ttk.Toplevel):
    """A dialog with a row of buttons at the foot: Enter saves, Esc closes."""

    def __init__(self, shell, title_text: str, size: tuple[int, int], save_text: str):
        super().__init__(title=title_text, transient=shell.root)
        place_over(self, shell.root, size, minsize=(size[0] - 80, size[1] - 80))
        self.shell = shell
        outer = ttk.Frame(self, padding=12)
        outer.pack(fill="both", expand=True)
        buttons = ttk.Frame(outer)
        buttons.pack(side="bottom", fill="x", pady=(10, 0))
        self.message = ttk.Label(buttons, bootstyle="danger", wraplength=560, justify="left")
        self.message.pack(side="left")
        ttk.Button(buttons, text=_("Đóng (Esc)"), bootstyle="secondary", command=self.destroy).pack(side="right")
        self.save_button = ttk.Button(buttons, text=save_text, bootstyle="primary", command=self.save)
        self.save_button.pack(side="right", padx=(0, 8))
        self.body = ttk.Frame(outer)
        self.body.pack(fill="both", expand=True)
        self.bind("<Return>", self._on_return)
        self.bind("<KP_Enter>", self._on_return)
        self.bind("<Escape>", lambda e: self.destroy())

    def _on_return(self, event) -> None:
        if event.widget.winfo_class() not in ("TButton", "Treeview"):
            self.save()

    def person_panes(self) -> tuple[ttk.Frame, ttk.Frame]:
        """Two panes: the person at the left, under "Người hưởng", and what is asked at the right."""
        left = ttk.Frame(self.body, width=440)
        left.pack(side="left", fill="y")
        left.pack_propagate(False)
        right = ttk.Frame(self.body, padding=(16, 0, 0, 0))
        right.pack(side="left", fill="both", expand=True)
        ttk.Label(left, text=_("Người hưởng"), font=("TkDefaultFont", 11, "bold")).pack(anchor="w")
        return left, right

    def show_problems(self, grids: list[FieldGrid], exc: ValidationError) -> None:
        shown = set()
        for grid in grids:
            shown |= set(grid.show_errors(exc.problems))
        rest = [m for k, m in exc.problems.items() if k not in shown]
        self.message.configure(text="\n".join([str(exc)] + rest))

    def save(self) -> None:
        raise NotImplementedError


class ApplicationForm(FormWindow):
    """A new application: who (in the register, or new), what is asked, the day the file was complete."""

    NEW_FIELDS = ("full_name", "birth", "gender", "id_number", "village")
    FIELDS_BY_REQUEST = {
        "grant": ("category", "coefficient", "amount", "children"),
        "change": ("from_category", "category", "coefficient", "amount", "children"),
        "stop": ("details",),
        "funeral": ("receiver_name", "receiver_id_number", "receiver_relation", "died_on"),
    }

    def __init__(self, shell, on_saved, request: str = "grant", bid: str | None = None):
        super().__init__(shell, _("Hồ sơ đề nghị mới"), (1140, 600), _("Lưu hồ sơ (Enter)"))
        self.on_saved = on_saved
        left, right = self.person_panes()
        self.new_var = ttk.BooleanVar(value=False)
        self.picker = PersonPicker(left, shell, on_pick=lambda p: self._person_changed())
        self.picker.pack(fill="x", pady=(4, 4))
        ttk.Checkbutton(left, text=_("Người mới, chưa có trong sổ (chỉ với hồ sơ hưởng mới)"), variable=self.new_var,
                        command=self._update).pack(anchor="w")
        self.who = FieldGrid(left, label_width=13)
        self.who.pack(fill="x", pady=(4, 0))
        self.vars = {key: ttk.StringVar() for key in ("full_name", "birth", "id_number", "village", "coefficient",
                                                      "amount", "children", "details", "receiver_name",
                                                      "receiver_id_number", "receiver_relation", "died_on",
                                                      "completed_on")}
        entry = lambda key: (lambda p: ttk.Entry(p, textvariable=self.vars[key]))
        self.who.add("full_name", _("Họ và tên"), entry("full_name"))
        self.who.add("birth", _("Ngày/năm sinh"), entry("birth"), _("dd/mm/yyyy hoặc năm"))
        self.gender = self.who.add("gender", _("Giới tính"), lambda p: Choice(p, register.GENDERS, blank=""))
        self.who.add("id_number", _("Số định danh"), entry("id_number"))
        self.who.add("village", _("Thôn/xóm"), entry("village"))

        self.what = FieldGrid(right, label_width=21)
        self.what.pack(fill="x")
        self.request = self.what.add("request", _("Đề nghị"), lambda p: Choice(p, decisions.REQUESTS, width=44))
        self.request.set_code(request)
        self.request.bind("<<ComboboxSelected>>", lambda e: self._update(), add="+")
        self.what.add("completed_on", _("Ngày nhận đủ hồ sơ"), entry("completed_on"), _("hạn: 10 ngày làm việc"))
        self.from_category = self.what.add("from_category", _("Diện đang hưởng"), lambda p: Choice(p, {}, width=44))
        self.category = self.what.add("category", _("Diện đề nghị"),
                                      lambda p: Choice(p, _groups(), blank="", width=44))
        self.what.add("coefficient", _("Hệ số (nếu hồ sơ ghi)"), entry("coefficient"))
        self.what.add("amount", _("Số tiền (người có công)"), entry("amount"))
        self.what.add("children", _("Số con (đơn thân)"), entry("children"))
        self.what.add("details", _("Nội dung, lý do"), entry("details"))
        self.what.add("receiver_name", _("Người lo mai táng"), entry("receiver_name"))
        self.what.add("receiver_id_number", _("Số định danh người đó"), entry("receiver_id_number"))
        self.what.add("receiver_relation", _("Quan hệ với người mất"), entry("receiver_relation"))
        self.what.add("died_on", _("Ngày mất"), entry("died_on"))
        self.vars["completed_on"].set(shell.ctx.clock.today().strftime("%d/%m/%Y"))
        if bid:
            self.picker.pick(bid)
        self._update()
        (self.picker.entry if not bid else self.request).focus_set()

    def _person_changed(self) -> None:
        person = self.picker.chosen
        held = {m["category"]: BY_CODE[m["category"]].label if m["category"] in BY_CODE else m["category"]
                for m in (person or {}).get("memberships", [])}
        self.from_category.set_options(held)
        self.from_category.set_code(next(iter(held), None))
        if person and person["status"] == "deceased" and person["status_date"]:
            self.vars["died_on"].set(fmt_date(person["status_date"]))

    def _update(self) -> None:
        request = self.request.code()
        if request != "grant":
            self.new_var.set(False)
        new = self.new_var.get()
        for key in self.NEW_FIELDS:
            self.who.inputs[key].configure(state="normal" if new else "disabled")
        self.picker.entry.configure(state="disabled" if new else "normal")
        wanted = self.FIELDS_BY_REQUEST[request]
        for key in ("from_category", "category", "coefficient", "amount", "children", "details", "receiver_name",
                    "receiver_id_number", "receiver_relation", "died_on"):
            widget = self.what.inputs[key]
            state = ("readonly" if key in ("from_category", "category") else "normal") if key in wanted else "disabled"
            widget.configure(state=state)

    def save(self) -> None:
        v = {key: var.get().strip() for key, var in self.vars.items()}
        request = self.request.code()
        wanted = self.FIELDS_BY_REQUEST[request]
        person = None
        if self.new_var.get():
            birth = {"birth_year": v["birth"]} if v["birth"].isdecimal() else {"birth_date": v["birth"]}
            person = {"full_name": v["full_name"], "gender": self.gender.code(), "id_number": v["id_number"],
                      "village": v["village"], **birth}
        problems: dict[str, str] = {}
        amount = None
        if "amount" in wanted and v["amount"]:
            try:
                amount = parse_vnd(v["amount"])
            except ValueError:
                problems["amount"] = _("Số tiền không hợp lệ")
        try:
            if problems:
                raise ValidationError(_("Hồ sơ chưa hợp lệ"), problems)
            app_id = decisions.add_application(
                self.shell.ctx, request, v["completed_on"],
                beneficiary_id=None if person else (self.picker.chosen or {}).get("id"), person=person,
                category=self.category.code() if "category" in wanted else None,
                coefficient=v["coefficient"] if "coefficient" in wanted else None, amount=amount,
                children=v["children"] if "children" in wanted else None,
                from_category=self.from_category.code() if "from_category" in wanted else None,
                details=v["details"] if "details" in wanted else "",
                receiver={"name": v["receiver_name"], "id_number": v["receiver_id_number"],
                          "relation": v["receiver_relation"]} if request == "funeral" else None,
                died_on=v["died_on"] or None if request == "funeral" else None)
        except ValidationError as exc:
            problems = dict(exc.problems)
            if "birth_date" in problems or "birth_year" in problems:
                problems["birth"] = problems.pop("birth_date", None) or problems.pop("birth_year")
            if "beneficiary_id" in problems:
                problems.setdefault("full_name", problems.pop("beneficiary_id"))
            self.show_problems([self.who, self.what], ValidationError(str(exc), problems))
            return
        self.destroy()
        self.on_saved(app_id)


class SmallForm(FormWindow):
    """A few fields and one action (the population check, withdrawing a file, closing a proposal)."""

    def __init__(self, shell, title_text: str, save_text: str, fields: list[tuple], action, done_text: str):
        super().__init__(shell, title_text, (640, 110 + 42 * len(fields)), save_text)
        self.action = action
        self.done_text = done_text
        self.grid_ = FieldGrid(self.body, label_width=22)
        self.grid_.pack(fill="x")
        self.inputs = {}
        for key, label, factory, default in fields:
            widget = self.grid_.add(key, label, factory)
            if default and isinstance(widget, ttk.Entry):
                widget.insert(0, default)
            self.inputs[key] = widget
        next(iter(self.inputs.values())).focus_set()

    def value(self, key: str) -> str:
        widget = self.inputs[key]
        return widget.code() if isinstance(widget, Choice) else widget.get().strip()

    def save(self) -> None:
        try:
            self.action(self)
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        self.destroy()
        self.shell.dialogs.info(self.done_text)


class DecisionForm(FormWindow):
    """A draft decision for the chosen applications: number, dates, signer."""

    def __init__(self, shell, app_ids: list[str], on_saved):
        super().__init__(shell, _("Lập dự thảo quyết định"), (880, 560), _("Lập dự thảo (Enter)"))
        self.app_ids = app_ids
        self.on_saved = on_saved
        today = shell.ctx.clock.today()
        people = [decisions.get_application(shell.db, a) for a in app_ids]
        self.grid_ = FieldGrid(self.body, label_width=22)
        self.grid_.pack(fill="x")
        self.vars = {key: ttk.StringVar() for key in ("number", "signed_on", "effective_month", "signer", "subject")}
        entry = lambda key, width=30: (lambda p: ttk.Entry(p, textvariable=self.vars[key], width=width))
        self.grid_.add("number", _("Số quyết định"), entry("number", 10),
                       _("số văn thư cấp; để trống: số tiếp theo ({n}/{symbol})").format(
                           n=decisions.next_number(shell.db, today.year), symbol=decisions.SYMBOL))
        self.grid_.add("signed_on", _("Ngày ký"), entry("signed_on", 14))
        self.grid_.add("effective_month", _("Hưởng/thôi từ tháng"), entry("effective_month", 10),
                       _("dạng NNNN-TT; tháng đã qua thì được truy lĩnh"))
        signers = settings.signers(shell.db)
        self.grid_.add("signer", _("Người ký"), entry("signer"))
        self.deputy = ttk.BooleanVar(value=signers["deputy"])
        self.grid_.add_widget(ttk.Checkbutton(self.grid_, text=_("Phó Chủ tịch ký thay (KT. CHỦ TỊCH)"),
                                              variable=self.deputy))
        self.grid_.add("subject", _("Trích yếu"), entry("subject", 60), _("để trống: theo nội dung"))
        self.vars["signed_on"].set(today.strftime("%d/%m/%Y"))
        self.vars["effective_month"].set(f"{today.year}-{today.month:02d}")
        self.vars["signer"].set(signers["chairman"])
        ttk.Label(self.body, text=_("Người trong quyết định ({n})").format(n=len(people)),
                  font=("TkDefaultFont", 10, "bold")).pack(anchor="w", pady=(10, 2))
        frame, tree, _bar = scrolled_tree(self.body, {
            "name": (_("Họ và tên"), 220, "w"), "request": (_("Đề nghị"), 200, "w"),
            "group": (_("Diện"), 320, "w")}, height=6)
        tree.column("group", stretch=True)
        frame.pack(fill="both", expand=True)
        for app in people:
            tree.insert("", "end", values=(app["full_name"], _(decisions.REQUESTS[app["request"]]),
                                           _(BY_CODE[app["category"]].label) if app["category"] in BY_CODE else
                                           app["receiver_name"]))
        self.grid_.inputs["number"].focus_set()

    def save(self) -> None:
        v = {key: var.get().strip() for key, var in self.vars.items()}
        problems: dict[str, str] = {}
        signed = _date(v["signed_on"], "signed_on", problems)
        number = None
        if v["number"]:
            parsed = decisions.model.parse_number(v["number"])
            if parsed is None:
                problems["number"] = _("Số quyết định là số, ví dụ 12")
            else:
                number = parsed[0]
        try:
            if problems:
                raise ValidationError(_("Quyết định chưa hợp lệ"), problems)
            did = decisions.create_decision(self.shell.ctx, decisions.DecisionSpec(
                signed_on=signed, effective_month=v["effective_month"], number=number, signer=v["signer"],
                deputy=self.deputy.get(), subject=v["subject"]), applications=self.app_ids)
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        self.destroy()
        self.on_saved(did)


class DecisionsView(ttk.Frame):
    """The three tabs; ``opener`` shows a printed PDF (tests replace it)."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.opener = printing.open_in_viewer
        self.applications: dict[str, dict] = {}
        self.decisions: dict[str, dict] = {}
        self.proposals: dict[str, dict] = {}
        self.task = None
        head = title(self, _("Hồ sơ và quyết định"), _("Chủ tịch UBND xã quyết định trong 10 ngày làm việc"))
        head.pack(fill="x")
        ttk.Button(head, text=_("Hồ sơ mới… (Ctrl+N)"), bootstyle="primary",
                   command=self.new_application).pack(side="right")
        self.summary = ttk.Label(self, bootstyle="secondary")
        self.summary.pack(anchor="w", pady=(8, 6))
        self.tabs = ttk.Notebook(self)
        self.tabs.pack(fill="both", expand=True)
        bold = tkfont.Font(self, **{**tkfont.nametofont("TkDefaultFont", root=self).actual(), "weight": "bold"})
        self._bold = bold
        self._build_applications()
        self._build_decisions()
        self._build_proposals()
        shell.subscribe("register_changed", lambda payload: self.refresh() if self.winfo_ismapped() else None)
        self.refresh()

    # -- tabs ------------------------------------------------------------------------------
    def _build_applications(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(tab, text=_("Hồ sơ"))
        bar = ttk.Frame(tab)
        bar.pack(side="bottom", fill="x", pady=(6, 0))
        ttk.Button(bar, text=_("Lập quyết định từ hồ sơ đã chọn… (Enter)"), bootstyle="primary",
                   command=self.draft_decision).pack(side="left")
        ttk.Button(bar, text=_("Ghi kết quả đối chiếu dân cư…"), bootstyle="secondary-outline",
                   command=self.record_check).pack(side="left", padx=8)
        ttk.Button(bar, text=_("Rút, trả hồ sơ…"), bootstyle="secondary-outline",
                   command=self.withdraw).pack(side="left")
        self.open_only = ttk.BooleanVar(value=True)
        ttk.Checkbutton(bar, text=_("Chỉ hồ sơ đang giải quyết"), variable=self.open_only,
                        command=self.refresh).pack(side="right")
        frame, self.app_tree, _bar = scrolled_tree(tab, {
            "name": (_("Người hưởng"), 190, "w"), "request": (_("Đề nghị"), 250, "w"),
            "complete": (_("Đủ hồ sơ"), 100, "center"), "due": (_("Hạn"), 100, "center"),
            "left": (_("Ngày làm việc"), 130, "w"), "check": (_("Đối chiếu dân cư"), 150, "w"),
            "status": (_("Trạng thái"), 130, "w")}, height=12)
        self.app_tree.column("name", stretch=False)
        self.app_tree.column("request", stretch=True)
        self.app_tree.configure(selectmode="extended")
        frame.pack(fill="both", expand=True)
        self.app_tree.tag_configure("overdue", foreground=ttk.Style().colors.danger, font=self._bold)
        self.app_tree.tag_configure("soon", foreground=ttk.Style().colors.warning)
        self.app_tree.bind("<Return>", lambda e: self.draft_decision())
        self.app_tree.bind("<Double-1>", lambda e: self.draft_decision())
        detail = row_detail(tab, self.app_tree, _("Chọn một hay nhiều hồ sơ (Ctrl hoặc Shift) rồi lập quyết định."))
        detail.pack(side="bottom", fill="x", pady=(6, 0))

    def _build_decisions(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(tab, text=_("Quyết định"))
        bar = ttk.Frame(tab)
        bar.pack(side="bottom", fill="x", pady=(6, 0))
        ttk.Button(bar, text=_("In quyết định (PDF)… (Enter)"), bootstyle="primary",
                   command=self.print_decision).pack(side="left")
        ttk.Button(bar, text=_("Áp dụng quyết định đã ký…"), bootstyle="success",
                   command=self.apply_decision).pack(side="left", padx=8)
        ttk.Button(bar, text=_("Xóa dự thảo"), bootstyle="danger-outline",
                   command=self.delete_decision).pack(side="left")
        self.decision_detail = ttk.Label(tab, justify="left", anchor="w")
        self.decision_detail.pack(side="bottom", fill="x", pady=(6, 0))
        self.decision_detail.bind("<Configure>", lambda e: self.decision_detail.configure(
            wraplength=max(200, e.width - 4)))
        frame, self.decision_tree, _bar = scrolled_tree(tab, {
            "number": (_("Số"), 110, "w"), "signed": (_("Ngày ký"), 90, "center"),
            "subject": (_("Trích yếu"), 380, "w"), "people": (_("Số người"), 80, "e"),
            "month": (_("Từ tháng"), 90, "center"), "status": (_("Trạng thái"), 130, "w")}, height=12)
        self.decision_tree.column("number", stretch=False)
        self.decision_tree.column("subject", stretch=True)
        frame.pack(fill="both", expand=True)
        self.decision_tree.bind("<<TreeviewSelect>>", lambda e: self._show_decision())
        self.decision_tree.bind("<Return>", lambda e: self.print_decision())
        self.decision_tree.bind("<Double-1>", lambda e: self.print_decision())

    def _build_proposals(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.proposal_tab = tab
        self.tabs.add(tab, text=_("Hỗ trợ mai táng"))
        ttk.Label(tab, text=_("Người hưởng bảo trợ xã hội, hưu trí xã hội đã mất trong năm qua, chưa có hồ sơ hỗ trợ "
                              "chi phí mai táng."), bootstyle="secondary").pack(anchor="w")
        bar = ttk.Frame(tab)
        bar.pack(side="bottom", fill="x", pady=(6, 0))
        ttk.Button(bar, text=_("Ghi hồ sơ mai táng… (Enter)"), bootstyle="primary",
                   command=self.funeral_application).pack(side="left")
        ttk.Button(bar, text=_("Không đề nghị…"), bootstyle="secondary-outline",
                   command=self.close_proposal).pack(side="left", padx=8)
        frame, self.proposal_tree, _bar = scrolled_tree(tab, {
            "name": (_("Người đã mất"), 240, "w"), "village": (_("Thôn"), 140, "w"),
            "died": (_("Ngày mất"), 100, "center"), "amount": (_("Mức hỗ trợ"), 140, "e"),
            "receiver": (_("Người nhận thay đã ghi"), 260, "w")}, height=10)
        frame.pack(fill="both", expand=True, pady=(6, 0))
        self.proposal_tree.bind("<Return>", lambda e: self.funeral_application())
        self.proposal_tree.bind("<Double-1>", lambda e: self.funeral_application())

    # -- data ------------------------------------------------------------------------------
    def on_show(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Read everything again; what was selected stays selected."""
        kept = {tree: tree.selection() for tree in (self.app_tree, self.decision_tree, self.proposal_tree)}
        self._fill()
        for tree, selected in kept.items():
            still = [iid for iid in selected if tree.exists(iid)]
            if still:
                tree.selection_set(still)
        self._show_decision()

    def _fill(self) -> None:
        db, today = self.shell.db, self.shell.ctx.clock.today()
        rows = decisions.list_applications(db, today, "open" if self.open_only.get() else None)
        self.applications = {r["id"]: r for r in rows}
        tree = self.app_tree
        tree.delete(*tree.get_children())
        for r in rows:
            tags = ()
            if r["status"] == "open":
                left = r["working_days_left"]
                state = _("Quá hạn {n} ngày").format(n=-left) if r["overdue"] else _("Còn {n} ngày").format(n=left)
                tags = ("overdue",) if r["overdue"] else ("soon",) if left <= SOON else ()
            else:
                state = ""
            what = _(decisions.SHORT_REQUESTS[r["request"]])
            if r["category"] in BY_CODE:
                what += f": {_(BY_CODE[r['category']].label)}"
            check = f"{fmt_date(r['checked_on'])} {_(CHECKS_SHORT[r['check_result']])}" \
                if r["check_result"] else _("Chưa đối chiếu")
            status = _(decisions.APPLICATION_STATUSES[r["status"]])
            if r["decision_number"]:
                status += f" {decisions.number_text(r['decision_number'], r['decision_symbol'])}"
            tree.insert("", "end", iid=r["id"], tags=tags, values=(
                r["full_name"], what, fmt_date(r["completed_on"]), fmt_date(r["due_on"]), state, check, status))
        self.decisions = {r["id"]: r for r in decisions.list_decisions(db)}
        tree = self.decision_tree
        tree.delete(*tree.get_children())
        for r in self.decisions.values():
            status = _(decisions.DECISION_STATUSES[r["status"]]) + (_(" (ghi lại)") if r["recorded"] else "")
            tree.insert("", "end", iid=r["id"], values=(
                r["number_text"], fmt_date(r["signed_on"]), r["subject"], r["people"],
                f"{r['effective_month'][5:]}/{r['effective_month'][:4]}", status))
        self.proposals = {p["beneficiary_id"]: p for p in decisions.funeral.proposals(db, today)}
        tree = self.proposal_tree
        tree.delete(*tree.get_children())
        for p in self.proposals.values():
            receiver = p["receiver_name"] + (f" ({p['receiver_relation']})" if p["receiver_relation"] else "")
            tree.insert("", "end", iid=p["beneficiary_id"], values=(
                p["full_name"], p["village"], fmt_date(p["died_on"]), format_vnd(p["amount"]), receiver))
        self.tabs.tab(self.proposal_tab, text=_("Hỗ trợ mai táng ({n})").format(n=len(self.proposals)))
        open_rows = [r for r in rows if r["status"] == "open"]
        self.summary.configure(text=_("{open} hồ sơ đang giải quyết, {late} quá hạn · {drafts} dự thảo quyết định chưa "
                                      "áp dụng · {deaths} người mất chờ hồ sơ mai táng").format(
            open=fmt_count(len(open_rows)), late=fmt_count(sum(r["overdue"] for r in open_rows)),
            drafts=fmt_count(sum(d["status"] == "draft" for d in self.decisions.values())),
            deaths=fmt_count(len(self.proposals))),
            bootstyle="danger" if any(r["overdue"] for r in open_rows) else "secondary")

    def _chosen_applications(self) -> list[str]:
        return [iid for iid in self.app_tree.selection() if iid in self.applications]

    def _chosen_decision(self) -> dict | None:
        selected = self.decision_tree.selection()
        return self.decisions.get(selected[0]) if selected else None

    def _show_decision(self) -> None:
        chosen = self._chosen_decision()
        if chosen is None:
            self.decision_detail.configure(text=_("Chọn một quyết định để xem những người trong đó."),
                                           bootstyle="secondary")
            return
        decision = decisions.get_decision(self.shell.db, chosen["id"])
        lines = [f"{decision['number_text']} — {decision['subject']}"]
        lines += [f"{i['seq']}. {i['full_name']}: {decisions.describe(i, decision['effective_month'])}"
                  for i in decision["items"][:6]]
        if len(decision["items"]) > 6:
            lines.append(_("… và {n} người khác").format(n=len(decision["items"]) - 6))
        self.decision_detail.configure(text="\n".join(lines), bootstyle="default")

    # -- actions ---------------------------------------------------------------------------
    def _saved(self, app_id: str) -> None:
        self.refresh()
        self.tabs.select(0)
        if self.app_tree.exists(app_id):
            self.app_tree.selection_set(app_id)
            self.app_tree.see(app_id)
        app = decisions.get_application(self.shell.db, app_id)
        self.shell.publish("register_changed", app["beneficiary_id"])
        self.shell.dialogs.info(_("Đã ghi hồ sơ của {name}. Hạn giải quyết: {due}.").format(
            name=app["full_name"], due=fmt_date(app["due_on"])))

    def new_application(self, request: str = "grant", bid: str | None = None) -> ApplicationForm:
        return ApplicationForm(self.shell, self._saved, request, bid)

    def funeral_application(self) -> ApplicationForm | None:
        selected = self.proposal_tree.selection()
        if not selected:
            raise UserError(_("Hãy chọn người đã mất trong danh sách."))
        return self.new_application("funeral", selected[0])

    def _one_application(self) -> dict:
        chosen = self._chosen_applications()
        if len(chosen) != 1:
            raise UserError(_("Hãy chọn một hồ sơ."))
        return self.applications[chosen[0]]

    def record_check(self) -> SmallForm:
        app = self._one_application()
        today = self.shell.ctx.clock.today().strftime("%d/%m/%Y")
        return SmallForm(self.shell, _("Đối chiếu dân cư: {name}").format(name=app["full_name"]), _("Ghi (Enter)"), [
            ("checked_on", _("Ngày đối chiếu"), ttk.Entry, today),
            ("checked_by", _("Người đối chiếu"), ttk.Entry, ""),
            ("check_result", _("Kết quả"), lambda p: Choice(p, decisions.CHECK_RESULTS), None),
            ("check_note", _("Điểm khác biệt"), ttk.Entry, "")],
            lambda f: (decisions.record_check(self.shell.ctx, app["id"], f.value("checked_on"), f.value("checked_by"),
                                              f.value("check_result"), f.value("check_note")), self.refresh()),
            _("Đã ghi kết quả đối chiếu."))

    def withdraw(self) -> SmallForm:
        app = self._one_application()
        return SmallForm(self.shell, _("Rút, trả hồ sơ: {name}").format(name=app["full_name"]), _("Ghi (Enter)"),
                         [("status_reason", _("Lý do"), ttk.Entry, "")],
                         lambda f: (decisions.withdraw(self.shell.ctx, app["id"], f.value("status_reason")),
                                    self.refresh()),
                         _("Đã ghi rút, trả hồ sơ."))

    def close_proposal(self) -> SmallForm:
        selected = self.proposal_tree.selection()
        if not selected:
            raise UserError(_("Hãy chọn người đã mất trong danh sách."))
        proposal = self.proposals[selected[0]]
        return SmallForm(self.shell, _("Không đề nghị hỗ trợ mai táng: {name}").format(name=proposal["full_name"]),
                         _("Ghi (Enter)"), [("status_reason", _("Lý do"), ttk.Entry, "")],
                         lambda f: (decisions.funeral.close_proposal(self.shell.ctx, proposal["beneficiary_id"],
                                                                     f.value("status_reason")), self.refresh()),
                         _("Đã đóng đề nghị."))

    def draft_decision(self) -> DecisionForm:
        chosen = [a for a in self._chosen_applications() if self.applications[a]["status"] == "open"]
        if not chosen:
            raise UserError(_("Hãy chọn hồ sơ đang giải quyết (giữ Ctrl để chọn nhiều hồ sơ)."))
        return DecisionForm(self.shell, chosen, self._drafted)

    def _drafted(self, did: str) -> None:
        self.refresh()
        self.tabs.select(1)
        self.decision_tree.selection_set(did)
        self.decision_tree.focus(did)
        self.decision_tree.focus_set()
        decision = decisions.get_decision(self.shell.db, did)
        self.shell.dialogs.info(_("Đã lập dự thảo quyết định số {number}. In ra để Chủ tịch ký (Enter), rồi bấm "
                                  "“Áp dụng quyết định đã ký”.").format(number=decision["number_text"]))

    def _decision(self) -> dict:
        chosen = self._chosen_decision()
        if chosen is None:
            raise UserError(_("Hãy chọn một quyết định."))
        return chosen

    def print_decision(self) -> None:
        from commune_payout.documents import decision as decision_document

        chosen = self._decision()
        path = self.shell.dialogs.ask_save_file(
            _("Lưu quyết định"), initialfile=f"quyet-dinh-{chosen['number']}-{chosen['year']}.pdf",
            filetypes=PDF_TYPES)
        if not path:
            return

        def done(n):
            self.opener(Path(path))

        self.task = self.shell.run_task(lambda db, progress: decision_document.write(db, chosen["id"], path),
                                        on_done=done)

    def apply_decision(self) -> None:
        chosen = self._decision()
        decision = decisions.get_decision(self.shell.db, chosen["id"])
        if decision["status"] != "draft":
            raise UserError(_("Quyết định này đã được áp dụng."))
        lines = [f"{i['full_name']}: {decisions.describe(i, decision['effective_month'])}"
                 for i in decision["items"][:8]]
        more = len(decision["items"]) - len(lines)
        if not self.shell.dialogs.ask_yes_no(
                _("Áp dụng quyết định số {number} ngày {day}? Diện hưởng, trạng thái và mức hưởng trong sổ sẽ thay "
                  "đổi theo quyết định:\n{lines}").format(number=decision["number_text"],
                                                          day=fmt_date(decision["signed_on"]),
                                                          lines="\n".join(lines)) +
                (_("\n… và {n} người khác").format(n=more) if more > 0 else ""), _("Áp dụng quyết định")):
            return
        done = decisions.apply_decision(self.shell.ctx, chosen["id"])
        self.refresh()
        self.shell.publish("register_changed", None)
        self.shell.dialogs.info(_("Đã áp dụng quyết định cho {n} người.").format(n=len(done)))

    def delete_decision(self) -> None:
        chosen = self._decision()
        if not self.shell.dialogs.ask_yes_no(_("Xóa dự thảo quyết định số {number}?").format(
                number=chosen["number_text"]), _("Xóa dự thảo")):
            return
        decisions.delete_draft(self.shell.ctx, chosen["id"])
        self.refresh()
