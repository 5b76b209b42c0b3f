"""The commune side of sync: the offices it reports to, packages for each, receipts, packages sent down.

Since 7/2025 a commune reports to one office per programme (docs/sync.md, "Offices and their
programmes"): each office is recorded with its key card and its programmes, and gets packages
of its own, numbered, acknowledged and re-sent on their own. A package carries every change of
the office's programmes the office has not acknowledged yet (docs/sync.md rule 4), so a lost stick
or e-mail costs nothing: the next package repeats it. Receipts come back as a signed file or a
short code read over the phone.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from commune_payout import __version__, atomic, base_levels, settings
from commune_payout.context import Context
from commune_payout.db import current_version, new_id, schema_version, write_transaction
from commune_payout.errors import NotFound, NotInitialised, PackageRejected, UserError
from commune_payout.money import format_vnd
from commune_payout.programs import BY_CODE, PROGRAM_LABELS
from commune_payout.sync import keys as keymod
from commune_payout.sync import package, reader, scope, tables
from commune_payout.sync.receipts import ack_check, read_ack_code, read_ack_file
from commune_payout.text import clean, excerpt, fold

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


def _now(ctx: Context) -> str:
    return ctx.clock.now().isoformat(sep=" ")


# --- the offices ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Office:
    """An office the commune reports to: its key card and the programmes it receives.
    ``resend_full``: its programmes changed, so its next package replaces its copy of the commune."""

    id: int
    card: keymod.PublicCard
    programs: tuple[str, ...]
    resend_full: bool = False

    @property
    def name(self) -> str:
        return self.card.name

    @property
    def fingerprint(self) -> str:
        return self.card.fingerprint

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "fingerprint": self.fingerprint, "programs": list(self.programs)}


def offices(db) -> list[Office]:
    """Every office the commune reports to, in the order they were recorded."""
    return [Office(i, keymod.PublicCard(name, signing, age), tuple(programs.split(",")), bool(full))
            for i, name, signing, age, programs, full in db.execute(
                "SELECT id, name, signing_public, age_recipient, programs, resend_full FROM sync_offices ORDER BY id")]


def find_office(db, wanted) -> Office:
    """The office named (or beginning with) ``wanted``, or whose fingerprint it is."""
    found = offices(db)
    if not found:
        raise NotInitialised("Chưa có khóa công khai của đơn vị cấp trên nào. Hãy nhập tệp khóa họ gửi "
                             "(commune-payout sync set-upstream TỆP --programs btxh,htxh).")
    text = str(wanted).strip()
    try:
        fp = keymod.normalise_fingerprint(text)
    except UserError:
        fp = None
    exact = [o for o in found if o.fingerprint == fp or fold(o.name) == fold(text)]
    matches = exact or [o for o in found if fold(o.name).startswith(fold(text))] if text else []
    if len(matches) != 1:
        names = "; ".join(f"{o.name} ({o.fingerprint})" for o in found)
        raise NotFound(f"Không rõ đơn vị cấp trên “{text}”. Các đơn vị: {names}.")
    return matches[0]


def set_upstream(ctx: Context, card: keymod.PublicCard, programs=None) -> Office:
    """Add an office from its public key card, or update the one with that fingerprint or name (a
    new key card of the same office), with the programmes it receives; compare the fingerprint by
    phone. Without ``programs``: the ones its name says ("Sở Y tế …": btxh, htxh), every
    programme for the first office. Programmes another office had move to this one; an office
    whose programmes change is sent a full package next."""
    chosen = tuple(programs) if programs else scope.programs_of_office(card.name)
    existing = offices(ctx.db)
    same = [o for o in existing if o.fingerprint == card.fingerprint] or [
        o for o in existing if fold(o.name) == fold(card.name)]
    if not chosen:
        if existing and not same:
            raise UserError(f"Chưa rõ {card.name} nhận chương trình nào: hãy chọn (ví dụ --programs ncc).")
        chosen = same[0].programs if same else scope.PROGRAMS
    chosen = scope.parse(",".join(chosen))
    with write_transaction(ctx.db):
        if same:
            office_id = same[0].id
            ctx.db.execute("UPDATE sync_offices SET name = ?, signing_public = ?, age_recipient = ?, fingerprint = ?, "
                           "programs = ?, resend_full = resend_full OR ?, set_at = ? WHERE id = ?",
                           [card.name, card.signing_public, card.age_recipient, card.fingerprint, ",".join(chosen),
                            set(chosen) != set(same[0].programs), _now(ctx), office_id])
        else:
            office_id = ctx.db.execute(
                "INSERT INTO sync_offices (name, programs, signing_public, age_recipient, fingerprint, set_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", [card.name, ",".join(chosen), card.signing_public, card.age_recipient,
                                              card.fingerprint, _now(ctx)]).lastrowid
        for other in offices(ctx.db):
            if other.id != office_id and set(other.programs) & set(chosen):
                kept = [p for p in other.programs if p not in chosen]
                if kept:
                    ctx.db.execute("UPDATE sync_offices SET programs = ?, resend_full = 1 WHERE id = ?",
                                   [",".join(kept), other.id])
                else:
                    raise UserError(f"{other.name} sẽ không còn chương trình nào. Hãy chọn lại, hoặc cho đơn vị "
                                    "này nhận thêm chương trình khác.")
    return next(o for o in offices(ctx.db) if o.id == office_id)


def office_names(db) -> dict[str, str]:
    """The office each programme reports to: the office whose key card the commune holds for it,
    else the name set in the settings (by default the Sở Y tế and the Sở Nội vụ of the province)."""
    names = settings.offices(db)
    for office in offices(db):
        names.update({program: office.name for program in office.programs})
    return names


def unassigned_programs(db) -> tuple[str, ...]:
    """Programmes of the commune's people that no office receives (their data goes nowhere)."""
    taken = {p for o in offices(db) for p in o.programs}
    used = {r[0] for r in db.execute("SELECT DISTINCT program FROM memberships")}
    return tuple(p for p in scope.PROGRAMS if p in used and p not in taken)


