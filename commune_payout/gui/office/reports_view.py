"""The office's consolidated reports: account coverage by commune (stacked bars like the commune
dashboard, the weakest communes first), the people on file, the payouts by session, the
verification of each commune's sessions and its complaints (the open ones first), for every
programme the office receives or for one; each exported to .xlsx by
:func:`commune_payout.sync.reports.export_xlsx`. Data loads on a worker thread, so a province of
170 communes never freezes the window; the people table shows the first :data:`PEOPLE_SHOWN` rows
(the workbook has them all)."""

import ttkbootstrap as ttk

from commune_payout.gui.dashboard_view import BAR_HEIGHT, ROW_GAP, SEGMENTS
from commune_payout import grievances
from commune_payout.gui.widgets import fmt_count, fmt_date, scrolled_canvas, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.money import format_vnd
from commune_payout.payouts import KINDS, SESSION_STATUSES
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.register import ACCOUNT_STATUSES, CHANNELS, GENDERS, STATUSES
from commune_payout.sync import office, reports

PEOPLE_SHOWN = 2000
ALL_COMMUNES = _("Mọi xã")
ALL_PROGRAMS = _("Mọi chương trình của đơn vị")
FILE_NAMES = {"coverage": "ty-le-co-tai-khoan", "people": "nguoi-huong", "payouts": "chi-tra-theo-dot",
              "verification": "xac-minh-chi-tra", "grievances": "khieu-nai"}
TABS = ("coverage", "people", "payouts", "verification", "grievances")


def register_gui(shell) -> None:
    shell.add_section("reports", _("Báo cáo tổng hợp"), ReportsView, order=30)


def _label(labels: dict, code) -> str:
    return _(labels[code]) if code in labels else (code or "")


