"""Importing communes' packages at the office: many files or a whole folder at once, a dry run
first, and the outcome of each file with the class of a refusal."""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout import backups
from commune_payout.context import Context
from commune_payout.errors import UserError
from commune_payout.gui.office.console import PACKAGE_TYPES, WAITING_FG
from commune_payout.gui.widgets import fmt_count, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.sync import consolidate, office, package, reader

# Synced tables as the clerk reads them (the counts of a package, table by table).
TABLE_LABELS = {
    "beneficiaries": "người hưởng",
    "memberships": "diện hưởng",
    "beneficiary_history": "lịch sử thay đổi",
    "payout_sessions": "đợt chi trả",
    "payout_lines": "dòng chi trả",
    "payout_entries": "bút toán chi trả",
    "cash_movements": "thu chi tiền mặt",
}
OUTCOMES = {
    "applied": ("Đã nhập", "success"),
    "would_apply": ("Sẽ nhập", "primary"),
    "already": ("Đã nhập trước đây", "secondary"),
    "waiting": ("Đang chờ", "waiting"),
    "superseded": ("Bị gói sau thay thế", "secondary"),
    "rejected": ("Bị từ chối", "danger"),
}
# What a waiting package waits for.
WAITING_FOR = {"key": "chờ xác nhận khóa", "gap": "chờ gói trước"}


def register_gui(shell) -> None:
    shell.add_section("import", _("Nhập gói của xã"), ImportView, order=20,
                      shortcuts={"<Control-o>": lambda view: view.choose_files()})


def outcome(r: "office.ImportResult") -> str:
    """A package's outcome in words, with the class of a refusal or what a waiting one waits for."""
    label = _(OUTCOMES[r.status][0])
    if r.status == "rejected":
        return f"{label}: {_(reader.REASONS.get(r.reason, r.reason))}"
    if r.status == "waiting" and r.reason in WAITING_FOR:
        return f"{label}: {_(WAITING_FOR[r.reason])}"
    return label


