"""The office side of sync: the same app in upstream mode, on its own database file.

The office registers its communes, confirms each commune's key by phone, imports packages in
any number and order, keeps consolidated copies of every commune's rows (keyed by commune,
table and row id, never edited here: SYNC.md rule 1), issues receipts and sends packages down.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from commune_payout import atomic, geo, settings
from commune_payout.context import Context
from commune_payout.db import new_id, write_transaction
from commune_payout.errors import NotFound, PackageRejected, UserError
from commune_payout.sync import keys as keymod
from commune_payout.sync import commune, package, tables
from commune_payout.sync.commune import DOWN_KINDS
from commune_payout.sync.receipts import ack_code, make_ack_file

MAX_PROBLEMS_SHOWN = 10


class RowsRejected(PackageRejected):
    """A package refused for its rows; ``problems`` lists every bad row, not only the first."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message)
        self.problems = problems


def init_office(ctx: Context, name: str) -> keymod.KeyPair:
    """Turn an empty database into the office's: create its key pair under the office's name."""
    if settings.is_initialised(ctx.db) or keymod.other_role_present(ctx.db, "upstream"):
        raise UserError("Đây là cơ sở dữ liệu của một xã. Đơn vị cấp trên cần một tệp cơ sở dữ liệu riêng (--db).")
    if not str(name).strip():
        raise UserError("Cần tên đơn vị cấp trên, ví dụ “Sở Y tế tỉnh Phú Thọ”.")
    return keymod.generate(ctx.db, "upstream", name, ctx.clock.now())


def office_keys(db) -> keymod.KeyPair:
    return keymod.load(db, "upstream")


def is_office(db) -> bool:
    """Whether ``db`` is an office's database (``init_office`` made it so), not a commune's."""
    return db.execute("SELECT 1 FROM sync_keys WHERE role = 'upstream'").fetchone() is not None


def _now(ctx: Context) -> str:
    return ctx.clock.now().isoformat(sep=" ")


def add_commune(ctx: Context, code) -> dict:
    """Register a commune from the official list; its key is confirmed later, by phone."""
    office_keys(ctx.db)
    found = geo.find_commune(code)
    with write_transaction(ctx.db):
        if ctx.db.execute("SELECT 1 FROM up_communes WHERE code = ?", [found.code]).fetchone():
            raise UserError(f"{found.name} ({found.code}) đã được đăng ký.")
        ctx.db.execute("INSERT INTO up_communes (code, name, province_name, added_at) VALUES (?, ?, ?, ?)",
                       [found.code, found.name, found.province_name, _now(ctx)])
    return {"code": found.code, "name": found.name, "province_name": found.province_name}


def _commune(db, code: str) -> dict:
    row = db.execute("SELECT code, name, signing_public, age_recipient, fingerprint, confirmed_at "
                     "FROM up_communes WHERE code = ?", [code]).fetchone()
    if row is None:
        raise NotFound(f"Xã có mã {code} chưa được đăng ký với đơn vị này (district add-commune {code}).")
    return dict(zip(("code", "name", "signing_public", "age_recipient", "fingerprint", "confirmed_at"), row))


@dataclass
class ImportResult:
    """What happened to one package: applied, already, waiting, rejected (or would_apply in a dry run)."""

    name: str
    status: str
    message: str
    commune_code: str = ""
    seq: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"file": self.name, "status": self.status, "commune": self.commune_code, "seq": self.seq,
                "counts": self.counts, "deleted": self.deleted, "message": self.message, "problems": self.problems}


@dataclass
class _Candidate:
    name: str
    data: bytes
    opened: package.Opened
    confirmed: bool


