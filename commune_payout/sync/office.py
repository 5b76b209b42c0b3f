"""The office side of sync: the same app run by the office above the communes, on its own database file.

The office registers its communes, confirms each commune's key by phone, imports packages in
any number and order, keeps consolidated copies of every commune's rows (keyed by commune and
row key, never edited here: docs/sync.md rule 1), issues receipts and sends packages down.
"""

from dataclasses import dataclass, field
from pathlib import Path

from commune_payout import atomic, geo, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import FileUnreadable, NotFound, PackageRejected, UserError
from commune_payout.sync import consolidate, package, reader, scope
from commune_payout.sync import keys as keymod
from commune_payout.sync.commune import DOWN_KINDS, down_item_problems, item_program
from commune_payout.sync.reader import rejected
from commune_payout.sync.receipts import ack_code, make_ack_file
from commune_payout.text import clean


def init_office(ctx: Context, name: str, programs=scope.PROGRAMS) -> keymod.KeyPair:
    """Turn an empty database into the office's: its key pair under the office's name, and the
    programmes it receives (rows of other programmes are refused)."""
    if settings.is_initialised(ctx.db) or keymod.other_role_present(ctx.db, "office"):
        raise UserError("Đây là cơ sở dữ liệu của một xã. Đơn vị cấp trên cần một tệp cơ sở dữ liệu riêng (--db).")
    name = clean(name)
    if not name:
        raise UserError("Cần tên đơn vị cấp trên, ví dụ “Sở Y tế tỉnh Phú Thọ”.")
    if len(name) > settings.OFFICE_NAME_LIMIT:      # a longer name would not fit the key card the communes read
        raise UserError(f"Tên đơn vị cấp trên dài quá {settings.OFFICE_NAME_LIMIT} ký tự: hãy viết gọn.")
    with write_transaction(ctx.db):
        pair = keymod.generate(ctx.db, "office", name, ctx.clock.now())
        set_programs(ctx, programs)
    return pair


def office_keys(db) -> keymod.KeyPair:
    return keymod.load(db, "office")


def is_office(db) -> bool:
    """Whether ``db`` is an office's database (``init_office`` made it so), not a commune's."""
    return db.execute("SELECT 1 FROM sync_keys WHERE role = 'office'").fetchone() is not None


def programs(db) -> tuple[str, ...]:
    """The programmes this office receives (every programme for an office set up before 2026)."""
    return tuple(settings.get(db, "office_programs") or scope.PROGRAMS)


def set_programs(ctx: Context, chosen) -> tuple[str, ...]:
    """Record the programmes this office receives (codes, or text such as ``"btxh,htxh"``)."""
    chosen = scope.parse(chosen if isinstance(chosen, str) else ",".join(chosen))
    settings.put(ctx.db, "office_programs", list(chosen))
    return chosen


def _now(ctx: Context) -> str:
    return ctx.clock.now().isoformat(sep=" ")


def add_commune(ctx: Context, code) -> dict:
    """Register a commune from the official list; its key is confirmed later, by phone."""
    office_keys(ctx.db)
    found = geo.find_commune(code)
    with write_transaction(ctx.db):
        if ctx.db.execute("SELECT 1 FROM office_communes WHERE code = ?", [found.code]).fetchone():
            raise UserError(f"{found.name} ({found.code}) đã được đăng ký.")
        ctx.db.execute("INSERT INTO office_communes (code, name, province_name, added_at) VALUES (?, ?, ?, ?)",
                       [found.code, found.name, found.province_name, _now(ctx)])
    return {"code": found.code, "name": found.name, "province_name": found.province_name}


