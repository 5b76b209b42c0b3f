"""Low-level reading of the spreadsheets officers really have: .xlsx and .csv.

Gives every sheet as its rows with content (row numbers as Excel shows them) plus its merged
ranges. Knows nothing about beneficiaries; :mod:`commune_payout.importer` does.

Every file is hostile until read: it may be damaged, a zip bomb, or carry one stray cell at
XFD1048576 and a ``<dimension>`` that claims a million rows. So:

- .xlsx is read with our own streaming parser of the sheet XML (expat), which looks only at the
  cells that exist; ``<dimension>`` is never consulted. A DTD in any part refuses the file.
- Before a part is parsed its declared size is checked against what is left of
  :data:`.grid.MAX_UNCOMPRESSED`, and the bytes really inflated are counted while reading (a zip
  header can lie).
- A file may hold at most :data:`.grid.MAX_ROWS` rows and :data:`.grid.MAX_CELLS` cells with
  content. Cells right of :data:`.grid.MAX_COLUMNS` are not kept; the sheet lists them in
  ``outside`` for the importer to report. A damaged cell (a shared string that does not exist, a text longer than Excel
  allows) reads as empty and is listed in ``damaged``.
- Text is cleaned once, here: NFC, invisible characters removed, spaces collapsed
  (:func:`commune_payout.text.clean`). Code above this module works on clean values.

Modules: :mod:`.grid` (rows, sheets and the limits), :mod:`.xlsx`, :mod:`.delimited` (.csv).
"""

import zipfile
from pathlib import Path

from commune_payout.errors import FileUnreadable
from commune_payout.sheets import grid as limits
from commune_payout.sheets.delimited import read_csv
from commune_payout.sheets.grid import MAX_COLUMNS, Row, Sheet, column_letters
from commune_payout.sheets.xlsx import read_xlsx

__all__ = ["MAX_COLUMNS", "Row", "Sheet", "column_letters", "read_sheets"]

XLSX_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv", ".txt"}


def read_sheets(path) -> list[Sheet]:
    """Every sheet of the file at ``path``; raises FileUnreadable with one plain line."""
    path = Path(path)
    if not path.is_file():
        raise FileUnreadable(f"Không tìm thấy tệp {path}")
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise FileUnreadable(f"Tệp {path.name} quá lớn ({size / 1024 / 1024:.0f} MB; một danh sách của xã "
                             f"không quá {limits.MAX_FILE_BYTES // 1024 // 1024} MB)")
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        magic = f.read(8)
    if suffix == ".xls" or magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileUnreadable(f"Tệp {path.name} là dạng Excel 97–2003 (.xls) hoặc có đặt mật khẩu: hãy mở bằng "
                             "Excel, bỏ mật khẩu nếu có và lưu lại dạng .xlsx")
    if suffix in CSV_SUFFIXES:
        return [read_csv(path)]
    if suffix in XLSX_SUFFIXES or zipfile.is_zipfile(path):
        return read_xlsx(path)
    raise FileUnreadable(f"Tệp {path.name} không phải bảng tính .xlsx hoặc .csv")
