"""The verification of a session in the window: draw whom to ask, print the sheet for the village
heads, type their answers back, see the verification rate and the problems, and open a grievance
from a negative answer in one action.

Keyboard: type the number on the sheet (or a name, an ID's last digits) and Enter to find the
person; then **1** received, **2** not received, **3** a different amount (asks how much),
**4** could not reach, Enter to type the answer in full; Ctrl+G opens a grievance from the
selected problem. Who asked, the day and how are remembered from one answer to the next, so
answers from one village head's sheet take one key each.
"""

import ttkbootstrap as ttk

from commune_payout import grievances, payouts, verification
from commune_payout.errors import UserError, ValidationError
from commune_payout.gui.decisions_view import FormWindow
from commune_payout.gui.payouts_view import SHORT_CHANNELS
from commune_payout.gui.widgets import Choice, FieldGrid, fmt_count, fmt_date, scrolled_tree
from commune_payout.i18n import _
from commune_payout.money import format_vnd
from commune_payout.register import CHANNELS

KEYS = {"1": "received", "2": "not_received", "3": "different_amount", "4": "unreachable"}
TAGS = {"received": "received", "not_received": "problem", "different_amount": "problem", "unreachable": "unreachable"}


class DrawForm(FormWindow):
    """How many to ask: the formula (confidence, margin), a number, a share, or everyone; a seed."""

    def __init__(self, panel):
        super().__init__(panel.shell, _("Rút mẫu xác minh"), (720, 420), _("Rút mẫu (Enter)"))
        self.panel = panel
        self.population = len(verification.population(panel.shell.db, panel.sid))
        self.grid_ = FieldGrid(self.body, label_width=24)
        self.grid_.pack(fill="x")
        self.vars = {key: ttk.StringVar(value=value) for key, value in (
            ("count", ""), ("share", "10"), ("confidence", "95"), ("margin", "10"), ("seed", ""))}
        self.method = self.grid_.add("method", _("Cách lấy mẫu"),
                                     lambda p: Choice(p, verification.DRAW_METHODS, width=34))
        entry = lambda key: (lambda p: ttk.Entry(p, textvariable=self.vars[key], width=12))
        self.grid_.add("confidence", _("Độ tin cậy (%)"), entry("confidence"))
        self.grid_.add("margin", _("Sai số (± %)"), entry("margin"))
        self.grid_.add("count", _("Số người cần hỏi"), entry("count"))
        self.grid_.add("share", _("Tỷ lệ (%)"), entry("share"))
        self.grid_.add("seed", _("Số hạt giống"), entry("seed"), _("để trống: số mới; ghi số cũ để rút lại đúng mẫu"))
        self.size = ttk.Label(self.body, font=("TkDefaultFont", 11, "bold"), padding=(0, 12, 0, 0))
        self.size.pack(anchor="w")
        ttk.Label(self.body, bootstyle="secondary", wraplength=660, justify="left", text=_(
            "Mẫu chia theo thôn và hình thức nhận tiền; thôn nào cũng có ít nhất một người khi cỡ mẫu đủ. "
            "Số hạt giống được ghi lại và in trên phiếu: cùng số hạt giống thì rút ra đúng những người ấy.")
        ).pack(anchor="w", pady=(6, 0))
        self.method.bind("<<ComboboxSelected>>", lambda e: self.update(), add="+")
        for var in self.vars.values():
            var.trace_add("write", lambda *a: self.update())
        self.update()
        self.method.focus_set()

    def spec(self) -> verification.DrawSpec:
        method, v = self.method.code(), {k: var.get() for k, var in self.vars.items()}
        if method == "count":
            return verification.DrawSpec("count", count=verification.parse_count(v["count"]))
        if method == "share":
            return verification.DrawSpec("share", share=verification.parse_percent(v["share"]))
        if method == "formula":
            return verification.DrawSpec(confidence=verification.parse_percent(v["confidence"], "confidence",
                                                                               _("Độ tin cậy")),
                                         margin=verification.parse_percent(v["margin"], "margin", _("Sai số")))
        return verification.DrawSpec("all")

    def update(self) -> None:
        method = self.method.code()
        used = {"formula": ("confidence", "margin"), "count": ("count",), "share": ("share",), "all": ()}[method]
        for key in ("confidence", "margin", "count", "share"):
            self.grid_.inputs[key].configure(state="normal" if key in used else "disabled")
        try:
            size = self.spec().validate().size(self.population)
        except ValidationError:
            self.size.configure(text=_("Cỡ mẫu: —"), bootstyle="secondary")
            return
        self.size.configure(text=_("Cỡ mẫu: {n} trong {total} người đã nhận tiền").format(
            n=fmt_count(size), total=fmt_count(self.population)), bootstyle="default")

    def save(self) -> None:
        try:
            seed = verification.parse_seed(self.vars["seed"].get()) if self.vars["seed"].get().strip() else None
            spec = self.spec()
            if verification.get_verification(self.shell.db, self.panel.sid) and not self.shell.dialogs.ask_yes_no(
                    _("Đợt chi này đã có mẫu xác minh (chưa ai được hỏi). Rút mẫu mới thay mẫu cũ?")):
                return
            verification.draw(self.shell.ctx, self.panel.sid, spec, seed=seed)
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        self.destroy()
        self.panel.refresh()
        self.panel.focus_list()


