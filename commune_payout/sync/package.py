"""The package format: building a package and rebuilding its tables (docs/sync.md).

A package is a zip archive, encrypted as a whole with age to the receiver's public key, so
``age -d -i KEY FILE > package.zip`` opens it with the independent tool (then ``unzip``, or
Python's ``zipfile``; members are plain deflate). Inside:

* ``manifest.json``: what the package is (id, sender, sequence, version range, schema and app
  version, tables with their columns, row counts, member and the SHA-256 of their rows) and
  every member with its size and SHA-256; canonical JSON, UTF-8, NFC.
* ``signature.txt``: two lines, the signer's key fingerprint and the base64 Ed25519 signature
  over the exact bytes of ``manifest.json``.
* the members the manifest lists. Format 2 (this one) stores each table column by column,
  ``TABLE.json``: a JSON array with one entry per column, in the manifest's column order, each
  of which is one of

  - ``[v0, v1, ...]``: the values, one per row;
  - ``{"delta": [v0, d1, d2, ...]}``: integers, each row's value the previous one plus ``d``;
  - ``{"dict": [a, b, ...], "index": COLUMN}``: each row's value is ``dict[index]``;
  - ``{"ref": FRAME, "index": COLUMN, "except": [[row, value], ...]}``: a key of another table,
    given as its position in ``FRAME``: ``rows:TABLE`` is that table's rows in this package, in
    order; ``register:beneficiaries`` is the sorted ids of every person of the commune as the
    receiver holds them once this package is applied (the manifest's ``frames`` give their
    count and the SHA-256 of their ``id:version`` lines, which the receiver checks first);
  - ``{"from": REF_COLUMN, "column": NAME, "except": [...]}``: the value of column ``NAME`` of
    the row that this row's ``REF_COLUMN`` points to (a payout line's snapshot of its person's
    register row, a payment's amount from its line);
  - ``{"derived": true, "except": [...]}``: the row's key, recomputed from its other columns
    (``tables.SyncedTable.derive_key``: uuid5 of session and person for a payout line, of line
    and content for a payment);

  where ``except`` lists the rows whose value is given as is instead. Rows are in the order
  they changed. The receiver rebuilds the rows and checks them against the manifest's
  ``rows_sha256`` (SHA-256 of the rows as JSON lines, one JSON array per row, the format 1
  encoding), so a wrong rebuild can only reject a package, never change data.

  Format 1 sent whole rows as JSON lines: each payment carried four random UUIDs (line, entry,
  person, line reference) and a copy of the person's register row, which deflate cannot shrink.
  Measured on a 3,000-person commune: a month with a paid session went from 16 + 341 KB to
  38 KB, a full package from 405 to 312 KB. ``lzma`` (stdlib) would save some 15 % more but
  zip's LZMA method is not opened by common ``unzip`` builds, so members stay deflated. Format 1
  packages are refused with a clear reason (nothing had shipped).

Anyone can encrypt to a public key, so the signature, not the encryption, says who sent a
package; :mod:`.reader` opens packages defensively. Files above 10 MB are split into numbered
parts (``NAME.part1of3.cpkg``) to pass mail servers; the parts are joined before decryption.
"""

import base64
import hashlib
import io
import json
import unicodedata
import zipfile
import zlib
from itertools import accumulate

import pyrage
from pyrage import x25519

from commune_payout.errors import PackageRejected
from commune_payout.sync import keys as keymod
from commune_payout.sync import tables

FORMAT = "commune-payout-package/2"
OLD_FORMATS = ("commune-payout-package/1",)
SUFFIX = ".cpkg"
MANIFEST = "manifest.json"
SIGNATURE = "signature.txt"
PART_SIZE = 10 * 1024 * 1024
INT_RANGE = (-2 ** 63, 2 ** 63 - 1)  # what SQLite stores


