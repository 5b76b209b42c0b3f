"""Payout sessions in the window: the creation wizard, review and lock, the payout desk, the
transfer files, the cash book, closing.

The desk is built for the busy day before Tết: type a few letters of the name (accents not
needed) or the last digits of the ID, Enter pays the highlighted person, the receipt joins the
print queue and the search box is ready for the next person. Every action calls
:mod:`commune_payout.payouts`, :mod:`commune_payout.transfers` or :mod:`commune_payout.cashbook`.
"""

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import ttkbootstrap as ttk

from commune_payout import cashbook, idcard, payouts, verification
from commune_payout.banks import bank_name
from commune_payout.context import Context
from commune_payout.errors import ValidationError
from commune_payout.gui.dialogs import place_over
from commune_payout.gui.widgets import (Choice, FieldGrid, drop_columns_to_fit, fmt_count, fmt_date, fmt_datetime,
                                        scrolled_tree, title)
from commune_payout.i18n import _
from commune_payout.lazy import LazyModule
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.text import ascii_digits, fold

# openpyxl: loaded for the bank's files, not at start-up.
bank_results, transfers = LazyModule("commune_payout.bank_results"), LazyModule("commune_payout.transfers")

SEARCH_DELAY_MS = 150
DESK_ROWS = 200
# Below this age someone else (a guardian) receives for the person.
ADULT_AGE = 16
# Channel names short enough for the desk's list column.
SHORT_CHANNELS = {"vneid": "TK an sinh", "account": "Chuyển khoản", "cash_commune": "Tiền mặt xã",
                  "cash_home": "Tại nhà"}
WIZARD_FIELDS = ("name", "kind", "period", "session_date", "funding_source", "gift_high", "gift_low",
                 "fixed_btxh", "fixed_htxh", "months")


def register_gui(shell) -> None:
    shell.add_section("payouts", _("Đợt chi trả"), PayoutsView, order=35, shortcuts={
        "<Control-n>": lambda view: view.open_wizard(),
        "<Control-f>": lambda view: view.focus_search(),
        "<Control-F>": lambda view: view.focus_search(),
    })


def _money(text: str, field: str, problems: dict) -> int | None:
    try:
        value = parse_vnd(text)
    except ValueError:
        problems[field] = _("Số tiền không hợp lệ")
        return None
    if value is not None and value <= 0:
        problems[field] = _("Số tiền phải lớn hơn 0")
        return None
    return value


def _day(text: str, field: str, problems: dict) -> dt.date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            pass
    problems[field] = _("Ngày dạng ngày/tháng/năm, ví dụ 20/01/2026")
    return None


