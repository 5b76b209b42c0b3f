"""The defensive package reader: any byte sequence gives an opened package or a PackageRejected.

Whoever holds a receiver's public key can build a package for it, and the office's key is
handed to every commune, so everything here is hostile until checked (docs/sync.md, "Reading a
package"). In order, each step before any work that depends on it:

1. the file: at most :data:`MAX_PACKAGE` bytes, parts joined;
2. age decryption. age authenticates every byte, so a package damaged on the way fails here
   (:data:`DAMAGED`); only a well-formed header whose one X25519 stanza does not open with our
   key is reported as meant for another office (:data:`NOT_FOR_US`);
3. the zip listing: at most :data:`MAX_MEMBERS` members with plain names, stored or deflated,
   not encrypted. The sizes in zip headers are never trusted: every member is streamed, capped
   and hashed as it is read;
4. ``signature.txt`` and ``manifest.json`` (capped), the signer's key (``resolve_key``) and the
   Ed25519 signature over the manifest's exact bytes;
5. the manifest parsed as bounded JSON (:func:`parse_json`: size, depth, values, integers in
   SQLite's range, no NaN, no lone surrogates) and checked against a schema (:func:`check`);
6. the members the manifest lists, within :data:`MAX_UNPACKED` bytes and :data:`MAX_RATIO`
   times the archive, each streamed against its signed size and SHA-256 (nothing is kept:
   :meth:`Opened.member` reads a member again when it is needed).
"""

import base64
import hashlib
import io
import json
import operator
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import pyrage
from pyrage import x25519

from commune_payout import paths
from commune_payout.errors import FileUnreadable, PackageRejected, UserError, unreadable
from commune_payout.sync import keys as keymod
from commune_payout.sync.package import FORMAT, MANIFEST, OLD_FORMATS, SIGNATURE, SUFFIX

# Why a package was refused: each class tells the officer something different to do.
DAMAGED = "damaged"
NOT_FOR_US = "not_for_us"
UNCONFIRMED = "unconfirmed"
REPLAY = "replay"
INVALID = "invalid"
REASONS = {
    DAMAGED: "hỏng khi chuyển",
    NOT_FOR_US: "không gửi cho đơn vị này",
    UNCONFIRMED: "không do khóa đã xác nhận của xã ký",
    REPLAY: "gói cũ hoặc trùng",
    INVALID: "nội dung không hợp lệ",
}

KIB, MIB = 1024, 1024 * 1024
MAX_PACKAGE = 16 * MIB
MAX_MEMBERS = 32
MAX_SIGNATURE = 512
MAX_MANIFEST = 256 * KIB
MAX_UNPACKED = 64 * MIB
MAX_RATIO = 200
MAX_JSON_DEPTH = 16
# What one parsed JSON member may cost in memory, estimated from its bytes before parsing.
MAX_JSON_MEMORY = 96 * MIB
MAX_ROWS = 1_000_000
MAX_SEQ = 10 ** 9
MAX_VERSION = 2 ** 53 - 1
SQLITE_INT = (-2 ** 63, 2 ** 63 - 1)
_CHUNK = 256 * KIB
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What zipfile raises on archives that lie (bad CRC, corrupt deflate, truncated, wrong offsets).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, struct.error, NotImplementedError,
               RuntimeError, OverflowError, IndexError, KeyError)
_MEMBER_NAME = re.compile(r"^[a-z0-9_][a-z0-9_.\-]{0,80}$")
_PART_NAME = re.compile(r"^(?P<stem>.+)\.part(?P<i>\d{1,3})of(?P<n>\d{1,3})" + re.escape(SUFFIX) + "$")
# A JSON string; one left open runs to the end, so that the scan stays linear on any input.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")
_LONG_INT = re.compile(rb"\d{19,}")
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def rejected(kind: str, message: str) -> PackageRejected:
    return PackageRejected(message, kind)


