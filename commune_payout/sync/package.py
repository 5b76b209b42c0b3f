"""The package format and its defensive reader (SYNC.md rules 5, 7, 8 and 10).

A package is a zip archive, encrypted as a whole with age to the receiver's public key, so
``age -d -i KEY FILE > package.zip`` opens it with the independent tool. Inside:

* ``manifest.json``: what the package is (id, sender, sequence, version range, schema and app
  version, tables with their columns and row counts) and every member with its size and
  SHA-256; canonical JSON, UTF-8, NFC.
* ``signature.txt``: two lines, the signer's key fingerprint and the base64 Ed25519 signature
  over the exact bytes of ``manifest.json``.
* the members the manifest lists: JSON lines (one JSON array per row, in the column order the
  manifest gives), deflated.

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
from dataclasses import dataclass, field
from pathlib import Path

import pyrage
from pyrage import x25519

from commune_payout.errors import FileUnreadable, PackageRejected, UserError
from commune_payout.sync import keys as keymod

FORMAT = "commune-payout-package/1"
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