class SessionWizard(ttk.Toplevel):
    """New session: the rules, then a preview (totals by group, village, channel; who is left
    out and why), then create. Nothing is written before "Lập đợt chi"."""

    def __init__(self, shell, on_created):
        super().__init__(title=_("Lập đợt chi trả mới"), transient=shell.root)
        place_over(self, shell.root, (1200, 680), minsize=(900, 600))
        self.shell = shell
        self.on_created = on_created
        self.spec: payouts.SessionSpec | None = None
        self.task = None
        self.edits = 0
        today = shell.ctx.clock.today()
        body = ttk.Frame(self, padding=14)
        body.pack(fill="both", expand=True)
        left = ttk.Frame(body)
        left.pack(side="left", fill="y")
        self.grid_ = FieldGrid(left, label_width=18)
        self.grid_.pack(fill="x")
        self.vars = {key: ttk.StringVar() for key in WIZARD_FIELDS if key != "kind"}
        entry = lambda key, **kw: (lambda parent: ttk.Entry(parent, textvariable=self.vars[key], width=26, **kw))
        self.grid_.add("name", _("Tên đợt chi"), entry("name"))
        self.kind = self.grid_.add("kind", _("Loại"), lambda p: Choice(p, payouts.KINDS, width=24))
        self.kind.bind("<<ComboboxSelected>>", lambda e: self._kind_changed())
        self.grid_.add("period", _("Kỳ chi (năm-tháng)"), entry("period"))
        self.grid_.add("session_date", _("Ngày xét đối tượng"), entry("session_date"))
        self.grid_.add("funding_source", _("Nguồn kinh phí"), entry("funding_source"))
        self.grid_.add("gift_high", _("Quà mức cao (NCC)"), entry("gift_high"))
        self.grid_.add("gift_low", _("Quà mức thấp (NCC)"), entry("gift_low"))
        self.grid_.add("fixed_btxh", _("Mức cố định BTXH"), entry("fixed_btxh"))
        self.grid_.add("fixed_htxh", _("Mức cố định HTXH"), entry("fixed_htxh"))
        self.grid_.add("months", _("Số tháng"), entry("months"))
        self.one_per_person = ttk.BooleanVar(value=True)
        self.grid_.add_widget(ttk.Checkbutton(self.grid_, text=_("Mỗi người một suất (lấy mức cao nhất)"),
                                              variable=self.one_per_person))
        self.funeral_only = ttk.BooleanVar(value=False)
        self.grid_.add_widget(ttk.Checkbutton(
            self.grid_, text=_("Chỉ chi hỗ trợ mai táng (đợt chi một lần)"),
            variable=self.funeral_only), pady=(2, 0))
        self.vars["period"].set(f"{today.year}-{today.month:02d}")
        self.vars["session_date"].set(today.strftime("%d/%m/%Y"))
        self.vars["months"].set("1")
        self.vars["gift_high"].set("600.000")
        self.vars["gift_low"].set("300.000")
        self.kind.set_code("tet_gift")
        self.default_name = ""
        buttons = ttk.Frame(left)
        buttons.pack(fill="x", pady=(14, 0))
        self.preview_button = ttk.Button(buttons, text=_("Xem trước"), bootstyle="primary", command=self.preview)
        self.preview_button.pack(side="left")
        self.create_button = ttk.Button(buttons, text=_("Lập đợt chi"), bootstyle="success", command=self.create,
                                        state="disabled")
        self.create_button.pack(side="left", padx=8)
        ttk.Button(buttons, text=_("Đóng"), bootstyle="secondary-outline", command=self.destroy).pack(side="right")

        right = ttk.Frame(body, padding=(16, 0, 0, 0))
        right.pack(side="left", fill="both", expand=True)
        self.summary = ttk.Label(right, text=_("Điền quy định rồi bấm “Xem trước”. Chưa có gì được ghi."),
                                 font=("TkDefaultFont", 11, "bold"), wraplength=700, justify="left")
        self.summary.pack(anchor="w")
        self.totals = TotalsPanel(right, height=9)
        self.totals.pack(fill="both", expand=True, pady=(8, 0))
        ttk.Label(right, text=_("Không đưa vào danh sách"), font=("TkDefaultFont", 10, "bold")).pack(
            anchor="w", pady=(8, 2))
        frame, self.excluded, _bar = scrolled_tree(right, {
            "name": (_("Họ và tên"), 180, "w"), "village": (_("Thôn"), 110, "w"),
            "reason": (_("Lý do"), 300, "w")}, height=5)
        self.excluded.column("reason", stretch=True)
        frame.pack(fill="both", expand=True)
        self.warnings = ttk.Label(right, bootstyle="warning", wraplength=700, justify="left")
        self.warnings.pack(anchor="w", pady=(6, 0))
        for var in self.vars.values():
            var.trace_add("write", lambda *a: self._stale())
        self.one_per_person.trace_add("write", lambda *a: self._stale())
        self.funeral_only.trace_add("write", lambda *a: self._stale())
        self._kind_changed()
        # The totals show at once: the officer checks them instead of asking for them.
        self.after_idle(self.preview)

    def _kind_changed(self) -> None:
        monthly = self.kind.code() in ("monthly", "arrears")
        if monthly:
            for key in ("gift_high", "gift_low", "fixed_btxh", "fixed_htxh"):
                self.vars[key].set("")
        if self.vars["name"].get().strip() in ("", self.default_name):
            self.default_name = self._default_name()
            self.vars["name"].set(self.default_name)
        self.one_per_person.set(self.kind.code() == "tet_gift")
        self._stale()

    def _default_name(self) -> str:
        """A name the officer can keep: "Quà Tết 2027" from October on, "Chi trợ cấp tháng 12/2026"…"""
        today = self.shell.ctx.clock.today()
        kind = self.kind.code()
        if kind == "tet_gift":
            return _("Quà Tết {year}").format(year=today.year + 1 if today.month >= 10 else today.year)
        if kind == "monthly":
            return _("Chi trợ cấp tháng {month}").format(month=f"{today:%m/%Y}")
        return ""

    def _stale(self) -> None:
        self.edits += 1                 # a preview started before this edit is out of date
        self.spec = None
        self.summary.configure(text=_("Điền quy định rồi bấm “Xem trước”. Chưa có gì được ghi."), bootstyle="default")
        self.create_button.configure(state="disabled")

    def read_spec(self) -> payouts.SessionSpec:
        """The spec the form describes; ValidationError with every problem beside its field."""
        problems: dict[str, str] = {}
        v = {key: var.get().strip() for key, var in self.vars.items()}
        day = _day(v["session_date"], "session_date", problems)
        fixed = {}
        for program in ("btxh", "htxh"):
            amount = _money(v[f"fixed_{program}"], f"fixed_{program}", problems)
            if amount:
                fixed[program] = amount
        months = ascii_digits(v["months"])
        months = int(months) if re.fullmatch(r"[0-9]{1,4}", months) else 0     # the service says what is wrong
        spec = payouts.SessionSpec(
            name=v["name"], kind=self.kind.code(), period=v["period"], session_date=day or dt.date.min,
            funding_source=v["funding_source"], fixed=fixed, gift_high=_money(v["gift_high"], "gift_high", problems),
            gift_low=_money(v["gift_low"], "gift_low", problems), months=months,
            one_per_person=self.one_per_person.get(),
            funeral=True if self.kind.code() == "one_off" and self.funeral_only.get() else None)
        try:
            payouts.validate_spec(self.shell.db, spec)
        except ValidationError as exc:
            problems = {**exc.problems, **problems}
        if problems:
            if "fixed" in problems:
                problems.setdefault("fixed_btxh", problems.pop("fixed"))
            shown = self.grid_.show_errors(problems)
            rest = [m for k, m in problems.items() if k not in shown]
            raise ValidationError(_("Thông tin đợt chi chưa hợp lệ") + ("\n" + "\n".join(rest) if rest else ""),
                                  problems)
        self.grid_.show_errors({})
        return spec

    def preview(self) -> None:
        try:
            spec = self.read_spec()
        except ValidationError as exc:
            self.summary.configure(text=str(exc).splitlines()[0], bootstyle="danger")
            return
        self.summary.configure(text=_("Đang tính…"), bootstyle="default")
        edits = self.edits
        self.task = self.shell.run_task(lambda db, progress: payouts.preview_session(db, spec),
                                        on_done=lambda p: edits == self.edits and self._show_preview(spec, p))

    def _show_preview(self, spec, preview: payouts.Preview) -> None:
        self.spec = spec
        totals = preview.totals
        if totals["count"]:
            self.summary.configure(text=_("{n} người, tổng {amount}. Rà soát rồi bấm “Lập đợt chi”.").format(
                n=fmt_count(totals["count"]), amount=format_vnd(totals["amount"])), bootstyle="default")
        else:
            self.summary.configure(text=self._why_nobody(preview), bootstyle="danger")
        self.totals.fill(totals)
        self.excluded.delete(*self.excluded.get_children())
        for e in preview.excluded:
            self.excluded.insert("", "end", values=(e["full_name"], e["village"], e["reason"]))
        blank = self._blank_amounts() if totals["count"] else []
        notes = ([_("Chưa ghi {fields}: người thuộc các diện đó không có trong danh sách.").format(
            fields=", ".join(blank))] if blank else []) + preview.warnings
        self.warnings.configure(text="\n".join(notes[:4]) + (
            _("\n… và {n} lưu ý khác").format(n=len(notes) - 4) if len(notes) > 4 else ""))
        self.create_button.configure(state="normal" if totals["count"] else "disabled")

    def _blank_amounts(self) -> list[str]:
        """The amount fields left blank in a gift or one-off session (nobody of those groups is paid)."""
        if self.kind.code() == "monthly":
            return []
        labels = {"gift_high": _("Quà mức cao (NCC)"), "gift_low": _("Quà mức thấp (NCC)"),
                  "fixed_btxh": _("Mức cố định BTXH"), "fixed_htxh": _("Mức cố định HTXH")}
        return [label for key, label in labels.items() if not self.vars[key].get().strip()]

    def _why_nobody(self, preview: payouts.Preview) -> str:
        """Why a preview holds nobody: the reason most of those left out share, or the amounts
        left blank (a group with no amount has nothing to pay)."""
        if preview.excluded:
            reason, count = Counter(e["reason"] for e in preview.excluded).most_common(1)[0]
            return _("Không có ai trong danh sách: {count} người bị loại vì: {reason}.").format(
                count=fmt_count(count), reason=reason)
        if self._blank_amounts():
            return _("Không có ai trong danh sách: chưa ghi {fields}, nên người thuộc các diện đó không có số "
                     "tiền để chi. Ghi mức chi rồi bấm “Xem trước” lại.").format(fields=", ".join(self._blank_amounts()))
        return _("Không có ai trong danh sách: sổ chưa có người đang hưởng thuộc các diện của đợt chi này.")

    def create(self) -> None:
        if self.spec is None:
            return
        spec, clock, user = self.spec, self.shell.ctx.clock, self.shell.ctx.user
        self.create_button.configure(state="disabled")
        self.summary.configure(text=_("Đang lập đợt chi…"))

        def work(db, progress):
            return payouts.create_session(Context(db, clock=clock, user=user), spec)

        def done(sid):
            self.destroy()
            self.on_created(sid)

        self.task = self.shell.run_task(work, on_done=done)


