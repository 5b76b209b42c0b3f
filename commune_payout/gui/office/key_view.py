"""The office's public key card, to give every commune (file, clipboard, or read out)."""

import ttkbootstrap as ttk

from commune_payout.atomic import write_text
from commune_payout.gui.shell import short_path
from commune_payout.i18n import _
from commune_payout.gui.widgets import title
from commune_payout.sync import keys as keymod

KEY_TYPES = [(_("Tệp khóa công khai"), "*.txt")]


def register_gui(shell) -> None:
    shell.add_section("key", _("Khóa của đơn vị"), KeyCardView, order=60)


class KeyCardView(ttk.Frame):
    """The office's public key card, to give every commune (file, clipboard, or read out)."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        card = shell.card
        title(self, _("Khóa công khai của đơn vị"), _("gửi cho các xã; không có gì bí mật trong thẻ này")).pack(
            fill="x")
        box = ttk.Labelframe(self, text=_("Thẻ khóa"), padding=(16, 12))
        box.pack(fill="x", pady=(12, 8))
        box.columnconfigure(1, weight=1)
        mono = ("TkFixedFont", 12)
        rows = [
            (_("Tên đơn vị"), card.name, ("TkDefaultFont", 12, "bold")),
            (_("Khóa mã hóa (age)"), f"{card.age_recipient[:4]} {keymod.group(card.age_recipient[4:])}", mono),
            (_("Khóa ký"), keymod.group(card.signing_public), mono),
        ]
        for i, (label, value, font) in enumerate(rows):
            ttk.Label(box, text=label, bootstyle="secondary").grid(row=i, column=0, sticky="nw", padx=(0, 16), pady=4)
            ttk.Label(box, text=value, font=font, wraplength=820, justify="left").grid(
                row=i, column=1, sticky="w", pady=4)
        ttk.Label(box, text=_("Dấu vân tay"), bootstyle="secondary").grid(
            row=3, column=0, sticky="w", padx=(0, 16), pady=(10, 4))
        self.fingerprint = ttk.Label(box, text=card.fingerprint, font=("TkFixedFont", 22, "bold"),
                                     bootstyle="primary")
        self.fingerprint.grid(row=3, column=1, sticky="w", pady=(10, 4))
        buttons = ttk.Frame(box)
        buttons.grid(row=4, column=0, columnspan=2, sticky="w", pady=(12, 0))
        ttk.Button(buttons, text=_("Lưu thẻ khóa ra tệp…"), bootstyle="primary", command=self.save).pack(side="left")
        ttk.Button(buttons, text=_("Chép vào bộ nhớ tạm"), bootstyle="primary-outline", command=self.copy).pack(
            side="left", padx=(8, 0))
        self.feedback = ttk.Label(buttons, bootstyle="success")
        self.feedback.pack(side="left", padx=(14, 0))

        steps = ttk.Labelframe(self, text=_("Các xã dùng thẻ khóa này thế nào"), padding=(16, 10))
        steps.pack(fill="x")
        for line in (_("1. Gửi tệp thẻ khóa cho xã qua USB hoặc e-mail (hoặc đọc cho xã gõ)."),
                     _("2. Ở xã: trang “Gửi cấp trên” → “Nhập tệp khóa của cấp trên…”."),
                     _("3. Xã gọi điện đọc dấu vân tay phần mềm của xã hiện ra: phải trùng với dấu vân tay ở trên. "
                       "Nếu khác, đừng gửi gói."),
                     _("4. Khi gói đầu tiên của xã đến, gọi lại cho xã để đối chiếu dấu vân tay của xã "
                       "(trang “Các xã”)."),):
            ttk.Label(steps, text=line, wraplength=900, justify="left").pack(anchor="w", pady=2)

    def save(self) -> None:
        path = self.shell.dialogs.ask_save_file(_("Lưu thẻ khóa công khai"), "khoa-cong-khai-cap-tren.txt", KEY_TYPES)
        if not path:
            return
        write_text(path, self.shell.card.to_text())
        self.feedback.configure(text=_("Đã lưu: {path}").format(path=short_path(path, 60)))

    def copy(self) -> None:
        self.clipboard_clear()
        self.clipboard_append(self.shell.card.to_text())
        self.feedback.configure(text=_("Đã chép thẻ khóa; dán vào e-mail gửi xã."))