def _open(db, keys: keymod.KeyPair, name: str, data: bytes) -> _Candidate:
    """Decrypt and verify; a first package from a commune whose key is not yet confirmed is
    verified against the key it carries and marked unconfirmed."""
    state = {}

    def resolve(fp, manifest_bytes):
        row = db.execute("SELECT code, signing_public FROM up_communes WHERE fingerprint = ? "
                         "AND confirmed_at IS NOT NULL", [fp]).fetchone()
        if row:
            state.update(code=row[0], confirmed=True)
            return row[1]
        try:
            m = json.loads(manifest_bytes)
            claimed, sender = str(m["commune"]["code"]), m["sender"]
            card = keymod.PublicCard(sender["name"], sender["signing_public"], sender["age_recipient"])
            card_fp = card.fingerprint
        except (ValueError, KeyError, TypeError, UserError) as exc:
            raise PackageRejected("Gói không rõ người gửi: bảng kê không đọc được.") from exc
        try:
            commune = _commune(db, claimed)
        except NotFound as exc:
            raise PackageRejected(f"Gói tự nhận là của xã {claimed}, nhưng xã này chưa được đăng ký "
                                  "với đơn vị này.") from exc
        if commune["confirmed_at"]:
            raise PackageRejected(
                f"Gói được ký bằng khóa lạ ({fp}), không phải khóa đã xác nhận của {commune['name']} "
                f"({commune['fingerprint']}). Nếu xã đã tạo khóa mới, gọi điện đối chiếu rồi chạy: "
                f"district confirm-key {claimed} DẤU-VÂN-TAY --package TỆP")
        if card_fp != fp:
            raise PackageRejected("Gói bị sửa: khóa trong bảng kê không khớp với chữ ký.")
        state.update(code=claimed, confirmed=False)
        return card.signing_public

    opened = package.open_package(data, keys.identity, resolve)
    m = opened.manifest
    _check_manifest(m)
    if m["commune"]["code"] != state["code"]:
        raise PackageRejected(f"Gói được ký bằng khóa của xã {state['code']} nhưng tự nhận là của xã "
                              f"{m['commune']['code']}.")
    return _Candidate(name, data, opened, state["confirmed"])


def _check_manifest(m: dict) -> None:
    """The shape of a signed manifest, checked before anything relies on it."""
    if m.get("type") != "up":
        raise PackageRejected("Đây không phải gói do xã gửi lên.")
    if not isinstance(m.get("commune"), dict) or not isinstance(m["commune"].get("code"), str):
        raise PackageRejected("Gói bị hỏng: bảng kê thiếu mã xã.")
    for key in ("package_id", "seq", "from_version", "to_version"):
        if not isinstance(m.get(key), (str if key == "package_id" else int)):
            raise PackageRejected(f"Gói bị hỏng: bảng kê thiếu “{key}”.")
    if m["seq"] < 1 or m["from_version"] < 1 or m["to_version"] < m["from_version"] - 1:
        raise PackageRejected("Gói bị hỏng: số thứ tự hoặc khoảng phiên bản không hợp lý.")
    entries = m.get("tables")
    deleted = m.get("deleted")
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("name"), str) and isinstance(e.get("rows"), int)
            and isinstance(e.get("columns"), list) and all(isinstance(c, str) for c in e["columns"])
            and isinstance(e.get("member"), str) and isinstance(e.get("rows_sha256"), str)
            for e in entries):
        raise PackageRejected("Gói bị hỏng: danh sách bảng trong bảng kê sai cấu trúc.")
    if deleted is not None and not (isinstance(deleted, dict) and isinstance(deleted.get("member"), str)):
        raise PackageRejected("Gói bị hỏng: mục xóa trong bảng kê sai cấu trúc.")
    if not isinstance(m.get("down_decisions") or [], list):
        raise PackageRejected("Gói bị hỏng: mục trả lời gói cấp trên sai cấu trúc.")


def _state(db, code: str) -> tuple[int, int]:
    """(last applied sequence, last applied version) of a commune."""
    row = db.execute("SELECT coalesce(max(seq), 0), coalesce(max(to_version), 0) FROM up_packages "
                     "WHERE commune_code = ? AND status = 'applied'", [code]).fetchone()
    return row[0], row[1]