def _commune(db, code: str) -> dict:
    row = db.execute("SELECT code, name, signing_public, age_recipient, fingerprint, confirmed_at "
                     "FROM office_communes WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFound(f"Xã có mã {code} chưa được đăng ký với đơn vị này (office add-commune {code}).")
    return dict(zip(("code", "name", "signing_public", "age_recipient", "fingerprint", "confirmed_at"), row))


MAX_HELD = 10


@dataclass
class ImportResult:
    """What happened to one package file: applied, already, waiting, superseded or rejected (or
    would_apply in a dry run). ``reason`` is the class of a refusal (a key of
    :data:`reader.REASONS`), or what a waiting package waits for (``key`` or ``gap``)."""

    name: str
    status: str
    message: str
    commune_code: str = ""
    seq: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    problems: list[str] = field(default_factory=list)
    reason: str = ""

    def as_dict(self) -> dict:
        return {"file": self.name, "status": self.status, "reason": self.reason, "commune": self.commune_code,
                "seq": self.seq, "counts": self.counts, "deleted": self.deleted, "message": self.message,
                "problems": self.problems}


def _refused(name: str, exc: PackageRejected, code: str = "", seq: int = 0) -> ImportResult:
    return ImportResult(name, "rejected", str(exc), code, seq, problems=getattr(exc, "problems", []),
                        reason=getattr(exc, "kind", reader.INVALID))


@dataclass
class _Candidate:
    """A package opened and verified, with who signed it and whether that key is confirmed."""

    name: str
    data: bytes
    opened: reader.Opened
    confirmed: bool

    @property
    def code(self) -> str:
        return self.opened.manifest["commune"]["code"]

    @property
    def seq(self) -> int:
        return self.opened.manifest["seq"]


def _sender(manifest_bytes: bytes) -> tuple[str, keymod.PublicCard, str]:
    """(claimed commune code, key card, its fingerprint) from a manifest not yet trusted."""
    manifest = reader.parse_json(manifest_bytes, "bảng kê")
    reader.check(manifest, consolidate.SENDER)
    sender = manifest["sender"]
    card = keymod.PublicCard(sender["name"], sender["signing_public"], sender["age_recipient"])
    try:
        return manifest["commune"]["code"], card, card.fingerprint
    except UserError as exc:
        raise rejected(reader.INVALID, "Gói bị hỏng: khóa của bên gửi trong bảng kê không hợp lệ.") from exc


def _open(db, keys: keymod.KeyPair, name: str, data: bytes) -> _Candidate:
    """Decrypt and verify. A package signed by a key that is not its commune's confirmed key is
    verified against the key it carries and marked unconfirmed, provided its commune has no
    confirmed key yet; a commune with a confirmed key accepts no other."""
    state = {}

    def resolve(fp, manifest_bytes):
        row = db.execute("SELECT code, signing_public FROM office_communes WHERE fingerprint = ? "
                         "AND confirmed_at IS NOT NULL", [fp]).fetchone()
        if row:
            state.update(code=row[0], confirmed=True)
            return row[1]
        claimed, card, card_fp = _sender(manifest_bytes)
        try:
            commune = _commune(db, claimed)
        except NotFound as exc:
            raise rejected(reader.NOT_FOR_US, f"Gói tự nhận là của xã {claimed}, nhưng xã này chưa được đăng ký "
                                              "với đơn vị này.") from exc
        if commune["confirmed_at"]:
            raise rejected(reader.UNCONFIRMED,
                           f"Gói được ký bằng khóa lạ ({fp}), không phải khóa đã xác nhận của {commune['name']} "
                           f"({commune['fingerprint']}). Nếu xã đã tạo khóa mới, gọi điện đối chiếu rồi chạy: "
                           f"office confirm-key {claimed} {fp} --package TỆP")
        if card_fp != fp:
            raise rejected(reader.INVALID, "Gói bị sửa: khóa trong bảng kê không khớp với chữ ký.")
        state.update(code=claimed, confirmed=False)
        return card.signing_public

    opened = reader.open_package(data, keys.identity, resolve)
    consolidate.check_manifest(opened.manifest)
    if opened.manifest["commune"]["code"] != state["code"]:
        raise rejected(reader.UNCONFIRMED, f"Gói được ký bằng khóa của xã {state['code']} nhưng tự nhận là của xã "
                                           f"{opened.manifest['commune']['code']}.")
    return _Candidate(name, data, opened, state["confirmed"])


def _state(db, code: str) -> tuple[int, int]:
    """(last applied sequence, last applied version) of a commune."""
    row = db.execute("SELECT coalesce(max(seq), 0), coalesce(max(to_version), 0) FROM office_packages "
                     "WHERE commune_code = ? AND status = 'applied'", [code]).fetchone()
    return row[0], row[1]


def _wait(ctx: Context, cand: _Candidate) -> None:
    m = cand.opened.manifest
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR IGNORE INTO office_packages (id, commune_code, seq, from_version, to_version, rows, sha256, "
            "manifest_sha256, size, status, wait_reason, data, received_at) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 'waiting', 'gap', ?, ?)",
            [m["package_id"], cand.code, cand.seq, m["from_version"], m["to_version"], package.sha256(cand.data),
             cand.opened.manifest_sha256, len(cand.data), cand.data, _now(ctx)])


def _hold(ctx: Context, cand: _Candidate, dry_run: bool) -> ImportResult:
    """Keep a package signed by a key not yet confirmed in quarantine, apart from the sequence."""
    code, seq, fp = cand.code, cand.seq, cand.opened.signer_fingerprint
    digest = package.sha256(cand.data)
    message = (f"Gói số {seq} của xã {code} đang chờ, được giữ riêng vì khóa ký gói ({fp}) chưa được xác nhận. Gọi điện cho "
               f"xã đối chiếu dấu vân tay, rồi chạy: office confirm-key {code} {fp}")
    if ctx.db.execute("SELECT 1 FROM office_quarantine WHERE sha256 = ?", [digest]).fetchone():
        return ImportResult(cand.name, "waiting", message, code, seq, reason="key")
    held = ctx.db.execute("SELECT count(*) FROM office_quarantine WHERE commune_code = ?", [code]).fetchone()[0]
    if held >= MAX_HELD:
        raise rejected(reader.UNCONFIRMED,
                       f"Đã giữ {held} gói mang tên xã {code} chưa xác nhận khóa; không giữ thêm. Gọi điện cho xã "
                       f"đối chiếu dấu vân tay, rồi chạy: office confirm-key {code} DẤU-VÂN-TAY --package TỆP")
    if not dry_run:
        card = cand.opened.manifest["sender"]
        with write_transaction(ctx.db):
            ctx.db.execute("INSERT INTO office_quarantine (sha256, commune_code, fingerprint, signer_name, package_id, "
                           "seq, size, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [digest, code, fp, card["name"], cand.opened.manifest["package_id"], seq, len(cand.data),
                            cand.data, _now(ctx)])
    return ImportResult(cand.name, "waiting", message, code, seq, reason="key")