def canonical_json(value) -> bytes:
    """JSON bytes that are the same every time for the same value (sorted keys, no spaces, NFC)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return unicodedata.normalize("NFC", text).encode("utf-8")


def encode_rows(rows) -> tuple[bytes, int]:
    """JSON lines from row value lists; returns (bytes, row count). Text is put in NFC."""
    out, count = [], 0
    for row in rows:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        if not line.isascii() and not unicodedata.is_normalized("NFC", line):
            line = unicodedata.normalize("NFC", line)
        out.append(line)
        count += 1
    return ("\n".join(out) + "\n" if out else "").encode("utf-8"), count


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_ROW_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def rows_sha256(rows) -> str:
    """SHA-256 of rows as JSON lines (one JSON array per row): what a table's rows are, however sent."""
    digest = hashlib.sha256()
    encode = _ROW_JSON.encode
    for row in rows:
        line = encode(row)
        if not line.isascii() and not unicodedata.is_normalized("NFC", line):
            line = unicodedata.normalize("NFC", line)
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()


def nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) and not value.isascii() else value


MISSING = object()
# The frame of ``{"ref": …}`` columns that point at people: every person of the commune, sorted.
REGISTER_FRAME = "register:beneficiaries"


class _Unresolved(Exception):
    """A reference the receiver cannot follow (its copy lacks the row)."""


