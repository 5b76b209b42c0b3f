"""The upstream console's consolidated reports and the packages it sends down to communes.

* Reports: account coverage by commune (stacked bars like the commune dashboard, the weakest
  communes first), the people on file and the payouts by session; each exported to .xlsx by
  :func:`commune_payout.sync.reports.export_xlsx`. Data loads on a worker thread, so a province
  of 150 communes never freezes the window; the people table shows the first
  :data:`PEOPLE_SHOWN` rows (the workbook has them all).
* Send down: a new base level or a Tết gift list, for the communes chosen, one signed and
  encrypted package each (:func:`commune_payout.sync.upstream.send_down`), and the answers the
  communes sent back.

Registered in :data:`commune_payout.gui.district_view.FEATURES`.
"""

import datetime as dt
from pathlib import Path

import ttkbootstrap as ttk

from commune_payout.errors import UserError
from commune_payout.gui.dashboard_view import BAR_HEIGHT, ROW_GAP, SEGMENTS
from commune_payout.gui.district_view import when
from commune_payout.gui.widgets import Choice, fmt_count, fmt_date, scrolled_canvas, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.payouts import KINDS, SESSION_STATUSES
from commune_payout.programs import CATEGORIES, PROGRAM_LABELS
from commune_payout.register import ACCOUNT_STATUSES, CHANNELS, GENDERS, STATUSES
from commune_payout.sync import reports, upstream
from commune_payout.sync.commune import DOWN_KINDS, describe_items

PEOPLE_SHOWN = 2000
ALL_COMMUNES = _("Mọi xã")
FILE_NAMES = {"coverage": "ty-le-co-tai-khoan", "people": "nguoi-huong", "payouts": "chi-tra-theo-dot"}
BASE_PROGRAMS = {code: PROGRAM_LABELS[code] for code in ("btxh", "ncc", "htxh")}
DOWN_STATUSES = {"sent": "chờ xã trả lời", "accepted": "xã đã nhận {when}", "rejected": "xã từ chối {when}: {reason}"}