def _classify(ctx: Context, cand: _Candidate, dry_run: bool) -> ImportResult:
    """Apply a verified package, or say why not: already applied, a replay, or waiting."""
    if not cand.confirmed:
        return _hold(ctx, cand, dry_run)
    m = cand.opened.manifest
    code, seq = cand.code, cand.seq
    result = ImportResult(cand.name, "", "", code, seq)
    known = ctx.db.execute("SELECT commune_code, status FROM office_packages WHERE id = ?", [m["package_id"]]).fetchone()
    if known and known[0] != code:
        raise rejected(reader.INVALID, f"Gói số {seq} của xã {code} mang mã gói của một xã khác; không nhận.")
    if known and known[1] == "applied":
        result.status, result.message = "already", f"Gói số {seq} của xã {code} đã được nhập trước đây; bỏ qua."
        return result
    other = ctx.db.execute("SELECT id FROM office_packages WHERE commune_code = ? AND seq = ? AND id != ?",
                           [code, seq, m["package_id"]]).fetchone()
    last_seq, applied = _state(ctx.db, code)
    restored = (f" Nếu xã đã khôi phục dữ liệu từ bản sao lưu, xã hãy gửi lại toàn bộ: "
                f"sync export --full --after {last_seq}")
    if other:
        raise rejected(reader.REPLAY, f"Gói số {seq} của xã {code} trùng số thứ tự với một gói khác đã nhận; "
                                      "không nhận." + restored)
    if seq < last_seq:
        raise rejected(reader.REPLAY, f"Gói số {seq} của xã {code} cũ hơn gói số {last_seq} đã nhập (gói gửi lại): "
                                      "bị từ chối, dữ liệu của nó đã có trong các gói sau." + restored)
    if m["from_version"] > applied + 1:
        missing = list(range(last_seq + 1, seq)) or [last_seq + 1]
        result.status, result.reason = "waiting", "gap"
        result.message = (f"Gói số {seq} của xã {code} đang chờ gói số {', '.join(map(str, missing))} "
                          f"(thiếu dữ liệu từ phiên bản {applied + 1}); sẽ tự nhập khi nhận được.")
        if not dry_run and not known:
            _wait(ctx, cand)
        return result
    counts, deleted = consolidate.apply_package(ctx, cand.opened, package.sha256(cand.data), len(cand.data),
                                                programs(ctx.db), dry_run=dry_run)
    result.counts, result.deleted = counts, deleted
    total = sum(counts.values())
    if dry_run:
        result.status = "would_apply"
        result.message = f"Gói số {seq} của xã {code}: sẽ nhập {total} dòng, xóa {deleted}."
    else:
        result.status, result.message = "applied", f"Đã nhập gói số {seq} của xã {code}: {total} dòng, xóa {deleted}."
    return result