class TotalsPanel(ttk.Frame):
    """Totals by group, by village and by channel, one tab each: a tab gives its names the
    whole width (a group's public name runs to some 60 characters)."""

    def __init__(self, master, height=8):
        super().__init__(master)
        self.trees = {}
        self.holder = ttk.Notebook(self)
        self.holder.pack(fill="both", expand=True)
        for key, heading in (("by_group", _("Diện")), ("by_village", _("Thôn/xóm")), ("by_channel", _("Hình thức"))):
            frame, tree, _bar = scrolled_tree(self.holder, {
                "key": (heading, 200, "w"), "count": (_("Số người"), 82, "e"), "amount": (_("Số tiền"), 100, "e")},
                height=height)
            self.holder.add(frame, text=heading)
            self.trees[key] = tree

    def fill(self, totals: dict) -> None:
        for key, tree in self.trees.items():
            tree.delete(*tree.get_children())
            for item in totals[key]:
                label = payouts.CHANNELS.get(item["key"], item["key"]) if key == "by_channel" else item["key"]
                tree.insert("", "end", values=(label or _("(chưa ghi)"), fmt_count(item["count"]),
                                               format_vnd(item["amount"], unit=False)))


class PayoutsView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.sid: str | None = None
        self.session: dict | None = None
        self.sessions: list[dict] = []
        self.lines: dict[str, dict] = {}
        self.receipt_queue: list[int] = []
        self.wizard: SessionWizard | None = None
        self.task = None
        self._search_job = None
        self.last_export: list[transfers.TransferFile] = []

        head = title(self, _("Đợt chi trả"))
        head.pack(fill="x")
        # How far the check that the money arrived has got (the page "Xác minh và khiếu nại").
        self.verify_button = ttk.Button(head, bootstyle="link", takefocus=False,
                                        command=lambda: self.shell.run_command("open_verification", self.sid))
        ttk.Button(head, text=_("Lập đợt chi mới…"), bootstyle="primary", command=self.open_wizard).pack(side="right")
        self.close_button = ttk.Button(head, text=_("Đóng đợt chi"), bootstyle="danger-outline", command=self.close)
        self.close_button.pack(side="right", padx=6)
        self.lock_button = ttk.Button(head, text=_("Khóa danh sách"), bootstyle="warning", command=self.lock)
        self.lock_button.pack(side="right")
        self.delete_button = ttk.Button(head, text=_("Xóa bản nháp"), bootstyle="secondary-outline",
                                        command=self.delete_draft)
        self.delete_button.pack(side="right", padx=6)
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(8, 0))
        ttk.Label(bar, text=_("Đợt chi:")).pack(side="left")
        self.session_box = ttk.Combobox(bar, state="readonly", width=58)
        self.session_box.pack(side="left", padx=(6, 10))
        self.session_box.bind("<<ComboboxSelected>>",
                              lambda e: self.select(self.sessions[self.session_box.current()]["id"]))
        self.status_label = ttk.Label(bar, bootstyle="secondary")
        self.status_label.pack(side="left")
        # The next step of the Tết path, proposed where the officer already looks.
        self.next_button = ttk.Button(bar, text=_("Bước tiếp: in danh sách chi trả (PDF)…"), bootstyle="primary",
                                      command=self.print_payout_list)
        self.tiles = ttk.Frame(self)
        self.tiles.pack(fill="x", pady=(10, 6))
        self.tile_labels = {}
        for i, (key, caption, style) in enumerate((
                ("paid", _("Đã chi"), "success"), ("remaining", _("Còn lại"), "warning"),
                ("cash", _("Tiền mặt đang giữ"), "info"), ("cashless", _("Không dùng tiền mặt"), "primary"))):
            tile = ttk.Frame(self.tiles, bootstyle=style, padding=(12, 6))
            tile.grid(row=0, column=i, sticky="nsew", padx=(0 if i == 0 else 8, 0))
            self.tiles.columnconfigure(i, weight=1, uniform="tile")
            number = ttk.Label(tile, font=("TkDefaultFont", 16, "bold"), bootstyle=f"@{style}")
            number.pack(anchor="w")
            detail = ttk.Label(tile, text=caption, bootstyle=f"@{style}", wraplength=250, justify="left")
            detail.pack(anchor="w")
            # Wrap inside the tile, which narrows on a 1280-pixel screen.
            tile.bind("<Configure>", lambda e, label=detail: label.configure(wraplength=max(120, e.width - 26)))
            self.tile_labels[key] = (number, detail, caption)

        self.notebook = ttk.Notebook(self)
        self.notebook.pack(fill="both", expand=True)
        self.desk = ttk.Frame(self.notebook, padding=8)
        self.review = ttk.Frame(self.notebook, padding=8)
        self.bank = ttk.Frame(self.notebook, padding=8)
        self.cash = ttk.Frame(self.notebook, padding=8)
        self.notebook.add(self.desk, text=_("Bàn chi trả"))
        self.notebook.add(self.review, text=_("Rà soát danh sách"))
        self.notebook.add(self.bank, text=_("Chuyển khoản"))
        self.notebook.add(self.cash, text=_("Sổ quỹ tiền mặt"))
        self._build_desk()
        self._build_review()
        self._build_bank()
        self._build_cash()
        self.reload_sessions()

    # -- helpers ---------------------------------------------------------------------------
    def _guard(self, action, *args, **kwargs) -> tuple[bool, object]:
        """Run an action; (True, its result), or (False, None) after the shell has shown the problem."""
        try:
            return True, action(*args, **kwargs)
        except Exception as exc:  # shown by the shell: UserError plainly, anything else logged
            self.shell.report_exception(exc)
            return False, None

    def on_show(self) -> None:
        self.reload_sessions(keep=self.sid)
        self.search.focus_set()

    def reload_sessions(self, keep: str | None = None) -> None:
        self.sessions = payouts.list_sessions(self.shell.db)
        self.session_box.configure(values=[
            f"{s['period']} · {s['name']} · {_(payouts.SESSION_STATUSES[s['status']])}" for s in self.sessions])
        ids = [s["id"] for s in self.sessions]
        target = keep if keep in ids else (ids[0] if ids else None)
        if target:
            self.select(target)
        else:
            self.sid = self.session = None
            self.session_box.set("")
            self.status_label.configure(text=_("Chưa có đợt chi nào — bấm “Lập đợt chi mới…” (Ctrl+N)."))
            self._refresh_all()

    def select(self, sid: str) -> None:
        if sid != self.sid:
            self.receipt_queue.clear()
        self.sid = sid
        self.session = payouts.get_session(self.shell.db, sid)
        self.session_box.current([s["id"] for s in self.sessions].index(sid))
        self._refresh_all()

    def _refresh_all(self) -> None:
        status = self.session["status"] if self.session else None
        hints = {"draft": _("Đang lập: rà soát các tổng rồi khóa danh sách để bắt đầu chi."),
                 "locked": _("Đang chi trả."), "closed": _("Đã đóng: chỉ xem.")}
        if self.session:
            self.status_label.configure(text=hints[status])
        self.lock_button.configure(state="normal" if status == "draft" else "disabled")
        self.delete_button.configure(state="normal" if status == "draft" else "disabled")
        self.close_button.configure(state="normal" if status == "locked" else "disabled")
        if status == "locked":
            self.next_button.pack(side="right")
        else:
            self.next_button.pack_forget()
        self.refresh_verification()
        self.refresh_counters()
        self.refresh_review()
        self.refresh_bank()
        self.refresh_cash()
        self.run_search()

    def refresh_verification(self) -> None:
        """The session's verification rate and problems in one line, which opens it."""
        if not self.session or self.session["status"] == "draft":
            self.verify_button.pack_forget()
            return
        found = verification.summary(self.shell.db, self.sid)
        self.verify_button.configure(text=_("Xác minh: chưa rút mẫu →") if found is None else _(
            "Xác minh: {answered}/{size} đã trả lời ({rate}), {problems} vấn đề →").format(
            answered=found["answered"], size=found["size"], rate=verification.percent_text(found["rate"]),
            problems=len(found["problems"])))
        self.verify_button.pack(side="left", padx=(12, 0), pady=(4, 0))

    def refresh_counters(self) -> None:
        if not self.sid:
            for number, detail, caption in self.tile_labels.values():
                number.configure(text="—")
                detail.configure(text=caption)
            return
        c = payouts.counters(self.shell.db, self.sid)
        values = {
            "paid": (f"{fmt_count(c['paid_count'])} / {fmt_count(c['count'])}", format_vnd(c["paid_amount"])),
            "remaining": (fmt_count(c["remaining_count"]), format_vnd(c["remaining_amount"])),
            "cash": (format_vnd(c["cash_on_hand"]), _("nhận {r} · chi {p}").format(
                r=format_vnd(c["cash_received"], unit=False), p=format_vnd(c["cash_paid"], unit=False)))
            if c["cash_on_hand"] >= 0 else
            (_("Thiếu {amount}").format(amount=format_vnd(-c["cash_on_hand"])),
             _("chưa ghi đủ tiền nhận (thẻ Sổ quỹ)")),
            "cashless": (f"{c['cashless_share']:.0%}", _("{n} người qua tài khoản").format(
                n=fmt_count(c["cashless_count"]))),
        }
        for key, (number, detail, caption) in self.tile_labels.items():
            number.configure(text=values[key][0])
            detail.configure(text=f"{caption} · {values[key][1]}")

    # -- the desk --------------------------------------------------------------------------
    def _build_desk(self) -> None:
        left = ttk.Frame(self.desk)
        left.pack(side="left", fill="both", expand=True)
        row = ttk.Frame(left)
        row.pack(fill="x")
        ttk.Label(row, text=_("Tìm người nhận:")).pack(side="left")
        self.search_var = ttk.StringVar()
        self.search = ttk.Entry(row, textvariable=self.search_var, font=("TkDefaultFont", 13))
        self.search.pack(side="left", fill="x", expand=True, padx=(8, 8))
        self.show_paid = ttk.BooleanVar(value=False)
        ttk.Checkbutton(row, text=_("Hiện cả người đã nhận"), variable=self.show_paid,
                        command=self.run_search).pack(side="left")
        self.search_var.trace_add("write", lambda *a: self._schedule_search())
        frame, self.tree, _bar = scrolled_tree(left, {
            "name": (_("Họ và tên"), 152, "w"), "year": (_("Năm sinh"), 78, "center"),
            "id_number": (_("Số định danh"), 118, "w"), "village": (_("Thôn"), 124, "w"),
            "amount": (_("Số tiền"), 76, "e"), "channel": (_("Hình thức"), 112, "w"),
            "status": (_("Trạng thái"), 142, "w")}, height=12)
        # At 1280 pixels the status goes first (colour marks paid and returned lines, and the
        # panel on the right says it in words), then the year.
        drop_columns_to_fit(self.tree, ["status", "year"])
        frame.pack(fill="both", expand=True, pady=(6, 0))
        self.tree.tag_configure("paid", foreground=ttk.Style().colors.success)
        self.tree.tag_configure("returned", foreground=ttk.Style().colors.danger)
        self.tree.tag_configure("cancelled", foreground=ttk.Style().colors.secondary)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.show_detail())
        for widget in (self.search, self.tree):
            widget.bind("<Return>", lambda e: (self._enter(), "break")[1])
            widget.bind("<KP_Enter>", lambda e: (self._enter(), "break")[1])
        self.search.bind("<Down>", lambda e: (self._move(1), "break")[1])
        self.search.bind("<Up>", lambda e: (self._move(-1), "break")[1])
        self.search.bind("<Escape>", lambda e: self.search_var.set(""))
        self.desk_message = ttk.Label(left, font=("TkDefaultFont", 11, "bold"), wraplength=640, justify="left")
        self.desk_message.pack(anchor="w", pady=(6, 0))
        ttk.Label(left, text=_("Gõ tên (không dấu cũng được), vài số cuối của số định danh, hoặc quét thẻ "
                               "căn cước; ↑↓ chọn; Enter: ghi đã chi và in biên nhận; Esc: xóa ô tìm."),
                  bootstyle="secondary", wraplength=640).pack(anchor="w")

        right = ttk.Frame(self.desk, padding=(14, 0, 0, 0), width=300)
        # Packed ahead of the list, so on a narrow screen the list gives up width, not the panel.
        right.pack(side="right", fill="y", before=left)
        right.pack_propagate(False)
        self.detail_name = ttk.Label(right, font=("TkDefaultFont", 14, "bold"), wraplength=280)
        self.detail_name.pack(anchor="w")
        self.detail_amount = ttk.Label(right, font=("TkDefaultFont", 20, "bold"), bootstyle="success")
        self.detail_amount.pack(anchor="w", pady=(2, 0))
        self.detail_text = ttk.Label(right, wraplength=280, justify="left")
        self.detail_text.pack(anchor="w", pady=(4, 4))
        # Why this amount: group, age on the date, coefficient × base level, carried months, override.
        self.detail_why = ttk.Label(right, wraplength=280, justify="left", bootstyle="secondary")
        self.detail_why.pack(anchor="w", pady=(0, 8))
        self.received_by = ttk.StringVar(value="self")
        ttk.Radiobutton(right, text=_("Người hưởng nhận"), value="self", variable=self.received_by).pack(anchor="w")
        auth = ttk.Frame(right)
        auth.pack(fill="x")
        ttk.Radiobutton(auth, text=_("Người được ủy quyền:"), value="authorised",
                        variable=self.received_by).pack(side="left")
        self.receiver_var = ttk.StringVar()
        self.receiver_entry = ttk.Entry(auth, textvariable=self.receiver_var)
        self.receiver_entry.pack(side="left", fill="x", expand=True, padx=(6, 0))
        # Typing a name here means that person receives; Enter then pays, as the button says.
        self.receiver_entry.bind("<Key>", lambda e: e.char.isprintable() and e.char and
                                 self.received_by.set("authorised"), add="+")
        for sequence in ("<Return>", "<KP_Enter>"):
            self.receiver_entry.bind(sequence, lambda e: (self.pay_selected(), "break")[1])
        self.pay_button = ttk.Button(right, text=_("Ghi đã chi  [Enter]"), bootstyle="success",
                                     command=self.pay_selected)
        self.pay_button.pack(fill="x", pady=(10, 4))
        self.fallback_button = ttk.Button(right, text=_("Bị trả lại → chi tiền mặt"),
                                          bootstyle="warning-outline", command=self.fallback_selected)
        self.fallback_button.pack(fill="x", pady=2)
        fix = ttk.Frame(right)
        fix.pack(fill="x", pady=(8, 0))
        ttk.Label(fix, text=_("Lý do đảo:")).pack(side="left")
        self.reverse_reason = ttk.StringVar()
        ttk.Entry(fix, textvariable=self.reverse_reason).pack(side="left", fill="x", expand=True, padx=6)
        self.reverse_button = ttk.Button(right, text=_("Đảo khoản chi đã ghi"), bootstyle="danger-outline",
                                         command=self.reverse_selected)
        self.reverse_button.pack(fill="x", pady=(4, 0))
        queue = ttk.Frame(right)
        queue.pack(fill="x", side="bottom", pady=(10, 0))
        self.queue_label = ttk.Label(queue)
        self.queue_label.pack(anchor="w")
        self.print_button = ttk.Button(queue, text=_("In biên nhận đang chờ (PDF)…"), bootstyle="secondary",
                                       command=self.print_queue)
        self.print_button.pack(fill="x", pady=(4, 0))

    def focus_search(self) -> None:
        """Ctrl+F, and after locking: the desk's search box, ready to type a name or scan a card."""
        self.notebook.select(self.desk)
        self.search.focus_set()
        self.search.select_range(0, "end")

    def _schedule_search(self) -> None:
        if self._search_job is not None:
            self.after_cancel(self._search_job)
        self._search_job = self.after(SEARCH_DELAY_MS, self.run_search)

    def _enter(self) -> None:
        """Enter in the search box or the list: a card scan (its scanner's closing Enter) picks
        the card's holder; otherwise the highlighted person is paid."""
        scan = idcard.scan_in_box(self.search_var.get())
        if scan:
            self.take_scan(scan)
        else:
            self.pay_selected()

    def take_scan(self, scan: str) -> None:
        """A chip ID card was scanned into the search box: keep only its ID there (the scan itself
        is never kept) and select its holder, or say plainly that the card matches nobody here."""
        try:
            card = idcard.parse(scan, self.shell.ctx.clock.today())
        except idcard.CardUnreadable as exc:
            self.search_var.set("")
            self.desk_message.configure(bootstyle="danger", text=str(exc))
            return
        self.search_var.set(card.id_number)
        self.run_search()
        line = next((line for line in self.lines.values() if line["id_number"] == card.id_number), None)
        if line is None:
            self.tree.selection_set(())
            self.show_detail()
            self.desk_message.configure(bootstyle="danger", text=_(
                "Thẻ căn cước số {id} ({name}) không có trong danh sách đợt chi này.").format(
                id=card.id_number, name=card.full_name))
            return
        self.tree.selection_set(line["id"])
        self.tree.see(line["id"])
        self.desk_message.configure(bootstyle="info", text=_("Đã quét thẻ của {name}. Enter: ghi đã chi.").format(
            name=line["full_name"]))

    def run_search(self) -> None:
        self._search_job = None
        self.tree.delete(*self.tree.get_children())
        self.lines = {}
        if not self.sid:
            self.show_detail()
            return
        text = idcard.search_text(self.search_var.get()).strip()
        if text:
            rows = payouts.find_line(self.shell.db, self.sid, text, limit=DESK_ROWS)
        else:
            status = None if self.show_paid.get() else "pending"
            rows = payouts.session_lines(self.shell.db, self.sid, status=status, limit=DESK_ROWS)
        if not self.show_paid.get() and text:
            rows = [r for r in rows if r["status"] != "paid"] or rows
        for r in rows:
            self.lines[r["id"]] = r
            status = _(payouts.LINE_STATUSES[r["status"]])
            if r["receipt_no"]:
                status += " (" + _("BN {n}").format(n=r["receipt_no"]) + ")"
            self.tree.insert("", "end", iid=r["id"], tags=(r["status"],), values=(
                r["full_name"], r["birth_year"] or "", r["id_number"] or "", r["village"],
                format_vnd(r["total"], unit=False), _(SHORT_CHANNELS[r["channel"]]), status))
        children = self.tree.get_children()
        # Only a search picks someone by itself: with the box empty (right after a payment) a
        # second Enter must not pay whoever happens to head the list.
        if children and text:
            self.tree.selection_set(children[0])
            self.tree.see(children[0])
        self.show_detail()

    def _move(self, step: int) -> None:
        children = self.tree.get_children()
        if not children:
            return
        current = self.tree.selection()
        index = children.index(current[0]) + step if current else 0
        index = max(0, min(len(children) - 1, index))
        self.tree.selection_set(children[index])
        self.tree.see(children[index])

    def selected_line(self) -> dict | None:
        chosen = self.tree.selection()
        return self.lines.get(chosen[0]) if chosen else None

    def show_detail(self) -> None:
        line = self.selected_line()
        locked = bool(self.session and self.session["status"] == "locked")
        if line is None:
            self.detail_name.configure(text="")
            self.detail_amount.configure(text="")
            self.detail_text.configure(text=_("Chọn một người trong danh sách."))
            self.detail_why.configure(text="")
            for button in (self.pay_button, self.fallback_button, self.reverse_button):
                button.configure(state="disabled")
        else:
            self.detail_name.configure(text=line["full_name"])
            self.detail_amount.configure(text=format_vnd(line["total"]))
            parts = [_("Năm sinh: {y} · Số ĐD: {id}").format(y=line["birth_year"] or "—", id=line["id_number"] or "—"),
                     _("Thôn: {v} · Diện: {g}").format(v=line["village"], g=line["group_public"]),
                     _("Hình thức: {c}").format(c=_(payouts.CHANNELS[line["channel"]]))]
            if line["channel"] in payouts.TRANSFER_CHANNELS:
                account = _("Tài khoản: {a} · {bank}").format(a=line["account_number"], bank=bank_name(line["bank_bin"]))
                if line["account_holder"] and fold(line["account_holder"]) != fold(line["full_name"]):
                    account += " " + _("(chủ tài khoản: {h})").format(h=line["account_holder"])
                parts.append(account)
            if line["receiver_name"]:
                parts.append(_("Người được ủy quyền: {n} ({r})").format(n=line["receiver_name"],
                                                                        r=line["receiver_relation"] or "—"))
            parts.append(_("Trạng thái: {s}").format(s=_(payouts.LINE_STATUSES[line["status"]])))
            if line["receipt_no"]:
                parts.append(_("Biên nhận số {n}, {who}, lúc {at}").format(
                    n=line["receipt_no"], who=line["paid_to"], at=fmt_datetime(line["paid_at"])))
            minor = self._minor_age(line)
            if minor is not None and line["status"] == "pending" and not line["receiver_name"]:
                parts.append(_("⚠ {age} tuổi: người giám hộ nhận thay. Ghi họ tên ở ô “Người được ủy quyền”.")
                             .format(age=minor))
            self.detail_text.configure(text="\n".join(parts))
            self.detail_why.configure(text="\n".join([_("Cách tính:"), *payouts.explain_line(line)]))
            received_by, name = payouts.default_receiver(line)
            if minor is not None and not line["receiver_name"]:
                received_by, name = "authorised", ""
            self.received_by.set(received_by)
            self.receiver_var.set(name if received_by == "authorised" else line["receiver_name"])
            self.pay_button.configure(state="normal" if locked and line["status"] == "pending" else "disabled")
            self.fallback_button.configure(state="normal" if locked and line["status"] == "returned" else "disabled")
            self.reverse_button.configure(state="normal" if locked and line["status"] == "paid" else "disabled")
        self.queue_label.configure(text=_("Biên nhận chờ in: {n}").format(n=len(self.receipt_queue)) + (
            " (" + ", ".join(map(str, self.receipt_queue[-8:])) + ")" if self.receipt_queue else ""))
        self.print_button.configure(state="normal" if self.receipt_queue else "disabled")

    def _minor_age(self, line: dict) -> int | None:
        """The person's age in the session's year when a guardian should receive for them."""
        if not line["birth_year"]:
            return None
        age = int(self.session["session_date"][:4]) - int(line["birth_year"])
        return age if age < ADULT_AGE else None

    def _enough_cash(self, line: dict) -> bool:
        """Cash is paid from what the cash book says was received; with too little recorded, the
        officer is asked first (the treasury's cash was probably not entered yet)."""
        on_hand = payouts.counters(self.shell.db, self.sid)["cash_on_hand"]
        if on_hand >= line["total"]:
            return True
        return self.shell.dialogs.ask_yes_no(_(
            "Sổ quỹ mới ghi giữ {on_hand} tiền mặt, chưa đủ {amount} để chi cho {name}. Hãy ghi khoản tiền nhận "
            "từ kho bạc ở thẻ “Sổ quỹ tiền mặt”. Vẫn ghi đã chi?").format(
            on_hand=format_vnd(max(on_hand, 0)), amount=format_vnd(line["total"]), name=line["full_name"]))

    def pay_selected(self) -> int | None:
        """Enter at the desk: record the highlighted person as paid, queue the receipt, next person."""
        line = self.selected_line()
        if line is None or str(self.pay_button.cget("state")) == "disabled":
            return None
        channel = None
        if line["channel"] in payouts.TRANSFER_CHANNELS:
            # Someone on the transfer list came to the desk: cash only when the officer says so.
            if not self.shell.dialogs.ask_yes_no(
                    _("{name} nhận qua chuyển khoản. Chi tiền mặt tại bàn thay cho chuyển khoản?")
                    .format(name=line["full_name"])):
                return None
            channel = "cash_commune"
        if (channel or line["channel"]) not in payouts.TRANSFER_CHANNELS and not self._enough_cash(line):
            return None
        received_by = self.received_by.get()
        receiver = self.receiver_var.get() if received_by == "authorised" else ""
        ok, receipt = self._guard(payouts.pay_line, self.shell.ctx, line["id"], received_by, receiver, channel)
        if not ok:
            self.run_search()
            return None
        self.receipt_queue.append(receipt)
        who = f" — {_('người nhận thay')}: {receiver}" if receiver else ""
        self.desk_message.configure(bootstyle="success", text=_("Đã chi {amount} cho {name}{who}. Biên nhận số {n}.")
                                    .format(amount=format_vnd(line["total"]), name=line["full_name"], who=who,
                                            n=receipt))
        self.search_var.set("")
        self.refresh_counters()
        self.run_search()
        self.search.focus_set()
        return receipt

    def fallback_selected(self) -> None:
        line = self.selected_line()
        if line and self._guard(payouts.fallback_to_cash, self.shell.ctx, line["id"])[0]:
            self.desk_message.configure(bootstyle="warning", text=_("{name}: chuyển sang chi tiền mặt tại xã.")
                                        .format(name=line["full_name"]))
            self._after_change(line["id"])

    def reverse_selected(self) -> None:
        line = self.selected_line()
        if line is None or not line["payment_entry_id"]:
            return
        reason = self.reverse_reason.get()
        if self._guard(payouts.reverse_entry, self.shell.ctx, line["payment_entry_id"], reason)[0]:
            if line["receipt_no"] in self.receipt_queue:
                self.receipt_queue.remove(line["receipt_no"])
            self.reverse_reason.set("")
            self.desk_message.configure(bootstyle="danger", text=_("Đã đảo khoản chi biên nhận số {n} của {name}.")
                                        .format(n=line["receipt_no"], name=line["full_name"]))
            self._after_change(line["id"])

    def _after_change(self, line_id: str) -> None:
        self.refresh_counters()
        self.run_search()
        if self.tree.exists(line_id):
            self.tree.selection_set(line_id)

    def print_queue(self) -> None:
        """Write the queued receipts to a PDF (4 to a page) and empty the queue."""
        from commune_payout.documents import receipts

        if not self.receipt_queue:
            return
        path = self.shell.dialogs.ask_save_file(
            _("Lưu biên nhận"), initialfile=f"bien-nhan_{self.session['period']}_{self.receipt_queue[0]}.pdf",
            filetypes=[(_("Tệp PDF"), "*.pdf")])
        if not path:
            return
        ok, count = self._guard(receipts.write, self.shell.db, self.sid, path, receipt_nos=list(self.receipt_queue))
        if ok:
            self.receipt_queue.clear()
            self.show_detail()
            self.shell.dialogs.info(_("Đã lưu {n} biên nhận vào {path}").format(n=count, path=path))

    # -- review ----------------------------------------------------------------------------
    def _build_review(self) -> None:
        self.review_summary = ttk.Label(self.review, font=("TkDefaultFont", 11, "bold"))
        self.review_summary.pack(anchor="w")
        self.review_totals = TotalsPanel(self.review, height=10)
        self.review_totals.pack(fill="both", expand=True, pady=(6, 6))
        ttk.Label(self.review, text=_("Không đưa vào danh sách (kèm lý do)"),
                  font=("TkDefaultFont", 10, "bold")).pack(anchor="w")
        frame, self.review_excluded, _bar = scrolled_tree(self.review, {
            "name": (_("Họ và tên"), 200, "w"), "village": (_("Thôn"), 140, "w"),
            "reason": (_("Lý do"), 500, "w")}, height=4)
        self.review_excluded.column("reason", stretch=True)
        frame.pack(fill="x")

    def refresh_review(self) -> None:
        self.review_excluded.delete(*self.review_excluded.get_children())
        if not self.sid:
            self.review_summary.configure(text="")
            self.review_totals.fill({"by_group": [], "by_village": [], "by_channel": []})
            return
        totals = payouts.session_totals(self.shell.db, self.sid)
        s = self.session
        self.review_summary.configure(text=_("{kind} · kỳ {period} · xét ngày {day} · {n} người, {amount}").format(
            kind=_(payouts.KINDS[s["kind"]]), period=s["period"], day=fmt_date(s["session_date"]),
            n=fmt_count(totals["count"]), amount=format_vnd(totals["amount"])))
        self.review_totals.fill(totals)
        for e in s["excluded"]:
            self.review_excluded.insert("", "end", values=(e["full_name"], e["village"], e["reason"]))

    def lock(self) -> None:
        if not self.sid or not self.shell.dialogs.ask_yes_no(
                _("Khóa danh sách “{name}”? Sau khi khóa, số tiền từng người không sửa được nữa và có thể "
                  "bắt đầu chi trả.").format(name=self.session["name"])):
            return
        if self._guard(payouts.lock_session, self.shell.ctx, self.sid)[0]:
            self.reload_sessions(keep=self.sid)
            self.notebook.select(self.desk)
            self.focus_search()

    def print_payout_list(self) -> None:
        """The list to print and sign for this session: the printing page with it chosen, then save."""
        printing = self.shell.show("printing")
        printing.kind.set_code("payout-list")
        printing.update_fields()
        printing.session_box.current([s["id"] for s in printing.sessions].index(self.sid))
        printing.save_as()

    def delete_draft(self) -> None:
        if not self.sid or not self.shell.dialogs.ask_yes_no(
                _("Xóa đợt chi đang lập “{name}”? Danh sách của đợt này sẽ bị bỏ.").format(name=self.session["name"])):
            return
        if self._guard(payouts.delete_draft, self.shell.ctx, self.sid)[0]:
            self.sid = None
            self.reload_sessions()

    # -- transfers -------------------------------------------------------------------------
    def _build_bank(self) -> None:
        ttk.Label(self.bank, text=_("Danh sách chuyển khoản theo từng ngân hàng (.xlsx và .csv, có tổng kiểm soát "
                                    "và mã kiểm tra SHA-256), rồi nhập tệp kết quả ngân hàng gửi lại."),
                  wraplength=900, justify="left").pack(anchor="w")
        row = ttk.Frame(self.bank)
        row.pack(fill="x", pady=8)
        self.export_button = ttk.Button(row, text=_("Xuất danh sách chuyển khoản"), bootstyle="primary",
                                        command=self.export_transfers)
        self.export_button.pack(side="left")
        self.import_button = ttk.Button(row, text=_("Nhập kết quả ngân hàng…"), bootstyle="secondary",
                                        command=self.import_results)
        self.import_button.pack(side="left", padx=8)
        self.bank_message = ttk.Label(self.bank, wraplength=900, justify="left")
        self.bank_message.pack(anchor="w", pady=(0, 6))
        frame, self.bank_tree, _bar = scrolled_tree(self.bank, {
            "bank": (_("Ngân hàng"), 160, "w"), "count": (_("Số giao dịch"), 100, "e"),
            "amount": (_("Số tiền"), 140, "e"), "file": (_("Tệp"), 420, "w")}, height=8)
        self.bank_tree.column("file", stretch=True)
        frame.pack(fill="both", expand=True)

    def export_folder(self) -> Path:
        """Where transfer files go: beside the database, one folder per session."""
        slug = re.sub(r"[^a-z0-9]+", "-", fold(self.session["name"])).strip("-")
        return Path(self.shell.db_path).resolve().parent / "chuyen-khoan" / f"{self.session['period']}_{slug}"

    def refresh_bank(self) -> None:
        locked = bool(self.session and self.session["status"] == "locked")
        self.export_button.configure(state="normal" if locked else "disabled")
        self.import_button.configure(state="normal" if locked else "disabled")
        self.bank_tree.delete(*self.bank_tree.get_children())
        if not self.sid:
            return
        waiting = transfers.transfer_rows(self.shell.db, self.sid)
        for bin_code, rows in waiting.items():
            self.bank_tree.insert("", "end", values=(bank_name(bin_code), fmt_count(len(rows)),
                                                     format_vnd(sum(r.amount for r in rows), unit=False),
                                                     _("chờ chuyển")))
        if not waiting:
            self.bank_tree.insert("", "end", values=(_("Không còn giao dịch chờ chuyển"), "", "", ""))

    def export_transfers(self) -> None:
        sid, folder = self.sid, self.export_folder()
        self.bank_message.configure(text=_("Đang ghi tệp…"))

        def done(files):
            self.last_export = files
            self.bank_tree.delete(*self.bank_tree.get_children())
            for f in files:
                self.bank_tree.insert("", "end", values=(f.bank_name, fmt_count(f.count),
                                                         format_vnd(f.amount, unit=False), f.xlsx.name))
            self.bank_message.configure(text=_("Đã ghi {n} ngân hàng vào thư mục {folder}. Tổng {count} giao dịch, "
                                               "{amount}.").format(
                n=len(files), folder=folder, count=fmt_count(sum(f.count for f in files)),
                amount=format_vnd(sum(f.amount for f in files))))

        self.task = self.shell.run_task(lambda db, progress: transfers.export_transfers(db, sid, folder),
                                        on_done=done)

    def import_results(self) -> None:
        path = self.shell.dialogs.ask_open_file(_("Chọn tệp kết quả chuyển khoản của ngân hàng"))
        if not path:
            return
        ok, preview = self._guard(bank_results.import_results, self.shell.ctx, self.sid, path, dry_run=True)
        if not ok:
            return
        question = _("Tệp có {rows} giao dịch: {paid} đã chuyển thành công, {returned} bị trả lại, {already} đã ghi "
                     "trước đó, {bad} không ghi được; {other} dòng không phải giao dịch. Ghi kết quả này?").format(
            rows=preview.rows, paid=preview.paid, returned=preview.returned, already=preview.already,
            bad=len(preview.unmatched), other=len(preview.not_read))
        if not self.shell.dialogs.ask_yes_no(question):
            return
        ok, result = self._guard(bank_results.import_results, self.shell.ctx, self.sid, path)
        if not ok:
            return
        lines = [_("Đã ghi {paid} người nhận qua tài khoản, {returned} chuyển khoản bị trả lại.").format(
            paid=result.paid, returned=result.returned)]
        lines += [_("{where}: TK {account}, {amount} — {message}").format(
            where=bank_results.where(u), account=u["account"] or "—", amount=format_vnd(u["amount"]),
            message=u["message"]) for u in result.unmatched[:10]]
        if len(result.unmatched) > 10:
            lines.append(_("… và {n} dòng khác không ghi được.").format(n=len(result.unmatched) - 10))
        self.bank_message.configure(text="\n".join(lines))
        self._refresh_all()

    # -- cash book -------------------------------------------------------------------------
    def _build_cash(self) -> None:
        self.cash_summary = ttk.Label(self.cash, font=("TkDefaultFont", 12, "bold"), wraplength=900)
        self.cash_summary.pack(anchor="w")
        row = ttk.Frame(self.cash)
        row.pack(fill="x", pady=8)
        self.cash_kind = Choice(row, cashbook.KINDS, width=18)
        self.cash_kind.pack(side="left")
        ttk.Label(row, text=_("Số tiền:")).pack(side="left", padx=(10, 4))
        self.cash_amount = ttk.StringVar()
        ttk.Entry(row, textvariable=self.cash_amount, width=16).pack(side="left")
        ttk.Label(row, text=_("Ghi chú:")).pack(side="left", padx=(10, 4))
        self.cash_note = ttk.StringVar()
        ttk.Entry(row, textvariable=self.cash_note, width=36).pack(side="left")
        self.cash_button = ttk.Button(row, text=_("Ghi sổ"), bootstyle="primary", command=self.record_cash)
        self.cash_button.pack(side="left", padx=10)
        frame, self.cash_tree, _bar = scrolled_tree(self.cash, {
            "when": (_("Thời gian"), 150, "w"), "kind": (_("Nghiệp vụ"), 150, "w"),
            "amount": (_("Số tiền"), 130, "e"), "note": (_("Ghi chú"), 300, "w"), "by": (_("Người ghi"), 130, "w")},
            height=8)
        self.cash_tree.column("note", stretch=True)
        frame.pack(fill="both", expand=True)

    def refresh_cash(self) -> None:
        self.cash_tree.delete(*self.cash_tree.get_children())
        open_ = bool(self.session and self.session["status"] != "closed")
        self.cash_button.configure(state="normal" if open_ else "disabled")
        if not self.sid:
            self.cash_summary.configure(text="")
            return
        book = cashbook.ledger(self.shell.db, self.sid)
        self.cash_summary.configure(text=_("Đã nhận {r} − đã chi tiền mặt {p} − đã nộp trả {h} = còn giữ {o}").format(
            r=format_vnd(book["received"]), p=format_vnd(book["paid_out"]), h=format_vnd(book["handed_back"]),
            o=format_vnd(book["on_hand"])))
        for m in book["movements"]:
            self.cash_tree.insert("", "end", values=(fmt_datetime(m["created_at"]), _(cashbook.KINDS[m["kind"]]),
                                                     format_vnd(m["amount"], unit=False), m["note"], m["created_by"]))

    def record_cash(self) -> None:
        try:
            amount = parse_vnd(self.cash_amount.get())
        except ValueError:
            amount = None
        if amount is None:
            self.shell.dialogs.error(_("Nhập số tiền (đồng), ví dụ 12.000.000"))
            return
        if self._guard(cashbook.record, self.shell.ctx, self.sid, self.cash_kind.code(), amount,
                       self.cash_note.get())[0]:
            self.cash_amount.set("")
            self.cash_note.set("")
            self.refresh_cash()
            self.refresh_counters()

    # -- closing ---------------------------------------------------------------------------
    def close(self) -> None:
        if not self.sid or not self.shell.dialogs.ask_yes_no(
                _("Đóng đợt chi “{name}”? Sau khi đóng không ghi thêm được khoản chi nào; người chưa nhận của "
                  "đợt hằng tháng được chuyển sang đợt sau.").format(name=self.session["name"])):
            return
        ok, figures = self._guard(payouts.close_session, self.shell.ctx, self.sid)
        if not ok:
            self.notebook.select(self.cash)
            return
        self.shell.dialogs.info(_("Đã đóng đợt chi: {paid} người đã nhận ({amount}); {left} người chưa nhận.").format(
            paid=fmt_count(figures["paid_count"]), amount=format_vnd(figures["paid_amount"]),
            left=fmt_count(figures["remaining_count"])))
        self.reload_sessions(keep=self.sid)

    # -- creation --------------------------------------------------------------------------
    def open_wizard(self) -> SessionWizard:
        if self.wizard is not None and self.wizard.winfo_exists():
            self.wizard.lift()
            return self.wizard
        self.wizard = SessionWizard(self.shell, on_created=self._created)
        return self.wizard

    def _created(self, sid: str) -> None:
        self.reload_sessions(keep=sid)
        self.notebook.select(self.review)
