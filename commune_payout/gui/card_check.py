"""Data cleaning's "check against the card" (đối chiếu thẻ căn cước): a chip ID card scanned into
the box finds its holder, each field where the register differs from the card is listed with a
one-click fix (the register's history keeps the old value), and once everything matches the
police-verification date is recorded. The domain work is :mod:`commune_payout.idcard`."""

import ttkbootstrap as ttk

from commune_payout import idcard, register
from commune_payout.gui.widgets import fmt_date
from commune_payout.i18n import _


class CardCheckPanel(ttk.Frame):
    """The scan box and, under it, the holder's differences with their fix buttons."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.card: idcard.Card | None = None
        self.holder: str | None = None
        self.fix_buttons: dict[str, ttk.Button] = {}
        row = ttk.Frame(self)
        row.pack(fill="x")
        ttk.Label(row, text=_("Đối chiếu thẻ căn cước:")).pack(side="left")
        self.scan_var = ttk.StringVar()
        self.entry = ttk.Entry(row, textvariable=self.scan_var, width=34)
        self.entry.pack(side="left", padx=(8, 8))
        for sequence in ("<Return>", "<KP_Enter>"):
            self.entry.bind(sequence, lambda e: (self.take_scan(), "break")[1])
        ttk.Label(row, text=_("đặt con trỏ vào ô rồi quét mã QR trên thẻ"), bootstyle="secondary").pack(side="left")
        self.result = ttk.Label(self, justify="left", font=("TkDefaultFont", 10, "bold"))
        self.result.pack(anchor="w", fill="x", pady=(4, 0))
        self.result.bind("<Configure>", lambda e: self.result.configure(wraplength=max(300, e.width - 8)))
        self.rows = ttk.Frame(self)
        self.rows.pack(fill="x")

    def focus_scan(self) -> None:
        self.entry.focus_set()

    def take_scan(self) -> None:
        """Read the scanned text (then clear the box: the scan is never kept) and check its holder."""
        text, self.card, self.holder = self.scan_var.get(), None, None
        self.scan_var.set("")
        if not text.strip():
            return
        try:
            self.card = idcard.parse(text, self.shell.ctx.clock.today())
        except idcard.CardUnreadable as exc:
            self._say(str(exc), "danger")
            self._show_rows([])
            return
        self.holder = idcard.find_holder(self.shell.db, self.card)
        if self.holder is None:
            self._say(_("Không ai trong sổ mang thẻ căn cước số {id} ({name}).").format(
                id=self.card.id_number, name=self.card.full_name), "danger")
            self._show_rows([])
            return
        self.refresh()

    def refresh(self, changed: bool = False) -> None:
        """Compare the holder's record with the card again; record the verification when all
        matches. ``changed``: the record was just fixed (the other views are told once)."""
        person = register.get(self.shell.db, self.holder)
        differences = idcard.differences(person, self.card)
        unread = ("\n" + _("Thẻ có chỗ không đọc được: {problems}").format(problems="; ".join(self.card.problems))
                  if self.card.problems else "")
        if differences:
            self._say(_("{name}: {n} thông tin khác với thẻ. Bấm “Sửa theo thẻ” ở từng dòng (lịch sử giữ giá trị "
                        "cũ).").format(name=person["full_name"], n=len(differences)) + unread, "warning")
        else:
            changed = idcard.mark_verified(self.shell.ctx, self.holder, self.card) or changed
            self._say(_("{name}: khớp với thẻ căn cước. Đã ghi ngày công an xác minh {day}.").format(
                name=person["full_name"], day=fmt_date(self.shell.ctx.clock.today().isoformat())) + unread, "success")
        self._show_rows(differences)
        if changed:
            self.shell.publish("register_changed", self.holder)

    def _say(self, text: str, style: str) -> None:
        self.result.configure(text=text, bootstyle=style)

    def _show_rows(self, differences: list[idcard.Difference]) -> None:
        for child in self.rows.winfo_children():
            child.destroy()
        self.fix_buttons = {}
        for i, difference in enumerate(differences):
            ttk.Label(self.rows, text=_(difference.label), width=14).grid(row=i, column=0, sticky="w", pady=1)
            ttk.Label(self.rows, text=_("Sổ: {value}").format(value=difference.in_register or "—")).grid(
                row=i, column=1, sticky="w", padx=(0, 16))
            ttk.Label(self.rows, text=_("Thẻ: {value}").format(value=difference.on_card)).grid(
                row=i, column=2, sticky="w", padx=(0, 16))
            button = ttk.Button(self.rows, text=_("Sửa theo thẻ"), bootstyle="warning-outline",
                                command=lambda d=difference: self.fix(d))
            button.grid(row=i, column=3, sticky="w", pady=1)
            self.fix_buttons[difference.field] = button

    def fix(self, difference: idcard.Difference) -> None:
        try:
            idcard.apply_fix(self.shell.ctx, self.holder, difference)
        except Exception as exc:  # noqa: BLE001 - a UserError shown plainly, anything else logged
            self.shell.report_exception(exc)
            return
        self.refresh(changed=True)