def _parents(db, code: str, parent_table: str) -> set[str]:
    return {r[0] for r in db.execute("SELECT row_id FROM up_rows WHERE commune_code = ? AND table_name = ?",
                                     [code, parent_table])}


def _rows_to_apply(db, code: str, opened: package.Opened) -> tuple[list, list, dict[str, int], list[str]]:
    """Check every row and deletion against the signing commune; return (upserts, deletions, counts, problems)."""
    m = opened.manifest
    entries = m["tables"]
    order = {t.name: i for i, t in enumerate(tables.SYNCED)}
    unknown = [e["name"] for e in entries if e["name"] not in order]
    if unknown:
        raise PackageRejected(f"Gói có bảng phần mềm này chưa biết ({', '.join(map(str, unknown))}): "
                              "hãy cập nhật phần mềm ở đơn vị cấp trên.")
    upserts, deletions, counts, problems = [], [], {}, []
    by_table: dict[str, list] = {e["name"]: [] for e in entries}
    if len(by_table) != len(entries):
        raise PackageRejected("Gói bị hỏng: một bảng được kê hai lần.")
    deleted = m.get("deleted")
    removed: list[tuple[int, list]] = []
    if deleted:
        if deleted["member"] not in opened.members:
            raise PackageRejected("Gói bị hỏng: thiếu tệp các dòng đã xóa.")
        removed = list(package.iter_rows(opened.members[deleted["member"]], deleted["member"]))
    for name, rows in _decode(db, code, opened, entries, removed).items():
        by_table[name] = list(enumerate(rows, start=1))
    in_package: dict[str, set[str]] = {}
    parents: dict[str, set[str]] = {}
    for entry in sorted(entries, key=lambda e: order[e["name"]]):
        table = tables.BY_NAME[entry["name"]]
        cols = list(entry["columns"])
        if table.key not in cols or "version" not in cols:
            raise PackageRejected(f"Gói bị hỏng: bảng {table.name} thiếu cột khóa hoặc phiên bản.")
        key_i, ver_i = cols.index(table.key), cols.index("version")
        owner_i = cols.index(table.commune_column) if table.commune_column in cols else None
        if (table.commune_column and owner_i is None) or (table.parent and table.parent[0] not in cols):
            raise PackageRejected(f"Gói bị hỏng: bảng {table.name} thiếu cột mã xã.")
        parent_i, allowed = None, None
        if table.parent:
            parent_i = cols.index(table.parent[0])
            if table.parent[1] not in parents:
                parents[table.parent[1]] = _parents(db, code, table.parent[1])
            allowed = parents[table.parent[1]] | in_package.get(table.parent[1], set())
        existing = ({r[0]: r[1] for r in db.execute(
            "SELECT row_id, data FROM up_rows WHERE commune_code = ? AND table_name = ?", [code, table.name])}
            if table.append_only else None)
        ids = in_package.setdefault(table.name, set())
        count = 0
        for line, row in by_table[table.name]:
            where = f"{table.name} (dòng {line})"
            if len(row) != len(cols) or not isinstance(row[key_i], str) or not isinstance(row[ver_i], int):
                problems.append(f"{where}: dòng không đúng cấu trúc")
                continue
            if owner_i is not None and row[owner_i] != code:
                problems.append(f"{where}: thuộc xã {row[owner_i]}, không phải xã {code}")
                continue
            if parent_i is not None and (not isinstance(row[parent_i], str) or row[parent_i] not in allowed):
                problems.append(f"{where}: trỏ tới {table.parent[1]} {row[parent_i]} không thuộc xã {code}")
                continue
            data = json.dumps(dict(zip(cols, row)), ensure_ascii=False, separators=(",", ":"))
            if existing is not None and row[key_i] in existing and existing[row[key_i]] != data:
                problems.append(f"{where}: bút toán {row[key_i]} đã nhận trước đây, không được sửa")
                continue
            ids.add(row[key_i])
            upserts.append((code, table.name, row[key_i], row[ver_i], data))
            count += 1
        if len(by_table[table.name]) != entry["rows"]:
            problems.append(f"{table.name}: bảng kê ghi {entry['rows']} dòng, gói có {len(by_table[table.name])}")
        counts[table.name] = count
    for line, row in removed:
        ok = len(row) == 2 and all(isinstance(v, str) for v in row)
        table = tables.BY_NAME.get(row[0]) if ok else None
        if table is None or table.append_only:
            problems.append(f"xóa dòng {line}: không được xóa ở bảng {row[0] if ok else '?'}")
            continue
        deletions.append((code, table.name, row[1]))
    return upserts, deletions, counts, problems


