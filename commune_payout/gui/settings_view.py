"""Settings: the commune's officer and upstream office, who signs the printed documents, the dated
settings (base levels, holidays, funeral support, legal bases: :mod:`.dated_settings`), backups
(make one, restore one), the log file."""

import ttkbootstrap as ttk

from commune_payout import applog, backups, paths, settings
from commune_payout.db import write_transaction
from commune_payout.errors import UserError
from commune_payout.gui import dated_settings
from commune_payout.gui.office_fields import OFFICE_FIELDS, offer_offices, office_names
from commune_payout.gui.widgets import FieldGrid, scrolled_tree, title
from commune_payout.i18n import _


BACKUP_TYPES = [(_("Bản sao lưu"), "*.sqlite"), (_("Mọi tệp"), "*.*")]


def register_gui(shell) -> None:
    shell.add_section("settings", _("Cài đặt và sao lưu"), SettingsView, order=90)


class SettingsView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.backups: list[backups.Backup] = []
        title(self, _("Cài đặt và sao lưu")).pack(fill="x")

        box = ttk.Labelframe(self, text=_("Xã và cán bộ phụ trách"), padding=12)
        box.pack(fill="x", pady=(10, 8))
        self.grid_fields = grid = FieldGrid(box, label_width=28)
        grid.pack(fill="x")
        commune = settings.commune(shell.db)
        grid.add("commune", _("Xã, phường"), lambda p: ttk.Label(
            p, text=f"{commune['name']} — {commune['province_name']} ({_('mã')} {commune['code']})"),
            _("cố định cho cơ sở dữ liệu này"))
        self.officer = grid.add("officer", _("Họ tên cán bộ phụ trách"), ttk.Entry)
        self.officer.insert(0, commune.get("officer", ""))
        self.offices = {key: grid.add(key, label, ttk.Entry, hint) for key, _programs, label, hint in OFFICE_FIELDS}
        offer_offices(self.offices, settings.offices(shell.db))
        people = settings.signers(shell.db)
        self.signer_entries = {}
        for key, label in settings.SIGNERS.items():
            self.signer_entries[key] = grid.add(key, _(label), ttk.Entry, _("in dưới chữ ký trên tài liệu"))
            self.signer_entries[key].insert(0, people[key])
        self.deputy_var = ttk.BooleanVar(value=people["deputy"])
        grid.add("deputy", "", lambda p: ttk.Checkbutton(
            p, variable=self.deputy_var, text=_("Phó Chủ tịch ký thay Chủ tịch (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH)")))
        ttk.Button(box, text=_("Lưu thông tin"), bootstyle="primary", command=self.save_commune).pack(
            anchor="w", pady=(8, 0))

        box = ttk.Labelframe(self, text=_("Mức chuẩn, ngày nghỉ lễ, hỗ trợ mai táng"), padding=(12, 6))
        box.pack(fill="x", pady=(0, 8))
        self.levels_summary = ttk.Label(box)
        self.levels_summary.pack(side="left")
        ttk.Button(box, text=_("Xem, đặt mức…"), bootstyle="secondary-outline",
                   command=self.open_dated_settings).pack(side="right")

        box = ttk.Labelframe(self, text=_("Sao lưu dữ liệu"), padding=12)
        box.pack(fill="both", expand=True)
        ttk.Label(box, text=_("Phần mềm tự sao lưu mỗi ngày và trước mỗi lần nhập tệp; giữ {n} bản gần nhất, "
                              "trong thư mục:\n{folder}").format(
            n=backups.KEEP, folder=paths.backups_dir(shell.db_path)),
            bootstyle="secondary", justify="left").pack(anchor="w")
        frame, self.tree, _bar = scrolled_tree(box, {
            "when": (_("Thời gian"), 160, "w"),
            "reason": (_("Lý do"), 220, "w"),
            "size": (_("Dung lượng"), 110, "e"),
            "file": (_("Tệp"), 380, "w"),
        }, height=7)
        self.tree.column("file", stretch=True)
        frame.pack(fill="both", expand=True, pady=(8, 8))
        buttons = ttk.Frame(box)
        buttons.pack(fill="x")
        ttk.Button(buttons, text=_("Sao lưu ngay"), bootstyle="primary", command=self.backup_now).pack(side="left")
        ttk.Button(buttons, text=_("Khôi phục bản đã chọn…"), bootstyle="danger-outline",
                   command=self.restore_selected).pack(side="left", padx=(8, 0))
        ttk.Button(buttons, text=_("Khôi phục từ tệp khác…"), bootstyle="danger-outline",
                   command=self.restore_file).pack(side="left", padx=(8, 0))
        ttk.Label(self, text=_("Nhật ký lỗi: {path}").format(path=applog.current_path()),
                  bootstyle="secondary").pack(anchor="w", pady=(8, 0))
        shell.subscribe("backup_made", lambda payload: self.refresh())
        self.refresh()

    def on_show(self) -> None:
        self.refresh()

    def open_dated_settings(self) -> dated_settings.DatedSettings:
        return dated_settings.DatedSettings(self.shell, on_changed=self.refresh)

    def refresh(self) -> None:
        self.levels_summary.configure(text=dated_settings.summary_text(self.shell.db))
        self.backups = backups.list_backups(self.shell.db_path)
        self.tree.delete(*self.tree.get_children())
        for i, b in enumerate(self.backups):
            self.tree.insert("", "end", iid=str(i), values=(
                b.made_at.strftime("%d/%m/%Y %H:%M:%S"), _(backups.REASONS.get(b.reason, b.reason)),
                f"{b.size / 1_000_000:.1f} MB".replace(".", ","), b.path.name))

    def save_commune(self) -> None:
        code = settings.commune(self.shell.db)["code"]
        with write_transaction(self.shell.db):      # both or neither, when a name is refused
            settings.init_commune(self.shell.db, code, officer=self.officer.get(), offices=office_names(self.offices))
            settings.put_signers(self.shell.db, {**{k: e.get() for k, e in self.signer_entries.items()},
                                                 "deputy": self.deputy_var.get()})
        self.shell.ctx.user = settings.commune(self.shell.db)["officer"] or self.shell.ctx.user
        self.shell.publish("settings_changed", None)
        self.shell.dialogs.info(_("Đã lưu thông tin xã."))

    def backup_now(self) -> None:
        made = backups.make_backup(self.shell.db, self.shell.ctx.clock, "manual")
        self.shell.publish("backup_made", made)

    def selected(self) -> backups.Backup | None:
        chosen = self.tree.selection()
        return self.backups[int(chosen[0])] if chosen else None

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None:
            raise UserError(_("Hãy chọn một bản sao lưu trong danh sách."))
        self._restore(backup)

    def restore_file(self) -> None:
        """A copy kept elsewhere (a USB stick, another laptop's backups): checked before anything
        is written; another commune's data, an office's, a newer version's or a damaged file is refused."""
        path = self.shell.dialogs.ask_open_file(_("Chọn tệp sao lưu"), BACKUP_TYPES)
        if path:
            self._restore(backups.copy_of(path))

    def _restore(self, backup: backups.Backup) -> None:
        if not self.shell.dialogs.ask_yes_no(
                _("Khôi phục dữ liệu về lúc {when}?\nMọi thay đổi sau thời điểm đó sẽ mất "
                  "(dữ liệu hiện tại được sao lưu trước, nên vẫn có thể quay lại).").format(
                    when=backup.made_at.strftime("%d/%m/%Y %H:%M")), _("Khôi phục dữ liệu")):
            return
        backups.restore(self.shell.db, backup, self.shell.ctx.clock)
        self.shell.publish("register_changed", None)
        self.shell.publish("backup_made", None)
        self.shell.dialogs.info(_("Đã khôi phục dữ liệu từ bản sao lưu {when}.").format(
            when=backup.made_at.strftime("%d/%m/%Y %H:%M")))
