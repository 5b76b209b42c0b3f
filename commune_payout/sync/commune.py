"""The commune side of sync: build packages, record receipts, copy to a stick, accept down packages.

A package carries every change the office has not acknowledged yet (docs/sync.md rule 4), so a lost
stick or e-mail costs nothing: the next package repeats it. Receipts come back as a signed file
or a short code read over the phone.
"""

import ctypes
import datetime as dt
import getpass
import hashlib
import json
import os
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

from commune_payout import __version__, atomic, base_levels, settings
from commune_payout.context import Context
from commune_payout.db import current_version, new_id, schema_version, write_transaction
from commune_payout.errors import NotFound, NotInitialised, PackageRejected, UserError
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, PROGRAM_LABELS
from commune_payout.sync import keys as keymod
from commune_payout.sync import package, reader, tables
from commune_payout.sync.receipts import ack_check, read_ack_file

DOWN_KINDS = {"base_level": "Mức chuẩn mới", "gift_list": "Danh sách quà Tết"}


def ensure_keys(ctx: Context) -> keymod.KeyPair:
    """This commune's key pair, created on first use (its public half travels with every package)."""
    existing = keymod.load(ctx.db, "commune", missing_ok=True)
    if existing:
        return existing
    if keymod.other_role_present(ctx.db, "commune"):
        raise UserError("Đây là cơ sở dữ liệu của đơn vị cấp trên, không phải của xã.")
    info = settings.commune(ctx.db)
    return keymod.generate(ctx.db, "commune", info["name"], ctx.clock.now())


def set_upstream(ctx: Context, card: keymod.PublicCard) -> keymod.PublicCard:
    """Record the office's public key card (from its file or typed); compare the fingerprint by phone."""
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR REPLACE INTO sync_upstream (id, name, signing_public, age_recipient, fingerprint, set_at) "
            "VALUES (1, ?, ?, ?, ?, ?)",
            [card.name, card.signing_public, card.age_recipient, card.fingerprint, _now(ctx)])
        info = settings.commune(ctx.db)
        settings.put(ctx.db, "commune", {**info, "upstream": card.name})
    return card


def upstream_card(db) -> keymod.PublicCard | None:
    row = db.execute("SELECT name, signing_public, age_recipient FROM sync_upstream WHERE id = 1").fetchone()
    return keymod.PublicCard(*row) if row else None


def _require_upstream(db) -> keymod.PublicCard:
    card = upstream_card(db)
    if card is None:
        raise NotInitialised("Chưa có khóa công khai của đơn vị cấp trên. Hãy nhập tệp khóa họ gửi "
                             "(commune-payout sync set-upstream TỆP).")
    return card


def acked_version(db) -> int:
    """The last change the office confirmed having applied (0 before the first receipt)."""
    return db.execute("SELECT coalesce(max(version), 0) FROM sync_acks").fetchone()[0]


def _now(ctx: Context) -> str:
    return ctx.clock.now().isoformat(sep=" ")


@dataclass
class Package:
    """A package built for the office: its bytes (in parts when large) and what it holds."""

    id: str
    seq: int
    from_version: int
    to_version: int
    full: bool
    counts: dict[str, int]
    deleted: int
    stem: str
    parts: list[bytes] = field(repr=False, default_factory=list)
    sha256: str = ""

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts)

    @property
    def rows(self) -> int:
        return sum(self.counts.values()) + self.deleted

    @property
    def file_names(self) -> list[str]:
        return package.file_names(self.stem, len(self.parts))


def _tombstones_since(db, since: int):
    """Deletions to send: a tombstone of a row that exists again (same derived key) is stale,
    the row travels instead."""
    return (r for r in db.conn.execute("SELECT table_name, row_id FROM sync_tombstones WHERE version > ? "
                                       "ORDER BY version", [since])
            if not (r[0] in tables.BY_NAME and db.conn.execute(
                f"SELECT 1 FROM {r[0]} WHERE {tables.BY_NAME[r[0]].key} = ?", [r[1]]).fetchone()))