def _decode(db, code: str, opened: package.Opened, entries: list[dict], removed: list) -> dict[str, list[list]]:
    """Rebuild every table's rows from its columns (package format 2), each checked against the
    SHA-256 the commune signed. References into the commune's register are resolved against
    this office's copy as it will be once the package is applied (the package's own rows and
    deletions over it; only the package's rows for a full package), after checking that copy
    is the commune's by the digest in the manifest."""
    m = opened.manifest
    order = {t.name: i for i, t in enumerate(tables.SYNCED)}
    decoded: dict[str, list[list]] = {}
    by_key: dict[str, dict] = {}
    declared = m.get("frames") or {}
    if not isinstance(declared, dict):
        raise PackageRejected("Gói bị hỏng: mục khung tham chiếu trong bảng kê sai cấu trúc.")
    office_people: dict = {}
    parsed: dict = {}

    def register_rows() -> dict:
        if not office_people and not m.get("full"):
            office_people.update({r[0]: r[1:] for r in db.execute(
                "SELECT row_id, version, data FROM up_rows WHERE commune_code = ? AND table_name = 'beneficiaries'",
                [code])})
        return office_people

    people_frame: list = []

    def frame(name):
        if name == commune.REGISTER_FRAME:
            if not people_frame:
                people_frame.append(_people_frame(declared, register_rows(), by_key.get("beneficiaries", {}),
                                                  removed, code))
            return people_frame[0]
        if isinstance(name, str) and name.startswith("rows:") and name[5:] in decoded:
            return list(by_key[name[5:]])
        raise ValueError(f"khung {name}")

    for entry in sorted(entries, key=lambda e: order[e["name"]]):
        table = tables.BY_NAME[entry["name"]]
        member = entry.get("member")
        if member not in opened.members:
            raise PackageRejected(f"Gói bị hỏng: thiếu tệp dữ liệu của bảng {table.name}.")
        try:
            specs = json.loads(opened.members[member])
        except ValueError as exc:
            raise PackageRejected(f"Gói bị hỏng: tệp {member} không đọc được.") from exc
        cols = list(entry["columns"])

        def source(ref_col, key, table=table):
            target = table.refs.get(ref_col)
            row = by_key.get(target, {}).get(key)
            if row is None and target == "beneficiaries" and key in register_rows():
                row = parsed.get(key)
                if row is None:
                    row = parsed[key] = json.loads(register_rows()[key][1])
            return row

        rows = package.decode_table(specs, cols, entry["rows"], frame, source, table.derive_key or _no_key, table.name)
        if package.rows_sha256(rows) != entry["rows_sha256"]:
            raise PackageRejected(f"Gói không khớp: các dòng bảng {table.name} dựng lại không khớp mã kiểm tra "
                                  "mà xã đã ký (không ghi gì).")
        decoded[table.name] = rows
        key_i = cols.index(table.key) if table.key in cols else None
        by_key[table.name] = {r[key_i]: dict(zip(cols, r)) for r in rows} if key_i is not None else {}
    return decoded


