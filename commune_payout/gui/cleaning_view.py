"""Data cleaning ("rà soát, làm sạch dữ liệu"): the checks' problems grouped, each opening its person,
and the list exported for the commune police."""

from pathlib import Path
from tkinter import font as tkfont

import ttkbootstrap as ttk

from commune_payout import checks, register
from commune_payout.gui.card_check import CardCheckPanel
from commune_payout.gui.widgets import fmt_count, scrolled_tree, title
from commune_payout.i18n import _


# With few problems every group starts unfolded; with many, the group titles are the overview.
OPEN_ALL_BELOW = 60
# The first column is as wide as the longest group title, within these bounds (pixels): names
# need the least, and the rest of the width goes to the message.
FIRST_COLUMN = (260, 540)


def register_gui(shell) -> None:
    shell.add_section("cleaning", _("Làm sạch dữ liệu"), CleaningView, order=30)


class CleaningView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.problems: list[checks.CheckProblem] = []
        self.task = None
        self.stale = True
        head = title(self, _("Làm sạch dữ liệu"), _("trước khi công an và ngân hàng đối chiếu"))
        head.pack(fill="x")
        self.export_button = ttk.Button(head, text=_("Xuất danh sách cho công an (.xlsx)"), bootstyle="primary",
                                        command=self.export)
        self.export_button.pack(side="right")
        ttk.Button(head, text=_("Kiểm tra lại"), bootstyle="secondary-outline",
                   command=self.run).pack(side="right", padx=(0, 8))
        self.card_check = CardCheckPanel(self, shell)
        self.card_check.pack(fill="x", pady=(10, 0))
        self.summary = ttk.Label(self, bootstyle="secondary")
        self.summary.pack(anchor="w", pady=(10, 6))
        self._build_detail()
        frame, self.tree, _bar = scrolled_tree(self, {
            "#0": (_("Nhóm vấn đề / người"), FIRST_COLUMN[0], "w"),
            "severity": (_("Mức độ"), 100, "w"),
            "message": (_("Nội dung"), 420, "w"),
        }, height=18, show="tree headings")
        self.tree.column("#0", stretch=False)
        self.tree.column("message", stretch=True)
        frame.pack(fill="both", expand=True)
        self.group_font = tkfont.Font(self, **{**tkfont.nametofont("TkDefaultFont", root=self).actual(),
                                               "weight": "bold"})
        self.tree.tag_configure("group", font=self.group_font)
        self.tree.tag_configure("error", foreground=ttk.Style().colors.danger)
        self.tree.bind("<Double-1>", lambda e: self.open_selected())
        self.tree.bind("<Return>", lambda e: self.open_selected())
        self.tree.bind("<<TreeviewSelect>>", lambda e: self.show_detail())
        self.show_detail()
        shell.subscribe("register_changed", lambda bid: self._mark_stale())

    def _build_detail(self) -> None:
        """Under the table, the selected row in full: a message too long for its column is
        read here, wrapped, with the button that opens the person."""
        ttk.Separator(self).pack(side="bottom", fill="x")
        panel = ttk.Frame(self, padding=(2, 8, 0, 8))
        panel.pack(side="bottom", fill="x", pady=(6, 0))
        self.open_button = ttk.Button(panel, text=_("Mở hồ sơ để sửa (Enter)"), bootstyle="primary-outline",
                                      command=self.open_selected, state="disabled")
        self.open_button.pack(side="right", anchor="n", padx=(12, 0))
        self.detail_title = ttk.Label(panel, font=("TkDefaultFont", 11, "bold"))
        self.detail_title.pack(anchor="w", fill="x")
        self.detail_text = ttk.Label(panel, justify="left", font=("TkDefaultFont", 11))
        self.detail_text.pack(anchor="w", fill="x", pady=(2, 0))
        self.detail_field = ttk.Label(panel, bootstyle="secondary")
        self.detail_field.pack(anchor="w", fill="x")
        # Wrap to the width the panel gives the text (it changes with the window).
        panel.bind("<Configure>", lambda e: self.detail_text.configure(
            wraplength=max(200, e.width - self.open_button.winfo_reqwidth() - 30)))

    def _mark_stale(self) -> None:
        self.stale = True
        if self.winfo_ismapped():
            self.run()

    def on_show(self) -> None:
        if self.stale:
            self.run()

    def run(self) -> None:
        """Run the checks on a worker thread (they read the whole register)."""
        if self.task is not None and not self.task.done:
            return
        self.stale = False
        self.summary.configure(text=_("Đang kiểm tra dữ liệu…"))
        today = self.shell.ctx.clock.today()
        self.task = self.shell.run_task(lambda db, progress: checks.run_checks(db, today), on_done=self.show)

    def show(self, problems) -> None:
        self.problems = problems
        self.tree.delete(*self.tree.get_children())
        people = len({p.beneficiary_id for p in problems})
        if not problems:
            self.summary.configure(text=_("Không thấy vấn đề nào. Dữ liệu đã sạch."))
            self.show_detail()
            return
        self.summary.configure(text=_("{n} vấn đề ở {people} người. Nhóm có lỗi cần sửa trước khi chi trả.")
                               .format(n=fmt_count(len(problems)), people=fmt_count(people)))
        titles = []
        for code, label, count in checks.summary(problems):
            titles.append(f"{_(label)} ({fmt_count(count)})")
            self.tree.insert("", "end", iid=f"group:{code}", text=titles[-1],
                             tags=("group",), open=len(problems) <= OPEN_ALL_BELOW)
        for i, p in enumerate(problems):
            self.tree.insert(f"group:{p.code}", "end", iid=f"p:{i}", text=p.full_name,
                             values=(_(checks.SEVERITY[p.severity]), p.message), tags=(p.severity,))
        # Room for the group titles and the tree's indent and fold marks, within bounds.
        widest = max(self.group_font.measure(t) for t in titles) + 40
        self.tree.column("#0", width=max(FIRST_COLUMN[0], min(widest, FIRST_COLUMN[1])))
        self.show_detail()

    def show_detail(self) -> None:
        """Fill the panel under the table from the selected row."""
        selected = self.tree.selection()
        problem = self.selected_problem()
        field = ""
        if problem is not None:
            heading = f"{problem.full_name} · {_(checks.SEVERITY[problem.severity])}"
            text = problem.message
            if problem.field in register.FIELD_LABELS:
                field = _("Thông tin cần sửa: {field}").format(field=_(register.FIELD_LABELS[problem.field]))
        elif selected:
            heading = self.tree.item(selected[0], "text")
            text = _("Nhấn Enter hoặc nhấp đúp để mở hay thu gọn nhóm này.")
        else:
            heading = ""
            text = _("Chọn một dòng để đọc đầy đủ nội dung ở đây. Nhấp đúp hoặc nhấn Enter để mở hồ sơ "
                     "người đó và sửa.")
        self.detail_title.configure(text=heading, bootstyle="danger" if problem and problem.severity == "error"
                                    else "default")
        self.detail_text.configure(text=text, bootstyle="default" if selected else "secondary")
        self.detail_field.configure(text=field)
        self.open_button.configure(state="normal" if problem is not None else "disabled")

    def selected_problem(self) -> checks.CheckProblem | None:
        selected = self.tree.selection()
        if not selected or not selected[0].startswith("p:"):
            return None
        return self.problems[int(selected[0][2:])]

    def open_selected(self) -> None:
        problem = self.selected_problem()
        if problem is not None:
            self.shell.run_command("open_person", problem.beneficiary_id)
        elif self.tree.selection():
            item = self.tree.selection()[0]
            self.tree.item(item, open=not self.tree.item(item, "open"))

    def export(self) -> None:
        today = self.shell.ctx.clock.today()
        path = self.shell.dialogs.ask_save_file(_("Lưu danh sách rà soát cho công an"),
                                                initialfile=f"ra-soat-du-lieu-{today:%Y%m%d}.xlsx")
        if not path:
            return

        def work(db, progress):
            found = checks.run_checks(db, today)
            checks.write_report(db, found, path, today)
            return len(found)

        self.export_button.configure(state="disabled")

        def done(n):
            self.export_button.configure(state="normal")
            self.shell.dialogs.info(_("Đã lưu {n} vấn đề vào tệp:\n{path}").format(
                n=fmt_count(n), path=Path(path)))

        def failed(exc):
            self.export_button.configure(state="normal")
            self.shell.report_exception(exc)

        self.shell.run_task(work, on_done=done, on_error=failed)