def acked_version(db, office: Office) -> int:
    """The last change ``office`` confirmed having applied (0 before its first receipt)."""
    return db.execute("SELECT coalesce(max(a.version), 0) FROM sync_acks a JOIN sync_sent s ON s.id = a.package_id "
                      "WHERE s.office_id = ?", [office.id]).fetchone()[0]


# --- packages -----------------------------------------------------------------------------------

@dataclass
class Package:
    """A package built for one office: its bytes (in parts when large) and what it holds."""

    id: str
    office: Office
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


def build(ctx: Context, office: Office | None = None, full: bool = False, part_size: int = package.PART_SIZE,
          after: int = 0) -> Package:
    """Build (and record as sent) a package for ``office`` (the only one when omitted) with every
    change of its programmes it has not acknowledged yet.

    ``full`` sends everything from the start, for an office that lost its copy (and always after
    the office's programmes changed); the office then replaces its copy of this commune with it.
    ``after`` numbers the package after that sequence: a laptop restored from a backup has
    forgotten the packages it sent since, and the office names the last one it has. Raises
    UserError when there is nothing unacknowledged to send.
    """
    db = ctx.db
    keys = ensure_keys(ctx)
    if office is None:
        found = offices(db) or [find_office(db, "")]
        if len(found) > 1:
            raise UserError("Xã gửi cho nhiều đơn vị cấp trên: hãy chọn đơn vị (--office TÊN).")
        office = found[0]
    full = full or office.resend_full
    info = settings.commune(db)
    view = scope.Scope(db, office.programs)
    with write_transaction(db):
        since = 0 if full else acked_version(db, office)
        until = current_version(db)
        rows_by_table, counts = {}, {}
        for table in tables.present(db):
            cols = tables.columns(db, table)
            scrub = view.scrubber(table.name, cols)
            rows = []
            for r in db.conn.execute(f"SELECT {', '.join(cols)} FROM {table.name} "
                                     f"WHERE {view.condition(table, since)} ORDER BY version, {table.key}"):
                row = [package.nfc(v) for v in r]
                if scrub is None or (row := scrub(row)) is not None:
                    rows.append(row)
            if rows:
                rows_by_table[table.name] = (cols, rows)
                counts[table.name] = len(rows)
        members, table_entries, frames = package.encode_tables(db, rows_by_table, view.people())
        deleted_data, deleted = package.encode_rows([t, r] for t, r in view.deletions(since))
        if deleted:
            members["deleted.jsonl"] = deleted_data
        acked_seq = db.execute("SELECT coalesce(max(a.seq), 0) FROM sync_acks a JOIN sync_sent s "
                               "ON s.id = a.package_id WHERE s.office_id = ?", [office.id]).fetchone()[0]
        decisions = [dict(r) for r in db.query(
            "SELECT id, status, decided_at, reason FROM sync_down WHERE office_id = ? AND status != 'received' "
            "AND (? OR reported_seq IS NULL OR reported_seq > ?) ORDER BY decided_at", [office.id, full, acked_seq])]
        if not counts and not deleted and not decisions:
            raise UserError(f"Không có thay đổi nào {office.name} chưa xác nhận: không cần gửi gói mới.")
        seq = max(_last_seq(db, office), after) + 1
        pid = new_id()
        manifest = {
            "type": "up",
            "package_id": pid,
            "commune": {"code": info["code"], "name": info["name"], "province": info.get("province_name", "")},
            "seq": seq,
            "from_version": since + 1,
            "to_version": until,
            "full": full,
            "programs": list(office.programs),
            "schema_version": schema_version(db),
            "app_version": __version__,
            "created_at": _now(ctx),
            "sender": keys.card.as_dict(),
            "recipient_fingerprint": office.fingerprint,
            "tables": table_entries,
            "frames": frames,
            "deleted": {"rows": deleted, "member": "deleted.jsonl"} if deleted else None,
            "down_decisions": decisions,
        }
        encrypted, manifest_hash = package.build(manifest, members, keys, office.card.age_recipient)
        if len(encrypted) > reader.MAX_PACKAGE:
            raise UserError(f"Gói quá lớn ({len(encrypted) // reader.MIB} MB): cấp trên chỉ nhận gói đến "
                            f"{reader.MAX_PACKAGE // reader.MIB} MB. Hãy gửi gói và nhận biên nhận thường xuyên hơn.")
        stem = package_stem(info["code"], office, seq, ctx.clock.today())
        pkg = Package(pid, office, seq, since + 1, until, full, counts, deleted, stem,
                      package.split(encrypted, part_size), package.sha256(encrypted))
        db.execute(
            "INSERT INTO sync_sent (id, office_id, seq, from_version, to_version, full, rows, file_name, parts, "
            "sha256, manifest_sha256, size, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [pid, office.id, seq, since + 1, until, int(full), pkg.rows, pkg.file_names[0], len(pkg.parts),
             pkg.sha256, manifest_hash, pkg.size, _now(ctx)])
        db.conn.executemany("UPDATE sync_down SET reported_seq = ? WHERE id = ? AND reported_seq IS NULL",
                            [(seq, d["id"]) for d in decisions])
    return pkg


