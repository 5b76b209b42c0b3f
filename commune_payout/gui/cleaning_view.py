"""Data cleaning ("rà soát, làm sạch dữ liệu"): the checks' problems grouped, each opening its person,
and the list exported for the commune police. The people of an import that named no decision
are one entry, whose action records the decision they rest on (:class:`RecordDecisionForm`)."""

from pathlib import Path
from tkinter import font as tkfont

import ttkbootstrap as ttk

from commune_payout import checks, decisions, register
from commune_payout.errors import UserError, ValidationError
from commune_payout.gui.card_check import CardCheckPanel
from commune_payout.gui.decisions_view import FormWindow
from commune_payout.gui.widgets import Choice, FieldGrid, fmt_count, scrolled_tree, title
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
        if not problems:
            self.summary.configure(text=_("Không thấy vấn đề nào. Dữ liệu đã sạch."))
            self.show_detail()
            return
        each = [p for p in problems if not p.batch]
        batches = [p for p in problems if p.batch]
        lines = []
        if each:
            lines.append(_("{n} vấn đề ở {people} người. Nhóm có lỗi cần sửa trước khi chi trả.").format(
                n=fmt_count(len(each)), people=fmt_count(len({p.beneficiary_id for p in each}))))
        if batches:
            lines.append(_("{n} lần nhập ({people} người) chưa có căn cứ quyết định: chọn dòng đó để ghi quyết "
                           "định họ được hưởng theo.").format(n=fmt_count(len(batches)),
                                                            people=fmt_count(sum(p.people for p in batches))))
        self.summary.configure(text="\n".join(lines))
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
        action = _("Mở hồ sơ để sửa (Enter)")
        if problem is not None:
            heading = f"{problem.full_name} · {_(checks.SEVERITY[problem.severity])}"
            text = problem.message
            if problem.batch:
                action = _("Ghi quyết định cho {n} người (Enter)").format(n=fmt_count(problem.people))
            elif problem.field in register.FIELD_LABELS:
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
        self.open_button.configure(text=action, state="normal" if problem is not None else "disabled")

    def selected_problem(self) -> checks.CheckProblem | None:
        selected = self.tree.selection()
        if not selected or not selected[0].startswith("p:"):
            return None
        return self.problems[int(selected[0][2:])]

    def open_selected(self) -> None:
        problem = self.selected_problem()
        if problem is not None and problem.batch:
            RecordDecisionForm(self.shell, problem.batch)
        elif problem is not None:
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


class RecordDecisionForm(FormWindow):
    """The decision the people of one import rest on, typed by the officer (its number and date of
    signing), recorded for all of them or for one village (:func:`decisions.record_for_import`)."""

    def __init__(self, shell, batch: decisions.ImportBatch):
        super().__init__(shell, _("Ghi quyết định đã có"), (760, 270), _("Ghi quyết định (Enter)"))
        self.batch = batch
        ttk.Label(self.body, text=_("{label}: {n} người chưa có căn cứ quyết định. Nhập số và ngày ký của quyết "
                                    "định họ đang được hưởng theo (ghi lại, không thay đổi diện hay mức hưởng).")
                  .format(label=batch.label, n=fmt_count(len(batch.people))),
                  wraplength=700, justify="left").pack(anchor="w", fill="x", pady=(0, 8))
        self.grid_ = FieldGrid(self.body, label_width=16)
        self.grid_.pack(fill="x")
        self.number = self.grid_.add("number", _("Số quyết định"), lambda p: ttk.Entry(p, width=20),
                                     _("ví dụ 12/QĐ-UBND"))
        self.signed_on = self.grid_.add("signed_on", _("Ngày ký"), lambda p: ttk.Entry(p, width=14),
                                        _("ngày/tháng/năm, ví dụ 05/01/2026"))
        villages = {name: _("{village} ({n} người)").format(village=name or _("chưa ghi thôn"), n=fmt_count(len(ids)))
                    for name, ids in batch.villages}
        self.village = self.grid_.add("village", _("Những người"), lambda p: Choice(
            p, villages, blank=_("Cả {n} người").format(n=fmt_count(len(batch.people)))))
        self.number.focus_set()

    def save(self) -> None:
        try:
            ref = decisions.typed_reference(self.number.get(), self.signed_on.get())
            done = decisions.record_for_import(self.shell.ctx, ref, self.batch, self.village.code())
        except ValidationError as exc:
            self.show_problems([self.grid_], exc)
            return
        except UserError as exc:
            self.message.configure(text=str(exc))
            return
        self.destroy()
        self.shell.publish("register_changed", None)
        self.shell.dialogs.info(_("Đã ghi căn cứ {decision} cho {n} người.").format(
            decision=done.text, n=fmt_count(done.traced)))
