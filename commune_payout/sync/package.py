"""The package format and its defensive reader (SYNC.md rules 5, 7, 8 and 10).

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
package. The reader checks it before parsing the manifest, reads only listed members, and caps
member count, sizes and compression ratio. Files above 10 MB are split into numbered parts
(``NAME.part1of3.cpkg``) to pass mail servers; the parts are joined before decryption.
"""

import base64
import hashlib
import io
import json
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pyrage
from pyrage import x25519

from commune_payout.errors import FileUnreadable, PackageRejected, UserError
from commune_payout.sync import keys as keymod

FORMAT = "commune-payout-package/2"
OLD_FORMATS = ("commune-payout-package/1",)
SUFFIX = ".cpkg"
MANIFEST = "manifest.json"
SIGNATURE = "signature.txt"
PART_SIZE = 10 * 1024 * 1024
MAX_PACKAGE = 2 * 1024 * 1024 * 1024
MAX_MEMBERS = 32
MAX_MANIFEST = 1024 * 1024
MAX_MEMBER = 1024 * 1024 * 1024
MAX_RATIO = 200
_CHUNK = 1024 * 1024
_PART_NAME = re.compile(r"^(?P<stem>.+)\.part(?P<i>\d{1,3})of(?P<n>\d{1,3})" + re.escape(SUFFIX) + "$")
_MEMBER_NAME = re.compile(r"^[a-z0-9_][a-z0-9_.\-]{0,80}$")


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


def iter_rows(data: bytes, member: str):
    """Yield (line number, value list) from a JSON-lines member; a bad line rejects the package."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageRejected(f"Gói bị hỏng: {member} không phải văn bản UTF-8.") from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.isascii() and not unicodedata.is_normalized("NFC", line):
            line = unicodedata.normalize("NFC", line)
        try:
            row = json.loads(line)
        except ValueError:
            row = None
        if not isinstance(row, list):
            raise PackageRejected(f"Gói bị hỏng: dòng {number} của {member} không đọc được.")
        yield number, row


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rows_sha256(rows) -> str:
    """SHA-256 of rows as JSON lines (one JSON array per row): what a table's rows are, however sent."""
    return sha256(encode_rows(rows)[0])


def nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) and not value.isascii() else value


MISSING = object()


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
        values, total = [], 0
        for d in spec["delta"]:
            if not _is_int(d):
                raise ValueError(where)
            total += d
            values.append(total)
    elif isinstance(spec, dict) and set(spec) == {"dict", "index"} and isinstance(spec["dict"], list):
        table = spec["dict"]
        values = []
        for i in _plain(spec["index"], n, where):
            if not _is_int(i) or not 0 <= i < len(table):
                raise ValueError(where)
            values.append(table[i])
    else:
        raise ValueError(where)
    if len(values) != n or not set(map(type, values)) <= _SCALARS:
        raise ValueError(where)
    return values


def _apply_except(values: list, spec: dict, where: str) -> list:
    for item in spec.get("except", []):
        if not (isinstance(item, list) and len(item) == 2 and _is_int(item[0]) and 0 <= item[0] < len(values)
                and _scalar(item[1])):
            raise ValueError(where)
        values[item[0]] = item[1]
    return values