# --- bounded JSON ----------------------------------------------------------------------------

def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


def _no_constant(text: str):
    raise ValueError(text)


def parse_json(data: bytes, what: str):
    """``data`` parsed as JSON once it is known to be small, shallow and plain enough.

    Before parsing: the depth of nesting, an estimate of the memory its values take as Python
    objects, integers that fit SQLite (at most 18 digits), no lone surrogate escapes. While
    parsing: no NaN or Infinity. Anything else rejects the package as invalid content.
    """
    bad = rejected(INVALID, f"Gói bị hỏng: {what} không đọc được.")
    plain = _STRING.sub(b'""', data)
    brackets = plain.translate(None, _NOT_BRACKETS)
    strings = data.count(b'"') // 2
    values = plain.count(b",") + 1
    estimate = 72 * len(brackets) // 2 + 64 * strings + 32 * values + len(data)
    if estimate > MAX_JSON_MEMORY:
        raise rejected(INVALID, f"Gói bị từ chối: {what} quá lớn để đọc an toàn.")
    # depth after each bracket = (sum of 2 per opening bracket so far) - (brackets so far), all in C
    steps = accumulate(brackets.translate(_OPENS))
    deepest = max(map(operator.sub, steps, range(1, len(brackets) + 1)), default=0)
    if deepest > MAX_JSON_DEPTH:
        raise rejected(INVALID, f"Gói bị từ chối: {what} lồng nhau quá sâu.")
    if _LONG_INT.search(plain) or _SURROGATE.search(data):
        raise bad
    try:
        return json.loads(data, parse_float=_finite, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise bad from exc


# --- schemas ---------------------------------------------------------------------------------
# A schema is a function (value, where) that raises on a value it does not accept.

def _wrong(where: str) -> PackageRejected:
    return rejected(INVALID, f"Gói bị hỏng: mục “{where}” trong bảng kê sai kiểu hoặc ngoài giới hạn.")


def text(max_len: int = 200, pattern: str | None = None):
    compiled = re.compile(pattern) if pattern else None

    def check_text(value, where):
        if not isinstance(value, str) or len(value) > max_len or (compiled and not compiled.fullmatch(value)):
            raise _wrong(where)
    return check_text


def integer(low: int, high: int):
    def check_int(value, where):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise _wrong(where)
    return check_int


def boolean(value, where):
    if not isinstance(value, bool):
        raise _wrong(where)


def one_of(*choices):
    def check_choice(value, where):
        if not any(value == c and type(value) is type(c) for c in choices):
            raise _wrong(where)
    return check_choice


def optional(schema):
    def check_optional(value, where):
        if value is not None:
            schema(value, where)
    return check_optional


def list_of(schema, max_items: int):
    def check_list(value, where):
        if not isinstance(value, list) or len(value) > max_items:
            raise _wrong(where)
        for i, item in enumerate(value):
            schema(item, f"{where}[{i}]")
    return check_list


def mapping(key_schema, value_schema, max_items: int):
    def check_mapping(value, where):
        if not isinstance(value, dict) or len(value) > max_items:
            raise _wrong(where)
        for k, v in value.items():
            key_schema(k, where)
            value_schema(v, f"{where}.{k}")
    return check_mapping


def record(required: dict, optional_fields: dict | None = None):
    """An object with the ``required`` fields and maybe the optional ones; other fields (from a
    newer version of the app) are left alone."""
    optional_fields = optional_fields or {}

    def check_record(value, where):
        if not isinstance(value, dict):
            raise _wrong(where)
        for key, schema in required.items():
            if key not in value:
                raise rejected(INVALID, f"Gói bị hỏng: bảng kê thiếu mục “{where}.{key}”.")
            schema(value[key], f"{where}.{key}")
        for key, schema in optional_fields.items():
            if key in value:
                schema(value[key], f"{where}.{key}")
    return check_record


def check(value, schema, where: str = "manifest") -> None:
    """Check ``value`` against ``schema``; raises PackageRejected (invalid content) naming the field."""
    schema(value, where)


SHA256 = text(64, r"[0-9a-f]{64}")
UUID = text(36, r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MEMBER = record({"name": text(81), "size": integer(0, MAX_VERSION), "sha256": SHA256})
_ENVELOPE = record({"format": text(60), "members": list_of(MEMBER, MAX_MEMBERS)})


# --- the archive -----------------------------------------------------------------------------

def _safe_name(name: str) -> bool:
    return (bool(_MEMBER_NAME.fullmatch(name)) and ".." not in name
            and not name.startswith("/") and not re.match(r"^[A-Za-z]:", name))


class _Archive:
    """The decrypted zip, member by member; what its headers say about sizes is never trusted."""

    def __init__(self, plain: bytes):
        try:
            self._zf = zipfile.ZipFile(io.BytesIO(plain))
            infos = self._zf.infolist()
        except _ZIP_ERRORS as exc:
            raise rejected(INVALID, "Gói bị hỏng: nội dung không phải là gói đồng bộ.") from exc
        if len(infos) > MAX_MEMBERS:
            raise rejected(INVALID, f"Gói bị từ chối: có {len(infos)} tệp bên trong, quá nhiều.")
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not _safe_name(info.filename) or info.filename in self.by_name or info.is_dir():
                raise rejected(INVALID, f"Gói bị từ chối: tên tệp bên trong không hợp lệ “{info.filename}”.")
            if info.compress_type not in _METHODS or info.flag_bits & 0x1:
                raise rejected(INVALID, f"Gói bị từ chối: tệp {info.filename} nén hoặc khóa theo cách lạ.")
            self.by_name[info.filename] = info
        self.size = len(plain)

    def read(self, name: str, limit: int, keep: bool = True) -> tuple[bytes, int, str]:
        """(content or b"", size, SHA-256) of a member, refused as soon as it passes ``limit`` bytes."""
        digest, chunks, total = hashlib.sha256(), [], 0
        try:
            with self._zf.open(self.by_name[name]) as fh:
                while chunk := fh.read(min(_CHUNK, limit + 1 - total)):
                    total += len(chunk)
                    if total > limit:
                        raise rejected(INVALID, f"Gói bị từ chối: tệp {name} lớn hơn khai báo.")
                    digest.update(chunk)
                    if keep:
                        chunks.append(chunk)
        except _ZIP_ERRORS as exc:
            raise rejected(INVALID, f"Gói bị hỏng: tệp {name} bên trong không giải nén được.") from exc
        return b"".join(chunks), total, digest.hexdigest()


# --- opening a package -----------------------------------------------------------------------

@dataclass
class Opened:
    """A package that decrypted, whose signature checked out and whose members match their hashes.

    ``member(name)`` gives a listed member's bytes, read again and checked against the manifest.
    """

    manifest: dict
    manifest_sha256: str
    signer_fingerprint: str
    read: Callable[[str], bytes]

    def member(self, name: str) -> bytes:
        listed = {m["name"] for m in self.manifest["members"]}
        if name not in listed:
            raise rejected(INVALID, f"Gói bị hỏng: thiếu tệp {name}.")
        return self.read(name)

    def member_json(self, name: str):
        return parse_json(self.member(name), f"tệp {name}")


def _age_header_is_ours(data: bytes) -> bool:
    """Whether the age header is whole and holds one well-formed X25519 stanza, as every package
    has: then a failure to open it means another office's key, not damage on the way."""
    head = data[:4096].split(b"\n---", 1)[0].split(b"\n")
    if len(head) < 3 or head[0] != b"age-encryption.org/v1":
        return False
    stanzas = [i for i, line in enumerate(head) if line.startswith(b"-> X25519 ")]
    if len(stanzas) != 1:
        return False
    args = head[stanzas[0]].split(b" ")[2:]
    body = head[stanzas[0] + 1] if stanzas[0] + 1 < len(head) else b""
    try:
        return (len(args) == 1 and len(_b64(args[0])) == 32 and len(_b64(body)) == 32)
    except ValueError:
        return False


def _b64(raw: bytes) -> bytes:
    decoded = base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=True)
    if base64.b64encode(decoded).rstrip(b"=") != raw:
        raise ValueError("not canonical")
    return decoded


def decrypt(data: bytes, identity: x25519.Identity) -> bytes:
    """The archive inside a package, or why it cannot be opened."""
    if len(data) > MAX_PACKAGE:
        raise rejected(INVALID, f"Gói bị từ chối: tệp quá lớn (trên {MAX_PACKAGE // MIB} MB).")
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower() and _age_header_is_ours(data):
            raise rejected(NOT_FOR_US, "Gói không được mã hóa cho đơn vị này (sai khóa nhận): xã đã dùng khóa "
                                       "công khai của đơn vị khác, hoặc phần đầu tệp bị hỏng khi chép. Gọi xã kiểm "
                                       "tra thẻ khóa của đơn vị rồi gửi lại.") from exc
        raise rejected(DAMAGED, "Gói bị hỏng hoặc bị cắt cụt khi chép hay gửi (không giải mã được trọn vẹn): "
                                "xin xã gửi lại tệp.") from exc


def _signature(archive: _Archive) -> tuple[str, bytes]:
    if SIGNATURE not in archive.by_name:
        raise rejected(UNCONFIRMED, "Gói chưa được ký: không rõ ai gửi, không nhận.")
    raw, _, _ = archive.read(SIGNATURE, MAX_SIGNATURE)
    try:
        fingerprint, signature = raw.decode("ascii").split()
        signature_bytes = base64.b64decode(signature, validate=True)
        if len(signature_bytes) != 64:
            raise ValueError(signature)
        return keymod.normalise_fingerprint(fingerprint), signature_bytes
    except (ValueError, UnicodeDecodeError, UserError) as exc:
        raise rejected(UNCONFIRMED, "Gói chưa được ký hợp lệ: chữ ký không đọc được.") from exc


def open_package(data: bytes, identity: x25519.Identity, resolve_key) -> Opened:
    """Decrypt, verify and check a package (the steps of the module docstring).

    ``resolve_key(fingerprint, manifest_bytes)`` returns the signing key (text) to check the
    signature against, or raises PackageRejected when the signer is not acceptable. It gets the
    raw manifest so that a first package, which carries its sender's key, can be held until the
    key is confirmed (it parses it with :func:`parse_json`).
    """
    archive = _Archive(decrypt(data, identity))
    signer, signature = _signature(archive)
    if MANIFEST not in archive.by_name:
        raise rejected(INVALID, "Gói bị hỏng: thiếu bảng kê (manifest).")
    manifest_bytes, _, manifest_hash = archive.read(MANIFEST, MAX_MANIFEST)
    if not keymod.verify(resolve_key(signer, manifest_bytes), signature, manifest_bytes):
        raise rejected(UNCONFIRMED, "Chữ ký không hợp lệ: gói đã bị sửa hoặc không do bên gửi đã đăng ký ký.")
    manifest = parse_json(manifest_bytes, "bảng kê")
    if isinstance(manifest, dict) and manifest.get("format") in OLD_FORMATS:
        raise rejected(INVALID, f"Gói theo định dạng cũ ({manifest['format']}) của phần mềm trước đây; "
                                "xã hãy cập nhật phần mềm rồi gửi gói toàn bộ (sync export --full).")
    check(manifest, _ENVELOPE)
    if manifest["format"] != FORMAT:
        raise rejected(INVALID, "Gói có định dạng lạ; hãy cập nhật phần mềm.")
    listed = {m["name"]: m for m in manifest["members"]}
    extra = set(archive.by_name) - set(listed) - {MANIFEST, SIGNATURE}
    if extra or len(listed) != len(manifest["members"]):
        raise rejected(INVALID, f"Gói bị từ chối: có tệp không có trong bảng kê ({', '.join(sorted(extra))}).")
    declared = sum(m["size"] for m in listed.values())
    if declared > MAX_UNPACKED or declared > MAX_RATIO * max(archive.size, 1):
        raise rejected(INVALID, "Gói bị từ chối: nội dung giải nén quá lớn so với gói (có thể là bom nén).")

    def read(name: str) -> bytes:
        entry = listed[name]
        if name not in archive.by_name:
            raise rejected(INVALID, f"Gói bị hỏng: thiếu tệp {name}.")
        content, size, digest = archive.read(name, entry["size"])
        if size != entry["size"] or digest != entry["sha256"]:
            raise rejected(INVALID, f"Gói bị hỏng: tệp {name} không khớp mã kiểm tra.")
        return content

    for name, entry in listed.items():
        if name not in archive.by_name:
            raise rejected(INVALID, f"Gói bị hỏng: thiếu tệp {name}.")
        _, size, digest = archive.read(name, entry["size"], keep=False)
        if size != entry["size"] or digest != entry["sha256"]:
            raise rejected(INVALID, f"Gói bị hỏng: tệp {name} không khớp mã kiểm tra.")
    return Opened(manifest, manifest_hash, signer, read)


# --- files on disk ---------------------------------------------------------------------------

def read_file(path, limit: int, what: str) -> bytes:
    """The bytes of a file from outside (a key card, a receipt, a package), at most ``limit`` of
    them: a file larger than any ``what`` can be is refused after reading ``limit`` + 1 bytes,
    never loaded. FileUnreadable names the file and says why."""
    path = Path(path)
    if paths.is_dir(path):
        raise FileUnreadable(f"{path} là một thư mục, không phải tệp {what}.")
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise unreadable(path, exc) from exc
    if len(data) > limit:
        shown = f"{limit // MIB} MB" if limit >= MIB else f"{limit // KIB} KB"
        raise FileUnreadable(f"Tệp {path.name} quá lớn để là {what} (trên {shown}).")
    return data


@dataclass
class PackageFile:
    """One package as found on disk: its file(s), or why it cannot be used."""

    name: str
    paths: list[Path]
    problem: str = ""

    def read(self) -> bytes:
        """The package's bytes, parts joined; refused above :data:`MAX_PACKAGE`."""
        total = 0
        for path in self.paths:
            try:
                total += path.stat().st_size
            except OSError as exc:
                raise unreadable(path, exc) from exc
        if total > MAX_PACKAGE:
            raise rejected(INVALID, f"Tệp {self.name} quá lớn để là một gói đồng bộ (trên {MAX_PACKAGE // MIB} MB).")
        try:
            return b"".join(path.read_bytes() for path in self.paths)
        except OSError as exc:
            raise unreadable(self.name, exc) from exc


def find_files(paths) -> list[PackageFile]:
    """Package files, numbered parts grouped into one; a missing part is reported by number."""
    singles, groups = [], {}
    for path in map(Path, paths):
        m = _PART_NAME.match(path.name)
        if m:
            groups.setdefault((path.parent, m["stem"], int(m["n"])), {})[int(m["i"])] = path
        else:
            singles.append(path)
    out = [PackageFile(path.name, [path]) for path in singles]
    for (_, stem, n), parts in groups.items():
        missing = [i for i in range(1, n + 1) if i not in parts]
        name = f"{stem}{SUFFIX}"
        if missing:
            out.append(PackageFile(name, [], f"Thiếu phần {', '.join(map(str, missing))} trên tổng số {n} phần."))
        else:
            out.append(PackageFile(name, [parts[i] for i in range(1, n + 1)]))
    return out