def import_files(ctx: Context, paths, dry_run: bool = False, progress=None) -> list[ImportResult]:
    """Import any number of package files in any order; each file succeeds or fails on its own,
    and each package is applied in its own transaction.

    Every file is opened and verified first, keeping only its commune and sequence; then the
    packages are opened again one at a time and applied in sequence order per commune, so memory
    does not grow with the number of files. One that assumes data not yet received waits and is
    applied as soon as the missing package arrives. ``dry_run`` reports what would happen and
    writes nothing. ``progress(done, total, name)``, if given, is called as each file is opened
    and then applied (the window's progress bar).
    """
    keys = office_keys(ctx.db)
    results, found = [], []
    files = reader.find_files(paths)
    steps = 2 * len(files)
    for i, f in enumerate(files):
        if progress:
            progress(i, steps, f.name)
        if f.problem:
            results.append(ImportResult(f.name, "rejected", f.problem, reason=reader.DAMAGED))
            continue
        try:
            cand = _open(ctx.db, keys, f.name, f.read())
        except PackageRejected as exc:
            results.append(_refused(f.name, exc))
            continue
        except FileUnreadable as exc:
            results.append(ImportResult(f.name, "rejected", str(exc), reason=reader.DAMAGED))
            continue
        found.append((cand.code, cand.seq, i, f))
    found.sort(key=lambda item: item[:3])
    for step, (code, seq, _, f) in enumerate(found, start=len(files)):
        if progress:
            progress(step, steps, f.name)
        try:
            results.append(_classify(ctx, _open(ctx.db, keys, f.name, f.read()), dry_run))
        except PackageRejected as exc:
            results.append(_refused(f.name, exc, code, seq))
        except FileUnreadable as exc:
            results.append(ImportResult(f.name, "rejected", str(exc), code, seq, reason=reader.DAMAGED))
    if not dry_run:
        for code in sorted({code for code, _, _, _ in found}):
            results += _drain(ctx, keys, code)
    return results