def _size(spec) -> int:
    return len(zlib.compress(json.dumps(spec, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6))


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _ints(values: list) -> object:
    """An integer column as a plain list or deltas, whichever compresses better."""
    if values and all(_is_int(v) for v in values):
        delta = {"delta": [values[0]] + [b - a for a, b in zip(values, values[1:])]}
        if _size(delta) < _size(values):
            return delta
    return values


def encode_column(values: list, frame: tuple[str, dict] | None = None, defaults: list | None = None,
                  from_spec: dict | None = None) -> object:
    """One column in the smallest of the forms the module docstring lists.

    ``frame`` is (name, {key: position}) for a column of keys; ``defaults`` the values the
    receiver would rebuild (``MISSING`` where it cannot), with ``from_spec`` saying how.
    """
    candidates = [values, _ints(values)]
    if values and all(isinstance(v, str) for v in values):
        distinct = list(dict.fromkeys(values))
        if len(distinct) * 4 <= len(values):
            pos = {v: i for i, v in enumerate(distinct)}
            candidates.append({"dict": distinct, "index": _ints([pos[v] for v in values])})
    if frame is not None:
        name, positions = frame
        index = [positions.get(v) for v in values]
        if sum(i is not None for i in index) * 2 > len(values):
            candidates.append({"ref": name, "index": _ints(index),
                               "except": [[i, v] for i, (v, x) in enumerate(zip(values, index)) if x is None]})
    if defaults is not None:
        same = [d is not MISSING and d == v and type(d) is type(v) for d, v in zip(defaults, values)]
        if sum(same) * 2 > len(values):
            candidates.append({**from_spec, "except": [[i, v] for i, (v, ok) in enumerate(zip(values, same)) if not ok]})
    return min(candidates, key=_size)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _scalar(v) -> bool:
    return type(v) in _SCALARS


def _plain(spec, n: int, where: str) -> list:
    if isinstance(spec, list):
        values = spec
    elif isinstance(spec, dict) and set(spec) == {"delta"} and isinstance(spec["delta"], list):
        if not _all_int(spec["delta"]):
            raise ValueError(where)
        values = list(accumulate(spec["delta"]))
        if values and not (INT_RANGE[0] <= min(values) and max(values) <= INT_RANGE[1]):
            raise ValueError(where)
    elif isinstance(spec, dict) and set(spec) == {"dict", "index"} and isinstance(spec["dict"], list):
        values = _pick(spec["dict"], _plain(spec["index"], n, where), where)
    else:
        raise ValueError(where)
    if len(values) != n or not set(map(type, values)) <= _SCALARS:
        raise ValueError(where)
    return values


def _all_int(values: list) -> bool:
    """Whether every value is an int (not a bool), checked at C speed."""
    return set(map(type, values)) <= {int}


def _pick(table: list, indexes: list, where: str, blanks: bool = False) -> list:
    """``table[i]`` for each index (``None`` for a ``None`` index when ``blanks``); any index that
    is not a position in ``table`` rejects the column."""
    present = [i for i in indexes if i is not None] if blanks else indexes
    if present and (not _all_int(present) or min(present) < 0 or max(present) >= len(table)):
        raise ValueError(where)
    if blanks and len(present) < len(indexes):
        return [None if i is None else table[i] for i in indexes]
    return [table[i] for i in indexes]


def _apply_except(values: list, spec: dict, where: str) -> list:
    for item in spec.get("except", []):
        if not (isinstance(item, list) and len(item) == 2 and _is_int(item[0]) and 0 <= item[0] < len(values)
                and _scalar(item[1])):
            raise ValueError(where)
        values[item[0]] = item[1]
    return values


def decode_table(specs, columns: list[str], n: int, frame, source, derive, name: str) -> list[tuple]:
    """Rows of one table from its column specs (see the module docstring).

    ``frame(name)`` returns the keys of a frame in order; ``source(ref_column, key, column)`` the
    value of ``column`` in the row a reference points to, or ``MISSING``; ``derive(row dict)`` the
    row's key. Anything malformed or unresolvable rejects the package.
    """
    if not isinstance(specs, list) or len(specs) != len(columns) or not _is_int(n) or n < 0:
        raise PackageRejected(f"Gói bị hỏng: bảng {name} không đúng cấu trúc.")
    cols: list = [None] * len(columns)
    later = []
    try:
        for c, spec in enumerate(specs):
            where = f"{name}.{columns[c]}"
            if isinstance(spec, dict) and "ref" in spec:
                values = _pick(frame(spec["ref"]), _plain(spec["index"], n, where), where, blanks=True)
                cols[c] = _apply_except(values, spec, where)
            elif isinstance(spec, dict) and ("from" in spec or "derived" in spec):
                later.append(c)
            else:
                cols[c] = _plain(spec, n, where)
        given = set(range(len(columns))) - set(later)
        if n and not given:  # some column must hold n values: a row count alone allocates nothing
            raise ValueError(name)
        for c in [c for c in later if "from" in specs[c]]:
            spec, where = specs[c], f"{name}.{columns[c]}"
            if spec["from"] not in columns or columns.index(spec["from"]) not in given:
                raise ValueError(where)
            refs = cols[columns.index(spec["from"])]
            listed = {item[0] for item in spec.get("except", []) if isinstance(item, list) and item}
            values = [None] * n
            for i in range(n):
                if i in listed:
                    continue
                value = source(spec["from"], refs[i], spec["column"])
                if value is MISSING:
                    raise _Unresolved(f"{name} (dòng {i + 1}): không tìm thấy dòng mà {spec['from']} trỏ tới")
                values[i] = value
            cols[c] = _apply_except(values, spec, where)
        derived = [c for c in later if "from" not in specs[c]]
        if len(derived) > 1:
            raise ValueError(name)
        rows = list(zip(*cols)) if derived == [] else None
        if derived:
            c = derived[0]
            spec, where = specs[c], f"{name}.{columns[c]}"
            listed = dict(item for item in spec.get("except", []) if isinstance(item, list) and len(item) == 2)
            _apply_except([None] * n, spec, where)
            others = [i for i in range(len(columns)) if i != c]
            values = []
            for i in range(n):
                values.append(listed[i] if i in listed else derive({columns[j]: cols[j][i] for j in others}))
            cols[c] = values
            rows = list(zip(*cols))
    except _Unresolved as exc:
        raise PackageRejected(f"Gói không khớp dữ liệu ở đơn vị này: {exc}.") from exc
    except (ValueError, TypeError, LookupError) as exc:
        raise PackageRejected(f"Gói bị hỏng: cột {exc} không đọc được.") from exc
    if n == 0:
        return []
    return rows


def build(manifest: dict, members: dict[str, bytes], signer: keymod.KeyPair, recipient: str) -> tuple[bytes, str]:
    """Sign ``manifest`` (with every member's size and hash added) and encrypt the archive to ``recipient``.

    Returns (encrypted bytes, SHA-256 of the manifest), the latter being what receipts quote.
    """
    manifest = {**manifest, "format": FORMAT,
                "members": [{"name": name, "size": len(data), "sha256": sha256(data)}
                            for name, data in members.items()]}
    manifest_bytes = canonical_json(manifest)
    signature = base64.b64encode(signer.sign(manifest_bytes)).decode("ascii")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, f"{signer.card.fingerprint}\n{signature}\n")
        for name, data in members.items():
            zf.writestr(name, data)
    encrypted = pyrage.encrypt(buf.getvalue(), [x25519.Recipient.from_str(recipient)])
    return encrypted, sha256(manifest_bytes)


