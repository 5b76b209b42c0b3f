"""The dated settings behind amounts and decisions, opened from the Settings page: base levels
(the history of every level, and a level set by the commune), public holidays (due dates of
applications), funeral support, and the legal bases printed on decisions.

Every action calls :mod:`commune_payout.base_levels` or :mod:`commune_payout.decisions`.
"""

import tkinter

import ttkbootstrap as ttk

from commune_payout import base_levels, decisions
from commune_payout.errors import ValidationError
from commune_payout.gui.dialogs import place_over
from commune_payout.gui.widgets import Choice, FieldGrid, fmt_date, scrolled_tree
from commune_payout.i18n import _
from commune_payout.money import format_vnd, parse_vnd
from commune_payout.programs import PROGRAM_LABELS

LEVEL_PROGRAMS = {p: PROGRAM_LABELS[p] for p in base_levels.PROGRAMS}


def summary_text(db) -> str:
    """One line for the Settings page: the social-assistance base level in force today and its source."""
    rows = [r for r in base_levels.in_force(db) if r["program"] == "btxh"]
    if not rows:
        return _("Chưa có mức chuẩn trợ giúp xã hội")
    last = rows[-1]
    return _("Mức chuẩn trợ giúp xã hội: {amount} từ {day} ({source}) · {n} ngày nghỉ lễ đã ghi").format(
        amount=format_vnd(last["amount"]), day=fmt_date(last["valid_from"]), source=_(base_levels.SOURCES[last["source"]]),
        n=len(decisions.listed_holidays(db)))


def _day(text: str, field: str, problems: dict):
    try:
        return decisions.parse_day(text)
    except ValueError:
        problems[field] = _("Ngày dạng ngày/tháng/năm, ví dụ 01/07/2026")
        return None


