"""The register: the table of people, search-as-you-type, filters, Vietnamese sorting.

The table is filled lazily: rows come from the register service in one query, but only
:data:`CHUNK` at a time are put into the Treeview, more as the officer scrolls down, so
10,000 people open instantly. The table follows the search box keystroke by keystroke: the
query runs as soon as Tk is idle (keys typed faster than that, or an input method's burst of
backspaces and replacement letters, make one query), and the rows already drawn are reused
(:meth:`RegisterView._draw`). Only when a query has been slow does the next one wait for a
pause in the typing (:data:`SLOW_QUERY_DELAY_MS`). The program writes to the search box only
after a chip ID card was scanned into it (leaving the card's ID): Vietnamese input methods
(Unikey) edit the text with their own keystrokes.
"""

import time

import ttkbootstrap as ttk

from commune_payout import idcard, register
from commune_payout.banks import BY_BIN
from commune_payout.gui.person_form import PersonForm
from commune_payout.gui.widgets import Choice, fmt_birth, fmt_count, scrolled_tree, title
from commune_payout.i18n import _
from commune_payout.programs import CATEGORIES
from commune_payout.text import name_sort_key, sort_key

CHUNK = 200
SEARCH_LIMIT = 1000
# A query slower than this (a very large register, a busy old laptop) waits for a short pause in
# the typing, so the letters typed meanwhile still show at once; a faster one runs at every key.
FAST_QUERY_S = 0.1
SLOW_QUERY_DELAY_MS = 100

COLUMNS = {
    "full_name": (_("Họ và tên"), 230, "w"),
    "birth": (_("Ngày sinh"), 100, "center"),
    "gender": (_("Giới tính"), 75, "center"),
    "id_number": (_("Số định danh"), 130, "center"),
    "village": (_("Thôn/xóm"), 140, "w"),
    "status": (_("Trạng thái"), 105, "w"),
    "account_status": (_("Tài khoản"), 150, "w"),
    "bank": (_("Ngân hàng"), 110, "w"),
}
# Column → the register's Vietnamese-aware order (name_sort puts Đ after D).
SORTABLE = {"full_name": "name", "village": "village", "birth": "birth", "id_number": "id_number"}
SEARCH_SORT_KEYS = {
    "name": lambda r: name_sort_key(r["full_name"]),
    "village": lambda r: (sort_key(r["village"]), name_sort_key(r["full_name"])),  # Đ after D
    "birth": lambda r: (r["birth_year"] or 9999, name_sort_key(r["full_name"])),
    "id_number": lambda r: r["id_number"] or "",
}


def register_gui(shell) -> None:
    shell.add_section("register", _("Sổ người hưởng"), RegisterView, order=10, shortcuts={
        "<Control-f>": lambda view: view.focus_search(),
        "<Control-F>": lambda view: view.focus_search(),
        "<Control-n>": lambda view: view.new_person(),
        "<Control-N>": lambda view: view.new_person(),
    })
    shell.add_command("open_person", lambda bid: PersonForm.open(shell, bid))


