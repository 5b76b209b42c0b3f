"""Verification and grievances in the window: the tickets (the open ones first, the overdue on top
in red), a new ticket, one ticket with its history and the moves it allows, the working days to
answer each kind; and the verification of a session (:mod:`.verification_panel`).

Every action calls :mod:`commune_payout.grievances`. Keyboard: Ctrl+N a new ticket, Enter opens
the selected one; in a ticket Enter does the chosen step (Ctrl+Enter inside a text box).
Other features reach it through the shell's commands ``new_grievance`` (for a person),
``open_grievance`` and ``open_verification`` (for a session).
"""

import ttkbootstrap as ttk
from tkinter import font as tkfont

from commune_payout import grievances, payouts
from commune_payout.errors import UserError, ValidationError
from commune_payout.gui.decisions_view import FormWindow, PersonPicker
from commune_payout.gui.verification_panel import VerificationPanel
from commune_payout.gui.widgets import Choice, FieldGrid, fmt_count, fmt_date, fmt_datetime, row_detail, \
    scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.programs import PROGRAM_LABELS

SOON = 2                    # working days left from which a ticket is shown as nearly due
NOTE_ONLY, LINK_FIX = "note", "fix"


def register_gui(shell) -> None:
    shell.add_section("grievances", _("Xác minh và khiếu nại"), GrievancesView, order=37, shortcuts={
        "<Control-n>": lambda view: view.new_ticket(),
        "<Control-g>": lambda view: view.verification.open_grievance(),
    })
    shell.add_command("new_grievance", lambda bid=None: shell.show("grievances").new_ticket(bid))
    shell.add_command("open_grievance", lambda gid: shell.show("grievances").open_ticket(gid))
    shell.add_command("open_verification", lambda sid: shell.show("grievances").show_verification(sid))


def left_text(ticket: dict) -> str:
    """"Còn 3 ngày", "Quá hạn 2 ngày", "Quá hạn (hết hạn 18/12/2026)", or the state once answered."""
    left = ticket["working_days_left"]
    if left is None:
        return _(grievances.STATES[ticket["state"]])
    if ticket["overdue"]:
        return _("Quá hạn {n} ngày").format(n=-left) if left else _("Quá hạn (hết hạn {day})").format(
            day=fmt_date(ticket["due_on"]))
    return _("Còn {n} ngày").format(n=left)


class TextBox(ttk.Frame):
    """A few lines of free text with ``get()``; Enter makes a new line (Ctrl+Enter saves the form)."""

    def __init__(self, master, height: int = 4, width: int = 50):
        super().__init__(master)
        self.text = ttk.Text(self, height=height, width=width, wrap="word", font="TkDefaultFont")
        self.text.pack(fill="both", expand=True)

    def get(self) -> str:
        return self.text.get("1.0", "end").strip()

    def set_state(self, state: str) -> None:
        """Enabled, or disabled and greyed like the other inputs."""
        colors = ttk.Style().colors
        self.text.configure(state=state, background=colors.inputbg if state == "normal" else colors.light)

    def set(self, value: str) -> None:
        self.text.delete("1.0", "end")
        self.text.insert("1.0", value)

    def focus_set(self) -> None:
        self.text.focus_set()


class TicketWindow(FormWindow):
    """A form whose text boxes keep Enter for a new line; Ctrl+Enter saves from anywhere."""

    def __init__(self, shell, title_text, size, save_text):
        super().__init__(shell, title_text, size, save_text)
        self.bind("<Control-Return>", lambda e: self.save())

    def _on_return(self, event) -> None:
        if event.widget.winfo_class() != "Text":
            super()._on_return(event)