def _drain(ctx: Context, keys: keymod.KeyPair, code: str) -> list[ImportResult]:
    """Apply waiting packages of ``code`` that the packages now applied make applicable."""
    results = []
    while True:
        last_seq, applied = _state(ctx.db, code)
        rows = ctx.db.execute("SELECT id, seq, from_version FROM office_packages WHERE commune_code = ? "
                              "AND status = 'waiting' ORDER BY seq", [code]).fetchall()
        progressed = False
        for pid, seq, from_version in rows:
            name = f"gói số {seq} đang chờ"
            if seq < last_seq:
                with write_transaction(ctx.db):
                    ctx.db.execute("DELETE FROM office_packages WHERE id = ?", [pid])
                results.append(ImportResult(name, "superseded", f"Gói số {seq} của xã {code} đang chờ đã bị các "
                                            "gói sau thay thế; bỏ.", code, seq))
                continue
            if from_version > applied + 1:
                continue
            data = ctx.db.execute("SELECT data FROM office_packages WHERE id = ?", [pid]).fetchone()[0]
            try:
                cand = _open(ctx.db, keys, name, data)
                counts, deleted = consolidate.apply_package(ctx, cand.opened, package.sha256(data), len(data),
                                                            programs(ctx.db))
            except PackageRejected as exc:
                with write_transaction(ctx.db):
                    ctx.db.execute("DELETE FROM office_packages WHERE id = ?", [pid])
                results.append(_refused(name, exc, code, seq))
                continue
            results.append(ImportResult(name, "applied", f"Đã nhập gói số {seq} của xã {code} (đã đủ gói trước nó).",
                                        code, seq, counts, deleted))
            progressed = True
            break
        if not progressed:
            return results


def confirm_key(ctx: Context, code, fingerprint: str, data: bytes | None = None) -> list[ImportResult]:
    """Confirm a commune's key after comparing its fingerprint by phone, then apply, in order, the
    packages held in quarantine that this key signed, and discard the others.

    The key is taken from a held package whose fingerprint is the one read over the phone, or
    from ``data``, a package file (a commune that made a new key, or a quarantine that was
    full); that package is then imported too.
    """
    keys = office_keys(ctx.db)
    commune = _commune(ctx.db, geo.find_commune(code).code)
    fp = keymod.normalise_fingerprint(fingerprint)
    blobs = [data] if data is not None else [r[0] for r in ctx.db.execute(
        "SELECT data FROM office_quarantine WHERE commune_code = ? AND fingerprint = ? ORDER BY seq",
        [commune["code"], fp])]
    card = None
    for blob in blobs:
        try:
            opened = reader.open_package(blob, keys.identity, lambda s, mb: _self_key(s, mb, fp))
        except PackageRejected:
            if data is not None:
                raise
            continue
        if opened.manifest.get("commune", {}).get("code") == commune["code"]:
            sender = opened.manifest["sender"]
            card = keymod.PublicCard(sender["name"], sender["signing_public"], sender["age_recipient"])
            break
    if card is None:
        raise UserError(f"Không có gói nào của {commune['name']} mang khóa có dấu vân tay {fp}. Hãy kiểm tra lại dấu "
                        "vân tay đọc qua điện thoại, hoặc chỉ ra gói của xã: --package TỆP.")
    with write_transaction(ctx.db):
        ctx.db.execute("UPDATE office_communes SET signing_public = ?, age_recipient = ?, fingerprint = ?, "
                       "confirmed_at = ? WHERE code = ?",
                       [card.signing_public, card.age_recipient, card.fingerprint, _now(ctx), commune["code"]])
    results = []
    if data is not None:
        try:
            results.append(_classify(ctx, _open(ctx.db, keys, "gói kèm theo", data), dry_run=False))
        except PackageRejected as exc:
            results.append(_refused("gói kèm theo", exc, commune["code"]))
    return results + _release(ctx, keys, commune["code"], fp) + _drain(ctx, keys, commune["code"])


