"""Import wizard: choose a file, preview its problems (a dry run), import, summary, annotated copy.

Reading and importing run on a worker thread with its own database connection; the window
shows a progress bar and stays responsive. A backup is made just before the real import.
"""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout import backups, register
from commune_payout.context import Context
from commune_payout.gui.dialogs import EXCEL_TYPES
from commune_payout.gui.widgets import fmt_count, row_detail, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.lazy import LazyModule

importer = LazyModule("commune_payout.importer")    # openpyxl: loaded when a file is chosen, not at start-up

STEPS = (_("1. Chọn tệp"), _("2. Xem trước các lỗi"), _("3. Nhập vào sổ"), _("4. Kết quả"))
SEVERITY = {"error": _("Lỗi"), "warning": _("Cần xem lại"), "skipped": _("Bỏ qua")}


def register_gui(shell) -> None:
    shell.add_section("import", _("Nhập từ Excel"), ImportView, order=20)


class ImportView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.path: Path | None = None
        self.result: importer.ImportResult | None = None
        self.entries: list[tuple] = []          # the table's lines: (sheet, row, field, severity, message)
        self.task = None
        title(self, _("Nhập danh sách từ Excel hoặc CSV")).pack(fill="x")
        steps = ttk.Frame(self)
        steps.pack(fill="x", pady=(10, 8))
        self.step_labels = []
        for text in STEPS:
            label = ttk.Label(steps, text=text, padding=(10, 4), bootstyle="secondary")
            label.pack(side="left", padx=(0, 6))
            self.step_labels.append(label)

        chooser = ttk.Frame(self)
        chooser.pack(fill="x")
        self.choose_button = ttk.Button(chooser, text=_("Chọn tệp…"), bootstyle="primary", command=self.choose)
        self.choose_button.pack(side="left")
        self.file_label = ttk.Label(chooser, text=_("Chưa chọn tệp. Nhận tệp .xlsx hoặc .csv như các thôn vẫn gửi."))
        self.file_label.pack(side="left", padx=(12, 0))

        self.progress_row = ttk.Frame(self)
        self.progress = ttk.Progressbar(self.progress_row, mode="determinate", maximum=1.0, length=400)
        self.progress.pack(side="left")
        self.progress_text = ttk.Label(self.progress_row, bootstyle="secondary")
        self.progress_text.pack(side="left", padx=(10, 0))

        self.summary = ttk.Label(self, font=("TkDefaultFont", 11), wraplength=1000, justify="left")
        self.summary.pack(anchor="w", pady=(12, 6))

        frame, self.tree, _bar = scrolled_tree(self, {
            "row": (_("Dòng"), 56, "center"),
            "name": (_("Họ và tên"), 180, "w"),
            "field": (_("Thông tin"), 130, "w"),
            "severity": (_("Mức độ"), 96, "w"),
            "message": (_("Nội dung"), 480, "w"),
            "sheet": (_("Trang tính"), 110, "w"),
        }, height=11)
        self.tree.column("row", stretch=False)
        self.tree.column("message", stretch=True)
        self.tree.tag_configure("error", foreground=ttk.Style().colors.danger)
        self.tree.tag_configure("skipped", foreground=ttk.Style().colors.secondary)
        # A message longer than its column is read whole, wrapped, under the table.
        self.detail = row_detail(self, self.tree, _("Chọn một dòng để đọc đầy đủ. Nhấp đúp hoặc Enter: mở hồ sơ "
                                                    "người đó (khi đã nhập)."))
        frame.pack(fill="both", expand=True)
        self.detail.pack(fill="x", pady=(6, 0))
        self.tree.bind("<Double-1>", lambda e: self.open_selected())
        self.tree.bind("<Return>", lambda e: self.open_selected())

        actions = ttk.Frame(self)
        actions.pack(fill="x", pady=(10, 0))
        self.import_button = ttk.Button(actions, text=_("Nhập vào sổ"), bootstyle="success",
                                        command=self.run_import, state="disabled")
        self.import_button.pack(side="left")
        self.annotated_button = ttk.Button(actions, text=_("Lưu tệp có ghi chú lỗi…"), bootstyle="secondary-outline",
                                           command=self.save_annotated, state="disabled")
        self.annotated_button.pack(side="left", padx=(8, 0))
        self.report_button = ttk.Button(actions, text=_("Lưu báo cáo (.xlsx)…"), bootstyle="secondary-outline",
                                        command=self.save_report, state="disabled")
        self.report_button.pack(side="left", padx=(8, 0))
        # After an import, the next step of the payout path.
        self.next_button = ttk.Button(actions, text=_("Bước tiếp: lập đợt chi trả →"), bootstyle="primary",
                                      command=self.new_session)
        self._step(0)

    def _step(self, index: int) -> None:
        for i, label in enumerate(self.step_labels):
            label.configure(bootstyle="@primary" if i == index else "secondary")

    def busy(self) -> bool:
        return self.task is not None and not self.task.done

    def _refused_while_busy(self) -> bool:
        """One import at a time: while a file is read or imported, another one does not start."""
        if self.busy():
            self.shell.dialogs.info(_("Đang đọc hoặc nhập một tệp. Hãy chờ xong rồi mới nhập tệp khác."))
            return True
        return False

    # -- steps -----------------------------------------------------------------------------
    def choose(self) -> None:
        if self._refused_while_busy():
            return
        path = self.shell.dialogs.ask_open_file(_("Chọn danh sách người hưởng"), EXCEL_TYPES)
        if path:
            self.preview(path)

    def preview(self, path) -> None:
        """Dry-run ``path`` and show what an import would do."""
        if self._refused_while_busy():
            return
        self.next_button.pack_forget()
        self.path = Path(path)
        self.result = None
        self.file_label.configure(text=str(self.path))
        self._set_buttons(False)
        self.tree.delete(*self.tree.get_children())
        self._step(1)
        self._work(_("Đang đọc tệp…"), dry_run=True)

    def run_import(self) -> None:
        if self.path is None or self._refused_while_busy():
            return
        self._set_buttons(False)
        self._step(2)
        self._work(_("Đang sao lưu rồi nhập…"), dry_run=False)

    def _work(self, text: str, dry_run: bool) -> None:
        path, clock, user = self.path, self.shell.ctx.clock, self.shell.ctx.user
        self.summary.configure(text=text)
        self.progress["value"] = 0
        self.progress_text.configure(text="")
        self.progress_row.pack(fill="x", pady=(10, 0), after=self.file_label.master)
        self.choose_button.configure(state="disabled")

        def work(db, progress):
            if not dry_run:
                backups.make_backup(db, clock, "import")
            return importer.import_file(Context(db, clock=clock, user=user), path, dry_run=dry_run,
                                        progress=progress)

        self.task = self.shell.run_task(work, on_progress=self._progress, on_error=self._failed,
                                        on_done=lambda result: self._finished(result, dry_run))

    def _progress(self, done, total, text="") -> None:
        self.progress["value"] = done / total if total else 0
        self.progress_text.configure(text=_("dòng {done} / {total}").format(done=fmt_count(done),
                                                                             total=fmt_count(total)))

    def _failed(self, exc) -> None:
        self.progress_row.pack_forget()
        self.choose_button.configure(state="normal")
        self.summary.configure(text=_("Không nhập được tệp này."))
        self._step(0)
        self.shell.report_exception(exc)

    def _finished(self, result, dry_run: bool) -> None:
        self.result = result
        self.progress_row.pack_forget()
        self.choose_button.configure(state="normal")
        self._show_problems(result)
        counts = dict(imported=fmt_count(result.imported), updated=fmt_count(result.updated),
                      unchanged=fmt_count(result.unchanged), skipped=fmt_count(result.skipped))
        if dry_run:
            head = _("Nếu nhập: {imported} người mới, {updated} người được cập nhật, {unchanged} không đổi; "
                     "{skipped} dòng không phải người (tiêu đề, cộng…) bỏ qua.").format(**counts)
            tail = _("Có thể nhập ngay rồi sửa sau, hoặc lưu tệp có ghi chú để sửa trong Excel.")
            self.import_button.configure(state="normal")
        else:
            self._step(3)
            head = _("Đã nhập xong: {imported} người mới, {updated} người được cập nhật, {unchanged} không đổi.").format(
                **counts)
            tail = _("Lưu tệp có ghi chú lỗi để sửa rồi nhập lại (người đã nhập sẽ được cập nhật, không bị trùng).")
            self.shell.publish("register_changed", None)
            self.shell.publish("backup_made", None)
            if "payouts" in self.shell.sections:
                self.next_button.pack(side="right")
        self.summary.configure(text="\n".join([head, *importer.decision.lines(result),
                                                *self._problem_lines(result, dry_run), tail]))
        self.annotated_button.configure(state="normal")
        self.report_button.configure(state="normal")

    @staticmethod
    def _problem_lines(result, dry_run: bool) -> list[str]:
        """What the problems mean for the register: rows not imported, values not stored."""
        errors = sum(1 for p in result.problems if p.severity == "error")
        lines = [_("{errors} lỗi, {warnings} điều cần xem lại (danh sách bên dưới).").format(
            errors=fmt_count(errors), warnings=fmt_count(len(result.problems) - errors))]
        if result.rejected:
            lines.append((_("{n} dòng thiếu thông tin bắt buộc sẽ không được nhập.") if dry_run else
                          _("{n} dòng thiếu thông tin bắt buộc chưa được nhập.")).format(n=fmt_count(result.rejected)))
        elif errors:
            lines.append(_("Mọi dòng đều được nhập; ô có lỗi thì chưa lưu giá trị đó."))
        if result.unsaved_accounts:
            lines.append(_("{n} số tài khoản chưa được lưu (Excel làm tròn hoặc sai số chữ số): người có số bị làm tròn "
                           "được ghi “{status}”, không bị đưa vào danh sách vận động mở tài khoản.").format(
                n=fmt_count(result.unsaved_accounts), status=_(register.NUMBER_MISSING)))
        return lines

    def _show_problems(self, result) -> None:
        """Problems, and the rows not taken as people with the reason, in the order of the file."""
        self.tree.delete(*self.tree.get_children())
        order = {name: i for i, name in enumerate([*result.layouts, *result.skipped_sheets])}
        entries = [(p.sheet, p.row, _(importer.FIELD_LABELS.get(p.field, p.field or "")), p.severity, p.message)
                   for p in result.problems]
        entries += [(o.sheet, o.row, "", "skipped", o.reason) for o in result.outcomes if o.outcome == "skipped"]
        entries.sort(key=lambda e: (order.get(e[0], 0), e[1] or 0))
        self.entries = entries
        for i, (sheet, row, field, severity, message) in enumerate(entries):
            self.tree.insert("", "end", iid=str(i), tags=(severity,), values=(
                row or "", result.names.get((sheet, row), ""), field, SEVERITY[severity], message, sheet))

    def open_selected(self) -> None:
        """Open the record of the person on the selected line's row, once imported."""
        selected = self.tree.selection()
        if not selected or self.result is None or self.result.dry_run:
            return
        sheet, row = self.entries[int(selected[0])][:2]
        person = next((o.beneficiary_id for o in self.result.outcomes
                       if (o.sheet, o.row) == (sheet, row) and o.beneficiary_id), None)
        if person:
            self.shell.run_command("open_person", person)

    def new_session(self):
        """The payout page's new-session wizard, on the register just imported."""
        return self.shell.show("payouts").open_wizard()

    def _set_buttons(self, enabled: bool) -> None:
        for button in (self.import_button, self.annotated_button, self.report_button):
            button.configure(state="normal" if enabled else "disabled")

    # -- files out -------------------------------------------------------------------------
    def save_annotated(self) -> None:
        out = self.shell.dialogs.ask_save_file(_("Lưu tệp có ghi chú lỗi"),
                                               initialfile=f"{self.path.stem}-ghi-chu-loi.xlsx")
        if out:
            result, source = self.result, self.path
            self._save(lambda db, progress: importer.write_annotated(result, source, out))

    def save_report(self) -> None:
        out = self.shell.dialogs.ask_save_file(_("Lưu báo cáo nhập tệp"),
                                               initialfile=f"{self.path.stem}-bao-cao.xlsx")
        if out:
            result = self.result
            self._save(lambda db, progress: importer.write_report(result, out))

    def _save(self, work) -> None:
        self.task = self.shell.run_task(work, on_done=lambda path: self.shell.dialogs.info(
            _("Đã lưu tệp:\n{path}").format(path=path)))