def unacked_rows(db) -> int:
    """How many rows the next package would carry: changed rows and deletions not yet
    acknowledged (a row changed twice counts once, as in the package)."""
    since = acked_version(db)
    changed = sum(db.execute(f"SELECT count(*) FROM {table.name} WHERE version > ?", [since]).fetchone()[0]
                  for table in tables.present(db))
    return changed + sum(1 for _row in _tombstones_since(db, since))


def build(ctx: Context, full: bool = False, part_size: int = package.PART_SIZE, after: int = 0) -> Package:
    """Build (and record as sent) a package with every change not yet acknowledged.

    ``full`` sends everything from the start, for an office that lost its copy; the office then
    replaces its copy of this commune with it. ``after`` numbers the package after that sequence:
    a laptop restored from a backup has forgotten the packages it sent since, and the office
    names the last one it has. Raises UserError when there is nothing unacknowledged to send.
    """
    db = ctx.db
    keys = ensure_keys(ctx)
    upstream = _require_upstream(db)
    info = settings.commune(db)
    with write_transaction(db):
        since = 0 if full else acked_version(db)
        until = current_version(db)
        rows_by_table, counts = {}, {}
        for table in tables.present(db):
            cols = tables.columns(db, table)
            rows = [[package.nfc(v) for v in r] for r in db.conn.execute(
                f"SELECT {', '.join(cols)} FROM {table.name} WHERE version > ? ORDER BY version, {table.key}",
                [since])]
            if rows:
                rows_by_table[table.name] = (cols, rows)
                counts[table.name] = len(rows)
        members, table_entries, frames = package.encode_tables(db, rows_by_table)
        deleted_data, deleted = package.encode_rows(_tombstones_since(db, since))
        if deleted:
            members["deleted.jsonl"] = deleted_data
        acked_seq = db.execute("SELECT coalesce(max(seq), 0) FROM sync_acks").fetchone()[0]
        decisions = [dict(r) for r in db.query(
            "SELECT id, status, decided_at, reason FROM sync_down WHERE status != 'received' "
            "AND (? OR reported_seq IS NULL OR reported_seq > ?) ORDER BY decided_at", [full, acked_seq])]
        if not counts and not deleted and not decisions:
            raise UserError("Không có thay đổi nào chưa được cấp trên xác nhận: không cần gửi gói mới.")
        seq = max(db.execute("SELECT coalesce(max(seq), 0) FROM sync_sent").fetchone()[0], after) + 1
        pid = new_id()
        manifest = {
            "type": "up",
            "package_id": pid,
            "commune": {"code": info["code"], "name": info["name"], "province": info.get("province_name", "")},
            "seq": seq,
            "from_version": since + 1,
            "to_version": until,
            "full": full,
            "schema_version": schema_version(db),
            "app_version": __version__,
            "created_at": _now(ctx),
            "sender": keys.card.as_dict(),
            "recipient_fingerprint": upstream.fingerprint,
            "tables": table_entries,
            "frames": frames,
            "deleted": {"rows": deleted, "member": "deleted.jsonl"} if deleted else None,
            "down_decisions": decisions,
        }
        encrypted, manifest_hash = package.build(manifest, members, keys, upstream.age_recipient)
        if len(encrypted) > reader.MAX_PACKAGE:
            raise UserError(f"Gói quá lớn ({len(encrypted) // reader.MIB} MB): cấp trên chỉ nhận gói đến "
                            f"{reader.MAX_PACKAGE // reader.MIB} MB. Hãy gửi gói và nhận biên nhận thường xuyên hơn.")
        stem = package_stem(info["code"], seq, ctx.clock.today())
        pkg = Package(pid, seq, since + 1, until, full, counts, deleted, stem,
                      package.split(encrypted, part_size), package.sha256(encrypted))
        db.execute(
            "INSERT INTO sync_sent (id, seq, from_version, to_version, full, rows, file_name, parts, sha256, "
            "manifest_sha256, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [pid, seq, since + 1, until, int(full), pkg.rows, pkg.file_names[0], len(pkg.parts), pkg.sha256,
             manifest_hash, pkg.size, _now(ctx)])
        db.conn.executemany("UPDATE sync_down SET reported_seq = ? WHERE id = ? AND reported_seq IS NULL",
                            [(seq, d["id"]) for d in decisions])
    return pkg