def _release(ctx: Context, keys: keymod.KeyPair, code: str, fp: str) -> list[ImportResult]:
    """Empty a commune's quarantine once its key is confirmed: packages signed with ``fp`` are
    applied (or wait) in sequence order, the others are discarded with the reason."""
    results = []
    for digest, held_fp, seq in ctx.db.execute("SELECT sha256, fingerprint, seq FROM office_quarantine "
                                               "WHERE commune_code = ? ORDER BY seq", [code]).fetchall():
        name = f"gói số {seq} được giữ"
        if held_fp != fp:
            results.append(ImportResult(name, "rejected", f"Gói số {seq} mang tên xã {code} được ký bằng khóa {held_fp}, "
                                        f"không phải khóa đã xác nhận ({fp}): đã bỏ.", code, seq,
                                        reason=reader.UNCONFIRMED))
        else:
            data = ctx.db.execute("SELECT data FROM office_quarantine WHERE sha256 = ?", [digest]).fetchone()[0]
            try:
                results.append(_classify(ctx, _open(ctx.db, keys, name, data), dry_run=False))
            except PackageRejected as exc:
                results.append(_refused(name, exc, code, seq))
        with write_transaction(ctx.db):
            ctx.db.execute("DELETE FROM office_quarantine WHERE sha256 = ?", [digest])
    return results


def _self_key(signer_fp: str, manifest_bytes: bytes, wanted_fp: str) -> str:
    """The key a package carries, provided it is the one confirmed by phone and the one that signed."""
    _, card, card_fp = _sender(manifest_bytes)
    if card_fp != wanted_fp or signer_fp != wanted_fp:
        raise rejected(reader.UNCONFIRMED, f"Khóa của gói ({signer_fp}) không khớp dấu vân tay {wanted_fp}.")
    return card.signing_public


def quarantine(db, code: str | None = None) -> list[dict]:
    """Packages held until their commune's key is confirmed, with the fingerprint that signed each."""
    sql = ("SELECT q.commune_code, c.name AS commune_name, q.fingerprint, q.signer_name, q.seq, q.size, "
           "q.received_at FROM office_quarantine q JOIN office_communes c ON c.code = q.commune_code")
    params = []
    if code:
        sql += " WHERE q.commune_code = ?"
        params.append(code)
    return [dict(r) for r in db.query(sql + " ORDER BY q.commune_code, q.fingerprint, q.seq", params)]


def communes_status(db) -> list[dict]:
    """Each registered commune: key confirmed?, last sequence and version applied, last import,
    packages waiting and the sequence numbers still missing, packages held in quarantine (by
    the fingerprint that signed them), people on file."""
    out = []
    people = dict(db.execute("SELECT commune_code, count(*) FROM office_beneficiaries GROUP BY commune_code").fetchall())
    for code, name, fp, confirmed in db.execute(
            "SELECT code, name, fingerprint, confirmed_at FROM office_communes ORDER BY code").fetchall():
        last_seq, applied = _state(db, code)
        last_import = db.execute("SELECT max(applied_at) FROM office_packages WHERE commune_code = ? "
                                 "AND status = 'applied'", [code]).fetchone()[0]
        waiting = [r[0] for r in db.execute("SELECT seq FROM office_packages WHERE commune_code = ? "
                                            "AND status = 'waiting' ORDER BY seq", [code])]
        missing = list(range(last_seq + 1, waiting[0])) if waiting else []
        held: dict[str, list[int]] = {}
        for held_fp, seq in db.execute("SELECT fingerprint, seq FROM office_quarantine WHERE commune_code = ? "
                                       "ORDER BY fingerprint, seq", [code]):
            held.setdefault(held_fp, []).append(seq)
        down = dict(db.execute("SELECT status, count(*) FROM office_down WHERE commune_code = ? GROUP BY status",
                               [code]).fetchall())
        out.append({"code": code, "name": name, "fingerprint": fp, "confirmed": bool(confirmed),
                    "last_seq": last_seq, "applied_version": applied, "last_import": last_import,
                    "waiting": waiting, "missing": missing, "held": held, "people": people.get(code, 0),
                    "down": down})
    return out


