"""Reading .csv (and .txt): UTF-8 with or without BOM, UTF-16 (Excel "Unicode text") or Windows
code page 1258, which stores tone marks as combining characters; delimiter "," ";" or tab."""

import codecs
import csv
import io
from pathlib import Path

from commune_payout.errors import FileUnreadable
from commune_payout.sheet_writer import CSV_TRIGGERS
from commune_payout.sheets.grid import Budget, Grid, Sheet


def decode_text(data: bytes) -> str:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 with BOM, else Windows-1258."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258")


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` or tab) that splits most lines into the same number of fields.

    ``csv.Sniffer`` is easily fooled by amounts written ``1.080.000`` and by title rows.
    """
    sample = [line for line in text[:200_000].splitlines()[:50] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in (",", ";", "\t"):
        counts = [len(r) for r in csv.reader(sample, delimiter=delimiter) if len(r) > 1]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = (counts.count(mode), mode)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unprotect(value: str) -> str:
    """A CSV value without the ``'`` that :mod:`commune_payout.sheet_writer` put before a formula trigger."""
    if value.startswith("'") and value[1:2] in CSV_TRIGGERS:
        return value[1:]
    return value


def read_csv(path: Path) -> Sheet:
    data = path.read_bytes()
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileUnreadable(f"Tệp {path.name} không phải tệp văn bản .csv")
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: bảng mã không phải UTF-8 hay Windows-1258") from exc
    grid = Grid(path.name, Budget(path.name))
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)), start=1):
            for column, value in enumerate(record, start=1):
                if value:
                    grid.put(number, column, _unprotect(value))
    except csv.Error as exc:
        raise FileUnreadable(f"Không đọc được tệp {path.name}: nội dung .csv bị lỗi") from exc
    return grid.sheet()