class NewTicketForm(TicketWindow):
    """A complaint received: who (in the register, or a name), what, how it came in, when."""

    def __init__(self, view, bid: str | None = None):
        super().__init__(view.shell, _("Tiếp nhận khiếu nại, phản ánh"), (1140, 600), _("Lưu phiếu (Ctrl+Enter)"))
        self.view = view
        left, right = self.person_panes()
        self.picker = PersonPicker(left, view.shell)
        self.picker.pack(fill="x", pady=(4, 4))
        self.outside = ttk.BooleanVar(value=False)
        ttk.Checkbutton(left, text=_("Người chưa có trong sổ (ví dụ bị bỏ sót)"), variable=self.outside,
                        command=self.update).pack(anchor="w")
        self.who = FieldGrid(left, label_width=13)
        self.who.pack(fill="x", pady=(4, 0))
        self.vars = {k: ttk.StringVar() for k in ("full_name", "village", "phone", "complainant", "received_on")}
        entry = lambda key: (lambda p: ttk.Entry(p, textvariable=self.vars[key]))
        self.who.add("full_name", _("Họ và tên"), entry("full_name"))
        self.who.add("village", _("Thôn/xóm"), entry("village"))
        self.who.add("phone", _("Điện thoại"), entry("phone"))
        self.what = FieldGrid(right, label_width=20)
        self.what.pack(fill="both", expand=True)
        self.kind = self.what.add("kind", _("Loại"), lambda p: Choice(p, grievances.KINDS, width=40))
        self.received_via = self.what.add("received_via", _("Cách tiếp nhận"),
                                          lambda p: Choice(p, grievances.RECEIVED_VIA, width=40))
        self.what.add("received_on", _("Ngày tiếp nhận"), entry("received_on"), _("hạn trả lời theo loại"))
        self.what.add("complainant", _("Người khiếu nại"), entry("complainant"), _("khi không phải người hưởng"))
        self.sessions = [s for s in payouts.list_sessions(view.shell.db) if s["status"] != "draft"]
        self.session = self.what.add("session_id", _("Đợt chi liên quan"), lambda p: Choice(
            p, {s["id"]: f"{s['period']} · {s['name']}" for s in self.sessions}, blank=_("Không gắn đợt chi"),
            width=40))
        self.program = self.what.add("program", _("Chương trình"), lambda p: Choice(
            p, PROGRAM_LABELS, blank=_("Theo người hưởng"), width=40), _("quyết định cơ quan nhận phiếu"))
        self.description = self.what.add("description", _("Nội dung"), lambda p: TextBox(p, height=6))
        self.vars["received_on"].set(view.shell.ctx.clock.today().strftime("%d/%m/%Y"))
        if bid:
            self.picker.pick(bid)
        self.update()
        (self.kind if bid else self.picker.entry).focus_set()

    def update(self) -> None:
        outside = self.outside.get()
        for key in ("full_name", "village", "phone"):
            self.who.inputs[key].configure(state="normal" if outside else "disabled")
        self.picker.entry.configure(state="disabled" if outside else "normal")

    def save(self) -> None:
        v = {k: var.get() for k, var in self.vars.items()}
        outside = self.outside.get()
        try:
            gid = grievances.add_grievance(
                self.shell.ctx, self.kind.code(), self.description.get(), received_via=self.received_via.code(),
                received_on=v["received_on"], beneficiary_id=None if outside else (self.picker.chosen or {}).get("id"),
                person={k: v[k] for k in ("full_name", "village", "phone")} if outside else None,
                complainant=v["complainant"], program=self.program.code(), session_id=self.session.code())
        except ValidationError as exc:
            self.show_problems([self.who, self.what], exc)
            return
        self.destroy()
        self.view.saved(gid)