def build_all(ctx: Context, full: bool = False, part_size: int = package.PART_SIZE) -> list[Package]:
    """A package for every office that has changes it has not acknowledged (docs/sync.md rule 4)."""
    built = []
    for office in offices(ctx.db) or [find_office(ctx.db, "")]:
        if full or office.resend_full or pending_changes(ctx.db, office):
            built.append(build(ctx, office, full=full, part_size=part_size))
    if not built:
        raise UserError("Không có thay đổi nào các đơn vị cấp trên chưa xác nhận: không cần gửi gói mới.")
    return built


def pending_changes(db, office: Office) -> int:
    """Rows and deletions of the office's programmes it has not acknowledged, and answers to its
    packages not yet sent (what its next package would carry)."""
    since = acked_version(db, office)
    view = scope.Scope(db, office.programs)
    rows = sum(db.execute(f"SELECT count(*) FROM {t.name} WHERE {view.condition(t, since)}").fetchone()[0]
               for t in tables.present(db))
    answers = db.execute("SELECT count(*) FROM sync_down WHERE office_id = ? AND status != 'received' "
                         "AND reported_seq IS NULL", [office.id]).fetchone()[0]
    return rows + len(view.deletions(since)) + answers


def _last_seq(db, office: Office) -> int:
    return db.execute("SELECT coalesce(max(seq), 0) FROM sync_sent WHERE office_id = ?", [office.id]).fetchone()[0]


def package_stem(code: str, office: Office, seq: int, day: dt.date) -> str:
    """The file name of a package without its suffix, naming the office it is for:
    ``05425-so-y-te-goi0007-20260115``."""
    return f"{code}-{_office_slug(office.name)}-goi{seq:04d}-{day:%Y%m%d}"


def _office_slug(name: str) -> str:
    """"Sở Y tế tỉnh Phú Thọ" → ``so-y-te``: the office's name without its province."""
    words = re.findall(r"[a-z0-9]+", fold(name))
    for where in ("tinh", "thanh"):
        if where in words[1:]:
            words = words[:words.index(where, 1)]
    return "-".join(words)[:40] or "cap-tren"