class ReportsView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.colors = ttk.Style().colors
        self.coverage: list[dict] = []
        self.communes: list[tuple[str, str]] = []
        self.loading = None
        title(self, _("Báo cáo tổng hợp"), _("từ các gói các xã đã gửi lên")).pack(fill="x")
        bar = ttk.Frame(self)
        bar.pack(fill="x", pady=(10, 6))
        ttk.Label(bar, text=_("Xã:")).pack(side="left")
        self.commune = ttk.Combobox(bar, state="readonly", width=34)
        self.commune.pack(side="left", padx=(6, 12))
        self.commune.bind("<<ComboboxSelected>>", lambda e: self.refresh())
        ttk.Label(bar, text=_("Chương trình:")).pack(side="left")
        self.programs = [p for p in shell.programs if p != "other"]
        self.program = ttk.Combobox(bar, state="readonly", width=26, values=[ALL_PROGRAMS] + [
            _(PROGRAM_LABELS[p]) for p in self.programs])
        self.program.set(ALL_PROGRAMS)
        self.program.pack(side="left", padx=(6, 12))
        self.program.bind("<<ComboboxSelected>>", lambda e: self.refresh())
        ttk.Button(bar, text=_("Xuất ra Excel…"), bootstyle="primary", command=self.export).pack(side="left")
        # On its own line: beside the filters it ran past the window's edge on a laptop screen.
        self.note = ttk.Label(self, bootstyle="secondary", anchor="w")
        self.note.pack(fill="x", pady=(0, 6))

        self.tabs = ttk.Notebook(self)
        self.tabs.pack(fill="both", expand=True)
        page = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(page, text=_("Tỷ lệ có tài khoản"))
        legend = ttk.Frame(page)
        legend.pack(fill="x", pady=(0, 6))
        for code, style in SEGMENTS:
            ttk.Label(legend, text="■", bootstyle=style, font=("TkDefaultFont", 13)).pack(side="left")
            ttk.Label(legend, text=_(ACCOUNT_STATUSES[code])).pack(side="left", padx=(2, 14))
        frame, self.canvas = scrolled_canvas(page, self.colors.bg)
        frame.pack(fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda e: self.draw())

        page = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(page, text=_("Người hưởng"))
        frame, self.people_tree, _bar = scrolled_tree(page, {
            "commune": (_("Xã"), 130, "w"),
            "name": (_("Họ và tên"), 160, "w"),
            "born": (_("Năm sinh"), 70, "e"),
            "gender": (_("Giới tính"), 70, "w"),
            "village": (_("Thôn/xóm"), 110, "w"),
            "groups": (_("Diện hưởng"), 190, "w"),
            "status": (_("Trạng thái"), 100, "w"),
            "account": (_("Tài khoản"), 130, "w"),
            "channel": (_("Hình thức nhận"), 120, "w"),
        })
        self.people_tree.column("commune", stretch=False)
        self.people_tree.column("name", stretch=True)
        frame.pack(fill="both", expand=True)

        page = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(page, text=_("Chi trả theo đợt"))
        frame, self.payouts_tree, _bar = scrolled_tree(page, {
            "commune": (_("Xã"), 130, "w"),
            "name": (_("Đợt chi trả"), 130, "w"),
            "kind": (_("Loại"), 140, "w"),
            "period": (_("Kỳ"), 70, "w"),
            "status": (_("Trạng thái"), 110, "w"),
            "lines": (_("Số người"), 80, "e"),
            "total": (_("Tổng tiền"), 110, "e"),
            "paid": (_("Đã chi"), 110, "e"),
            "transfer": (_("Chuyển khoản"), 110, "e"),
            "vneid": (_("TK an sinh"), 90, "e"),
        })
        self.payouts_tree.column("commune", stretch=False)
        self.payouts_tree.column("name", stretch=True)
        frame.pack(fill="both", expand=True)

        page = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(page, text=_("Xác minh chi trả"))
        frame, self.verification_tree, _bar = scrolled_tree(page, {
            "commune": (_("Xã"), 130, "w"), "name": (_("Đợt chi trả"), 170, "w"), "period": (_("Kỳ"), 70, "w"),
            "drawn": (_("Số người xác minh"), 120, "e"), "answered": (_("Đã trả lời"), 90, "e"),
            "rate": (_("Tỷ lệ trả lời"), 100, "e"), "problems": (_("Chưa nhận, sai số tiền"), 150, "e"),
            "unreachable": (_("Không liên lạc được"), 140, "e"), "tickets": (_("Phiếu khiếu nại"), 110, "e")})
        self.verification_tree.column("commune", stretch=False)
        self.verification_tree.column("name", stretch=True)
        frame.pack(fill="both", expand=True)

        page = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(page, text=_("Khiếu nại"))
        frame, self.grievances_tree, _bar = scrolled_tree(page, {
            "commune": (_("Xã"), 130, "w"), "number": (_("Số phiếu"), 80, "w"), "received": (_("Tiếp nhận"), 95, "w"),
            "kind": (_("Loại"), 240, "w"), "name": (_("Người hưởng"), 160, "w"), "state": (_("Trạng thái"), 120, "w"),
            "due": (_("Hạn trả lời"), 95, "w"), "overdue": (_("Quá hạn"), 80, "w")})
        self.grievances_tree.column("commune", stretch=False)
        self.grievances_tree.column("name", stretch=True)
        self.grievances_tree.tag_configure("overdue", foreground=self.colors.danger)
        frame.pack(fill="both", expand=True)
        # Reloaded when packages or communes change, not on every visit: a province's people
        # table is large.
        shell.subscribe("packages_imported", lambda payload: self.refresh())
        shell.subscribe("communes_changed", lambda payload: self.refresh())
        self.refresh()

    def report(self) -> str:
        """The report of the visible tab."""
        return TABS[self.tabs.index(self.tabs.select())]

    def commune_code(self) -> str | None:
        index = self.commune.current()
        return self.communes[index - 1][0] if index > 0 else None

    def program_code(self) -> str | None:
        index = self.program.current()
        return self.programs[index - 1] if index > 0 else None

    def refresh(self) -> None:
        """Reload every tab from the office database on a worker thread."""
        code = self.commune_code()
        self.communes = [(r["code"], r["name"]) for r in office.communes_status(self.shell.db)]
        self.commune.configure(values=[ALL_COMMUNES] + [f"{name} ({c})" for c, name in self.communes])
        if code is None or code not in dict(self.communes):
            self.commune.set(ALL_COMMUNES)
            code = None

        program = self.program_code()

        today = self.shell.ctx.clock.today()

        def work(db, progress):
            return (reports.coverage(db, code, program), list(reports.people(db, code, program, limit=PEOPLE_SHOWN)),
                    reports.count_people(db, code, program), reports.payouts_by_session(db, code, program),
                    reports.verification(db, code, program), reports.grievances(db, code, program, today))

        self.note.configure(text=_("Đang tải…"))
        self.loading = self.shell.run_task(work, on_done=self._loaded)

    def _loaded(self, result) -> None:
        self.coverage, people, total, payouts, verified, tickets = result
        self._fill_follow_up(verified, tickets)
        self.people_tree.delete(*self.people_tree.get_children())
        for r in people:
            self.people_tree.insert("", "end", values=(
                r["commune_name"], r["full_name"], r["birth_year"] or "", _label(GENDERS, r["gender"]),
                r["village"] or "", r["groups"], _label(STATUSES, r["status"]),
                _label(ACCOUNT_STATUSES, r["account_status"]), _label(CHANNELS, r["channel"])))
        self.payouts_tree.delete(*self.payouts_tree.get_children())
        for r in payouts:
            self.payouts_tree.insert("", "end", values=(
                r["commune_name"], r["name"] or "", _label(KINDS, r["kind"]), r["period"] or "",
                _label(SESSION_STATUSES, r["status"]), fmt_count(r["lines"]), format_vnd(r["total"]),
                format_vnd(r["paid_amount"]), fmt_count(r["paid_by_transfer"]), fmt_count(r["paid_by_vneid"])))
        self.note.configure(text=_("{communes} xã · {people} người hưởng · {sessions} đợt chi trả").format(
            communes=len(self.coverage), people=fmt_count(total), sessions=fmt_count(len(payouts)))
            + (" · " + _("bảng hiện {n} người đầu; tệp Excel có đủ").format(n=fmt_count(len(people)))
               if len(people) < total else ""))
        self.draw()

    def _fill_follow_up(self, verified: list[dict], tickets: list[dict]) -> None:
        """Each commune's verified sessions, and its complaints (open first, the overdue in red)."""
        self.verification_tree.delete(*self.verification_tree.get_children())
        for r in verified:
            self.verification_tree.insert("", "end", values=(
                r["commune_name"], r["name"] or "", r["period"] or "", fmt_count(r["drawn"]), fmt_count(r["answered"]),
                f"{r['rate_pct']:.1f}%".replace(".", ","), fmt_count(r["not_received"] + r["different_amount"]),
                fmt_count(r["unreachable"]), fmt_count(r["grievances"])))
        self.grievances_tree.delete(*self.grievances_tree.get_children())
        for r in tickets:
            self.grievances_tree.insert("", "end", tags=("overdue",) if r["overdue"] else (), values=(
                r["commune_name"], r["number"], fmt_date(r["received_on"]), _label(grievances.KINDS, r["kind"]),
                r["full_name"], _label(grievances.STATES, r["state"]), fmt_date(r["due_on"]),
                _("Quá hạn") if r["overdue"] else ""))

    def draw(self) -> None:
        c = self.canvas
        c.delete("all")
        width = max(c.winfo_width(), 600)
        label_w, right_w = 200, 210
        bar_w = width - label_w - right_w - 20
        total = {code: sum(r[code] for r in self.coverage) for code, _s in SEGMENTS}
        y = 6
        if len(self.coverage) != 1:
            y = self._bar(y, _("Toàn đơn vị"), total, label_w, bar_w, bold=True) + 10
            c.create_text(0, y, anchor="nw", text=_("Theo xã (tỷ lệ thấp nhất trước)"), fill=self.colors.fg,
                          font=("TkDefaultFont", 11, "bold"))
            y += 26
        for r in sorted(self.coverage, key=lambda r: (r["coverage_pct"] is None, r["coverage_pct"] or 0)):
            y = self._bar(y, r["commune_name"], r, label_w, bar_w)
        if not self.coverage:
            c.create_text(0, y, anchor="nw", fill=self.colors.secondary,
                          text=_("Chưa có xã nào. Đăng ký xã ở trang “Các xã”, rồi nhập gói xã gửi lên."))
        c.configure(scrollregion=(0, 0, width, y))

    def _bar(self, y, name, totals, label_w, bar_w, bold=False) -> int:
        c = self.canvas
        font = ("TkDefaultFont", 11, "bold") if bold else ("TkDefaultFont", 10)
        people = sum(totals[code] for code, _s in SEGMENTS)
        c.create_text(0, y + BAR_HEIGHT / 2, anchor="w", text=name, fill=self.colors.fg, font=font)
        if not people:
            c.create_rectangle(label_w, y, label_w + bar_w, y + BAR_HEIGHT, outline=self.colors.border, width=1)
            c.create_text(label_w + bar_w + 12, y + BAR_HEIGHT / 2, anchor="w", fill=self.colors.secondary,
                          font=font, text=_("chưa có dữ liệu"))
            return y + BAR_HEIGHT + ROW_GAP
        x = label_w
        for code, style in SEGMENTS:
            n = totals[code]
            if not n:
                continue
            w = bar_w * n / people
            colour = getattr(self.colors, style)
            c.create_rectangle(x, y, x + w, y + BAR_HEIGHT, fill=colour, width=0)
            if w > 34:
                c.create_text(x + w / 2, y + BAR_HEIGHT / 2, text=fmt_count(n), font=("TkDefaultFont", 9, "bold"),
                              fill=ttk.contrast_color(colour, "hex"))
            x += w
        share = totals["has_account"] * 100 / people
        c.create_text(label_w + bar_w + 12, y + BAR_HEIGHT / 2, anchor="w", fill=self.colors.fg, font=font,
                      text=_("{share:.0f}% có TK / {n} người").format(share=share, n=fmt_count(people)))
        return y + BAR_HEIGHT + ROW_GAP

    def export(self) -> None:
        report, code, program = self.report(), self.commune_code(), self.program_code()
        stamp = self.shell.ctx.clock.today().strftime("%Y%m%d")
        suffix = "".join(f"-{part}" for part in (program, code) if part)
        path = self.shell.dialogs.ask_save_file(
            _("Xuất “{report}” ra Excel").format(report=self.tabs.tab(self.tabs.select(), "text")),
            f"{FILE_NAMES[report]}{suffix}-{stamp}.xlsx")
        if not path:
            return
        today = self.shell.ctx.clock.today()
        self.shell.run_task(lambda db, progress: reports.export_xlsx(db, report, path, code, program, today),
                            on_done=lambda n: self.shell.dialogs.info(
                                _("Đã xuất {n} dòng ra tệp:\n{path}").format(n=fmt_count(n), path=path)))