def decode_table(specs, columns: list[str], n: int, frame, source, derive, name: str) -> list[list]:
    """Rows of one table from its column specs (see the module docstring).

    ``frame(name)`` returns the keys of a frame in order; ``source(ref_column, key)`` the row
    (dict) a reference points to, or None; ``derive(row dict)`` the row's key. Anything
    malformed or unresolvable rejects the package.
    """
    if not isinstance(specs, list) or len(specs) != len(columns) or not _is_int(n) or n < 0:
        raise PackageRejected(f"Gói bị hỏng: bảng {name} không đúng cấu trúc.")
    cols: list = [None] * len(columns)
    later = []
    try:
        for c, spec in enumerate(specs):
            where = f"{name}.{columns[c]}"
            if isinstance(spec, dict) and "ref" in spec:
                keys = frame(spec["ref"])
                values = []
                for i in _plain(spec["index"], n, where):
                    if i is not None and not (_is_int(i) and 0 <= i < len(keys)):
                        raise ValueError(where)
                    values.append(None if i is None else keys[i])
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
                row = source(spec["from"], refs[i])
                if row is None or spec["column"] not in row:
                    raise _Unresolved(f"{name} (dòng {i + 1}): không tìm thấy dòng mà {spec['from']} trỏ tới")
                values[i] = row[spec["column"]]
            cols[c] = _apply_except(values, spec, where)
        derived = [c for c in later if "from" not in specs[c]]
        if len(derived) > 1:
            raise ValueError(name)
        rows = [list(r) for r in zip(*cols)] if derived == [] else None
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
            rows = [list(r) for r in zip(*cols)]
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


@dataclass
class Opened:
    """A package that decrypted, whose signature checked out and whose members match their hashes."""

    manifest: dict
    manifest_sha256: str
    signer_fingerprint: str
    members: dict[str, bytes] = field(default_factory=dict)


def _safe_name(name: str) -> bool:
    return (bool(_MEMBER_NAME.fullmatch(name)) and ".." not in name
            and not name.startswith("/") and not re.match(r"^[A-Za-z]:", name))


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise PackageRejected(f"Gói bị từ chối: tệp {info.filename} quá lớn ({info.file_size:,} byte).")
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        raise PackageRejected(f"Gói bị từ chối: tệp {info.filename} nén bất thường (có thể là bom nén).")
    chunks, total = [], 0
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit or total > max(info.compress_size, 1) * MAX_RATIO:
                raise PackageRejected(f"Gói bị từ chối: tệp {info.filename} lớn hơn khai báo.")
            chunks.append(chunk)
    return b"".join(chunks)