def register_gui(shell) -> None:
    shell.add_section("reports", _("Báo cáo tổng hợp"), ReportsView, order=30)
    shell.add_section("send_down", _("Gửi xuống xã"), SendDownView, order=50)


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
        ttk.Button(bar, text=_("Xuất ra Excel…"), bootstyle="primary", command=self.export).pack(side="left")
        self.note = ttk.Label(bar, bootstyle="secondary")
        self.note.pack(side="left", padx=(14, 0))

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
            "commune": (_("Xã"), 150, "w"),
            "name": (_("Họ và tên"), 170, "w"),
            "born": (_("Năm sinh"), 80, "e"),
            "gender": (_("Giới tính"), 85, "w"),
            "village": (_("Thôn/xóm"), 120, "w"),
            "status": (_("Trạng thái"), 120, "w"),
            "account": (_("Tài khoản"), 140, "w"),
            "channel": (_("Hình thức nhận"), 130, "w"),
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
        })
        self.payouts_tree.column("commune", stretch=False)
        self.payouts_tree.column("name", stretch=True)
        frame.pack(fill="both", expand=True)
        # Reloaded when packages or communes change, not on every visit: a province's people
        # table is large.
        shell.subscribe("packages_imported", lambda payload: self.refresh())
        shell.subscribe("communes_changed", lambda payload: self.refresh())
        self.refresh()

    def report(self) -> str:
        """The report of the visible tab."""
        return ("coverage", "people", "payouts")[self.tabs.index(self.tabs.select())]

    def commune_code(self) -> str | None:
        index = self.commune.current()
        return self.communes[index - 1][0] if index > 0 else None

    def refresh(self) -> None:
        """Reload every tab from the office database on a worker thread."""
        code = self.commune_code()
        self.communes = [(r["code"], r["name"]) for r in upstream.communes_status(self.shell.db)]
        self.commune.configure(values=[ALL_COMMUNES] + [f"{name} ({c})" for c, name in self.communes])
        if code is None or code not in dict(self.communes):
            self.commune.set(ALL_COMMUNES)
            code = None

        def work(db, progress):
            coverage = [r for r in reports.coverage(db) if code is None or r["commune_code"] == code]
            payouts = [r for r in reports.payouts_by_session(db) if code is None or r["commune_code"] == code]
            return coverage, reports.people(db, code), payouts

        self.note.configure(text=_("Đang tải…"))
        self.loading = self.shell.run_task(work, on_done=self._loaded)

    def _loaded(self, result) -> None:
        self.coverage, people, payouts = result
        self.people_tree.delete(*self.people_tree.get_children())
        for r in people[:PEOPLE_SHOWN]:
            self.people_tree.insert("", "end", values=(
                r["commune_name"], r["full_name"], r["birth_year"] or "", _label(GENDERS, r["gender"]),
                r["village"] or "", _label(STATUSES, r["status"]), _label(ACCOUNT_STATUSES, r["account_status"]),
                _label(CHANNELS, r["channel"])))
        self.payouts_tree.delete(*self.payouts_tree.get_children())
        for r in payouts:
            self.payouts_tree.insert("", "end", values=(
                r["commune_name"], r["name"] or "", _label(KINDS, r["kind"]), r["period"] or "",
                _label(SESSION_STATUSES, r["status"]), fmt_count(r["lines"]), format_vnd(r["total"]),
                format_vnd(r["paid_amount"]), fmt_count(r["paid_by_transfer"])))
        shown = min(len(people), PEOPLE_SHOWN)
        self.note.configure(text=_("{communes} xã · {people} người hưởng · {sessions} đợt chi trả").format(
            communes=len(self.coverage), people=fmt_count(len(people)), sessions=fmt_count(len(payouts)))
            + (" · " + _("bảng hiện {n} người đầu; tệp Excel có đủ").format(n=fmt_count(shown))
               if shown < len(people) else ""))
        self.draw()

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
        report, code = self.report(), self.commune_code()
        stamp = self.shell.ctx.clock.today().strftime("%Y%m%d")
        path = self.shell.dialogs.ask_save_file(
            _("Xuất “{report}” ra Excel").format(report=self.tabs.tab(self.tabs.select(), "text")),
            f"{FILE_NAMES[report]}{'-' + code if code else ''}-{stamp}.xlsx")
        if not path:
            return
        self.shell.run_task(lambda db, progress: reports.export_xlsx(db, report, path, code),
                            on_done=lambda n: self.shell.dialogs.info(
                                _("Đã xuất {n} dòng ra tệp:\n{path}").format(n=fmt_count(n), path=path)))


# --- send down --------------------------------------------------------------------------------

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
            self.program = Choice(e, BASE_PROGRAMS, width=18)
            self.program.pack(side="left")
            ttk.Label(e, text=_("áp dụng từ ngày")).pack(side="left", padx=(12, 4))
            self.valid_from = ttk.Entry(e, width=12)
            self.valid_from.pack(side="left")
        else:
            ttk.Label(e, text=_("Diện:"), width=10).pack(side="left")
            self.category = Choice(e, {c.code: c.label for c in CATEGORIES}, width=48)
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
            raise UserError(_("Số tiền “{text}” không hợp lệ; gõ ví dụ 600.000.").format(text=self.amount.get()))
        if self.kind.get() == "base_level":
            try:
                valid_from = dt.datetime.strptime(self.valid_from.get().strip(), "%d/%m/%Y").date()
            except ValueError as exc:
                raise UserError(_("Ngày áp dụng “{text}” không đúng dạng ngày/tháng/năm, ví dụ 01/07/2026.").format(
                    text=self.valid_from.get())) from exc
            self.items.append({"program": self.program.code(), "valid_from": valid_from.isoformat(), "amount": amount})
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
        for r in upstream.communes_status(self.shell.db):
            if r["confirmed"]:
                self.communes_tree.insert("", "end", iid=r["code"], text=f"{r['name']} ({r['code']})")
        self.communes_tree.selection_set([c for c in chosen if self.communes_tree.exists(c)])
        self.history.delete(*self.history.get_children())
        for d in upstream.sent_down(self.shell.db):
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
        paths = [upstream.send_down(ctx, code, self.kind.get(), self.title_entry.get().strip(), self.items, folder)
                 for code in codes]
        self.refresh()
        self.shell.dialogs.info(_("Đã tạo {n} gói trong {folder}:\n{files}\nGửi mỗi xã tệp mang mã của xã.").format(
            n=len(paths), folder=folder, files="\n".join(p.name for p in paths)))
