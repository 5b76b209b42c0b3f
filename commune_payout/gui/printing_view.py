"""Printing: choose a document (and its session or month), then preview it in the system PDF
viewer, save it as a PDF, or send it to the default printer.

The PDF is made, and sent to the printer, on a worker thread (:func:`commune_payout.documents.write`,
:func:`commune_payout.printing.print_pdf`): a long list or a printer that does not answer never
freezes the window, and a printer's refusal or silence is told as a plain message. Previews and
print jobs are written to ``previews/`` beside the database, so personal data stays where the
register is, and each one replaces the last of its kind.
"""

import datetime as dt
from pathlib import Path

import ttkbootstrap as ttk

from commune_payout import documents, payouts, printing
from commune_payout.errors import UserError
from commune_payout.gui.widgets import Choice, FieldGrid, title
from commune_payout.i18n import _
from commune_payout.lazy import LazyModule

commune = LazyModule("commune_payout.sync.commune")     # the offices; its keys are not needed to start the window

PDF_TYPES = [(_("Tệp PDF"), "*.pdf")]
XLSX_TYPES = [(_("Tệp Excel"), "*.xlsx")]
ALL_OFFICES = _("Mọi cơ quan (mọi chương trình)")
FILE_STEMS = {
    "payout-list": "danh-sach-chi-tra", "receipts": "bien-nhan", "transfers": "danh-sach-chuyen-khoan",
    "campaign": "can-mo-tai-khoan", "cleaning": "ra-soat-du-lieu", "report": "bao-cao-thang",
    "verification": "phieu-xac-minh",
}
BY_CHANNEL = {"payout-list": "all", "receipts": "cash"}     # documents narrowed by channel, and their default


def register_gui(shell) -> None:
    shell.add_section("printing", _("In tài liệu"), PrintingView, order=60,
                      shortcuts={"<Control-p>": lambda view: view.kind.focus_set()})