def open_package(data: bytes, identity: x25519.Identity, resolve_key) -> Opened:
    """Decrypt, verify and read a package; raise PackageRejected with a plain reason otherwise.

    ``resolve_key(fingerprint, manifest_bytes)`` returns the signing key (text) to check the
    signature against, or raises PackageRejected when the signer is not acceptable. It gets the
    raw manifest bytes so that a first package, which carries its sender's key, can be held for
    confirmation.
    """
    if len(data) > MAX_PACKAGE:
        raise PackageRejected("Gói bị từ chối: tệp quá lớn.")
    try:
        plain = pyrage.decrypt(data, [identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise PackageRejected("Gói không được mã hóa cho đơn vị này (sai khóa nhận).") from exc
        raise PackageRejected("Gói bị hỏng hoặc bị cắt cụt (không giải mã được trọn vẹn).") from exc
    try:
        zf = zipfile.ZipFile(io.BytesIO(plain))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise PackageRejected("Gói bị hỏng: nội dung không phải là gói đồng bộ.") from exc
    if len(infos) > MAX_MEMBERS:
        raise PackageRejected(f"Gói bị từ chối: có {len(infos)} tệp bên trong, quá nhiều.")
    by_name = {}
    for info in infos:
        if not _safe_name(info.filename) or info.filename in by_name or info.is_dir():
            raise PackageRejected(f"Gói bị từ chối: tên tệp bên trong không hợp lệ “{info.filename}”.")
        by_name[info.filename] = info
    if SIGNATURE not in by_name:
        raise PackageRejected("Gói chưa được ký: không rõ ai gửi, không nhận.")
    if MANIFEST not in by_name:
        raise PackageRejected("Gói bị hỏng: thiếu bảng kê (manifest).")
    try:
        sig_lines = _read_member(zf, by_name[SIGNATURE], 1024).decode("ascii").split()
        signer_fp = keymod.normalise_fingerprint(sig_lines[0])
        signature = base64.b64decode(sig_lines[1], validate=True)
    except (IndexError, ValueError, UnicodeDecodeError, UserError) as exc:
        raise PackageRejected("Gói chưa được ký hợp lệ: chữ ký không đọc được.") from exc
    manifest_bytes = _read_member(zf, by_name[MANIFEST], MAX_MANIFEST)
    signing_public = resolve_key(signer_fp, manifest_bytes)
    if not keymod.verify(signing_public, signature, manifest_bytes):
        raise PackageRejected("Chữ ký không hợp lệ: gói đã bị sửa hoặc không do bên gửi đã đăng ký ký.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as exc:
        raise PackageRejected("Gói bị hỏng: bảng kê không đọc được.") from exc
    if isinstance(manifest, dict) and manifest.get("format") in OLD_FORMATS:
        raise PackageRejected(f"Gói theo định dạng cũ ({manifest['format']}) của phần mềm trước đây; "
                              "xã hãy cập nhật phần mềm rồi gửi gói toàn bộ (sync export --full).")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PackageRejected("Gói có định dạng lạ; hãy cập nhật phần mềm.")
    members = manifest.get("members")
    if not isinstance(members, list) or not all(
            isinstance(m, dict) and isinstance(m.get("name"), str) and isinstance(m.get("size"), int)
            and isinstance(m.get("sha256"), str) for m in members):
        raise PackageRejected("Gói bị hỏng: danh sách tệp trong bảng kê sai cấu trúc.")
    listed = {m["name"]: m for m in members}
    extra = set(by_name) - set(listed) - {MANIFEST, SIGNATURE}
    if extra:
        raise PackageRejected(f"Gói bị từ chối: có tệp không có trong bảng kê ({', '.join(sorted(extra))}).")
    opened = Opened(manifest, sha256(manifest_bytes), signer_fp)
    for name, entry in listed.items():
        if name not in by_name:
            raise PackageRejected(f"Gói bị hỏng: thiếu tệp {name}.")
        content = _read_member(zf, by_name[name], min(int(entry["size"]), MAX_MEMBER))
        if len(content) != entry["size"] or sha256(content) != entry["sha256"]:
            raise PackageRejected(f"Gói bị hỏng: tệp {name} không khớp mã kiểm tra.")
        opened.members[name] = content
    return opened


def split(data: bytes, part_size: int = PART_SIZE) -> list[bytes]:
    """``data`` cut into parts of at most ``part_size`` bytes (one part when it fits)."""
    return [data[i:i + part_size] for i in range(0, len(data), part_size)] or [b""]


def file_names(stem: str, parts: int) -> list[str]:
    if parts == 1:
        return [stem + SUFFIX]
    return [f"{stem}.part{i}of{parts}{SUFFIX}" for i in range(1, parts + 1)]


@dataclass
class PackageFile:
    """One package as found on disk: a single file or its parts joined, or why it cannot be used."""

    name: str
    data: bytes | None
    problem: str = ""


def read_files(paths) -> list[PackageFile]:
    """Read package files, joining numbered parts; a missing part is reported by number."""
    singles, groups = [], {}
    for path in map(Path, paths):
        m = _PART_NAME.match(path.name)
        if m:
            groups.setdefault((path.parent, m["stem"], int(m["n"])), {})[int(m["i"])] = path
        else:
            singles.append(path)
    out = []
    for path in singles:
        out.append(PackageFile(path.name, _read(path)))
    for (_, stem, n), parts in groups.items():
        missing = [i for i in range(1, n + 1) if i not in parts]
        name = f"{stem}{SUFFIX}"
        if missing:
            out.append(PackageFile(name, None, f"Thiếu phần {', '.join(map(str, missing))} trên tổng số {n} phần."))
        else:
            out.append(PackageFile(name, b"".join(_read(parts[i]) for i in range(1, n + 1))))
    return out


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_PACKAGE:
            raise PackageRejected(f"Tệp {path.name} quá lớn để là một gói đồng bộ.")
        return path.read_bytes()
    except OSError as exc:
        raise FileUnreadable(f"Không đọc được tệp {path}: {exc.strerror or exc}") from exc