class RegisterView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.rows: list[dict] = []
        self.shown = 0
        self.order, self.descending = "name", False
        self._pending = None
        self._last_query_s = 0.0
        self._drawn: dict[str, tuple] = {}
        self.shown_text = ""            # the search text the table shows the hits of
        self._build()
        shell.subscribe("register_changed", lambda bid: self.reload(select=bid, villages=True))
        self.reload(villages=True)

    def _build(self) -> None:
        head = title(self, _("Sổ người hưởng"))
        head.pack(fill="x")
        ttk.Button(head, text=_("+ Thêm người (Ctrl+N)"), bootstyle="success",
                   command=self.new_person).pack(side="right")
        self.count_label = ttk.Label(head, bootstyle="secondary", font=("TkDefaultFont", 11))
        self.count_label.pack(side="left", padx=(14, 0), pady=(6, 0))

        search_row = ttk.Frame(self)
        search_row.pack(fill="x", pady=(10, 4))
        ttk.Label(search_row, text=_("Tìm:")).pack(side="left")
        self.search_var = ttk.StringVar()
        self.search = ttk.Entry(search_row, textvariable=self.search_var, font=("TkDefaultFont", 12))
        self.search.pack(side="left", fill="x", expand=True, padx=(8, 8))
        ttk.Label(search_row, text=_("theo tên, số định danh, thôn, điện thoại, hoặc quét thẻ căn cước"),
                  bootstyle="secondary").pack(side="left")
        self.search_var.trace_add("write", lambda *a: self._schedule_search())
        self.search.bind("<Down>", lambda e: self._focus_table())
        self.search.bind("<Return>", lambda e: self._open_first())

        filters = ttk.Frame(self)
        filters.pack(fill="x", pady=(4, 8))
        ttk.Label(filters, text=_("Thôn/xóm")).pack(side="left")
        self.village = ttk.Combobox(filters, state="readonly", width=16)
        self.village.pack(side="left", padx=(6, 14))
        ttk.Label(filters, text=_("Diện hưởng")).pack(side="left")
        self.category = Choice(filters, {c.code: c.label for c in CATEGORIES}, blank=_("Tất cả"), width=30)
        self.category.pack(side="left", padx=(6, 14))
        ttk.Label(filters, text=_("Tài khoản")).pack(side="left")
        self.account = Choice(filters, register.ACCOUNT_STATUSES, blank=_("Tất cả"), width=18)
        self.account.pack(side="left", padx=(6, 14))
        ttk.Button(filters, text=_("Bỏ lọc"), bootstyle="secondary-outline",
                   command=self.clear_filters).pack(side="left")
        for combo in (self.village, self.category, self.account):
            combo.bind("<<ComboboxSelected>>", lambda e: self.reload())

        frame, self.tree, self.bar = scrolled_tree(self, COLUMNS, height=18)
        frame.pack(fill="both", expand=True)
        self.empty_label = ttk.Label(self.tree, bootstyle="secondary", font=("TkDefaultFont", 11),
                                     justify="center")
        self.tree.configure(yscrollcommand=self._on_scroll)
        for key in SORTABLE:
            self.tree.heading(key, command=lambda k=key: self.sort_by(k))
        self.tree.bind("<Double-1>", lambda e: self.open_selected())
        self.tree.bind("<Return>", lambda e: self.open_selected())
        self.tree.tag_configure("inactive", foreground="#8a8f94")
        ttk.Label(self, text=_("Nhấp đúp hoặc nhấn Enter để mở hồ sơ. Nhấp tiêu đề cột để sắp xếp."),
                  bootstyle="secondary").pack(anchor="w", pady=(6, 0))

    # -- data ------------------------------------------------------------------------------
    def filters(self) -> dict:
        village = self.village.get()
        return {"village": None if village in ("", _("Tất cả")) else village,
                "category": self.category.code(), "account_status": self.account.code()}

    def reload(self, select: str | None = None, villages: bool = False) -> None:
        """Query again (search text, filters, order) and refill the table; ``villages`` also
        refreshes the village filter's list (after the register changed)."""
        if self._pending is not None:
            self.after_cancel(self._pending)
        self._pending = None
        if villages:
            self.village.configure(values=[_("Tất cả")] + register.villages(self.shell.db))
        if not self.village.get():
            self.village.set(_("Tất cả"))
        started = time.perf_counter()
        text = self.search_var.get()
        if text.strip():
            self.rows = register.search(self.shell.db, idcard.search_text(text), limit=SEARCH_LIMIT,
                                        **self.filters())
            if self.order != "name" or self.descending:
                # Searching ranks by relevance; a clicked header re-sorts the hits.
                self.rows.sort(key=SEARCH_SORT_KEYS[self.order], reverse=self.descending)
        else:
            if self.order == "village":
                # The service orders villages by their fold (Đ = D); sort them the Vietnamese way
                # here, keeping the name order inside each village (the sort is stable).
                self.rows = register.list_beneficiaries(self.shell.db, order="name", **self.filters())
                self.rows.sort(key=lambda r: sort_key(r["village"]), reverse=self.descending)
            else:
                self.rows = register.list_beneficiaries(self.shell.db, order=self.order,
                                                        descending=self.descending, **self.filters())
        if text.strip():            # listing everyone (an empty box) says nothing about a search's speed
            self._last_query_s = time.perf_counter() - started
        self.shown_text = text
        self._draw()
        wanted = next((i for i, r in enumerate(self.rows) if r["id"] == select), None) if select else None
        while wanted is not None and self.shown <= wanted:
            self._fill_more()
        if wanted is not None:
            self.tree.selection_set(select)
            self.tree.see(select)
        self._show_empty(text.strip() or any(self.filters().values()))
        limited = text.strip() and len(self.rows) >= SEARCH_LIMIT
        self.count_label.configure(text=(_("{n} người (hãy gõ thêm để thu hẹp)") if limited
                                         else _("{n} người")).format(n=fmt_count(len(self.rows))))

    def _show_empty(self, narrowed: bool) -> None:
        """Say why the table is empty: nobody matches, or the register has nobody yet."""
        if self.rows:
            self.empty_label.place_forget()
            return
        self.empty_label.configure(text=_("Không có ai khớp với tìm kiếm và bộ lọc.") if narrowed else _(
            "Sổ chưa có ai.\nBấm “Nhập từ Excel” bên trái để nhập danh sách đang có,\n"
            "hoặc “Thêm người” để ghi từng người."))
        self.empty_label.place(relx=0.5, rely=0.4, anchor="center")

    def _draw(self) -> None:
        """Show the first :data:`CHUNK` rows, reusing the rows already in the table: rows that
        stay are moved (and rewritten only when their values changed), the others deleted."""
        rows = self.rows[:CHUNK]
        keep = {row["id"] for row in rows}
        current = self.tree.get_children()
        stale = [iid for iid in current if iid not in keep]
        if stale:
            self.tree.delete(*stale)
            for iid in stale:
                del self._drawn[iid]
        order = [iid for iid in current if iid in keep]
        at = 0                      # rows order[:at] already sit where they belong
        for index, row in enumerate(rows):
            iid = row["id"]
            shown = self._shown(row)
            if iid not in self._drawn:
                self.tree.insert("", index, iid=iid, values=shown[0], tags=shown[1])
            else:
                if at < len(order) and order[at] == iid:
                    at += 1
                else:
                    self.tree.move(iid, "", index)
                    order.remove(iid)
                if self._drawn[iid] != shown:
                    self.tree.item(iid, values=shown[0], tags=shown[1])
            self._drawn[iid] = shown
        self.shown = len(rows)

    def _shown(self, row: dict) -> tuple:
        return self._values(row), () if row["status"] == "active" else ("inactive",)

    def _fill_more(self) -> None:
        end = min(self.shown + CHUNK, len(self.rows))
        for row in self.rows[self.shown:end]:
            shown = self._shown(row)
            self.tree.insert("", "end", iid=row["id"], values=shown[0], tags=shown[1])
            self._drawn[row["id"]] = shown
        self.shown = end

    @staticmethod
    def _values(row: dict) -> tuple:
        bank = BY_BIN.get(row.get("bank_bin"))
        return (row["full_name"], fmt_birth(row), _(register.GENDERS.get(row.get("gender"), "")),
                row.get("id_number") or "", row.get("village") or "",
                _(register.STATUSES[row["status"]]), _(register.account_status_label(row)),
                bank.short_name if bank else "")

    def _on_scroll(self, first, last) -> None:
        self.bar.set(first, last)
        if float(last) > 0.9 and self.shown < len(self.rows):
            self.after_idle(self._fill_more)

    def _schedule_search(self) -> None:
        """Search when Tk is next idle; a newer keystroke replaces a query not yet run."""
        if self._pending is not None:
            self.after_cancel(self._pending)
        if self._last_query_s < FAST_QUERY_S:
            self._pending = self.after_idle(self.reload)
        else:
            self._pending = self.after(SLOW_QUERY_DELAY_MS, self.reload)

    def sort_by(self, column: str) -> None:
        order = SORTABLE[column]
        self.descending = (not self.descending) if order == self.order else False
        self.order = order
        for key, (text, _w, _a) in COLUMNS.items():
            arrow = (" ▼" if self.descending else " ▲") if SORTABLE.get(key) == order else ""
            self.tree.heading(key, text=text + arrow)
        self.reload()

    def clear_filters(self) -> None:
        self.village.set(_("Tất cả"))
        self.category.set_code(None)
        self.account.set_code(None)
        self.reload()

    # -- actions ---------------------------------------------------------------------------
    def focus_search(self) -> None:
        self.search.focus_set()
        self.search.select_range(0, "end")

    def _focus_table(self) -> str:
        children = self.tree.get_children()
        if children:
            self.tree.focus_set()
            self.tree.selection_set(children[0])
            self.tree.focus(children[0])
        return "break"

    def _open_first(self) -> None:
        scan = idcard.scan_in_box(self.search_var.get())
        if scan:
            self.take_scan(scan)
            return
        if self._pending is not None:
            self.reload()
        children = self.tree.get_children()
        if len(children) == 1:
            PersonForm.open(self.shell, children[0])
        else:
            self._focus_table()

    def take_scan(self, scan: str) -> PersonForm | None:
        """A chip ID card was scanned into the search box (its scanner ends with Enter): open its
        holder's record, or offer a new person filled in from the card. Only the card's ID stays
        in the box; the scan itself is never kept."""
        try:
            card = idcard.parse(scan, self.shell.ctx.clock.today())
        except idcard.CardUnreadable as exc:
            self.search_var.set("")
            self.shell.dialogs.error(str(exc))
            return None
        self.search_var.set(card.id_number)
        holder = idcard.find_holder(self.shell.db, card)
        if holder:
            self.reload(select=holder)
            return PersonForm.open(self.shell, holder)
        self.reload()
        question = _("Không ai trong sổ mang thẻ căn cước số {id} ({name}). Thêm người mới theo thẻ này?").format(
            id=card.id_number, name=card.full_name)
        if card.problems:
            question += "\n" + _("Thẻ có chỗ không đọc được: {problems}").format(problems="; ".join(card.problems))
        if not self.shell.dialogs.ask_yes_no(question):
            return None
        return PersonForm.open(self.shell, None, prefill=card.register_fields())

    def open_selected(self) -> None:
        selected = self.tree.selection()
        if selected:
            PersonForm.open(self.shell, selected[0])

    def new_person(self) -> PersonForm:
        return PersonForm.open(self.shell, None)
