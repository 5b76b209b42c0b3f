"""Small widgets and formatters shared by the views."""

import datetime as dt
import tkinter

import ttkbootstrap as ttk

from commune_payout.i18n import _


def fmt_date(iso: str | None) -> str:
    """``"2026-01-05"`` → ``"05/01/2026"``; empty for none."""
    if not iso:
        return ""
    return dt.date.fromisoformat(str(iso)[:10]).strftime("%d/%m/%Y")


def fmt_datetime(iso: str | None) -> str:
    """``"2026-12-01 13:17:41"`` → ``"01/12/2026 13:17"``; empty for none."""
    if not iso:
        return ""
    return dt.datetime.fromisoformat(str(iso)).strftime("%d/%m/%Y %H:%M")


def fmt_birth(row: dict) -> str:
    """Birth date as dd/mm/yyyy, or the year alone when that is all we know."""
    if row.get("birth_date"):
        return fmt_date(row["birth_date"])
    return str(row["birth_year"]) if row.get("birth_year") else ""


def fmt_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class Choice(ttk.Combobox):
    """A read-only drop-down over ``{code: label}``; :meth:`code` gives the chosen code.

    ``blank`` adds a first entry meaning "none" / "all" whose code is ``None``.
    """

    def __init__(self, master, options: dict, blank: str | None = None, **kw):
        self.blank = blank
        super().__init__(master, state="readonly", **kw)
        self.set_options(options)

    def set_options(self, options: dict) -> None:
        """Offer ``options`` instead; the first (or the blank entry) is chosen."""
        self.options = dict(options)
        self._by_label = {_(v): k for k, v in self.options.items()}
        self.configure(values=([self.blank] if self.blank is not None else []) + [_(v) for v in self.options.values()])
        self.set_code(None if self.blank is not None else next(iter(self.options), None))

    def code(self):
        return self._by_label.get(self.get())

    def set_code(self, code) -> None:
        if code in self.options:
            self.set(_(self.options[code]))
        else:
            self.set(self.blank if self.blank is not None else "")


class FieldGrid(ttk.Frame):
    """Label · input · inline error message, one field per row (errors appear beside the field)."""

    def __init__(self, master, label_width: int = 22, **kw):
        super().__init__(master, **kw)
        self.columnconfigure(1, weight=1)
        self.label_width = label_width
        self.inputs: dict[str, tkinter.Widget] = {}
        self.errors: dict[str, ttk.Label] = {}
        self._row = 0

    def add(self, key: str, label: str, widget_factory, hint: str = ""):
        """Add a field; ``widget_factory(parent)`` makes the input. Returns the input widget."""
        ttk.Label(self, text=label, width=self.label_width, anchor="w").grid(
            row=self._row, column=0, sticky="w", pady=(4, 0), padx=(0, 8))
        widget = widget_factory(self)
        widget.grid(row=self._row, column=1, sticky="ew", pady=(4, 0))
        error = ttk.Label(self, text=hint, bootstyle="secondary", font=("TkDefaultFont", 9),
                          wraplength=260, anchor="w", justify="left")
        error.grid(row=self._row, column=2, sticky="w", padx=(8, 0), pady=(4, 0))
        error.hint = hint
        self.inputs[key] = widget
        self.errors[key] = error
        self._row += 1
        # A message goes away as soon as the officer touches its field.
        widget.bind("<KeyRelease>", lambda e, k=key: self.clear(k), add="+")
        widget.bind("<<ComboboxSelected>>", lambda e, k=key: self.clear(k), add="+")
        return widget

    def clear(self, key: str) -> None:
        """Put the hint back in place of ``key``'s error message."""
        label = self.errors[key]
        label.configure(text=label.hint, bootstyle="secondary")

    def add_widget(self, widget, pady=(8, 0)) -> None:
        """A full-width row (a sub-title, a list)."""
        widget.grid(row=self._row, column=0, columnspan=3, sticky="ew", pady=pady)
        self._row += 1

    def show_errors(self, problems: dict[str, str]) -> list[str]:
        """Show each problem beside its field (hints elsewhere); returns the fields shown here."""
        shown = []
        for key, label in self.errors.items():
            if key in problems:
                label.configure(text="⚠ " + problems[key], bootstyle="danger")
                shown.append(key)
            else:
                self.clear(key)
        return shown


