"""The window step of ``--self-test``: open the real main window, show every section, close.

It draws a Pillow image on purpose: a frozen build that lacks ``PIL._tkinter_finder`` works
until the first image is drawn, then crashes (ttkbootstrap draws its widgets with Pillow).
"""

import os
import sys

from commune_payout.gui import app


def display_missing() -> str:
    """Why no window can be opened here, or "" when one can."""
    if sys.platform.startswith(("win", "darwin")):
        return ""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return ""
    return "máy này không có màn hình đồ họa (biến DISPLAY chưa đặt)"


def drawn_table(widget):
    """The first table under ``widget`` that is on screen and shows rows (the register, once the
    window has drawn it), or None; the start-up guard and bench/run_all.py wait for it too."""
    from tkinter import ttk

    for child in widget.winfo_children():
        if isinstance(child, ttk.Treeview) and child.winfo_ismapped() and child.get_children():
            return child
        found = drawn_table(child)
        if found is not None:
            return found
    return None


def window_check(db_path) -> str:
    """Open the main window on ``db_path``, see the register drawn with rows, visit every section,
    draw an image; a summary."""
    import ttkbootstrap as ttk
    from PIL import Image, ImageTk

    root = app.create_root()
    shell = None
    try:
        shell = app.start(root, db_path)
        root.update()
        table = drawn_table(root)
        if table is None:
            raise RuntimeError("bảng người hưởng không hiện dòng nào")
        rows = len(table.get_children())
        for key in sorted(shell.sections, key=lambda k: shell.sections[k].order):
            shell.show(key)
            root.update()
        image = ImageTk.PhotoImage(Image.new("RGB", (24, 24), "#1f6f4a"), master=root)
        ttk.Label(shell.body, image=image).pack()
        root.update()
        return (f"bảng người hưởng hiện {rows} dòng, {len(shell.sections)} mục trên thanh bên, cửa sổ "
                f"{root.winfo_width()}×{root.winfo_height()}, ảnh vẽ bằng Pillow hiển thị được")
    finally:
        if shell is not None:
            shell.tasks.join()
        root.destroy()