def next_file_name(ctx: Context, office: Office) -> str:
    """The name the next package for ``office`` will get (for a save dialog)."""
    return package_stem(settings.commune(ctx.db)["code"], office, _last_seq(ctx.db, office) + 1,
                        ctx.clock.today()) + package.SUFFIX


def outbox_dir(db_path) -> Path:
    """Where packages are built on the laptop before they are copied out: ``outbox/`` beside the database."""
    return Path(db_path).resolve().parent / "outbox"


def save(pkg: Package, folder) -> list[Path]:
    """Write the package's file(s) to a local folder atomically (the outbox)."""
    return [atomic.write_bytes(Path(folder) / name, data) for name, data in zip(pkg.file_names, pkg.parts)]


def sent_packages(db, office: Office | None = None) -> list[dict]:
    """Every package built (for one office), newest first, with its office and whether and when
    the office acknowledged it."""
    return [dict(r) for r in db.query(
        "SELECT s.id, s.office_id, o.name AS office, s.seq, s.from_version, s.to_version, s.full, s.rows, s.file_name, "
        "s.parts, s.size, s.created_at, s.acked_at, a.source AS ack_source FROM sync_sent s "
        "JOIN sync_offices o ON o.id = s.office_id LEFT JOIN sync_acks a ON a.package_id = s.id "
        + ("WHERE s.office_id = ? " if office else "") + "ORDER BY s.created_at DESC, s.seq DESC",
        [office.id] if office else [])]


def status(db) -> dict:
    """What the Sync page and ``sync status`` show: this commune's fingerprint, and for each office
    its programmes, changes not yet acknowledged, last package sent and last receipt."""
    keys = keymod.load(db, "commune", missing_ok=True)
    out = []
    for office in offices(db):
        last = db.execute("SELECT seq, created_at FROM sync_sent WHERE office_id = ? ORDER BY seq DESC LIMIT 1",
                          [office.id]).fetchone()
        acked = db.execute("SELECT a.seq, a.version, a.received_at FROM sync_acks a JOIN sync_sent s "
                           "ON s.id = a.package_id WHERE s.office_id = ? ORDER BY a.version DESC LIMIT 1",
                           [office.id]).fetchone()
        out.append({**office.as_dict(), "resend_full": office.resend_full,
                    "acked_version": acked_version(db, office), "unacked_changes": pending_changes(db, office),
                    "last_sent": {"seq": last[0], "created_at": last[1]} if last else None,
                    "last_ack": {"seq": acked[0], "version": acked[1], "received_at": acked[2]} if acked else None})
    return {
        "fingerprint": keys.card.fingerprint if keys else None,
        "current_version": current_version(db),
        "offices": out,
        "unassigned": list(unassigned_programs(db)),
        "down_waiting": db.execute("SELECT count(*) FROM sync_down WHERE status = 'received'").fetchone()[0],
    }


# --- receipts -----------------------------------------------------------------------------------

def _record_ack(ctx: Context, sent: dict, version: int, issued_at, source: str) -> dict:
    if version != sent["to_version"]:
        raise UserError(f"Biên nhận không khớp gói số {sent['seq']} (phiên bản {version} ≠ {sent['to_version']}).")
    office = next(o for o in offices(ctx.db) if o.id == sent["office_id"])
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR IGNORE INTO sync_acks (package_id, seq, version, issued_at, received_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?)", [sent["id"], sent["seq"], version, issued_at, _now(ctx), source])
        ctx.db.execute("UPDATE sync_sent SET acked_at = coalesce(acked_at, ?) WHERE id = ?", [_now(ctx), sent["id"]])
        if sent["full"]:
            ctx.db.execute("UPDATE sync_offices SET resend_full = 0 WHERE id = ?", [office.id])
    return {"office": office.name, "seq": sent["seq"], "version": version,
            "acked_version": acked_version(ctx.db, office)}


_SENT = ("id", "office_id", "seq", "to_version", "full", "manifest_sha256")


def _sent(db, where: str, params: list) -> list[dict]:
    return [dict(zip(_SENT, r)) for r in db.execute(f"SELECT {', '.join(_SENT)} FROM sync_sent WHERE {where}", params)]