def _no_key(_row):
    raise ValueError("khóa")


def _people_frame(declared: dict, office: dict, in_package: dict, removed: list, code: str) -> list[str]:
    """The sorted ids of the commune's people once the package is applied, checked against the manifest."""
    expected = declared.get(commune.REGISTER_FRAME)
    if not isinstance(expected, dict):
        raise ValueError("khung danh sách đối tượng")
    versions = {key: row[0] for key, row in office.items()}
    versions.update({key: row.get("version") for key, row in in_package.items()})
    for _, row in removed:
        if len(row) == 2 and row[0] == "beneficiaries":
            versions.pop(row[1], None)
    keys, digest = commune.register_frame(list(versions.items()))
    if digest != expected.get("sha256"):
        raise PackageRejected(
            f"Danh sách đối tượng của xã {code} ở đơn vị này ({len(keys)} người) không khớp với máy của xã "
            f"({expected.get('rows')} người): gói tham chiếu tới danh sách đó nên không nhập được, không ghi gì. "
            "Xã hãy gửi gói toàn bộ: sync export --full")
    return keys


def _apply(ctx: Context, cand: _Candidate, write: bool) -> tuple[dict[str, int], int]:
    """Apply one package in one transaction, or refuse it whole with every bad row listed."""
    m = cand.opened.manifest
    code = m["commune"]["code"]
    with write_transaction(ctx.db):
        upserts, deletions, counts, problems = _rows_to_apply(ctx.db, code, cand.opened)
        if problems:
            shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
            more = f" (và {len(problems) - MAX_PROBLEMS_SHOWN} lỗi khác)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
            raise RowsRejected(f"Gói số {m['seq']} của xã {code} bị từ chối, không ghi gì: {shown}{more}.", problems)
        if not write:
            return counts, len(deletions)
        if m.get("full"):
            # A full package is the commune's whole register: rows it no longer has go, except
            # payments and cash movements, which happened whatever a restored laptop remembers.
            keep = [t.name for t in tables.SYNCED if t.append_only]
            ctx.db.execute(f"DELETE FROM up_rows WHERE commune_code = ? AND table_name NOT IN "
                           f"({', '.join('?' * len(keep))})", [code, *keep])
        ctx.db.conn.executemany(
            "INSERT OR REPLACE INTO up_rows (commune_code, table_name, row_id, version, data) VALUES (?, ?, ?, ?, ?)",
            upserts)
        ctx.db.conn.executemany("DELETE FROM up_rows WHERE commune_code = ? AND table_name = ? AND row_id = ?",
                                deletions)
        for d in m.get("down_decisions") or []:
            ctx.db.execute("UPDATE up_down SET status = ?, decided_at = ?, reason = ? "
                           "WHERE id = ? AND commune_code = ?",
                           [d.get("status"), d.get("decided_at"), d.get("reason") or "", d.get("id"), code])
        now = _now(ctx)
        ctx.db.execute("DELETE FROM up_packages WHERE id = ?", [m["package_id"]])
        ctx.db.execute(
            "INSERT INTO up_packages (id, commune_code, seq, from_version, to_version, rows, sha256, manifest_sha256, "
            "size, status, received_at, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?, ?)",
            [m["package_id"], code, m["seq"], m["from_version"], m["to_version"], len(upserts) + len(deletions),
             package.sha256(cand.data), cand.opened.manifest_sha256, len(cand.data), now, now])
    return counts, len(deletions)


def _wait(ctx: Context, cand: _Candidate, reason: str) -> None:
    m = cand.opened.manifest
    with write_transaction(ctx.db):
        ctx.db.execute(
            "INSERT OR IGNORE INTO up_packages (id, commune_code, seq, from_version, to_version, rows, sha256, "
            "manifest_sha256, size, status, wait_reason, data, received_at) "
            "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, 'waiting', ?, ?, ?)",
            [m["package_id"], m["commune"]["code"], m["seq"], m["from_version"], m["to_version"],
             package.sha256(cand.data), cand.opened.manifest_sha256, len(cand.data), reason, cand.data, _now(ctx)])