def scrolled_tree(master, columns: dict, height: int = 15, show: str = "headings"):
    """A Treeview with a vertical scrollbar; ``columns`` maps key → (title, width, anchor)
    (key ``"#0"`` is the tree column, for ``show="tree headings"``).

    Returns (frame, tree, scrollbar).
    """
    frame = ttk.Frame(master)
    tree = ttk.Treeview(frame, columns=[k for k in columns if k != "#0"], show=show, height=height,
                        selectmode="browse")
    bar = ttk.Scrollbar(frame, orient="vertical", command=tree.yview)
    tree.configure(yscrollcommand=bar.set)
    for key, (title, width, anchor) in columns.items():
        tree.heading(key, text=title, anchor=anchor)
        tree.column(key, width=width, anchor=anchor, stretch=key == next(iter(columns)))
    # The bar is packed first: on a narrow screen the table gives up width, never the bar.
    bar.pack(side="right", fill="y")
    tree.pack(side="left", fill="both", expand=True)
    return frame, tree, bar


def scrolled_canvas(master, background: str):
    """A Canvas with a vertical scrollbar (bar packed first, as in :func:`scrolled_tree`).

    Returns (frame, canvas).
    """
    frame = ttk.Frame(master)
    canvas = ttk.Canvas(frame, highlightthickness=0, background=background)
    bar = ttk.Scrollbar(frame, orient="vertical", command=canvas.yview)
    canvas.configure(yscrollcommand=bar.set)
    bar.pack(side="right", fill="y")
    canvas.pack(side="left", fill="both", expand=True)
    return frame, canvas


def row_detail(master, tree, hint: str = "") -> ttk.Label:
    """A wrapped line that shows the selected row of ``tree`` in full ("Heading: value · …"),
    for text too long for its column; ``hint`` while nothing is selected. Pack it with
    ``fill="x"``; it wraps to the width it is given."""
    label = ttk.Label(master, justify="left", anchor="w")
    headings = {c: tree.heading(c, "text") for c in tree["columns"]}

    def refresh(event=None) -> None:
        selected = tree.selection()
        if not selected:
            label.configure(text=hint, bootstyle="secondary")
            return
        values = dict(zip(tree["columns"], tree.item(selected[0], "values")))
        label.configure(text="  ·  ".join(f"{headings[c]}: {v}" for c, v in values.items() if str(v).strip()),
                        bootstyle="default")

    tree.bind("<<TreeviewSelect>>", refresh, add="+")
    label.bind("<Configure>", lambda e: label.configure(wraplength=max(200, e.width - 4)))
    refresh()
    return label


def drop_columns_to_fit(tree, optional: list[str]) -> None:
    """On a narrow window hide ``optional`` columns (the least needed first) instead of
    squeezing the stretching column below the width it was given."""
    columns = list(tree["columns"])
    widths = {c: int(tree.column(c, "width")) for c in columns}
    # Showing a column widens the table's request, and a window that takes its size from its
    # content then gives the table more room, which would let the column back in, and so on:
    # a dropped column returns only when the table has grown by its width since it was dropped.
    state = {"shown": list(columns), "dropped_at": 0}

    def fit(event) -> None:
        shown = list(columns)
        for column in optional:
            if sum(widths[c] for c in shown) <= event.width:
                break
            shown.remove(column)
        returning = [c for c in shown if c not in state["shown"]]
        if returning and event.width < state["dropped_at"] + sum(widths[c] for c in returning):
            return
        if len(shown) < len(state["shown"]):
            state["dropped_at"] = event.width
        if shown != state["shown"]:
            state["shown"] = shown
            tree.configure(displaycolumns=shown)

    tree.bind("<Configure>", fit, add="+")


def title(master, text: str, subtitle: str = "") -> ttk.Frame:
    """A view's heading line."""
    frame = ttk.Frame(master)
    ttk.Label(frame, text=text, font=("TkDefaultFont", 15, "bold")).pack(side="left")
    if subtitle:
        ttk.Label(frame, text=subtitle, bootstyle="secondary").pack(side="left", padx=(12, 0), pady=(6, 0))
    return frame