def package_stem(code: str, seq: int, day: dt.date) -> str:
    """The file name of a package without its suffix: ``05425-goi0007-20260115``."""
    return f"{code}-goi{seq:04d}-{day:%Y%m%d}"


def next_file_name(ctx: Context) -> str:
    """The name the next package will get (for a save dialog)."""
    seq = ctx.db.execute("SELECT coalesce(max(seq), 0) + 1 FROM sync_sent").fetchone()[0]
    return package_stem(settings.commune(ctx.db)["code"], seq, ctx.clock.today()) + package.SUFFIX


def outbox_dir(db_path) -> Path:
    """Where packages are built on the laptop before they are copied out: ``outbox/`` beside the database."""
    return Path(db_path).resolve().parent / "outbox"


def save(pkg: Package, folder) -> list[Path]:
    """Write the package's file(s) to a local folder atomically (the outbox)."""
    return [atomic.write_bytes(Path(folder) / name, data) for name, data in zip(pkg.file_names, pkg.parts)]


def copy_verified(sources, folder) -> list[Path]:
    """Copy files to a stick or a shared folder safely: ``*.partial``, fsync, rename, read back.

    Only when every copy reads back with the same SHA-256 may the officer remove the stick.
    (The read-back may be served from the operating system's cache; the fsync before it is what
    forces the bytes onto the device.)
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"Không thấy thư mục {folder} (USB đã cắm chưa?).")
    done = []
    for src in map(Path, sources):
        data = src.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        final = folder / src.name
        partial = folder / (src.name + ".partial")
        try:
            with open(partial, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(partial, final)
            _fsync_dir(folder)
            if hashlib.sha256(final.read_bytes()).hexdigest() != digest:
                raise UserError(f"Tệp {final.name} chép ra bị sai khi đọc lại. Hãy thử USB khác.")
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise UserError(f"Không ghi được vào {folder}: {exc.strerror or exc}. "
                            "USB có thể đã đầy, bị khóa ghi hoặc bị rút ra.") from exc
        done.append(final)
    return done


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; the file fsync suffices there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


DRIVE_REMOVABLE = 2


def removable_drives(user: str | None = None, roots=None) -> list[Path]:
    """Mounted removable drives: drive letters of type removable on Windows, else the desktop's
    automount folders (``/media/$USER/*``, ``/run/media/$USER/*``, ``/Volumes/*`` on macOS).
    ``roots`` replaces the automount parents (tests)."""
    if sys.platform == "win32" and roots is None:
        kernel32 = ctypes.windll.kernel32
        mask = kernel32.GetLogicalDrives()
        return [Path(f"{letter}:\\") for i, letter in enumerate(string.ascii_uppercase)
                if mask >> i & 1 and kernel32.GetDriveTypeW(f"{letter}:\\") == DRIVE_REMOVABLE]
    if roots is None:
        user = user or getpass.getuser()
        roots = [Path("/media") / user, Path("/run/media") / user]
        if sys.platform == "darwin":
            roots = [Path("/Volumes")]
    found = []
    for root in map(Path, roots):
        try:
            children = sorted(root.iterdir())
        except OSError:
            continue
        found += [p for p in children if p.is_dir() and os.access(p, os.W_OK) and not p.is_symlink()]
    return found


def sent_packages(db) -> list[dict]:
    """Every package built, newest first, with whether and when the office acknowledged it."""
    return [dict(r) for r in db.query(
        "SELECT s.id, s.seq, s.from_version, s.to_version, s.full, s.rows, s.file_name, s.parts, s.size, "
        "s.created_at, s.acked_at, a.source AS ack_source FROM sync_sent s "
        "LEFT JOIN sync_acks a ON a.package_id = s.id ORDER BY s.seq DESC")]


def status(db) -> dict:
    """What the Sync page and ``sync status`` show."""
    keys = keymod.load(db, "commune", missing_ok=True)
    upstream = upstream_card(db)
    last = db.execute("SELECT seq, created_at FROM sync_sent ORDER BY seq DESC LIMIT 1").fetchone()
    acked = db.execute("SELECT seq, version, received_at FROM sync_acks ORDER BY version DESC LIMIT 1").fetchone()
    return {
        "fingerprint": keys.card.fingerprint if keys else None,
        "upstream": upstream.as_dict() if upstream else None,
        "current_version": current_version(db),
        "acked_version": acked_version(db),
        "unacked_changes": unacked_rows(db),
        "last_sent": {"seq": last[0], "created_at": last[1]} if last else None,
        "last_ack": {"seq": acked[0], "version": acked[1], "received_at": acked[2]} if acked else None,
        "down_waiting": db.execute("SELECT count(*) FROM sync_down WHERE status = 'received'").fetchone()[0],
    }


def _record_ack(ctx: Context, sent: dict, version: int, issued_at, source: str) -> dict:
    if version != sent["to_version"]:
        raise UserError(f"Biên nhận không khớp gói số {sent['seq']} (phiên bản {version} ≠ {sent['to_version']}).")
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR IGNORE INTO sync_acks (package_id, seq, version, issued_at, received_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?)", [sent["id"], sent["seq"], version, issued_at, _now(ctx), source])
        ctx.db.execute("UPDATE sync_sent SET acked_at = coalesce(acked_at, ?) WHERE id = ?", [_now(ctx), sent["id"]])
    return {"seq": sent["seq"], "version": version, "acked_version": acked_version(ctx.db)}


def _sent(db, **where) -> dict:
    (col, value), = where.items()
    row = db.execute(f"SELECT id, seq, to_version, manifest_sha256 FROM sync_sent WHERE {col} = ?", [value]).fetchone()
    if row is None:
        raise NotFound(f"Biên nhận nói về gói số {value}, nhưng xã chưa từng gửi gói này.")
    return dict(zip(("id", "seq", "to_version", "manifest_sha256"), row))


def record_ack_file(ctx: Context, data: bytes) -> dict:
    """Record a receipt file from the office (signature checked against its key)."""
    upstream = _require_upstream(ctx.db)
    ack = read_ack_file(data, upstream.signing_public)
    if ack["commune_code"] != settings.commune(ctx.db)["code"]:
        raise UserError(f"Biên nhận này dành cho xã có mã {ack['commune_code']}, không phải xã này.")
    sent = _sent(ctx.db, id=ack["package_id"])
    if ack["manifest_sha256"] != sent["manifest_sha256"]:
        raise UserError("Biên nhận không khớp nội dung gói đã gửi.")
    return _record_ack(ctx, sent, ack["version"], ack["issued_at"], "file")


def record_ack_code(ctx: Context, code: str) -> dict:
    """Record a receipt read over the phone: ``SỐGÓI-PHIÊNBẢN-KIỂM`` (e.g. ``7-48213-K3QF``)."""
    parts = [p for p in str(code).replace(" ", "").upper().split("-") if p]
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise UserError(f"Mã biên nhận “{code}” không đúng dạng SỐGÓI-PHIÊNBẢN-MÃKIỂM (ví dụ 7-48213-K3QF).")
    sent = _sent(ctx.db, seq=int(parts[0]))
    check = parts[2].translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if check != ack_check(sent["manifest_sha256"], sent["seq"], int(parts[1])):
        raise UserError("Mã biên nhận sai (mã kiểm không khớp). Hãy đọc lại từng ký tự.")
    return _record_ack(ctx, sent, int(parts[1]), None, "code")


@dataclass
class DownPackage:
    """A package from the office, checked and readable; ``status`` once stored."""

    id: str
    kind: str
    title: str
    items: list[dict]
    issued_at: str
    status: str = "received"


_DOWN_MANIFEST = reader.record({"package_id": reader.UUID, "title": reader.text(300), "created_at": reader.text(40)})


def read_down(ctx: Context, data: bytes) -> DownPackage:
    """Open a package from the office: it must be encrypted to this commune and signed by the
    office whose key was recorded. Stores it as received (not yet applied)."""
    keys = ensure_keys(ctx)
    upstream = _require_upstream(ctx.db)

    def resolve(fp, _manifest_bytes):
        if fp != upstream.fingerprint:
            raise PackageRejected(f"Gói không do {upstream.name} ký (khóa {fp} lạ). Không nhận.", reader.UNCONFIRMED)
        return upstream.signing_public

    opened = reader.open_package(data, keys.identity, resolve)
    m = opened.manifest
    code = settings.commune(ctx.db)["code"]
    if m.get("type") != "down" or m.get("commune_code") != code:
        raise PackageRejected("Gói này không phải gói cấp trên gửi cho xã này.", reader.NOT_FOR_US)
    if m.get("kind") not in DOWN_KINDS:
        raise PackageRejected(f"Loại gói “{m.get('kind')}” phần mềm chưa biết; hãy cập nhật phần mềm.")
    reader.check(m, _DOWN_MANIFEST)
    items = opened.member_json("items.json")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise PackageRejected("Gói có mục không hợp lệ. Không nhận.")
    pkg = DownPackage(m["package_id"], m["kind"], m["title"], items, m["created_at"])
    _check_items(pkg)
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR IGNORE INTO sync_down (id, kind, title, payload, issued_at, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [pkg.id, pkg.kind, pkg.title, json.dumps(items, ensure_ascii=False), pkg.issued_at, _now(ctx)])
    pkg.status = ctx.db.execute("SELECT status FROM sync_down WHERE id = ?", [pkg.id]).fetchone()[0]
    return pkg


def describe_items(kind: str, items: list[dict]) -> list[str]:
    """One line per item of a down package, for the officer to read before accepting it."""
    if kind == "base_level":
        return [f"Mức chuẩn {PROGRAM_LABELS.get(i['program'], i['program'])}: {format_vnd(int(i['amount']))} "
                f"từ ngày {dt.date.fromisoformat(i['valid_from']):%d/%m/%Y}" for i in items]
    return [f"{BY_CODE[i['category']].label if i['category'] in BY_CODE else i['category']}: "
            f"{format_vnd(i['amount'])}" for i in items]


def _check_items(pkg: DownPackage) -> None:
    problems = []
    for i, item in enumerate(pkg.items, start=1):
        if pkg.kind == "base_level":
            try:
                dt.date.fromisoformat(item["valid_from"])
                ok = item["program"] in ("btxh", "ncc", "htxh") and int(item["amount"]) > 0
            except (KeyError, TypeError, ValueError):
                ok = False
        else:
            ok = isinstance(item.get("category"), str) and isinstance(item.get("amount"), int) and item["amount"] > 0
        if not ok:
            problems.append(str(i))
    if problems:
        raise PackageRejected(f"Gói có mục không hợp lệ (mục {', '.join(problems)}). Không nhận.")


def decide_down(ctx: Context, package_id: str, accept: bool, reason: str = "") -> DownPackage:
    """Accept (apply) or reject a received down package; the decision travels up with the next package.

    A new base level is added to the dated base levels; a gift list is kept for the officer to
    use when setting up the Tết session.
    """
    row = ctx.db.execute("SELECT id, kind, title, payload, issued_at, status FROM sync_down WHERE id = ?",
                         [package_id]).fetchone()
    if row is None:
        raise NotFound(f"Không có gói cấp trên mã {package_id}.")
    pkg = DownPackage(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5])
    if pkg.status != "received":
        raise UserError(f"Gói “{pkg.title}” đã được xử lý ({'đã nhận' if pkg.status == 'accepted' else 'đã từ chối'}).")
    if not accept and not reason.strip():
        raise UserError("Từ chối gói thì cần ghi lý do.")
    with write_transaction(ctx.db):
        if accept and pkg.kind == "base_level":
            base_levels.accept_from_office(ctx, pkg.items, pkg.title)
        pkg.status = "accepted" if accept else "rejected"
        ctx.db.execute("UPDATE sync_down SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ?",
                       [pkg.status, _now(ctx), ctx.user, reason.strip(), pkg.id])
    return pkg


def down_packages(db, kind: str | None = None, status: str | None = None) -> list[dict]:
    """Packages received from the office, newest first (``payload`` decoded as ``items``)."""
    where, params = [], []
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if status:
        where.append("status = ?")
        params.append(status)
    sql = "SELECT * FROM sync_down" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY received_at DESC"
    out = []
    for r in db.query(sql, params):
        r = dict(r)
        r["items"] = json.loads(r.pop("payload"))
        out.append(r)
    return out