def _classify(ctx: Context, cand: _Candidate, dry_run: bool) -> ImportResult:
    m = cand.opened.manifest
    code, seq = m["commune"]["code"], m["seq"]
    result = ImportResult(cand.name, "", "", code, seq)
    known = ctx.db.execute("SELECT status, seq FROM up_packages WHERE id = ?", [m["package_id"]]).fetchone()
    if known and known[0] == "applied":
        result.status, result.message = "already", f"Gói số {seq} của xã {code} đã được nhập trước đây; bỏ qua."
        return result
    other = ctx.db.execute("SELECT id FROM up_packages WHERE commune_code = ? AND seq = ? AND id != ?",
                           [code, seq, m["package_id"]]).fetchone()
    last_seq, applied = _state(ctx.db, code)
    restored = (f" Nếu xã đã khôi phục dữ liệu từ bản sao lưu, xã hãy gửi lại toàn bộ: "
                f"sync export --full --after {last_seq}")
    if other:
        raise PackageRejected(f"Gói số {seq} của xã {code} trùng số thứ tự với một gói khác đã nhận; không nhận."
                              + restored)
    if seq < last_seq:
        raise PackageRejected(f"Gói số {seq} của xã {code} cũ hơn gói số {last_seq} đã nhập (gói gửi lại): "
                              "bị từ chối, dữ liệu của nó đã có trong các gói sau." + restored)
    if not cand.confirmed:
        fp = cand.opened.signer_fingerprint
        result.status = "waiting"
        result.message = (f"Gói số {seq} của xã {code} đang chờ: khóa của xã chưa được xác nhận. Gọi điện cho xã "
                          f"đối chiếu dấu vân tay {fp}, rồi chạy: district confirm-key {code} {fp}")
        if not dry_run and not known:
            _wait(ctx, cand, "key")
        return result
    if m["from_version"] > applied + 1:
        missing = list(range(last_seq + 1, seq)) or [last_seq + 1]
        result.status = "waiting"
        result.message = (f"Gói số {seq} của xã {code} đang chờ gói số {', '.join(map(str, missing))} "
                          f"(thiếu dữ liệu từ phiên bản {applied + 1}); sẽ tự nhập khi nhận được.")
        if not dry_run and not known:
            _wait(ctx, cand, "gap")
        return result
    counts, deleted = _apply(ctx, cand, write=not dry_run)
    result.counts, result.deleted = counts, deleted
    total = sum(counts.values())
    if dry_run:
        result.status = "would_apply"
        result.message = f"Gói số {seq} của xã {code}: sẽ nhập {total} dòng, xóa {deleted}."
    else:
        result.status, result.message = "applied", f"Đã nhập gói số {seq} của xã {code}: {total} dòng, xóa {deleted}."
    return result


def import_files(ctx: Context, paths, dry_run: bool = False, progress=None) -> list[ImportResult]:
    """Import any number of package files in any order; each package is all or nothing.

    Packages are applied in sequence order per commune; one that assumes data not yet received
    waits and is applied as soon as the missing package arrives. ``dry_run`` reports what would
    happen and writes nothing. ``progress(done, total, name)``, if given, is called as each
    package is opened and then applied (the window's progress bar).
    """
    keys = office_keys(ctx.db)
    results, candidates = [], []
    files = package.read_files(paths)
    steps = 2 * len(files)
    for i, f in enumerate(files, start=1):
        if progress:
            progress(i - 1, steps, f.name)
        if f.data is None:
            results.append(ImportResult(f.name, "rejected", f.problem))
            continue
        try:
            candidates.append(_open(ctx.db, keys, f.name, f.data))
        except PackageRejected as exc:
            results.append(ImportResult(f.name, "rejected", str(exc)))
    candidates.sort(key=lambda c: (c.opened.manifest["commune"]["code"], c.opened.manifest["seq"]))
    for i, cand in enumerate(candidates):
        if progress:
            progress(len(files) + i, steps, cand.name)
        try:
            results.append(_classify(ctx, cand, dry_run))
        except PackageRejected as exc:
            m = cand.opened.manifest
            results.append(ImportResult(cand.name, "rejected", str(exc), m["commune"]["code"], m["seq"],
                                        problems=getattr(exc, "problems", [])))
    if not dry_run:
        for code in sorted({c.opened.manifest["commune"]["code"] for c in candidates}):
            results += _drain(ctx, keys, code)
    return results


