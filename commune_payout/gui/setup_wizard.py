"""First run: choose the commune from the official list, name the officer and the offices it reports to.

The province list has 34 entries; the commune list of the chosen province is filtered as the
officer types, without accents ("an binh" finds "Xã An Bình"). Finishing creates the
database and binds it to the commune; everything but the commune is editable later in Settings.
Since 7/2025 a commune reports to the Sở Y tế of its province (social assistance, the social
pension) and to the Sở Nội vụ (người có công): once the province is chosen, their names are offered.
"""

import ttkbootstrap as ttk

from commune_payout import geo, settings
from commune_payout.db import open_db
from commune_payout.errors import UserError
from commune_payout.gui.office_fields import OFFICE_FIELDS, offer_offices, office_names
from commune_payout.gui.widgets import FieldGrid, title
from commune_payout.i18n import _


# The offices a commune reports to, as fields: (key, programmes, label, hint).
class SetupWizard(ttk.Frame):
    """Shown alone in the root window until the database is set up; then ``on_done()``, whose
    result (the main window's shell) is kept as ``opened``."""

    def __init__(self, root, db_path, on_done):
        super().__init__(root, padding=(60, 30))
        self.root = root
        self.db_path = db_path
        self.on_done = on_done
        self.opened = None
        self.communes: list[geo.Commune] = []
        self.provinces = geo.provinces()
        self._build()
        self.pack(fill="both", expand=True)
        self.province.focus_set()

    def _build(self) -> None:
        title(self, _("Chào mừng! Khai báo xã của bạn")).pack(anchor="w")
        ttk.Label(self, text=_("Chỉ cần làm một lần. Chọn tỉnh, rồi gõ tên xã để tìm (không cần gõ dấu)."),
                  bootstyle="secondary").pack(anchor="w", pady=(4, 14))
        grid = FieldGrid(self, label_width=30)
        grid.pack(anchor="w")
        self.grid_fields = grid
        self.province = grid.add("province", _("Tỉnh, thành phố"), lambda p: ttk.Combobox(
            p, state="readonly", values=[name for _code, name in self.provinces], width=48))
        self.province.bind("<<ComboboxSelected>>", lambda e: self._province_chosen())
        self.query_var = ttk.StringVar()
        self.query = grid.add("query", _("Tìm xã, phường"), lambda p: ttk.Entry(p, textvariable=self.query_var, width=48),
                              _("ví dụ: an binh"))
        self.query_var.trace_add("write", lambda *a: self._filter())
        # Not a Tab stop itself (its field's key binding would make it one): the list inside is.
        box = ttk.Frame(grid, takefocus=False)
        self.listbox = ttk.Listbox(box, height=9, width=48, exportselection=False, activestyle="none")
        bar = ttk.Scrollbar(box, orient="vertical", command=self.listbox.yview)
        self.listbox.configure(yscrollcommand=bar.set)
        self.listbox.pack(side="left", fill="both", expand=True)
        bar.pack(side="right", fill="y")
        grid.add("commune", _("Xã, phường"), lambda p: box)
        self.listbox.bind("<<ListboxSelect>>", lambda e: grid.clear("commune"))
        self.officer = grid.add("officer", _("Họ tên cán bộ phụ trách"), lambda p: ttk.Entry(p, width=48),
                                _("ghi vào lịch sử thay đổi và trên biểu mẫu"))
        self.offices = {key: grid.add(key, label, lambda p: ttk.Entry(p, width=48), hint)
                        for key, _programs, label, hint in OFFICE_FIELDS}
        self.offered: tuple[str, ...] = ()
        buttons = ttk.Frame(self)
        buttons.pack(fill="x", pady=(18, 0))
        ttk.Button(buttons, text=_("Tạo cơ sở dữ liệu và bắt đầu"), bootstyle="primary",
                   command=self.finish).pack(side="left")
        ttk.Label(buttons, text=_("Tệp dữ liệu: {path}").format(path=self.db_path),
                  bootstyle="secondary").pack(side="left", padx=(14, 0))
        self.bind_all("<Return>", lambda e: self.finish())

    def province_code(self) -> str | None:
        index = self.province.current()
        return self.provinces[index][0] if index >= 0 else None

    def _province_chosen(self) -> None:
        """List the province's communes and offer its Sở Y tế and Sở Nội vụ as the offices (those
        the officer has typed another name into are kept)."""
        names = settings.default_offices(self.provinces[self.province.current()][1])
        offer_offices(self.offices, names, self.offered)
        self.offered = tuple(names.values())
        self._filter()

    def _filter(self) -> None:
        code = self.province_code()
        self.listbox.delete(0, "end")
        if code is None:
            self.communes = []
            return
        self.communes = geo.search_communes(self.query_var.get(), code, limit=400)
        for c in self.communes:
            self.listbox.insert("end", _("{name}  ·  mã {code}").format(name=c.name, code=c.code))
        if len(self.communes) == 1:
            self.listbox.selection_set(0)
            self.grid_fields.clear("commune")

    def selected_commune(self) -> geo.Commune | None:
        chosen = self.listbox.curselection()
        return self.communes[chosen[0]] if chosen else None

    def finish(self) -> None:
        problems = {}
        if self.province_code() is None:
            problems["province"] = _("Chọn tỉnh, thành phố")
        commune = self.selected_commune()
        if commune is None:
            problems["commune"] = _("Chọn xã, phường trong danh sách")
        if not self.officer.get().strip():
            problems["officer"] = _("Ghi họ tên cán bộ phụ trách")
        self.grid_fields.show_errors(problems)
        if problems:
            return
        db = open_db(self.db_path)
        try:
            settings.init_commune(db, commune.code, officer=self.officer.get(), offices=office_names(self.offices))
        except UserError as exc:
            self.grid_fields.show_errors({"commune": str(exc), **getattr(exc, "problems", {})})
            return
        finally:
            db.close()
        self.unbind_all("<Return>")
        self.destroy()
        self.opened = self.on_done()
