"""Data cleaning ("rà soát, làm sạch dữ liệu"): the checks' problems grouped, each opening its person,
and the list exported for the commune police."""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout import checks
from commune_payout.gui.widgets import fmt_count, scrolled_tree, title
from commune_payout.i18n import _


# With few problems every group starts unfolded; with many, the group titles are the overview.
OPEN_ALL_BELOW = 60


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
        self.summary = ttk.Label(self, bootstyle="secondary")
        self.summary.pack(anchor="w", pady=(10, 6))
        frame, self.tree, _bar = scrolled_tree(self, {
            "#0": (_("Nhóm vấn đề / người"), 470, "w"),
            "severity": (_("Mức độ"), 110, "w"),
            "message": (_("Nội dung"), 520, "w"),
        }, height=18, show="tree headings")
        self.tree.column("#0", stretch=False)
        self.tree.column("message", stretch=True)
        frame.pack(fill="both", expand=True)
        self.tree.tag_configure("group", font=("TkDefaultFont", 10, "bold"))
        self.tree.tag_configure("error", foreground=ttk.Style().colors.danger)
        self.tree.bind("<Double-1>", lambda e: self.open_selected())
        self.tree.bind("<Return>", lambda e: self.open_selected())
        ttk.Label(self, text=_("Nhấp đúp vào một người để mở hồ sơ và sửa."),
                  bootstyle="secondary").pack(anchor="w", pady=(6, 0))
        shell.subscribe("register_changed", lambda bid: self._mark_stale())

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
            return
        self.summary.configure(text=_("{n} vấn đề ở {people} người. Nhóm có lỗi cần sửa trước khi chi trả.")
                               .format(n=fmt_count(len(problems)), people=fmt_count(people)))
        for code, label, count in checks.summary(problems):
            self.tree.insert("", "end", iid=f"group:{code}", text=f"{_(label)} ({fmt_count(count)})",
                             tags=("group",), open=len(problems) <= OPEN_ALL_BELOW)
        for i, p in enumerate(problems):
            self.tree.insert(f"group:{p.code}", "end", iid=f"p:{i}", text=p.full_name,
                             values=(_(checks.SEVERITY[p.severity]), p.message), tags=(p.severity,))

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