def _drain(ctx: Context, keys: keymod.KeyPair, code: str) -> list[ImportResult]:
    """Apply waiting packages of ``code`` that the packages now applied make applicable."""
    results = []
    while True:
        last_seq, applied = _state(ctx.db, code)
        rows = ctx.db.execute("SELECT id, seq, from_version, data FROM up_packages WHERE commune_code = ? "
                              "AND status = 'waiting' ORDER BY seq", [code]).fetchall()
        progressed = False
        for pid, seq, from_version, data in rows:
            name = f"gói số {seq} đang chờ"
            if seq < last_seq:
                with write_transaction(ctx.db):
                    ctx.db.execute("DELETE FROM up_packages WHERE id = ?", [pid])
                results.append(ImportResult(name, "superseded", f"Gói số {seq} của xã {code} đang chờ đã bị các "
                                            "gói sau thay thế; bỏ.", code, seq))
                continue
            if from_version > applied + 1:
                continue
            try:
                cand = _open(ctx.db, keys, name, data)
                if not cand.confirmed:
                    continue
                counts, deleted = _apply(ctx, cand, write=True)
            except PackageRejected as exc:
                with write_transaction(ctx.db):
                    ctx.db.execute("DELETE FROM up_packages WHERE id = ?", [pid])
                results.append(ImportResult(name, "rejected", str(exc), code, seq,
                                            problems=getattr(exc, "problems", [])))
                continue
            results.append(ImportResult(name, "applied", f"Đã nhập gói số {seq} của xã {code} (đã đủ gói trước nó).",
                                        code, seq, counts, deleted))
            progressed = True
            break
        if not progressed:
            return results


def confirm_key(ctx: Context, code, fingerprint: str, data: bytes | None = None) -> list[ImportResult]:
    """Confirm a commune's key after comparing its fingerprint by phone, then import what waited for it.

    The key is taken from the commune's waiting package (or from ``data``, a package file, when
    the commune made a new key) whose fingerprint is the one read over the phone.
    """
    keys = office_keys(ctx.db)
    commune = _commune(ctx.db, geo.find_commune(code).code)
    fp = keymod.normalise_fingerprint(fingerprint)
    blobs = [data] if data is not None else [r[0] for r in ctx.db.execute(
        "SELECT data FROM up_packages WHERE commune_code = ? AND status = 'waiting' AND wait_reason = 'key'",
        [commune["code"]])]
    card = None
    for blob in blobs:
        try:
            opened = package.open_package(blob, keys.identity, lambda s, mb: _self_key(s, mb, fp))
        except PackageRejected:
            continue
        if opened.manifest.get("commune", {}).get("code") == commune["code"]:
            sender = opened.manifest["sender"]
            card = keymod.PublicCard(sender["name"], sender["signing_public"], sender["age_recipient"])
            break
    if card is None:
        raise UserError(f"Không có gói nào của {commune['name']} mang khóa có dấu vân tay {fp}. "
                        "Hãy kiểm tra lại dấu vân tay đọc qua điện thoại.")
    with write_transaction(ctx.db):
        ctx.db.execute("UPDATE up_communes SET signing_public = ?, age_recipient = ?, fingerprint = ?, "
                       "confirmed_at = ? WHERE code = ?",
                       [card.signing_public, card.age_recipient, card.fingerprint, _now(ctx), commune["code"]])
        ctx.db.execute("UPDATE up_packages SET wait_reason = 'gap' WHERE commune_code = ? AND status = 'waiting'",
                       [commune["code"]])
    return _drain(ctx, keys, commune["code"])