def record_ack_file(ctx: Context, data: bytes) -> dict:
    """Record a receipt file from an office (signed by the office the package was for)."""
    known = offices(ctx.db)
    ack, signer = read_ack_file(data, {o.fingerprint: o.card.signing_public for o in known})
    if ack["commune_code"] != settings.commune(ctx.db)["code"]:
        raise UserError(f"Biên nhận này dành cho xã có mã {ack['commune_code']}, không phải xã này.")
    found = _sent(ctx.db, "id = ?", [ack["package_id"]])
    if not found:
        raise NotFound(f"Biên nhận nói về gói số {ack['seq']}, nhưng xã chưa từng gửi gói này.")
    sent = found[0]
    office = next(o for o in known if o.id == sent["office_id"])
    if signer != office.fingerprint:
        raise UserError(f"Biên nhận này do đơn vị khác ký, không phải {office.name}, đơn vị nhận gói: không ghi nhận.")
    if ack["manifest_sha256"] != sent["manifest_sha256"]:
        raise UserError("Biên nhận không khớp nội dung gói đã gửi.")
    return _record_ack(ctx, sent, ack["version"], ack["issued_at"], "file")


def record_ack_code(ctx: Context, code: str, office: Office | None = None) -> dict:
    """Record a receipt read over the phone: ``SỐGÓI-PHIÊNBẢN-KIỂM`` (e.g. ``7-48213-K3QF``). The
    check characters come from the package itself, so they also tell which office's package it is."""
    seq, version, check = read_ack_code(code)
    candidates = _sent(ctx.db, "seq = ?" + (" AND office_id = ?" if office else ""),
                       [seq, office.id] if office else [seq])
    if not candidates:
        raise NotFound(f"Biên nhận nói về gói số {seq}, nhưng xã chưa từng gửi gói này"
                       + (f" cho {office.name}." if office else "."))
    matching = [s for s in candidates if check == ack_check(s["manifest_sha256"], seq, version)]
    if not matching:
        raise UserError("Mã biên nhận sai (mã kiểm không khớp). Hãy đọc lại từng ký tự.")
    return _record_ack(ctx, matching[0], version, None, "code")


@dataclass
class DownPackage:
    """A package from the office, checked and readable; ``status`` once stored."""

    id: str
    kind: str
    title: str
    items: list[dict]
    issued_at: str
    status: str = "received"
    office: str = ""


