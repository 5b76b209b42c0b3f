"""Draw the app's icon with Pillow and write every file the app and the Windows build use.

    /work/venv/bin/python assets/icons/make_icon.py

The icon is a deep green rounded square. From 48 px up it holds a pale banknote behind a
white coin stamped with a green dong sign (₫); at 16–32 px the coin and note would be mush,
so the small sizes show only a bold white ₫ on the green. Every size is drawn on its own,
eight times larger, and scaled down, so each one is sharp rather than a shrunken 256 px icon.

Writes, next to this script:
  commune_payout.ico        Windows icon: 16, 24, 32, 48, 64, 128 and 256 px (build.spec uses it)
  commune_payout.png        256 px, for the About box and the window icon
  commune_payout_{16,32,48,64}.png   small sizes for the window icon (Tk ``iconphoto``)
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_SIZES = (16, 32, 48, 64)
SCALE = 8

GREEN_TOP = (30, 122, 90)      # the square, lighter at the top …
GREEN_BOTTOM = (13, 82, 62)    # … darker at the bottom
INK = (16, 96, 70)             # the ₫ on the coin
COIN = (255, 255, 255)
COIN_RIM = (214, 234, 225)
NOTE = (190, 226, 208)
NOTE_LINE = (150, 200, 176)


def _gradient(width: int, height: int) -> Image.Image:
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / max(1, height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(GREEN_TOP, GREEN_BOTTOM)))
    return column.resize((width, height))


def _dong(size: int, colour, origin: tuple[float, float], cell: float, snap: bool) -> Image.Image:
    """A bold ₫ on a transparent layer ``size`` px square (its bowl's hole shows what is below).

    Laid out on a grid of 16 cells, the glyph filling cells 4–12 across and 2–14 down: a bowl
    7 cells across, a stem 2 cells wide with a crossbar near its top, a bar underneath. Cell
    (0, 0) is at ``origin``, a cell is ``cell`` px; ``snap`` puts every edge on a whole pixel
    of the final image (for 16–32 px, where a blurred stem would be unreadable)."""
    def at(v: float, axis: int) -> float:
        pos = origin[axis] + v * cell
        return round(pos / SCALE) * SCALE if snap else pos

    def box(x0, y0, x1, y1):
        return (at(x0, 0), at(y0, 1), at(x1, 0) - 1, at(y1, 1) - 1)

    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    ink = colour + (255,)
    draw.ellipse(box(4, 5, 11, 12), fill=ink)                       # bowl
    draw.ellipse(box(5.5, 6.5, 9.5, 10.5), fill=(0, 0, 0, 0))       # its hole
    draw.rectangle(box(9, 2, 11, 12), fill=ink)                     # stem
    draw.rectangle(box(7, 3, 12, 4), fill=ink)                      # crossbar
    draw.rectangle(box(4, 13, 12, 14), fill=ink)                    # bar underneath
    return layer


def draw_icon(px: int) -> Image.Image:
    """The icon at ``px`` × ``px``."""
    s = px * SCALE
    u = s / 256                                      # one unit of a 256 px design
    small = px <= 32
    margin = (0 if px <= 16 else 1 * SCALE) if small else 12 * u
    radius = (s - 2 * margin) * (0.20 if small else 0.22)

    icon = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    mask = Image.new("L", (s, s), 0)
    ImageDraw.Draw(mask).rounded_rectangle((margin, margin, s - margin - 1, s - margin - 1),
                                           radius=radius, fill=255)
    icon.paste(_gradient(s, s), (0, 0), mask)

    if small:
        icon.alpha_composite(_dong(s, COIN, (0, 0), s / 16, snap=True))
        return icon.resize((px, px), Image.LANCZOS)

    draw = ImageDraw.Draw(icon)
    # the banknote, behind the coin, up and to the left
    note = (40 * u, 62 * u, 196 * u, 150 * u)
    draw.rounded_rectangle(note, radius=12 * u, fill=NOTE)
    draw.rounded_rectangle((note[0] + 10 * u, note[1] + 10 * u, note[2] - 10 * u, note[3] - 10 * u),
                           radius=7 * u, outline=NOTE_LINE, width=round(4 * u))
    draw.ellipse((62 * u, 94 * u, 86 * u, 118 * u), fill=NOTE_LINE)
    # the coin, with a soft shadow, a rim and the ₫
    cx, cy, r = 150 * u, 150 * u, 72 * u
    shadow = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    ImageDraw.Draw(shadow).ellipse((cx - r + 4 * u, cy - r + 8 * u, cx + r + 4 * u, cy + r + 8 * u),
                                   fill=(0, 40, 28, 90))
    icon.alpha_composite(shadow)
    draw = ImageDraw.Draw(icon)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=COIN)
    rim = r - 9 * u
    draw.ellipse((cx - rim, cy - rim, cx + rim, cy + rim), outline=COIN_RIM, width=round(4 * u))
    cell = r * 1.15 / 12
    icon.alpha_composite(_dong(s, INK, (cx - 8 * cell, cy - 8 * cell), cell, snap=False))
    return icon.resize((px, px), Image.LANCZOS)


def main() -> None:
    images = {px: draw_icon(px) for px in sorted(set(ICO_SIZES) | set(PNG_SIZES))}
    largest = images[max(ICO_SIZES)]
    largest.save(HERE / "commune_payout.ico", format="ICO", sizes=[(px, px) for px in ICO_SIZES],
                 append_images=[images[px] for px in ICO_SIZES if px != max(ICO_SIZES)])
    largest.save(HERE / "commune_payout.png", optimize=True)
    for px in PNG_SIZES:
        images[px].save(HERE / f"commune_payout_{px}.png", optimize=True)


if __name__ == "__main__":
    main()