class PrintingView(ttk.Frame):
    """The form; ``opener`` and ``printer`` are the system actions (tests replace them)."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.opener = printing.open_in_viewer
        self.printer = printing.print_pdf
        self.sessions: list[dict] = []
        self.task = None
        self.last_path: Path | None = None
        title(self, _("In tài liệu"), _("danh sách, biên nhận, báo cáo ra giấy hoặc tệp PDF")).pack(fill="x")

        self.grid_ = FieldGrid(self, label_width=24, padding=(0, 10, 0, 0))
        self.grid_.pack(fill="x")
        self.kind = self.grid_.add("kind", _("Tài liệu"), lambda p: Choice(p, documents.KINDS, width=48))
        self.kind.bind("<<ComboboxSelected>>", lambda e: self.update_fields(), add="+")
        self.session_box = self.grid_.add("session", _("Đợt chi trả"),
                                          lambda p: ttk.Combobox(p, state="readonly", width=60))
        self.period_var = ttk.StringVar()
        self.grid_.add("period", _("Tháng báo cáo"), lambda p: ttk.Entry(p, textvariable=self.period_var, width=12),
                       hint=_("dạng NNNN-TT, ví dụ 2027-01"))
        self.office = self.grid_.add("office", _("Gửi cơ quan"), lambda p: ttk.Combobox(p, state="readonly", width=48),
                                     hint=_("chỉ các chương trình cơ quan đó phụ trách"))
        self.basis_var = ttk.StringVar(value="period")
        self.grid_.add("basis", _("Tính theo"), self._basis_buttons)
        self.number_var = ttk.StringVar()
        self.grid_.add("number", _("Số báo cáo"), lambda p: ttk.Entry(p, textvariable=self.number_var, width=12),
                       hint=_("để trống: số tự động (in lại giữ số cũ)"))
        self.date_var = ttk.StringVar()
        self.grid_.add("date", _("Ngày ghi trên văn bản"),
                       lambda p: ttk.Entry(p, textvariable=self.date_var, width=12), hint=_("ngày/tháng/năm"))
        self.channel = self.grid_.add("channel", _("Hình thức nhận"), lambda p: Choice(
            p, documents.CHANNEL_FILTERS, width=32))
        self.per_page_var = ttk.IntVar(value=4)
        self.grid_.add("per_page", _("Biên nhận mỗi trang A4"), self._per_page_buttons)
        self.mask_var = ttk.BooleanVar(value=False)
        self.grid_.add("mask", "", lambda p: ttk.Checkbutton(
            p, variable=self.mask_var,
            text=_("Che số định danh, số điện thoại, số tài khoản (danh sách niêm yết công khai)")))

        buttons = ttk.Frame(self, padding=(0, 14, 0, 0))
        buttons.pack(fill="x")
        self.preview_button = ttk.Button(buttons, text=_("Xem trước"), bootstyle="primary", command=self.preview)
        self.preview_button.pack(side="left")
        self.save_button = ttk.Button(buttons, text=_("Lưu thành tệp PDF…"), bootstyle="secondary",
                                      command=self.save_as)
        self.save_button.pack(side="left", padx=8)
        self.print_button = ttk.Button(buttons, text=_("In ra máy in mặc định"), bootstyle="secondary-outline",
                                       command=self.print_document)
        self.print_button.pack(side="left")
        self.xlsx_button = ttk.Button(buttons, text=_("Xuất số liệu báo cáo ra Excel…"), bootstyle="secondary-outline",
                                      command=self.save_xlsx)
        self.xlsx_button.pack(side="left", padx=8)
        self.status = ttk.Label(self, bootstyle="secondary", wraplength=900, justify="left", padding=(0, 12, 0, 0))
        self.status.pack(anchor="w")
        ttk.Label(self, text=_("Danh sách niêm yết công khai không bao giờ ghi diện nhiễm HIV; số định danh, "
                               "số điện thoại có thể che bớt. Biên nhận chỉ in cho khoản chi tiền mặt (trừ khi chọn "
                               "khác); để trống ngày thì biên nhận ghi ngày chi tiền của từng người."),
                  bootstyle="secondary", wraplength=900, justify="left").pack(anchor="w", pady=(8, 0))
        self.kind.set_code("payout-list")
        today = shell.ctx.clock.today()
        self.period_var.set(f"{today:%Y-%m}")
        self.date_var.set(f"{today:%d/%m/%Y}")
        self.shown_kind = None
        self.load_sessions()
        self.load_offices()
        self.update_fields()

    def _basis_buttons(self, parent):
        frame = ttk.Frame(parent)
        for value, text in (("period", _("kỳ chi trả (các đợt của tháng)")),
                            ("payment", _("ngày chi trả (khoản chi trong tháng)"))):
            ttk.Radiobutton(frame, text=text, value=value, variable=self.basis_var).pack(side="left", padx=(0, 12))
        return frame

    def load_offices(self) -> None:
        """Every office the report can go to, as the officer knows them (key cards, else settings)."""
        names = list(dict.fromkeys(commune.office_names(self.shell.db).values()))
        chosen = self.office.get()
        self.office.configure(values=[ALL_OFFICES, *names])
        self.office.set(chosen if chosen in names else ALL_OFFICES)

    def _per_page_buttons(self, parent):
        frame = ttk.Frame(parent)
        for n in (4, 2):
            ttk.Radiobutton(frame, text=str(n), value=n, variable=self.per_page_var).pack(side="left", padx=(0, 12))
        return frame

    def on_show(self) -> None:
        self.load_sessions()
        self.load_offices()

    def load_sessions(self) -> None:
        """Sessions newest first; the selection stays on the same session when it still exists."""
        chosen = self.session_id()
        self.sessions = payouts.list_sessions(self.shell.db)
        self.session_box.configure(values=[
            f"{s['period']} · {s['name']} · {_(payouts.SESSION_STATUSES[s['status']])}" for s in self.sessions])
        ids = [s["id"] for s in self.sessions]
        if chosen in ids:
            self.session_box.current(ids.index(chosen))
        elif ids:
            self.session_box.current(0)
        else:
            self.session_box.set("")

    def session_id(self) -> str | None:
        index = self.session_box.current() if self.sessions else -1
        return self.sessions[index]["id"] if 0 <= index < len(self.sessions) else None

    def update_fields(self) -> None:
        """Enable only the fields the chosen document uses; a document newly chosen gets its
        default channel, and receipts an empty date (each payment's own day)."""
        kind = self.kind.code()
        if kind != self.shown_kind:
            if kind in BY_CHANNEL:
                self.channel.set_code(BY_CHANNEL[kind])
            if kind == "receipts":
                self.date_var.set("")
            elif not self.date_var.get().strip():
                self.date_var.set(f"{self.shell.ctx.clock.today():%d/%m/%Y}")
            self.shown_kind = kind
        wanted = {
            "session": kind in documents.SESSION_KINDS,
            "period": kind == "report",
            "number": kind == "report",
            "office": kind == "report",
            "basis": kind == "report",
            "channel": kind in BY_CHANNEL,
            "per_page": kind == "receipts",
            "mask": kind in documents.MASKABLE,
        }
        for key, on in wanted.items():
            widget = self.grid_.inputs[key]
            for w in [widget, *widget.winfo_children()]:
                if "state" in w.keys():
                    w.configure(state=("readonly" if isinstance(w, ttk.Combobox) else "normal") if on else "disabled")
        self.xlsx_button.configure(state="normal" if kind == "report" else "disabled")

    def request(self) -> documents.Request:
        """The document asked for; raises UserError after marking each wrong field beside it."""
        kind = self.kind.code()
        problems = {}
        on = None
        typed = self.date_var.get().strip()
        if typed or kind != "receipts":
            try:
                on = dt.datetime.strptime(typed, "%d/%m/%Y").date()
            except ValueError:
                problems["date"] = _("Ngày phải có dạng ngày/tháng/năm")
        number = self.number_var.get().strip()
        if kind == "report" and number and not (number.isdigit() and int(number) > 0):
            problems["number"] = _("Số báo cáo là số nguyên dương, hoặc để trống")
        period = self.period_var.get().strip()
        if kind == "report" and not (len(period) == 7 and period[4] == "-" and period[:4].isdigit()
                                     and period[5:].isdigit() and 1 <= int(period[5:]) <= 12):
            problems["period"] = _("Tháng phải có dạng NNNN-TT, ví dụ 2027-01")
        session_id = self.session_id() if kind in documents.SESSION_KINDS else None
        if kind in documents.SESSION_KINDS and session_id is None:
            problems["session"] = _("Chưa có đợt chi trả nào")
        self.grid_.show_errors(problems)
        if problems:
            raise UserError(_("Hãy sửa các ô được đánh dấu"))
        return documents.Request(
            kind=kind, on=on, session_id=session_id, period=period if kind == "report" else None,
            masked=kind in documents.MASKABLE and self.mask_var.get(),
            channel=self.channel.code() if kind in BY_CHANNEL else None,
            per_page=self.per_page_var.get(), number=int(number) if kind == "report" and number else None,
            basis=self.basis_var.get() if kind == "report" else "period",
            programs=documents.office_programs(self.shell.db, self.office.get())
            if kind == "report" and self.office.get() not in ("", ALL_OFFICES) else None)

    def default_name(self, request: documents.Request) -> str:
        if request.kind == "report":
            return (f"{FILE_STEMS['report']}_{request.period}" + (f"_{'-'.join(request.programs)}" if request.programs
                                                                  else "") + (
                "_theo-ngay-chi" if request.basis == "payment" else "") + ".pdf")
        if request.session_id:
            session = next(s for s in self.sessions if s["id"] == request.session_id)
            suffix = session["period"]
        else:
            suffix = request.period or f"{request.on:%Y%m%d}"
        return f"{FILE_STEMS[request.kind]}_{suffix}.pdf"

    def preview_dir(self) -> Path:
        return Path(self.shell.db_path).resolve().parent / "previews"

    # -- actions -----------------------------------------------------------------------------
    def preview(self) -> None:
        self._make(lambda request: self.preview_dir() / self.default_name(request), self._opened)

    def save_as(self) -> None:
        def ask(request):
            chosen = self.shell.dialogs.ask_save_file(_("Lưu tài liệu"), initialfile=self.default_name(request),
                                                      filetypes=PDF_TYPES)
            return Path(chosen) if chosen else None

        self._make(ask, self._saved)

    def save_xlsx(self) -> None:
        """The report's figures as an .xlsx, where the officer chooses."""
        try:
            request = self.request()
        except UserError as exc:
            self.status.configure(text=str(exc), bootstyle="danger")
            return
        chosen = self.shell.dialogs.ask_save_file(_("Lưu số liệu báo cáo"), initialfile=Path(
            self.default_name(request)).with_suffix(".xlsx").name, filetypes=XLSX_TYPES)
        if not chosen:
            return
        self.task = self.shell.run_task(
            lambda db, progress: documents.write_xlsx(db, request, chosen),
            on_done=lambda _result: self._saved(Path(chosen), _("Số liệu báo cáo tháng")),
            on_error=self.shell.report_exception)

    def print_document(self) -> None:
        self._make(lambda request: self.preview_dir() / self.default_name(request), self._printed, send=True)

    def _make(self, choose_path, then, send: bool = False) -> None:
        """Write the requested PDF on a worker thread (and with ``send``, print it there too),
        then run ``then(path, result)`` on the window's thread."""
        if self.task is not None and not self.task.done:
            return
        try:
            request = self.request()
        except UserError as exc:
            self.status.configure(text=str(exc), bootstyle="danger")
            return
        path = choose_path(request)
        if path is None:
            return
        self._busy(True)
        self.status.configure(text=_("Đang tạo tài liệu…"), bootstyle="secondary")

        def done(summary):
            self._busy(False)
            self.last_path = path
            then(path, summary)

        def failed(exc):
            self._busy(False)
            self.status.configure(text="", bootstyle="secondary")
            self.shell.report_exception(exc)

        printer = self.printer

        def work(db, progress):
            summary = documents.write(db, request, path)
            if not send:
                return summary
            progress(0, 1, _("{summary}. Đang gửi ra máy in…").format(summary=summary))
            return f"{summary}. {printer(path)}"

        self.task = self.shell.run_task(work, on_done=done, on_error=failed,
                                        on_progress=lambda done, total, text: self.status.configure(text=text))

    def _busy(self, busy: bool) -> None:
        for button in (self.preview_button, self.save_button, self.print_button):
            button.configure(state="disabled" if busy else "normal")

    def _opened(self, path: Path, summary: str) -> None:
        self.status.configure(text=_("{summary}. Đang mở bản xem trước: {path}").format(summary=summary, path=path),
                              bootstyle="secondary")
        try:
            self.opener(path)
        except UserError as exc:
            self.shell.report_exception(exc)

    def _saved(self, path: Path, summary: str) -> None:
        self.status.configure(text=_("{summary}. Đã lưu: {path}").format(summary=summary, path=path),
                              bootstyle="success")
        self.shell.dialogs.info(_("{summary}.\nĐã lưu vào tệp:\n{path}").format(summary=summary, path=path))

    def _printed(self, path: Path, result: str) -> None:
        self.status.configure(text=result, bootstyle="success")