_DOWN_MANIFEST = reader.record({"package_id": reader.UUID, "title": reader.text(300), "created_at": reader.text(40)})
MAX_DOWN_ITEMS = 500
MAX_DOWN_AMOUNT = 100_000_000     # a base level or a gift; far above any there is
_DOWN_ITEMS = {
    "base_level": reader.record({"program": reader.one_of("btxh", "htxh", "ncc"),
                                 "valid_from": reader.text(10, r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
                                 "amount": reader.integer(1, MAX_DOWN_AMOUNT)}, {"note": reader.text(300)}),
    "gift_list": reader.record({"category": reader.text(60, r"[a-z0-9_]+"), "amount": reader.integer(1, MAX_DOWN_AMOUNT)}),
}


def read_down(ctx: Context, data: bytes) -> DownPackage:
    """Open a package from an office: it must be encrypted to this commune, signed by an office
    whose key was recorded, and only about that office's programmes. Stores it as received (not
    yet applied)."""
    keys = ensure_keys(ctx)
    known = {o.fingerprint: o for o in offices(ctx.db)} or {None: find_office(ctx.db, "")}
    sender = {}

    def resolve(fp, _manifest_bytes):
        if fp not in known:
            names = ", ".join(o.name for o in known.values())
            raise PackageRejected(f"Gói không do đơn vị cấp trên nào của xã ký ({names}); khóa {fp} lạ. Không nhận.",
                                  reader.UNCONFIRMED)
        sender["office"] = known[fp]
        return known[fp].card.signing_public

    opened = reader.open_package(data, keys.identity, resolve)
    m = opened.manifest
    code = settings.commune(ctx.db)["code"]
    if m.get("type") != "down" or m.get("commune_code") != code:
        raise PackageRejected("Gói này không phải gói cấp trên gửi cho xã này.", reader.NOT_FOR_US)
    if m.get("kind") not in DOWN_KINDS:
        raise PackageRejected(f"Loại gói “{m.get('kind')}” phần mềm chưa biết; hãy cập nhật phần mềm.")
    reader.check(m, _DOWN_MANIFEST)
    items = opened.member_json("items.json")
    problems = down_item_problems(m["kind"], items)
    if problems:
        raise PackageRejected("Gói có mục không hợp lệ, không nhận: " + "; ".join(problems[:5]) + ".")
    office = sender["office"]
    pkg = DownPackage(m["package_id"], m["kind"], clean(m["title"]), items, m["created_at"], office=office.name)
    outside = {item_program(pkg.kind, item) for item in items} - set(office.programs)
    if outside:
        raise PackageRejected(f"Gói của {office.name} có mục thuộc chương trình "
                              f"{scope.describe(outside) or 'không rõ'}, mà xã "
                              f"không báo cáo {office.name} (đơn vị nhận: {scope.describe(office.programs)}). "
                              "Không nhận.", reader.NOT_FOR_US)
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR IGNORE INTO sync_down (id, office_id, kind, title, payload, issued_at, received_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [pkg.id, office.id, pkg.kind, pkg.title, json.dumps(items, ensure_ascii=False), pkg.issued_at,
             _now(ctx)])
    pkg.status = ctx.db.execute("SELECT status FROM sync_down WHERE id = ?", [pkg.id]).fetchone()[0]
    return pkg


def describe_items(kind: str, items: list[dict]) -> list[str]:
    """One line per item of a down package, for the officer to read before accepting it."""
    if kind == "base_level":
        return [f"Mức chuẩn {PROGRAM_LABELS.get(i['program'], i['program'])}: {format_vnd(int(i['amount']))} "
                f"từ ngày {dt.date.fromisoformat(i['valid_from']):%d/%m/%Y}" for i in items]
    return [f"{BY_CODE[i['category']].label if i['category'] in BY_CODE else i['category']}: "
            f"{format_vnd(i['amount'])}" for i in items]


def item_program(kind: str, item: dict) -> str | None:
    """The programme an item of a down package is about (a base level's, a gift's group's)."""
    return item["program"] if kind == "base_level" else scope.category_program(item["category"])


def down_item_problems(kind: str, items) -> list[str]:
    """What is wrong with the items of a package sent down, one message per bad item (empty when
    all are right): the office checks before sending, the commune again before storing."""
    if not isinstance(items, list) or not items or len(items) > MAX_DOWN_ITEMS:
        return [f"Gói gửi xuống cần từ 1 đến {MAX_DOWN_ITEMS} mục."]
    problems = []
    for i, item in enumerate(items, start=1):
        try:
            reader.check(item, _DOWN_ITEMS[kind], f"mục {i}")
            if kind == "base_level":
                day = dt.date.fromisoformat(item["valid_from"])
                if not 1900 <= day.year <= 2100:
                    raise ValueError(day)
        except (PackageRejected, ValueError):
            problems.append(f"Mục {i} không hợp lệ: {_item_text(kind, item)}")
    return problems


def _item_text(kind: str, item) -> str:
    if not isinstance(item, dict):
        return excerpt(item)
    keys = ("program", "valid_from", "amount") if kind == "base_level" else ("category", "amount")
    return excerpt(", ".join(f"{key} = {item.get(key)!r}" for key in keys), 120)


def decide_down(ctx: Context, package_id: str, accept: bool, reason: str = "") -> DownPackage:
    """Accept (apply) or reject a received down package; the decision travels up with the next package.

    A new base level is added to the dated base levels; a gift list is kept for the officer to
    use when setting up the Tết session.
    """
    row = ctx.db.execute("SELECT d.id, d.kind, d.title, d.payload, d.issued_at, d.status, o.name FROM sync_down d "
                         "LEFT JOIN sync_offices o ON o.id = d.office_id WHERE d.id = ?", [package_id]).fetchone()
    if row is None:
        raise NotFound(f"Không có gói cấp trên mã {package_id}.")
    pkg = DownPackage(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6] or "")
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
    """Packages received from the offices, newest first, with the office's name (``payload``
    decoded as ``items``)."""
    where, params = [], []
    if kind:
        where.append("d.kind = ?")
        params.append(kind)
    if status:
        where.append("d.status = ?")
        params.append(status)
    sql = ("SELECT d.*, o.name AS office FROM sync_down d LEFT JOIN sync_offices o ON o.id = d.office_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY d.received_at DESC")
    out = []
    for r in db.query(sql, params):
        r = dict(r)
        r["items"] = json.loads(r.pop("payload"))
        out.append(r)
    return out