class TicketForm(TicketWindow):
    """One ticket: what it says, its history, and the step to take now."""

    def __init__(self, view, gid: str):
        db = view.shell.db
        ticket = grievances.get_grievance(db, gid, view.shell.ctx.clock.today())
        super().__init__(view.shell, _("Phiếu khiếu nại số {number}").format(number=ticket["number_text"]),
                         (1000, 680), _("Ghi (Enter)"))
        self.view, self.ticket = view, ticket
        facts = [
            (_("Người hưởng"), ticket["full_name"] + (f", {ticket['village']}" if ticket["village"] else "")
             + (f", {ticket['phone']}" if ticket["phone"] else "")),
            (_("Người khiếu nại"), ticket["complainant"]),
            (_("Loại"), f"{_(grievances.KINDS[ticket['kind']])} · {_(PROGRAM_LABELS[ticket['program']])}"),
            (_("Tiếp nhận"), f"{fmt_date(ticket['received_on'])} · {_(grievances.RECEIVED_VIA[ticket['received_via']])}"),
            (_("Hạn trả lời"), f"{fmt_date(ticket['due_on'])} · {left_text(ticket)}"),
            (_("Đợt chi"), payouts.get_session(db, ticket["session_id"])["name"] if ticket["session_id"] else ""),
            (_("Nội dung"), ticket["description"]),
            (_("Người xử lý"), ticket["handled_by"]),
            (_("Kết quả giải quyết"), ticket["resolution"]),
            (_("Khắc phục"), grievances.describe_fix(db, ticket)),
        ]
        head = ttk.Frame(self.body)
        head.pack(fill="x")
        head.columnconfigure(1, weight=1)
        ttk.Label(head, text=_("Phiếu số {number} — {state}").format(
            number=ticket["number_text"], state=_(grievances.STATES[ticket["state"]])), font=("TkDefaultFont", 12, "bold"),
                  bootstyle="danger" if ticket["overdue"] else "primary").grid(row=0, column=0, columnspan=2,
                                                                               sticky="w")
        for row, (label, value) in enumerate(((k, v) for k, v in facts if v), start=1):
            ttk.Label(head, text=label, bootstyle="secondary").grid(row=row, column=0, sticky="nw", padx=(0, 10))
            ttk.Label(head, text=value, wraplength=800, justify="left").grid(row=row, column=1, sticky="w")
        frame, self.history, _bar = scrolled_tree(self.body, {
            "at": (_("Thời gian"), 145, "w"), "by": (_("Người làm"), 130, "w"), "step": (_("Bước"), 200, "w"),
            "note": (_("Ghi chú"), 420, "w")}, height=5)
        self.history.column("note", stretch=True)
        self.history.column("at", stretch=False)
        frame.pack(fill="both", expand=True, pady=(8, 6))
        for n, e in enumerate(grievances.events(db, gid)):
            step = _(grievances.STATES[e["to_state"]]) if e["from_state"] != e["to_state"] else _("Ghi chú")
            self.history.insert("", "end", iid=str(n), values=(fmt_datetime(e["at"]), e["by"], step,
                                                              e["note"].replace("\n", " · ")))
        actions = {to: _(grievances.ACTIONS[(ticket["state"], to)]) for to in grievances.NEXT_STATES[ticket["state"]]}
        self.candidates = grievances.fix_candidates(db, ticket) if ticket["state"] in ("in_progress", "resolved") \
            else []
        if ticket["state"] in ("in_progress", "resolved") and self.candidates:
            actions[LINK_FIX] = _("Gắn cách khắc phục")
        actions[NOTE_ONLY] = _("Chỉ ghi chú")
        self.grid_ = FieldGrid(self.body, label_width=20)
        self.grid_.pack(fill="x")
        self.action = self.grid_.add("action", _("Việc làm"), lambda p: Choice(p, actions, width=40))
        self.action.bind("<<ComboboxSelected>>", lambda e: self.update(), add="+")
        self.handled_by = ttk.StringVar(value=ticket["handled_by"] or view.shell.ctx.user)
        self.grid_.add("handled_by", _("Người xử lý"), lambda p: ttk.Entry(p, textvariable=self.handled_by, width=40))
        self.resolution = self.grid_.add("resolution", _("Kết quả giải quyết"), lambda p: TextBox(p, height=3))
        self.fix = self.grid_.add("fix", _("Cách khắc phục"), lambda p: Choice(
            p, {c["ref"]: f"{_(grievances.FIXES[c['kind']])}: {c['label']}" for c in self.candidates},
            blank=_("Không gắn"), width=90))
        self.note = ttk.StringVar()
        self.grid_.add("note", _("Ghi chú, lý do"), lambda p: ttk.Entry(p, textvariable=self.note, width=60),
                       _("bắt buộc khi mở lại"))
        self.update()
        self.action.focus_set()

    def update(self) -> None:
        action = self.action.code()
        used = {"in_progress": ("handled_by", "note"), "resolved": ("resolution", "fix", "note"),
                "closed": ("note",), LINK_FIX: ("fix",), NOTE_ONLY: ("note",)}[action]
        for key in ("handled_by", "resolution", "fix", "note"):
            widget = self.grid_.inputs[key]
            state = ("readonly" if isinstance(widget, Choice) else "normal") if key in used else "disabled"
            if isinstance(widget, TextBox):
                widget.set_state(state)
            else:
                widget.configure(state=state)

    def save(self) -> None:
        action, ctx, gid = self.action.code(), self.shell.ctx, self.ticket["id"]
        fix_ref = self.fix.code()
        fix = next(((c["kind"], c["ref"]) for c in self.candidates if c["ref"] == fix_ref), None)
        try:
            if action == NOTE_ONLY:
                grievances.add_note(ctx, gid, self.note.get())
            elif action == LINK_FIX:
                if fix is None:
                    raise ValidationError(_("Chưa chọn cách khắc phục"), {"fix": _("Chọn cách khắc phục cần gắn")})
                grievances.link_fix(ctx, gid, *fix)
            else:
                grievances.move(ctx, gid, action, note=self.note.get(), resolution=self.resolution.get(),
                                handled_by=self.handled_by.get(), fix=fix)
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        self.destroy()
        self.view.saved(gid, opened=False)


