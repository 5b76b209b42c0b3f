"""documents.table: text fitted into its cell, columns sharing the page, and the page-break
rules checked on many random lists (groups of every size, pages of several heights)."""

import random

import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from commune_payout.documents import fonts
from commune_payout.documents.table import MIN_LAST, MIN_SIZE, Column, PagedTable, Row, fit

LONG = "Tôn Nữ Hoàng Uyển Nhược Quỳnh Như Ý"


@pytest.fixture(autouse=True, scope="module")
def registered():
    fonts.register()


@pytest.mark.parametrize("value, width, lines", [
    ("Nguyễn Văn An", 40 * mm, 1), (LONG, 60 * mm, 1), (LONG, 35 * mm, 2), (LONG, 20 * mm, 2),
    (LONG * 4, 35 * mm, 2), ("Chuyển khoản", 12 * mm, 1), ("x" * 200, 10 * mm, 1),
])
def test_fitted_text_never_leaves_its_cell(value, width, lines):
    height = 8.5 * mm - 3
    size, out = fit(value, width, fonts.REGULAR, 9, lines, height)
    assert MIN_SIZE <= size <= 9 and 1 <= len(out) <= lines
    assert all(stringWidth(line, fonts.REGULAR, size) <= width + 0.01 for line in out)
    assert len(out) * size * 1.12 <= height + 0.01
    if "".join(out).replace(" ", "") == value.replace(" ", ""):
        return
    assert out[-1].endswith("…")                   # only what cannot fit at all is cut, visibly


def test_shrink_first_then_two_lines():
    assert fit("Nguyễn Văn An", 40 * mm, fonts.REGULAR, 9) == (9, ("Nguyễn Văn An",))
    size, lines = fit(LONG, 50 * mm, fonts.REGULAR, 9, 2, 21)
    assert len(lines) == 1 and 7.5 <= size < 9
    size, lines = fit(LONG, 30 * mm, fonts.REGULAR, 9, 2, 21)
    assert len(lines) == 2 and " ".join(lines) == LONG


def test_flexible_columns_share_the_rest_but_keep_their_least_width():
    table = PagedTable([Column("A", 100), Column("B", 0, least=35), Column("C", 0, least=30)], 200 * mm)
    assert [round(w / mm) for w in table.widths] == [100, 50, 50]
    table = PagedTable([Column("A", 140), Column("B", 0, least=35), Column("C", 0, least=20)], 200 * mm)
    assert [round(w / mm) for w in table.widths] == [140, 35, 25]
    with pytest.raises(ValueError):
        PagedTable([Column("A", 180), Column("B", 0, least=35)], 200 * mm)


def random_rows(rng: random.Random, table: PagedTable) -> list[Row]:
    rows = []
    for g in range(rng.randint(1, 6)):
        rows.append(Row([f"Thôn {g}", ""], kind="heading"))
        for i in range(rng.choice([1, 2, 3, rng.randint(1, 60)])):
            rows.append(Row([f"Người {g}.{i}", "1"], amount=1, count=1))
        rows.append(Row([f"Cộng thôn {g}", "9"], kind="subtotal"))
    rows.append(Row(["TỔNG CỘNG", "9"], kind="total"))
    return [table.measure(r) for r in rows]


@pytest.mark.parametrize("seed", range(150))
def test_page_breaks_follow_the_rules(seed):
    rng = random.Random(seed)
    table = PagedTable([Column("Họ và tên", 60), Column("Số tiền", 30, "RIGHT")], 90 * mm, carry_column=1)
    rows = random_rows(rng, table)
    item = table.item_height
    page_space = rng.choice([12, 16, 20]) * item + table.overhead(True)
    first_space = page_space - rng.choice([0, 4, 6]) * item
    tail = rng.choice([0, 2, 5]) * item
    pages = table.paginate(rows, first_space, page_space, tail)
    assert [r for page in pages for r in page] == rows                        # all rows, in order, once
    people = sum(r.kind == "item" for r in rows)
    for n, page in enumerate(pages):
        assert page, f"page {n} is empty"
        assert page[-1].kind != "heading"                                     # a heading keeps its first row
        if n:
            assert page[0].kind not in ("subtotal", "total")                  # no orphaned subtotal
        space = first_space if n == 0 else page_space
        continues = n > 0 and page[0].kind == "item"
        # a list on one page has no "Cộng trang" and "Lũy kế": they would repeat its total
        used = (sum(r.height for r in page) + table.overhead(continues, totals=len(pages) > 1)
                + (tail if n == len(pages) - 1 else 0))
        assert used <= space + 0.01, f"page {n} overflows"
    last = sum(r.kind == "item" for r in pages[-1])
    # at least 3 people go with the signatures, unless the list is too short to leave any on page 1
    first = sum(r.kind == "item" for r in pages[0])
    assert last >= min(MIN_LAST, people) or (len(pages) == 2 and first == 1), [len(p) for p in pages]