class AnswerForm(FormWindow):
    """One answer of one person drawn, in full: what, how much, who asked, when, how, a note."""

    def __init__(self, panel, item: dict, answer: str):
        super().__init__(panel.shell, _("Câu trả lời: #{n} {name}").format(n=item["seq"], name=item["full_name"]),
                         (760, 420), _("Ghi (Enter)"))
        self.panel, self.item = panel, item
        ttk.Label(self.body, bootstyle="secondary", text=_("Đã chi {amount} · {channel} · {village}").format(
            amount=format_vnd(item["total"]), channel=_(CHANNELS.get(item["channel"], item["channel"])),
            village=item["village"])).pack(anchor="w", pady=(0, 6))
        self.grid_ = FieldGrid(self.body, label_width=22)
        self.grid_.pack(fill="x")
        last = panel.last_asked
        self.vars = {key: ttk.StringVar(value=value) for key, value in (
            ("amount_received", ""), ("asked_by", last.get("asked_by", "")),
            ("asked_on", last.get("asked_on") or self.shell.ctx.clock.today().strftime("%d/%m/%Y")), ("note", ""))}
        entry = lambda key, width=30: (lambda p: ttk.Entry(p, textvariable=self.vars[key], width=width))
        self.answer = self.grid_.add("answer", _("Câu trả lời"), lambda p: Choice(p, verification.ANSWERS, width=30))
        self.answer.set_code(answer)
        self.answer.bind("<<ComboboxSelected>>", lambda e: self.update(), add="+")
        self.grid_.add("amount_received", _("Số tiền đã nhận"), entry("amount_received", 16), _("đồng"))
        self.grid_.add("asked_by", _("Người hỏi"), entry("asked_by"), _("trưởng thôn, cán bộ"))
        self.grid_.add("asked_on", _("Ngày hỏi"), entry("asked_on", 14), _("ngày/tháng/năm"))
        self.asked_how = self.grid_.add("asked_how", _("Cách hỏi"), lambda p: Choice(p, verification.ASKED_HOW,
                                                                                     width=30))
        self.asked_how.set_code(last.get("asked_how", "phone"))
        self.grid_.add("note", _("Ghi chú"), entry("note", 50))
        self.update()
        (self.grid_.inputs["amount_received"] if answer == "different_amount" else
         self.grid_.inputs["asked_by"] if not last else self.grid_.inputs["note"]).focus_set()

    def update(self) -> None:
        self.grid_.inputs["amount_received"].configure(
            state="normal" if self.answer.code() == "different_amount" else "disabled")

    def save(self) -> None:
        v = {key: var.get() for key, var in self.vars.items()}
        answer = self.answer.code()
        try:
            self.panel.record(self.item, answer, asked_by=v["asked_by"], asked_on=v["asked_on"],
                              asked_how=self.asked_how.code(), note=v["note"],
                              amount=v["amount_received"] if answer == "different_amount" else None)
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        self.destroy()


