"""Cashless readiness: who has an account, who still needs one, for the commune and per village.

The picture an officer shows the commune chairman: one stacked bar for the whole commune,
one per village, drawn on a Canvas (counts only people currently receiving benefits).
"""

import ttkbootstrap as ttk

from commune_payout import register
from commune_payout.gui.widgets import fmt_count, scrolled_canvas, title
from commune_payout.i18n import _
from commune_payout.text import sort_key

# Account status → theme colour, in the order the bars are stacked (ready first).
SEGMENTS = (
    ("has_account", "success"),
    ("opening", "info"),
    ("needs_account", "warning"),
    ("cannot_open", "danger"),
    ("refuses", "secondary"),
)
BAR_HEIGHT = 26
ROW_GAP = 12


def register_gui(shell) -> None:
    shell.add_section("dashboard", _("Tiến độ mở tài khoản"), DashboardView, order=40)


def readiness(db) -> tuple[dict[str, int], list[tuple[str, dict[str, int]]]]:
    """(commune totals by account status, [(village, totals)] in Vietnamese order) for people
    currently paid; people with no village recorded count in the commune total only."""
    tally = register.account_tally(db, status="active")
    total = {code: sum(t.get(code, 0) for t in tally.values()) for code, _c in SEGMENTS}
    villages = [(v, {code: tally[v].get(code, 0) for code, _c in SEGMENTS})
                for v in sorted((v for v in tally if v), key=sort_key)]
    return total, villages


class DashboardView(ttk.Frame):
    def __init__(self, master, shell):
        super().__init__(master)
        self.shell = shell
        self.colors = ttk.Style().colors
        title(self, _("Tiến độ chi trả không dùng tiền mặt"),
              _("người đang hưởng, theo tình trạng tài khoản")).pack(fill="x")
        self.tiles = ttk.Frame(self)
        self.tiles.pack(fill="x", pady=(12, 8))
        self.tile_labels = {}
        for i, (code, style) in enumerate(SEGMENTS):
            tile = ttk.Frame(self.tiles, bootstyle=style, padding=(12, 8))
            tile.grid(row=0, column=i, sticky="nsew", padx=(0 if i == 0 else 8, 0))
            self.tiles.columnconfigure(i, weight=1)
            number = ttk.Label(tile, font=("TkDefaultFont", 20, "bold"), bootstyle=f"@{style}")
            number.pack(anchor="w")
            ttk.Label(tile, text=_(register.ACCOUNT_STATUSES[code]), bootstyle=f"@{style}").pack(anchor="w")
            self.tile_labels[code] = number
        frame, self.canvas = scrolled_canvas(self, self.colors.bg)
        frame.pack(fill="both", expand=True)
        self.canvas.bind("<Configure>", lambda e: self.draw())
        shell.subscribe("register_changed", lambda bid: self.refresh())
        self.refresh()

    def on_show(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.total, self.villages = readiness(self.shell.db)
        people = sum(self.total.values())
        for code, label in self.tile_labels.items():
            share = f" ({self.total[code] * 100 / people:.0f}%)" if people else ""
            label.configure(text=fmt_count(self.total[code]) + share)
        self.draw()

    def draw(self) -> None:
        c = self.canvas
        c.delete("all")
        width = max(c.winfo_width(), 600)
        label_w, right_w = 170, 200
        bar_w = width - label_w - right_w - 20
        y = 10
        y = self._bar(y, _("Toàn xã"), self.total, label_w, bar_w, bold=True) + 14
        c.create_text(0, y, anchor="nw", text=_("Theo thôn/xóm"), fill=self.colors.fg,
                      font=("TkDefaultFont", 11, "bold"))
        y += 26
        for village, totals in self.villages:
            y = self._bar(y, village, totals, label_w, bar_w)
        # The coloured tiles above are the legend.
        c.configure(scrollregion=(0, 0, width, y))

    def _bar(self, y, name, totals, label_w, bar_w, bold=False) -> int:
        c = self.canvas
        font = ("TkDefaultFont", 11, "bold") if bold else ("TkDefaultFont", 10)
        people = sum(totals.values())
        c.create_text(0, y + BAR_HEIGHT / 2, anchor="w", text=name, fill=self.colors.fg, font=font)
        x = label_w
        for code, style in SEGMENTS:
            n = totals[code]
            if not n:
                continue
            w = bar_w * n / people
            c.create_rectangle(x, y, x + w, y + BAR_HEIGHT, fill=getattr(self.colors, style), width=0)
            if w > 34:
                c.create_text(x + w / 2, y + BAR_HEIGHT / 2, text=fmt_count(n), fill=ttk.contrast_color(
                              getattr(self.colors, style), "hex"),
                              font=("TkDefaultFont", 9, "bold"))
            x += w
        share = totals["has_account"] * 100 / people if people else 0
        c.create_text(label_w + bar_w + 12, y + BAR_HEIGHT / 2, anchor="w", fill=self.colors.fg, font=font,
                      text=_("{share:.0f}% có TK / {n} người").format(share=share, n=fmt_count(people)))
        return y + BAR_HEIGHT + ROW_GAP