def make_ack(ctx: Context, code) -> tuple[bytes, str, dict]:
    """The receipt for a commune: (signed file bytes, phone code, its content)."""
    keys = office_keys(ctx.db)
    commune = _commune(ctx.db, geo.find_commune(code).code)
    row = ctx.db.execute("SELECT id, seq, to_version, manifest_sha256 FROM office_packages WHERE commune_code = ? "
                         "AND status = 'applied' ORDER BY seq DESC LIMIT 1", [commune["code"]]).fetchone()
    if row is None:
        raise UserError(f"Chưa nhập gói nào của {commune['name']}: chưa có gì để xác nhận.")
    ack = {"commune_code": commune["code"], "package_id": row[0], "seq": row[1], "version": row[2],
           "manifest_sha256": row[3], "issued_at": _now(ctx)}
    return make_ack_file(ack, keys), ack_code(row[3], row[1], row[2]), ack


def write_acks(ctx: Context, folder, codes=None) -> list[tuple[str, str]]:
    """Write a receipt file per commune (all with an applied package, or ``codes``) into ``folder``;
    returns (path, phone code) pairs."""
    if codes is None:
        codes = [r[0] for r in ctx.db.execute(
            "SELECT DISTINCT commune_code FROM office_packages WHERE status = 'applied' ORDER BY commune_code")]
    out = []
    for code in codes:
        data, phone, ack = make_ack(ctx, code)
        path = atomic.write_bytes(Path(folder) / f"{ack['commune_code']}-bien-nhan-goi{ack['seq']:04d}.json", data)
        out.append((str(path), phone))
    return out


def sent_down(db) -> list[dict]:
    """Packages sent down, newest first, with each commune's answer (sent, accepted, rejected)."""
    return [dict(r) for r in db.query(
        "SELECT d.id, d.commune_code, c.name AS commune_name, d.kind, d.title, d.file_name, d.created_at, "
        "d.status, d.decided_at, d.reason FROM office_down d JOIN office_communes c ON c.code = d.commune_code "
        "ORDER BY d.created_at DESC, c.name")]


def send_down(ctx: Context, code, kind: str, title: str, items: list[dict], folder) -> Path:
    """Write a package for one commune (a new base level, a Tết gift list), signed by the office
    and encrypted to the commune's confirmed key. The commune accepts or rejects it."""
    if kind not in DOWN_KINDS:
        raise UserError(f"Loại gói “{kind}” không có; chọn một trong: {', '.join(DOWN_KINDS)}.")
    problems = down_item_problems(kind, items)
    if problems:
        raise UserError("; ".join(problems) + ".")
    ours = programs(ctx.db)
    outside = {item_program(kind, item) for item in items} - set(ours)
    if outside:
        raise UserError(f"Gói có mục thuộc chương trình {scope.describe(outside) or 'không rõ'}, mà đơn vị này "
                        f"không phụ trách (đơn vị nhận: {scope.describe(ours)}).")
    keys = office_keys(ctx.db)
    commune = _commune(ctx.db, geo.find_commune(code).code)
    if not commune["confirmed_at"]:
        raise UserError(f"Chưa xác nhận khóa của {commune['name']}: chưa thể gửi gói mã hóa cho xã.")
    pid = new_id()
    manifest = {"type": "down", "package_id": pid, "commune_code": commune["code"], "kind": kind,
                "title": title or DOWN_KINDS[kind], "created_at": _now(ctx), "office": keys.card.name}
    data, _ = package.build(manifest, {"items.json": package.canonical_json(items)}, keys, commune["age_recipient"])
    path = atomic.write_bytes(Path(folder) / f"{commune['code']}-cap-tren-{kind}-{ctx.clock.today():%Y%m%d}-{pid[:8]}"
                                             f"{package.SUFFIX}", data)
    with write_transaction(ctx.db):
        ctx.db.execute("INSERT INTO office_down (id, commune_code, kind, title, file_name, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [pid, commune["code"], kind, manifest["title"], path.name, manifest["created_at"]])
    return path