class GrievancesView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.tickets: dict[str, dict] = {}
        head = title(self, _("Xác minh và khiếu nại"), _("tiền đã đến tay người hưởng chưa; phản ánh đến khi "
                                                         "giải quyết xong"))
        head.pack(fill="x")
        ttk.Button(head, text=_("Phiếu khiếu nại mới… (Ctrl+N)"), bootstyle="primary",
                   command=self.new_ticket).pack(side="right")
        ttk.Button(head, text=_("Hạn trả lời…"), bootstyle="secondary-outline",
                   command=self.deadlines).pack(side="right", padx=6)
        self.summary = ttk.Label(self, bootstyle="secondary")
        self.summary.pack(anchor="w", pady=(8, 6))
        self.tabs = ttk.Notebook(self)
        self.tabs.pack(fill="both", expand=True)
        tab = ttk.Frame(self.tabs, padding=8)
        self.tickets_tab = tab
        self.tabs.add(tab, text=_("Khiếu nại, phản ánh"))
        bar = ttk.Frame(tab)
        bar.pack(side="bottom", fill="x", pady=(6, 0))
        ttk.Button(bar, text=_("Mở phiếu (Enter)"), bootstyle="primary", command=self.open_selected).pack(side="left")
        self.open_only = ttk.BooleanVar(value=False)
        ttk.Checkbutton(bar, text=_("Chỉ phiếu chưa giải quyết"), variable=self.open_only,
                        command=self.refresh).pack(side="right")
        frame, self.tree, _bar = scrolled_tree(tab, {
            "number": (_("Số phiếu"), 80, "w"), "received": (_("Tiếp nhận"), 95, "center"),
            "name": (_("Người hưởng"), 190, "w"), "village": (_("Thôn"), 110, "w"), "kind": (_("Loại"), 200, "w"),
            "state": (_("Trạng thái"), 120, "w"), "due": (_("Hạn trả lời"), 95, "center"),
            "left": (_("Ngày làm việc"), 170, "w")}, height=12)
        self.tree.column("number", stretch=False)
        self.tree.column("name", stretch=True)
        frame.pack(fill="both", expand=True)
        bold = tkfont.Font(self, **{**tkfont.nametofont("TkDefaultFont", root=self).actual(), "weight": "bold"})
        self._bold = bold
        colors = ttk.Style().colors
        self.tree.tag_configure("overdue", foreground=colors.danger, font=bold)
        self.tree.tag_configure("soon", foreground=colors.warning)
        self.tree.tag_configure("done", foreground=colors.secondary)
        self.tree.bind("<Return>", lambda e: self.open_selected())
        self.tree.bind("<Double-1>", lambda e: self.open_selected())
        row_detail(tab, self.tree, _("Chọn một phiếu; Enter mở phiếu để xử lý.")).pack(side="bottom", fill="x",
                                                                                       pady=(6, 0))
        self.verification = VerificationPanel(self.tabs, shell)
        self.tabs.add(self.verification, text=_("Xác minh chi trả"))
        shell.subscribe("grievances_changed", lambda payload: self.refresh())
        shell.subscribe("register_changed", lambda payload: self.refresh() if self.winfo_ismapped() else None)
        self.refresh()
        self.verification.load_sessions()

    def on_show(self) -> None:
        self.refresh()
        self.verification.load_sessions()
        (self.tree if self.tabs.index(self.tabs.select()) == 0 else self.verification.find_entry).focus_set()

    def refresh(self) -> None:
        """Read the tickets again; the selection stays."""
        today = self.shell.ctx.clock.today()
        kept = self.tree.selection()
        rows = grievances.list_grievances(self.shell.db, today, open_only=self.open_only.get())
        self.tickets = {r["id"]: r for r in rows}
        self.tree.delete(*self.tree.get_children())
        for r in rows:
            is_open = r["state"] in grievances.OPEN_STATES
            tags = ("overdue",) if r["overdue"] else ("soon",) if is_open and r["working_days_left"] <= SOON else \
                () if is_open else ("done",)
            self.tree.insert("", "end", iid=r["id"], tags=tags, values=(
                r["number_text"], fmt_date(r["received_on"]), r["full_name"], r["village"],
                _(grievances.KINDS[r["kind"]]), _(grievances.STATES[r["state"]]), fmt_date(r["due_on"]),
                left_text(r) if is_open else ""))
        still = [i for i in kept if self.tree.exists(i)]
        if still:
            self.tree.selection_set(still)
        open_rows = [r for r in rows if r["state"] in grievances.OPEN_STATES]
        late = sum(r["overdue"] for r in open_rows)
        self.summary.configure(text=_("{open} phiếu đang giải quyết, {late} quá hạn trả lời · {total} phiếu").format(
            open=fmt_count(len(open_rows)), late=fmt_count(late), total=fmt_count(len(rows))),
            bootstyle="danger" if late else "secondary")
        self.tabs.tab(self.tickets_tab, text=_("Khiếu nại, phản ánh ({n} đang mở)").format(n=len(open_rows)))

    # -- actions ---------------------------------------------------------------------------
    def new_ticket(self, bid: str | None = None) -> NewTicketForm:
        return NewTicketForm(self, bid)

    def open_selected(self) -> TicketForm:
        selected = self.tree.selection()
        if not selected:
            raise UserError(_("Hãy chọn một phiếu khiếu nại."))
        return self.open_ticket(selected[0])

    def open_ticket(self, gid: str) -> TicketForm:
        self.tabs.select(0)
        return TicketForm(self, gid)

    def show_verification(self, sid: str) -> VerificationPanel:
        self.tabs.select(1)
        self.verification.load_sessions()
        self.verification.select(sid)
        self.verification.focus_list()
        return self.verification

    def saved(self, gid: str, opened: bool = True) -> None:
        self.refresh()
        self.verification.refresh()
        self.tabs.select(0)
        if self.tree.exists(gid):
            self.tree.selection_set(gid)
            self.tree.see(gid)
            self.tree.focus(gid)
            self.tree.focus_set()
        ticket = self.tickets.get(gid) or grievances.get_grievance(self.shell.db, gid)
        self.shell.publish("grievances_changed", gid)
        if opened:
            self.shell.dialogs.info(_("Đã tiếp nhận phiếu số {number}. Hạn trả lời: {due}.").format(
                number=ticket["number_text"], due=fmt_date(ticket["due_on"])))

    def deadlines(self) -> FormWindow:
        return DeadlinesForm(self)