class ImportView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.files: list[Path] = []
        self.results: list[office.ImportResult] = []
        self.task = None
        title(self, _("Nhập gói của các xã"),
              _("nhiều tệp một lúc, thứ tự bất kỳ; gói hỏng bị từ chối và không ghi gì")).pack(fill="x")
        box = ttk.Labelframe(self, text=_("1. Chọn gói"), padding=10)
        box.pack(fill="x", pady=(10, 6))
        row = ttk.Frame(box)
        row.pack(fill="x")
        ttk.Button(row, text=_("Chọn tệp gói…"), bootstyle="primary-outline", command=self.choose_files).pack(
            side="left")
        ttk.Button(row, text=_("Chọn cả thư mục (USB)…"), bootstyle="primary-outline",
                   command=self.choose_folder).pack(side="left", padx=(8, 0))
        ttk.Button(row, text=_("Bỏ chọn"), bootstyle="secondary-link", command=self.clear).pack(side="left",
                                                                                               padx=(8, 0))
        self.files_label = ttk.Label(box, bootstyle="secondary", wraplength=1000, justify="left")
        self.files_label.pack(anchor="w", pady=(6, 0))

        box = ttk.Labelframe(self, text=_("2. Xem trước, rồi nhập"), padding=10)
        box.pack(fill="x", pady=(0, 6))
        row = ttk.Frame(box)
        row.pack(fill="x")
        self.dry_button = ttk.Button(row, text=_("Xem trước (chưa ghi gì)"), bootstyle="info-outline",
                                     command=lambda: self.run(dry_run=True))
        self.dry_button.pack(side="left")
        self.import_button = ttk.Button(row, text=_("Nhập vào dữ liệu tổng hợp"), bootstyle="primary",
                                        command=lambda: self.run(dry_run=False))
        self.import_button.pack(side="left", padx=(8, 0))
        self.progress = ttk.Progressbar(row, length=260, mode="determinate", bootstyle="info-striped")
        self.progress.pack(side="left", padx=(16, 8))
        self.progress_label = ttk.Label(row, bootstyle="secondary")
        self.progress_label.pack(side="left", fill="x", expand=True)

        self.summary = ttk.Label(self, font=("TkDefaultFont", 11, "bold"))
        self.summary.pack(anchor="w", pady=(2, 4))
        detail = ttk.Labelframe(self, text=_("Chi tiết gói đang chọn"), padding=(10, 6))
        detail.pack(side="bottom", fill="x", pady=(6, 0))
        self.detail = ttk.Label(detail, wraplength=1050, justify="left", text=_("Chọn một dòng để xem đủ lý do."))
        self.detail.pack(anchor="w", fill="x")
        frame, self.tree, _bar = scrolled_tree(self, {
            "file": (_("Tệp"), 270, "w"),
            "commune": (_("Xã"), 160, "w"),
            "seq": (_("Gói số"), 60, "e"),
            "outcome": (_("Kết quả"), 230, "w"),
            "rows": (_("Số dòng"), 80, "e"),
            "message": (_("Lý do, ghi chú"), 280, "w"),
        }, height=6)
        self.tree.column("file", stretch=False)
        self.tree.column("message", stretch=True)
        colors = ttk.Style().colors
        for status, (_label, style) in OUTCOMES.items():
            self.tree.tag_configure(status, foreground=WAITING_FG if style == "waiting" else getattr(colors, style))
        frame.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._show_detail())
        self._show_files()

    def choose_files(self) -> None:
        chosen = self.shell.dialogs.ask_open_files(_("Chọn các gói của xã"), PACKAGE_TYPES)
        if chosen:
            self._add([Path(p) for p in chosen])

    def choose_folder(self) -> None:
        folder = self.shell.dialogs.ask_directory(_("Chọn thư mục có các gói (ví dụ USB)"))
        if not folder:
            return
        found = sorted(Path(folder).glob("*" + package.SUFFIX))
        if not found:
            raise UserError(_("Không thấy tệp gói (.cpkg) nào trong {folder}.").format(folder=folder))
        self._add(found)

    def _add(self, paths: list[Path]) -> None:
        self.files = list(dict.fromkeys([*self.files, *paths]))
        self._show_files()

    def clear(self) -> None:
        self.files = []
        self._show_files()

    def _show_files(self) -> None:
        if not self.files:
            self.files_label.configure(text=_("Chưa chọn gói nào. Có thể chọn nhiều tệp, hoặc cả một thư mục."))
        else:
            names = ", ".join(p.name for p in self.files[:6]) + (" …" if len(self.files) > 6 else "")
            self.files_label.configure(text=_("{n} tệp: {names}").format(n=len(self.files), names=names))
        state = "normal" if self.files else "disabled"
        self.dry_button.configure(state=state)
        self.import_button.configure(state=state)

    def run(self, dry_run: bool) -> None:
        if not self.files:
            raise UserError(_("Hãy chọn các gói cần nhập trước."))
        files, clock, user = list(self.files), self.shell.ctx.clock, self.shell.ctx.user

        def work(db, progress):
            if not dry_run:
                backups.make_backup(db, clock, "import")
            return office.import_files(Context(db, clock=clock, user=user), files, dry_run=dry_run,
                                         progress=progress)

        self.dry_button.configure(state="disabled")
        self.import_button.configure(state="disabled")
        self.progress.configure(value=0, maximum=1)
        self.progress_label.configure(text=_("Đang mở và kiểm tra các gói…"))
        self.task = self.shell.run_task(work, on_done=lambda results: self._finished(results, dry_run),
                                        on_progress=self._progress, on_error=self._failed)

    def _progress(self, done, total, text="") -> None:
        self.progress.configure(maximum=max(total, 1), value=done)
        self.progress_label.configure(text=text)

    def _failed(self, exc) -> None:
        self._show_files()
        self.progress_label.configure(text="")
        self.shell.report_exception(exc)

    def _finished(self, results, dry_run: bool) -> None:
        self.results = results
        self.progress.configure(value=self.progress.cget("maximum"))
        names = {r["code"]: r["name"] for r in office.communes_status(self.shell.db)}
        self.tree.delete(*self.tree.get_children())
        for i, r in enumerate(results):
            rows = sum(r.counts.values())
            self.tree.insert("", "end", iid=str(i), tags=(r.status,), values=(
                r.name, names.get(r.commune_code, r.commune_code), r.seq or "", outcome(r),
                fmt_count(rows) if r.counts else "", r.message))
        tally = {}
        for r in results:
            tally[r.status] = tally.get(r.status, 0) + 1
        self.summary.configure(text=" · ".join(f"{_(OUTCOMES[s][0])}: {n}" for s, n in tally.items()))
        if dry_run:
            self.progress_label.configure(text=_("Xem trước xong: chưa ghi gì. Bấm “Nhập” để nhập thật."))
            self._show_files()
        else:
            self.progress_label.configure(text=_("Đã nhập xong."))
            unconfirmed = {r.commune_code for r in results if r.status == "waiting"} - {
                c["code"] for c in office.communes_status(self.shell.db) if c["confirmed"]}
            if unconfirmed:
                self.summary.configure(text=self.summary.cget("text") + " — " + _(
                    "{n} xã chờ xác nhận khóa: gọi điện cho xã, rồi xác nhận ở trang “Các xã”.").format(
                    n=len(unconfirmed)))
            self.files = []
            self._show_files()
            self.shell.publish("packages_imported", None)
        first = next((str(i) for i, r in enumerate(results) if r.status == "rejected"), "0" if results else None)
        if first is not None:
            self.tree.selection_set(first)
            self.tree.see(first)
        self._show_detail()

    def _confirmed(self, code: str) -> bool:
        return any(r["code"] == code and r["confirmed"] for r in office.communes_status(self.shell.db))

    def _show_detail(self) -> None:
        chosen = self.tree.selection()
        if not chosen:
            return
        r = self.results[int(chosen[0])]
        lines = [f"{r.name}: {outcome(r)}", r.message]
        if r.counts:
            lines.append(", ".join(f"{_(TABLE_LABELS.get(t, t))} {fmt_count(n)}" for t, n in r.counts.items())
                         + (", " + _("xóa {n}").format(n=r.deleted) if r.deleted else ""))
        if r.status == "waiting" and r.commune_code and not self._confirmed(r.commune_code):
            lines.append(_("Gọi điện cho xã, rồi xác nhận dấu vân tay ở trang “Các xã”."))
        if len(r.problems) > consolidate.MAX_PROBLEMS_SHOWN:
            lines.append("; ".join(r.problems[:40]) + (" …" if len(r.problems) > 40 else ""))
        self.detail.configure(text="\n".join(lines), bootstyle="danger" if r.status == "rejected" else "default")