def _self_key(signer_fp: str, manifest_bytes: bytes, wanted_fp: str) -> str:
    """The key a package carries, provided it is the one confirmed by phone and the one that signed."""
    try:
        sender = json.loads(manifest_bytes)["sender"]
        card = keymod.PublicCard(sender["name"], sender["signing_public"], sender["age_recipient"])
        card_fp = card.fingerprint
    except (ValueError, KeyError, TypeError, UserError) as exc:
        raise PackageRejected("Bảng kê không đọc được.") from exc
    if card_fp != wanted_fp or signer_fp != wanted_fp:
        raise PackageRejected("Khóa của gói không khớp dấu vân tay.")
    return card.signing_public


def communes_status(db) -> list[dict]:
    """Each registered commune: key confirmed?, last sequence and version applied, last import,
    packages waiting and the sequence numbers still missing, people on file."""
    out = []
    people = dict(db.execute("SELECT commune_code, count(*) FROM up_rows WHERE table_name = 'beneficiaries' "
                             "GROUP BY commune_code").fetchall())
    for code, name, fp, confirmed in db.execute(
            "SELECT code, name, fingerprint, confirmed_at FROM up_communes ORDER BY code").fetchall():
        last_seq, applied = _state(db, code)
        last_import = db.execute("SELECT max(applied_at) FROM up_packages WHERE commune_code = ? "
                                 "AND status = 'applied'", [code]).fetchone()[0]
        waiting = [r[0] for r in db.execute("SELECT seq FROM up_packages WHERE commune_code = ? "
                                            "AND status = 'waiting' ORDER BY seq", [code])]
        missing = list(range(last_seq + 1, waiting[0])) if waiting and confirmed else []
        down = dict(db.execute("SELECT status, count(*) FROM up_down WHERE commune_code = ? GROUP BY status",
                               [code]).fetchall())
        out.append({"code": code, "name": name, "fingerprint": fp, "confirmed": bool(confirmed),
                    "last_seq": last_seq, "applied_version": applied, "last_import": last_import,
                    "waiting": waiting, "missing": missing, "people": people.get(code, 0), "down": down})
    return out


def make_ack(ctx: Context, code) -> tuple[bytes, str, dict]:
    """The receipt for a commune: (signed file bytes, phone code, its content)."""
    keys = office_keys(ctx.db)
    commune = _commune(ctx.db, geo.find_commune(code).code)
    row = ctx.db.execute("SELECT id, seq, to_version, manifest_sha256 FROM up_packages WHERE commune_code = ? "
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
            "SELECT DISTINCT commune_code FROM up_packages WHERE status = 'applied' ORDER BY commune_code")]
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
        "d.status, d.decided_at, d.reason FROM up_down d JOIN up_communes c ON c.code = d.commune_code "
        "ORDER BY d.created_at DESC, c.name")]


def send_down(ctx: Context, code, kind: str, title: str, items: list[dict], folder) -> Path:
    """Write a package for one commune (a new base level, a Tết gift list), signed by the office
    and encrypted to the commune's confirmed key. The commune accepts or rejects it."""
    if kind not in DOWN_KINDS:
        raise UserError(f"Loại gói “{kind}” không có; chọn một trong: {', '.join(DOWN_KINDS)}.")
    if not items:
        raise UserError("Gói gửi xuống cần ít nhất một mục.")
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
        ctx.db.execute("INSERT INTO up_down (id, commune_code, kind, title, file_name, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [pid, commune["code"], kind, manifest["title"], path.name, manifest["created_at"]])
    return path