class VerificationPanel(ttk.Frame):
    """One session's verification; ``sid`` is the session shown."""

    def __init__(self, master, shell):
        super().__init__(master, padding=8)
        self.shell = shell
        self.sid: str | None = None
        self.sessions: list[dict] = []
        self.items: dict[str, dict] = {}
        self.last_asked: dict = {}
        bar = ttk.Frame(self)
        bar.pack(fill="x")
        ttk.Label(bar, text=_("Đợt chi:")).pack(side="left")
        self.session_box = ttk.Combobox(bar, state="readonly", width=56)
        self.session_box.pack(side="left", padx=(6, 10))
        self.session_box.bind("<<ComboboxSelected>>",
                              lambda e: self.select(self.sessions[self.session_box.current()]["id"]))
        ttk.Button(bar, text=_("Rút mẫu…"), bootstyle="primary", command=self.draw).pack(side="left")
        ttk.Button(bar, text=_("In phiếu xác minh…"), bootstyle="secondary",
                   command=self.print_sheet).pack(side="left", padx=6)
        self.summary = ttk.Label(self, justify="left", anchor="w", padding=(0, 8, 0, 4))
        self.summary.pack(fill="x")
        self.summary.bind("<Configure>", lambda e: self.summary.configure(wraplength=max(300, e.width - 8)))
        find = ttk.Frame(self)
        find.pack(fill="x", pady=(0, 4))
        ttk.Label(find, text=_("Tìm (số trên phiếu, tên, số định danh):")).pack(side="left")
        self.find_var = ttk.StringVar()
        self.find_entry = ttk.Entry(find, textvariable=self.find_var, width=24)
        self.find_entry.pack(side="left", padx=6)
        self.find_entry.bind("<Return>", lambda e: self.find())
        self.find_entry.bind("<KP_Enter>", lambda e: self.find())
        self.note = ttk.Label(find, bootstyle="secondary")
        self.note.pack(side="left", padx=6)
        buttons = ttk.Frame(self)
        buttons.pack(side="bottom", fill="x", pady=(6, 0))
        for key, (answer, text) in zip(KEYS, ((a, _(verification.ANSWERS[a])) for a in KEYS.values())):
            ttk.Button(buttons, text=f"{text} ({key})", bootstyle="secondary-outline",
                       command=lambda a=answer: self.answer_selected(a)).pack(side="left", padx=(0, 6))
        self.grievance_button = ttk.Button(buttons, text=_("Mở phiếu khiếu nại (Ctrl+G)"), bootstyle="danger",
                                           command=self.open_grievance)
        self.grievance_button.pack(side="right")
        self.detail = ttk.Label(self, justify="left", anchor="w", bootstyle="secondary")
        self.detail.pack(side="bottom", fill="x", pady=(6, 0))
        self.detail.bind("<Configure>", lambda e: self.detail.configure(wraplength=max(300, e.width - 8)))
        frame, self.tree, _bar = scrolled_tree(self, {
            "seq": (_("STT"), 45, "center"), "name": (_("Họ và tên"), 180, "w"), "village": (_("Thôn"), 120, "w"),
            "phone": (_("Điện thoại"), 100, "w"), "amount": (_("Số tiền"), 85, "e"),
            "channel": (_("Hình thức"), 110, "w"), "answer": (_("Câu trả lời"), 205, "w"),
            "ticket": (_("Phiếu khiếu nại"), 180, "w")}, height=12)
        self.tree.column("name", stretch=True)
        self.tree.column("seq", stretch=False)
        frame.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.show_detail(), add="+")
        colors = ttk.Style().colors
        self.tree.tag_configure("problem", foreground=colors.danger)
        self.tree.tag_configure("received", foreground=colors.success)
        self.tree.tag_configure("unreachable", foreground=colors.warning)
        for key, answer in KEYS.items():
            for sequence in (f"<Key-{key}>", f"<KP_{key}>"):
                self.tree.bind(sequence, lambda e, a=answer: self.answer_selected(a) or "break")
        self.tree.bind("<Return>", lambda e: self.answer_selected(None))
        self.tree.bind("<Double-1>", lambda e: self.answer_selected(None))

    # -- data ------------------------------------------------------------------------------
    def load_sessions(self) -> None:
        """Locked and closed sessions (only they have payments to verify), newest first."""
        self.sessions = [s for s in payouts.list_sessions(self.shell.db) if s["status"] != "draft"]
        self.session_box.configure(values=[f"{s['period']} · {s['name']} · {_(payouts.SESSION_STATUSES[s['status']])}"
                                           for s in self.sessions])
        ids = [s["id"] for s in self.sessions]
        self.select(self.sid if self.sid in ids else (ids[0] if ids else None))

    def select(self, sid: str | None) -> None:
        self.sid = sid
        if sid:
            self.session_box.current([s["id"] for s in self.sessions].index(sid))
        else:
            self.session_box.set("")
        self.refresh()

    def refresh(self) -> None:
        """Read the session's verification again; the selection stays where it was."""
        kept = self.tree.selection()
        self.tree.delete(*self.tree.get_children())
        self.items = {}
        summary = verification.summary(self.shell.db, self.sid) if self.sid else None
        if summary is None:
            self.summary.configure(text=_("Chưa có đợt chi nào đã khóa danh sách.") if not self.sid else _(
                "Đợt chi này chưa rút mẫu xác minh: bấm “Rút mẫu…”, in phiếu cho trưởng thôn, rồi ghi câu trả lời."),
                bootstyle="secondary")
            return
        rows = verification.items(self.shell.db, self.sid)
        tickets = grievances.for_items(self.shell.db, [r["id"] for r in rows])
        for r in rows:
            self.items[r["id"]] = {**r, "ticket": tickets.get(r["id"])}
            ticket = tickets.get(r["id"])
            self.tree.insert("", "end", iid=r["id"], tags=(TAGS.get(r["answer"], ""),), values=(
                r["seq"], r["full_name"], r["village"], r["phone"] or "", format_vnd(r["total"], unit=False),
                _(SHORT_CHANNELS.get(r["channel"], r["channel"])), _(verification.answer_text(r)),
                f"{ticket['number_text']} ({_(grievances.STATES[ticket['state']]).lower()})" if ticket else ""))
        still = [i for i in kept if self.tree.exists(i)]
        if still:
            self.tree.selection_set(still)
            self.tree.see(still[0])
        self.summary.configure(text=describe(summary), bootstyle="default")
        self.show_detail()

    def show_detail(self) -> None:
        """The selected person's latest answer in full: who asked, when, how, the note, the attempts."""
        chosen = self.tree.selection()
        item = self.items.get(chosen[0]) if chosen else None
        if item is None or not item["answer"]:
            self.detail.configure(text=_("Chọn một người rồi bấm 1, 2, 3 hoặc 4; Enter để ghi đầy đủ."))
            return
        text = _("#{n} {name}: {answer} · hỏi ngày {day}, {how}, người hỏi: {by}").format(
            n=item["seq"], name=item["full_name"], answer=_(verification.answer_text(item)),
            day=fmt_date(item["asked_on"]), how=_(verification.ASKED_HOW[item["asked_how"]]).lower(),
            by=item["asked_by"])
        if item["note"]:
            text += _(" · ghi chú: {note}").format(note=item["note"])
        if item["attempts"] > 1:
            text += _(" · đã hỏi {n} lần").format(n=item["attempts"])
        self.detail.configure(text=text)

    # -- actions ---------------------------------------------------------------------------
    def _session(self) -> str:
        if not self.sid:
            raise UserError(_("Hãy chọn một đợt chi đã khóa danh sách."))
        return self.sid

    def focus_list(self) -> None:
        children = self.tree.get_children()
        if children:
            target = (self.tree.selection() or children)[0]
            self.tree.selection_set(target)
            self.tree.focus(target)
            self.tree.see(target)
            self.tree.focus_set()

    def find(self) -> None:
        item = verification.find_item(self.shell.db, self._session(), self.find_var.get())
        self.tree.selection_set(item["id"])
        self.focus_list()
        self.find_var.set("")

    def draw(self) -> DrawForm:
        self._session()
        return DrawForm(self)

    def print_sheet(self) -> None:
        """The sheet to print: the printing page with it chosen, then save (as the payout list)."""
        sid = self._session()
        if verification.get_verification(self.shell.db, sid) is None:
            raise UserError(_("Hãy rút mẫu xác minh trước khi in phiếu."))
        printing = self.shell.show("printing")
        printing.load_sessions()
        printing.kind.set_code("verification")
        printing.update_fields()
        printing.session_box.current([s["id"] for s in printing.sessions].index(sid))
        printing.save_as()

    def selected(self) -> dict:
        chosen = self.tree.selection()
        if not chosen or chosen[0] not in self.items:
            raise UserError(_("Hãy chọn một người trong mẫu xác minh."))
        return self.items[chosen[0]]

    def answer_selected(self, answer: str | None) -> AnswerForm | None:
        """Record ``answer`` for the selected person at once when who asked is known and nothing
        more is needed; else (or with ``answer`` ``None``) open the form."""
        item = self.selected()
        if answer is None or answer == "different_amount" or not self.last_asked:
            return AnswerForm(self, item, answer or item["answer"] or "received")
        self.record(item, answer, **self.last_asked)
        return None

    def record(self, item: dict, answer: str, *, amount=None, note: str = "", **asked) -> None:
        """Record one answer, remember who asked, move to the next person; after a negative
        answer offer the grievance."""
        aid = verification.record_answer(self.shell.ctx, item["id"], answer, amount=amount, note=note, **asked)
        self.last_asked = {"asked_by": asked["asked_by"], "asked_on": asked["asked_on"],
                           "asked_how": asked["asked_how"]}
        self.refresh()
        self.note.configure(text=_("Đã ghi #{n} {name}: {answer}").format(
            n=item["seq"], name=item["full_name"], answer=_(verification.ANSWERS[answer]).lower()))
        following = self.tree.next(item["id"])
        if answer in verification.NEGATIVE:
            self.tree.selection_set(item["id"])
            if self.shell.dialogs.ask_yes_no(_("{name} trả lời “{answer}”. Mở phiếu khiếu nại ngay?").format(
                    name=item["full_name"], answer=_(verification.ANSWERS[answer]))):
                self._open_ticket(aid)
        elif following:
            self.tree.selection_set(following)
        self.focus_list()
        self.shell.publish("verification_changed", self.sid)

    def open_grievance(self) -> None:
        """A ticket from the selected person's negative answer (one that has none yet)."""
        item = self.selected()
        if item["answer"] not in verification.NEGATIVE:
            raise UserError(_("Chỉ mở phiếu khiếu nại từ câu trả lời “Chưa nhận được” hoặc “Nhận số tiền khác”."))
        if item["ticket"]:
            self.shell.run_command("open_grievance", item["ticket"]["id"])
            return
        self._open_ticket(item["answer_id"])

    def _open_ticket(self, answer_id: str) -> None:
        gid = grievances.open_from_answer(self.shell.ctx, answer_id)
        ticket = grievances.get_grievance(self.shell.db, gid)
        self.refresh()
        self.shell.publish("grievances_changed", gid)
        self.shell.dialogs.info(_("Đã mở phiếu khiếu nại số {number}. Hạn trả lời: {due}.").format(
            number=ticket["number_text"], due=fmt_date(ticket["due_on"])))


def describe(summary: dict) -> str:
    """A session's verification in two lines: the draw, then the answers and the problems."""
    recorded, counts = summary["verification"], summary["counts"]
    line = verification.describe_draw(recorded)
    answers = _("Đã trả lời {answered}/{size} ({rate}): đã nhận đủ {received}, chưa nhận được {not_received}, "
                "nhận số tiền khác {different}, không liên lạc được {unreachable}, chưa hỏi {pending}.").format(
        answered=summary["answered"], size=summary["size"], rate=verification.percent_text(summary["rate"]),
        received=counts["received"], not_received=counts["not_received"], different=counts["different_amount"],
        unreachable=counts["unreachable"], pending=counts["pending"])
    if summary["problems"]:
        answers += " " + _("Vấn đề: {n} người, {amount} chưa đến tay người hưởng.").format(
            n=len(summary["problems"]), amount=format_vnd(summary["missing_amount"]))
    return f"{line}\n{answers}"

