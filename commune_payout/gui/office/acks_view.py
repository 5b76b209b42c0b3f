"""Receipts for the communes: a file for the stick or e-mail, and a short code to read by phone."""

from pathlib import Path

import ttkbootstrap as ttk

from commune_payout.errors import UserError
from commune_payout.gui.widgets import scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.sync import office


def register_gui(shell) -> None:
    shell.add_section("acks", _("Biên nhận cho xã"), AcksView, order=40)


class AcksView(ttk.Frame):
    """A receipt per commune: a file for the stick or e-mail, and a short code to read by phone."""

    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.codes: dict[str, str] = {}
        title(self, _("Biên nhận cho các xã"),
              _("xã ghi nhận biên nhận thì thôi gửi lại dữ liệu cũ")).pack(fill="x")
        ttk.Label(self, text=_("Chọn xã (giữ Ctrl để chọn nhiều), rồi ghi tệp biên nhận ra USB hoặc thư mục "
                               "gửi e-mail. Không có tệp thì đọc mã cho cán bộ xã gõ vào trang “Gửi cấp trên”."),
                  wraplength=1050, justify="left").pack(anchor="w", pady=(8, 6))
        row = ttk.Frame(self)
        row.pack(fill="x", pady=(0, 8))
        ttk.Button(row, text=_("Ghi biên nhận cho các xã đã chọn…"), bootstyle="primary",
                   command=lambda: self.write(selected=True)).pack(side="left")
        ttk.Button(row, text=_("Ghi cho mọi xã…"), bootstyle="primary-outline",
                   command=lambda: self.write(selected=False)).pack(side="left", padx=(8, 0))
        box = ttk.Frame(self, bootstyle="light", padding=(14, 8))
        box.pack(side="bottom", fill="x", pady=(8, 0))
        self.phone_title = ttk.Label(box, text=_("Mã đọc qua điện thoại"), bootstyle="@light")
        self.phone_title.pack(anchor="w")
        self.phone_code = ttk.Label(box, text="—", font=("TkFixedFont", 22, "bold"), bootstyle="@light")
        self.phone_code.pack(anchor="w")
        frame, self.tree, _bar = scrolled_tree(self, {
            "name": (_("Xã"), 220, "w"),
            "code": (_("Mã xã"), 70, "w"),
            "seq": (_("Gói cuối đã nhập"), 150, "e"),
            "phone": (_("Mã điện thoại"), 160, "w"),
            "file": (_("Tệp biên nhận đã ghi"), 360, "w"),
        }, height=8)
        self.tree.configure(selectmode="extended")
        self.tree.column("name", stretch=False)
        self.tree.column("file", stretch=True)
        frame.pack(fill="both", expand=True)
        self.tree.bind("<<TreeviewSelect>>", lambda e: self._show_code())
        shell.subscribe("packages_imported", lambda payload: self.refresh())
        self.refresh()

    def on_show(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        written = {iid: self.tree.item(iid, "values")[4] for iid in self.tree.get_children()}
        self.tree.delete(*self.tree.get_children())
        self.codes = {}
        ctx = self.shell.context()
        for r in office.communes_status(self.shell.db):
            if not r["last_seq"]:
                continue
            _data, phone, _ack = office.make_ack(ctx, r["code"])
            self.codes[r["code"]] = phone
            self.tree.insert("", "end", iid=r["code"], values=(
                r["name"], r["code"], r["last_seq"], phone, written.get(r["code"], "")))
        self._show_code()

    def _show_code(self) -> None:
        chosen = self.tree.selection()
        if len(chosen) == 1:
            name = self.tree.item(chosen[0], "values")[0]
            self.phone_title.configure(text=_("Mã đọc qua điện thoại cho {name}").format(name=name))
            self.phone_code.configure(text=self.codes[chosen[0]])
        else:
            self.phone_title.configure(text=_("Chọn một xã để xem mã đọc qua điện thoại"))
            self.phone_code.configure(text="—")

    def write(self, selected: bool) -> None:
        codes = list(self.tree.selection()) if selected else list(self.tree.get_children())
        if not codes:
            raise UserError(_("Hãy chọn xã trong bảng (hoặc bấm “Ghi cho mọi xã…”).") if selected
                            else _("Chưa nhập gói nào của xã nào: chưa có gì để xác nhận."))
        folder = self.shell.dialogs.ask_directory(_("Chọn thư mục ghi biên nhận (USB hoặc thư mục gửi e-mail)"))
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        written = office.write_acks(self.shell.context(), folder, codes)
        for code, (path, _phone) in zip(codes, written):
            self.tree.set(code, "file", Path(path).name)
        self.shell.dialogs.info(_("Đã ghi {n} biên nhận vào {folder}.").format(n=len(written), folder=folder))