def split(data: bytes, part_size: int = PART_SIZE) -> list[bytes]:
    """``data`` cut into parts of at most ``part_size`` bytes (one part when it fits)."""
    return [data[i:i + part_size] for i in range(0, len(data), part_size)] or [b""]


def file_names(stem: str, parts: int) -> list[str]:
    if parts == 1:
        return [stem + SUFFIX]
    return [f"{stem}.part{i}of{parts}{SUFFIX}" for i in range(1, parts + 1)]


def register_frame(rows) -> tuple[list[str], str]:
    """The ids of a commune's people, sorted, and the SHA-256 of their ``id:version`` lines:
    what ``register:beneficiaries`` references point into (both ends compute it the same way)."""
    rows = sorted(rows)
    return [r[0] for r in rows], sha256("".join(f"{i}:{v}\n" for i, v in rows).encode("ascii"))


def encode_tables(db, rows_by_table: dict, people: set[str] | None = None) -> tuple[dict[str, bytes], list[dict], dict]:
    """Each table's rows column by column (package format 2): (members, manifest table entries, frames).

    Keys the office can recompute, references to rows it holds or that come in the same package,
    and snapshot values equal to the row they were copied from are left out where that is
    smaller; ``rows_sha256`` lets the office check what it rebuilds. ``people``: the people the
    office holds (``None``: every person of the commune), what references to people point into.
    """
    members, entries, frames = {}, [], {}
    register: dict = {}
    loaded: list = []
    in_package: dict[str, dict] = {}

    def person(key):
        if not loaded:
            loaded.append(True)
            cols = tables.columns(db, tables.BY_NAME["beneficiaries"])
            register.update({r[0]: dict(zip(cols, map(nfc, r))) for r in db.conn.execute(
                f"SELECT {', '.join(cols)} FROM beneficiaries") if people is None or r[0] in people})
        return register.get(key)

    people_positions: dict[str, int] = {}

    def positions() -> dict[str, int]:
        if REGISTER_FRAME not in frames:
            keys, digest = register_frame([r for r in db.conn.execute("SELECT id, version FROM beneficiaries")
                                           if people is None or r[0] in people])
            frames[REGISTER_FRAME] = {"rows": len(keys), "sha256": digest}
            people_positions.update((k, i) for i, k in enumerate(keys))
        return people_positions

    for name, (cols, rows) in rows_by_table.items():
        table = tables.BY_NAME[name]
        dicts = [dict(zip(cols, r)) for r in rows]
        in_package[name] = {d[table.key]: d for d in dicts}
        specs = []
        for c, col in enumerate(cols):
            frame = defaults = how = None
            if col == table.key and table.derive_key:
                defaults, how = [table.derive_key(d) for d in dicts], {"derived": True}
            elif col in table.refs:
                target = table.refs[col]
                if target == "beneficiaries":
                    frame = (REGISTER_FRAME, positions())
                elif target in in_package and target != name:
                    frame = (f"rows:{target}", {k: i for i, k in enumerate(in_package[target])})
            elif col in table.defaults:
                via, source_col = table.defaults[col]
                target = table.refs[via]
                lookup = person if target == "beneficiaries" else in_package.get(target, {}).get
                defaults = [(row.get(source_col, MISSING) if (row := lookup(d[via])) else MISSING)
                            for d in dicts]
                how = {"from": via, "column": source_col}
            specs.append(encode_column([r[c] for r in rows], frame, defaults, how))
        member = f"{name}.json"
        members[member] = canonical_json(specs)
        entries.append({"name": name, "columns": cols, "rows": len(rows), "member": member,
                        "rows_sha256": rows_sha256(rows)})
    return members, entries, frames