class DeadlinesForm(FormWindow):
    """The working days to answer each kind of complaint."""

    def __init__(self, view):
        super().__init__(view.shell, _("Hạn trả lời khiếu nại"), (640, 420), _("Lưu (Enter)"))
        self.view = view
        self.grid_ = FieldGrid(self.body, label_width=30)
        self.grid_.pack(fill="x")
        self.vars = {}
        for kind, days in grievances.days_by_kind(view.shell.db).items():
            self.vars[kind] = ttk.StringVar(value=str(days))
            self.grid_.add(kind, _(grievances.KINDS[kind]),
                           lambda p, k=kind: ttk.Entry(p, textvariable=self.vars[k], width=6), _("ngày làm việc"))
        ttk.Label(self.body, bootstyle="secondary", wraplength=580, justify="left", text=_(
            "Đếm từ ngày tiếp nhận, không kể thứ Bảy, Chủ nhật và ngày nghỉ lễ (Cài đặt). Phiếu đã có giữ hạn cũ.")
        ).pack(anchor="w", pady=(10, 0))
        self.grid_.inputs[next(iter(self.vars))].focus_set()

    def save(self) -> None:
        try:
            grievances.set_days(self.shell.db, {k: var.get() for k, var in self.vars.items()})
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        self.destroy()
        self.shell.dialogs.info(_("Đã lưu hạn trả lời."))