class DatedSettings(ttk.Toplevel):
    """Four tabs; each saves on its own button."""

    def __init__(self, shell, on_changed=None):
        super().__init__(title=_("Mức chuẩn, ngày nghỉ lễ, hỗ trợ mai táng, căn cứ quyết định"),
                         transient=shell.root)
        place_over(self, shell.root, (1080, 620), minsize=(940, 540))
        self.shell = shell
        self.on_changed = on_changed
        outer = ttk.Frame(self, padding=12)
        outer.pack(fill="both", expand=True)
        foot = ttk.Frame(outer)
        foot.pack(side="bottom", fill="x", pady=(8, 0))
        self.message = ttk.Label(foot, wraplength=800, justify="left")
        self.message.pack(side="left")
        ttk.Button(foot, text=_("Đóng (Esc)"), bootstyle="secondary", command=self.destroy).pack(side="right")
        self.tabs = ttk.Notebook(outer)
        self.tabs.pack(fill="both", expand=True)
        self._build_levels()
        self._build_holidays()
        self._build_funeral()
        self._build_grounds()
        self.bind("<Escape>", lambda e: self.destroy())
        self.refresh()
        self.level_entry.focus_set()

    def _say(self, text: str, ok: bool = True) -> None:
        self.message.configure(text=text, bootstyle="success" if ok else "danger")

    # -- base levels -----------------------------------------------------------------------
    def _build_levels(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(tab, text=_("Mức chuẩn"))
        ttk.Label(tab, text=_("Mức do cơ quan cấp trên gửi xuống luôn được dùng; mức xã tự đặt (tỉnh quyết định mức "
                              "cao hơn, hoặc nghị định mới chưa có gói của cấp trên) được thay khi gói đó đến."),
                  bootstyle="secondary", wraplength=1000, justify="left").pack(anchor="w")
        form = ttk.Frame(tab)
        form.pack(side="bottom", fill="x", pady=(8, 0))
        self.level_grid = FieldGrid(form, label_width=23)
        self.level_grid.pack(side="left", fill="x", expand=True)
        self.level_vars = {key: ttk.StringVar() for key in ("valid_from", "amount", "note")}
        self.level_program = self.level_grid.add("program", _("Chương trình"),
                                                 lambda p: Choice(p, LEVEL_PROGRAMS, width=24))
        self.level_entry = self.level_grid.add("valid_from", _("Áp dụng từ ngày"),
                                               lambda p: ttk.Entry(p, textvariable=self.level_vars["valid_from"]))
        self.level_grid.add("amount", _("Mức chuẩn (đồng/tháng)"),
                            lambda p: ttk.Entry(p, textvariable=self.level_vars["amount"]))
        self.level_grid.add("note", _("Căn cứ"), lambda p: ttk.Entry(p, textvariable=self.level_vars["note"]),
                            _("số nghị định, nghị quyết"))
        buttons = ttk.Frame(form, padding=(12, 0, 0, 0))
        buttons.pack(side="left", anchor="n")
        ttk.Button(buttons, text=_("Đặt mức của xã"), bootstyle="primary", command=self.set_level).pack(fill="x")
        ttk.Button(buttons, text=_("Bỏ mức xã đặt đã chọn"), bootstyle="danger-outline",
                   command=self.remove_level).pack(fill="x", pady=(6, 0))
        frame, self.level_tree, _bar = scrolled_tree(tab, {
            "program": (_("Chương trình"), 130, "w"), "from": (_("Từ ngày"), 90, "center"),
            "amount": (_("Mức chuẩn"), 100, "e"), "source": (_("Nguồn"), 300, "w"),
            "set": (_("Người đặt, lúc"), 200, "w"), "state": (_("Hiện trạng"), 160, "w")}, height=9)
        self.level_tree.column("state", stretch=True)
        frame.pack(fill="both", expand=True, pady=(6, 0))
        for var in self.level_vars.values():
            var.trace_add("write", lambda *a: self.level_grid.show_errors({}))

    def set_level(self) -> None:
        v = {key: var.get().strip() for key, var in self.level_vars.items()}
        problems: dict[str, str] = {}
        day = _day(v["valid_from"], "valid_from", problems)
        try:
            amount = parse_vnd(v["amount"])
        except ValueError:
            amount = None
        if not amount:
            problems["amount"] = _("Mức chuẩn là số tiền, ví dụ 540.000")
        try:
            if problems:
                raise ValidationError(_("Mức chuẩn chưa hợp lệ"), problems)
            base_levels.set_local(self.shell.ctx, self.level_program.code(), day, amount, v["note"])
        except ValidationError as exc:
            self.level_grid.show_errors(exc.problems)
            self._say(str(exc), ok=False)
            return
        paid = base_levels.sessions_paid_from(self.shell.db, self.level_program.code(), day)
        text = _("Đã đặt mức chuẩn {amount} từ {day}.").format(amount=format_vnd(amount), day=f"{day:%d/%m/%Y}")
        if paid:
            text += " " + _("Đã chi {n} đợt hằng tháng theo mức cũ ({periods}): lập đợt truy lĩnh phần chênh lệch "
                            "(Đợt chi trả → loại “Truy lĩnh”).").format(
                n=len(paid), periods=", ".join(s["period"] for s in paid))
        self._say(text)
        self.refresh()

    def remove_level(self) -> None:
        selected = self.level_tree.selection()
        row = self.levels.get(selected[0]) if selected else None
        if row is None or row["source"] != "local" or row["replaced_at"]:
            self._say(_("Hãy chọn một mức do xã đặt đang áp dụng."), ok=False)
            return
        base_levels.remove_local(self.shell.ctx, row["program"], decisions.parse_day(row["valid_from"]))
        self._say(_("Đã bỏ mức do xã đặt."))
        self.refresh()

    # -- holidays --------------------------------------------------------------------------
    def _build_holidays(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(tab, text=_("Ngày nghỉ lễ"))
        ttk.Label(tab, text=_("Hạn giải quyết hồ sơ là 10 ngày làm việc: không tính thứ Bảy, Chủ nhật, các ngày lễ "
                              "cố định 01/01, 30/4, 01/5, 02/9 và các ngày ghi dưới đây (Tết, Giỗ Tổ, ngày nghỉ bù "
                              "theo thông báo hằng năm)."), bootstyle="secondary", wraplength=1000,
                  justify="left").pack(anchor="w")
        row = ttk.Frame(tab)
        row.pack(fill="x", pady=(8, 4))
        self.holiday_var = ttk.StringVar()
        entry = ttk.Entry(row, textvariable=self.holiday_var, width=16)
        entry.pack(side="left")
        entry.bind("<Return>", lambda e: self.add_holiday())
        ttk.Button(row, text=_("Thêm ngày nghỉ"), bootstyle="primary", command=self.add_holiday).pack(side="left",
                                                                                                   padx=6)
        ttk.Button(row, text=_("Bỏ ngày đã chọn"), bootstyle="danger-outline",
                   command=self.remove_holiday).pack(side="left")
        self.holiday_list = tkinter.Listbox(tab, height=12, selectmode="extended", exportselection=False)
        self.holiday_list.pack(fill="both", expand=True)

    def add_holiday(self) -> None:
        try:
            day = decisions.parse_day(self.holiday_var.get())
        except ValueError:
            self._say(_("Ngày dạng ngày/tháng/năm, ví dụ 17/02/2026"), ok=False)
            return
        decisions.set_holidays(self.shell.db, decisions.listed_holidays(self.shell.db) + [day])
        self.holiday_var.set("")
        self._say(_("Đã thêm ngày nghỉ {day}.").format(day=f"{day:%d/%m/%Y}"))
        self.refresh()

    def remove_holiday(self) -> None:
        days = decisions.listed_holidays(self.shell.db)
        chosen = {days[i] for i in self.holiday_list.curselection()}
        decisions.set_holidays(self.shell.db, [d for d in days if d not in chosen])
        self.refresh()

    # -- funeral support -------------------------------------------------------------------
    def _build_funeral(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(tab, text=_("Hỗ trợ mai táng"))
        ttk.Label(tab, text=_("Mức hỗ trợ chi phí mai táng tính theo ngày mất: một số lần mức chuẩn trợ giúp xã hội "
                              "(mặc định 20 lần, NĐ 20/2021), hoặc số tiền tỉnh quy định."), bootstyle="secondary",
                  wraplength=1000, justify="left").pack(anchor="w")
        self.funeral_grid = FieldGrid(tab, label_width=22)
        self.funeral_grid.pack(fill="x", pady=(8, 0))
        self.funeral_vars = {key: ttk.StringVar() for key in ("valid_from", "multiple", "amount", "note")}
        for key, label, hint in (("valid_from", _("Áp dụng cho người mất từ"), ""),
                                 ("multiple", _("Số lần mức chuẩn"), _("hoặc")),
                                 ("amount", _("Số tiền (đồng)"), ""), ("note", _("Căn cứ"), "")):
            self.funeral_grid.add(key, label, lambda p, k=key: ttk.Entry(p, textvariable=self.funeral_vars[k]),
                                  hint)
        ttk.Button(tab, text=_("Lưu mức hỗ trợ"), bootstyle="primary", command=self.set_funeral).pack(
            anchor="w", pady=(6, 6))
        self.funeral_levels = ttk.Label(tab, justify="left")
        self.funeral_levels.pack(anchor="w")

    def set_funeral(self) -> None:
        v = {key: var.get().strip() for key, var in self.funeral_vars.items()}
        problems: dict[str, str] = {}
        day = _day(v["valid_from"], "valid_from", problems)
        multiple = amount = None
        try:
            multiple = decisions.funeral.parse_multiple(v["multiple"])
        except ValueError:
            problems["multiple"] = _("Số lần là số, ví dụ 20")
        try:
            amount = parse_vnd(v["amount"]) if v["amount"] else None
        except ValueError:
            problems["amount"] = _("Số tiền không hợp lệ")
        try:
            if problems:
                raise ValidationError(_("Mức hỗ trợ mai táng chưa hợp lệ"), problems)
            decisions.funeral.set_level(self.shell.ctx, day, multiple=multiple, amount=amount, note=v["note"])
        except ValidationError as exc:
            shown = self.funeral_grid.show_errors(exc.problems)
            self._say("\n".join([str(exc)] + [m for k, m in exc.problems.items() if k not in shown]), ok=False)
            return
        self._say(_("Đã lưu mức hỗ trợ mai táng."))
        self.refresh()

    # -- legal bases -----------------------------------------------------------------------
    def _build_grounds(self) -> None:
        tab = ttk.Frame(self.tabs, padding=8)
        self.tabs.add(tab, text=_("Căn cứ quyết định"))
        row = ttk.Frame(tab)
        row.pack(fill="x")
        ttk.Label(row, text=_("Chương trình")).pack(side="left")
        self.grounds_program = Choice(row, {p: PROGRAM_LABELS[p] for p in decisions.model.GROUNDS}, width=24)
        self.grounds_program.pack(side="left", padx=8)
        self.grounds_program.bind("<<ComboboxSelected>>", lambda e: self._load_grounds(), add="+")
        ttk.Label(tab, text=_("Mỗi dòng một căn cứ, in nghiêng đầu quyết định, theo thứ tự."),
                  bootstyle="secondary").pack(anchor="w", pady=(6, 2))
        buttons = ttk.Frame(tab)
        buttons.pack(side="bottom", fill="x", pady=(6, 0))
        ttk.Button(buttons, text=_("Lưu căn cứ"), bootstyle="primary", command=self.save_grounds).pack(side="left")
        ttk.Button(buttons, text=_("Trở về căn cứ có sẵn"), bootstyle="secondary-outline",
                   command=self.reset_grounds).pack(side="left", padx=8)
        self.grounds_text = ttk.Text(tab, height=10, wrap="word")
        self.grounds_text.pack(fill="both", expand=True)

    def _load_grounds(self) -> None:
        self.grounds_text.delete("1.0", "end")
        self.grounds_text.insert("1.0", "\n".join(decisions.grounds(self.shell.db, self.grounds_program.code())))

    def save_grounds(self) -> None:
        decisions.set_grounds(self.shell.db, self.grounds_program.code(),
                              self.grounds_text.get("1.0", "end").splitlines())
        self._load_grounds()
        self._say(_("Đã lưu căn cứ."))

    def reset_grounds(self) -> None:
        decisions.set_grounds(self.shell.db, self.grounds_program.code(), [])
        self._load_grounds()
        self._say(_("Đã trở về căn cứ có sẵn."))

    # -- all -------------------------------------------------------------------------------
    def refresh(self) -> None:
        db = self.shell.db
        self.levels = {}
        self.level_tree.delete(*self.level_tree.get_children())
        for row in base_levels.history(db):
            iid = str(row["id"])
            self.levels[iid] = row
            who = f"{row['set_by']}, {fmt_date(row['set_at'])} {row['set_at'][11:16]}" if row["set_at"] else \
                _("có sẵn trong phần mềm")
            state = _("đang áp dụng") if not row["replaced_at"] else _("đã thay ngày {day} ({by})").format(
                day=fmt_date(row["replaced_at"]), by=row["replaced_by"])
            self.level_tree.insert("", "end", iid=iid, values=(
                _(PROGRAM_LABELS.get(row["program"], row["program"])), fmt_date(row["valid_from"]),
                format_vnd(row["amount"]), _(base_levels.SOURCES[row["source"]]) + (
                    f" — {row['note']}" if row["note"] else ""), who, state))
        self.holiday_list.delete(0, "end")
        for day in decisions.listed_holidays(db):
            self.holiday_list.insert("end", f"{day:%d/%m/%Y} ({_(WEEKDAYS[day.weekday()])})")
        self.funeral_levels.configure(text="\n".join(
            _("Từ {day}: {level}").format(day=fmt_date(e["valid_from"]), level=decisions.funeral.level_text(e)) +
            (f" ({e['note']})" if e.get("note") else "") for e in decisions.funeral.levels(db)))
        self._load_grounds()
        if self.on_changed:
            self.on_changed()


WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
