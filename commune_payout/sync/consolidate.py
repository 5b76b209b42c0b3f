"""Applying a commune's package to the office's consolidated copies.

Each synced table has its copy at the office, ``office_<table>``: the commune's code, then the
table's columns as plain SQLite values, keyed by commune and row key (migration 8). A column that
a commune on a newer schema sends is added to the copy when it first arrives; a field a commune
does not send yet is empty. ``office_beneficiaries.name_sort`` is the office's own sort key.

A package that :mod:`.reader` opened is checked once more for what only the office can know:
its manifest against the schema of a package sent up, every table rebuilt from its columns and
checked against the SHA-256 the commune signed, every row the signing commune's own and of the
programmes this office receives, payments never changed once received. It is then applied in
one transaction, table by table, so that only the rows still needed as references stay in memory; any bad row rolls the whole package
back and the refusal lists every bad row (up to :data:`MAX_PROBLEMS_KEPT`).
"""

import re

from commune_payout.context import Context
from commune_payout.db import write_transaction
from commune_payout.errors import PackageRejected
from commune_payout.sync import package, reader, scope, tables
from commune_payout.sync.reader import INVALID, MAX_ROWS, MAX_VERSION, NOT_FOR_US, SHA256, UUID, integer, rejected, text
from commune_payout.text import name_sort_key

MAX_PROBLEMS_SHOWN = 10
MAX_PROBLEMS_KEPT = 1000
_IN_CHUNK = 500
# A copy takes the columns packages bring, up to this many (SQLite allows 2,000).
MAX_COPY_COLUMNS = 400
_COLUMN = re.compile(r"[a-z][a-z0-9_]{0,59}")
# Columns the office derives for itself: copy -> {column: (source column, function)}.
_DERIVED = {"beneficiaries": {"name_sort": ("full_name", name_sort_key)}}


def copy_of(table_name: str) -> str:
    """The office's consolidated copy of a synced table."""
    return f"office_{table_name}"

CARD = reader.record({"name": text(200), "signing_public": text(60, r"[A-Z2-7]{52}"),
                      "age_recipient": text(100, r"age1[02-9ac-hj-np-z]{58}")})
COMMUNE = reader.record({"code": text(5, r"\d{5}"), "name": text(200)}, {"province": text(200)})
# What the office needs to know who sent a package, before it trusts the sender's key.
SENDER = reader.record({"commune": COMMUNE, "sender": CARD})
_TABLE = reader.record({"name": text(60), "columns": reader.list_of(text(60), 200), "rows": integer(0, MAX_ROWS),
                        "member": text(81), "rows_sha256": SHA256})
_DECISION = reader.record({"id": text(36), "status": reader.one_of("accepted", "rejected")},
                          {"decided_at": reader.optional(text(40)), "reason": reader.optional(text(2000))})
UP_MANIFEST = reader.record(
    {"type": reader.one_of("up"), "package_id": UUID, "commune": COMMUNE, "sender": CARD,
     "seq": integer(1, reader.MAX_SEQ), "from_version": integer(1, MAX_VERSION), "to_version": integer(0, MAX_VERSION),
     "tables": reader.list_of(_TABLE, 2 * len(tables.SYNCED))},
    {"full": reader.boolean,
     "frames": reader.mapping(text(60), reader.record({"rows": integer(0, MAX_ROWS), "sha256": SHA256}), 8),
     "deleted": reader.optional(reader.record({"member": text(81)}, {"rows": integer(0, MAX_ROWS)})),
     "programs": reader.list_of(text(10), len(scope.PROGRAMS)),
     "down_decisions": reader.list_of(_DECISION, 10_000)})


class RowsRejected(PackageRejected):
    """A package refused for its rows; ``problems`` lists every bad row, not only the first."""

    def __init__(self, message: str, problems: list[str]):
        super().__init__(message, INVALID)
        self.problems = problems


def check_manifest(m) -> None:
    """The shape of a signed manifest sent up, checked before anything relies on it."""
    if not isinstance(m, dict) or m.get("type") != "up":
        raise rejected(INVALID, "Đây không phải gói do xã gửi lên.")
    reader.check(m, UP_MANIFEST)
    if m["to_version"] < m["from_version"] - 1:
        raise rejected(INVALID, "Gói bị hỏng: khoảng phiên bản không hợp lý.")


class _DryRun(Exception):
    """Rolls a dry run back once it has done everything a real import does."""

    def __init__(self, counts: dict[str, int], deleted: int):
        super().__init__()
        self.counts, self.deleted = counts, deleted


def check_programs(manifest: dict, programs) -> None:
    """Refuse a package for programmes this office does not receive (one from an app older than
    2026 says none: it was for every programme)."""
    if scope.receives_all(programs):
        return
    sent = manifest.get("programs") or scope.PROGRAMS
    outside = [p for p in sent if p not in programs]
    if outside:
        raise rejected(NOT_FOR_US, f"Gói của xã {manifest['commune']['code']} gửi cả chương trình "
                                   f"{scope.describe(outside) or ', '.join(outside)}, mà đơn vị này chỉ nhận "
                                   f"{scope.describe(programs)}. Xã hãy ghi đơn vị này với đúng chương trình "
                                   f"(sync set-upstream TỆP --programs {','.join(programs)}) rồi gửi lại.")


def apply_package(ctx: Context, opened: reader.Opened, file_sha256: str, size: int, programs=scope.PROGRAMS,
                  dry_run: bool = False) -> tuple[dict[str, int], int]:
    """Apply one package in one transaction (or try it and roll back, with ``dry_run``) for an
    office that receives ``programs``; returns (rows written per table, rows deleted). Refuses it
    whole with every bad row listed."""
    m = opened.manifest
    code = m["commune"]["code"]
    check_programs(m, programs)
    try:
        with write_transaction(ctx.db):
            counts, deleted, problems = _write(ctx.db, code, opened, programs)
            if problems:
                shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
                more = (f" (và {len(problems) - MAX_PROBLEMS_SHOWN} lỗi khác)"
                        if len(problems) > MAX_PROBLEMS_SHOWN else "")
                raise RowsRejected(f"Gói số {m['seq']} của xã {code} bị từ chối, không ghi gì: {shown}{more}.",
                                   problems)
            for d in m.get("down_decisions") or []:
                ctx.db.execute("UPDATE office_down SET status = ?, decided_at = ?, reason = ? "
                               "WHERE id = ? AND commune_code = ?",
                               [d["status"], d.get("decided_at"), d.get("reason") or "", d["id"], code])
            now = ctx.clock.now().isoformat(sep=" ")
            ctx.db.execute("DELETE FROM office_packages WHERE id = ?", [m["package_id"]])
            ctx.db.execute(
                "INSERT INTO office_packages (id, commune_code, seq, from_version, to_version, rows, sha256, "
                "manifest_sha256, size, status, received_at, applied_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?, ?)",
                [m["package_id"], code, m["seq"], m["from_version"], m["to_version"], sum(counts.values()) + deleted,
                 file_sha256, opened.manifest_sha256, size, now, now])
            if dry_run:
                raise _DryRun(counts, deleted)
    except _DryRun as done:
        return done.counts, done.deleted
    return counts, deleted


def _removed(opened: reader.Opened) -> list[tuple[str, str]]:
    """The package's deletions as (table, row id), from its JSON-lines member."""
    deleted = opened.manifest.get("deleted")
    if not deleted:
        return []
    data = opened.member(deleted["member"])
    lines = [line for line in data.split(b"\n") if line.strip()]
    rows = reader.parse_json(b"[" + b",".join(lines) + b"]", f"tệp {deleted['member']}")
    if not all(isinstance(r, list) and len(r) == 2 and all(isinstance(v, str) for v in r) for r in rows):
        raise rejected(INVALID, f"Gói bị hỏng: tệp {deleted['member']} không đúng cấu trúc.")
    return [tuple(r) for r in rows]


def _copy_columns(db, table: tables.SyncedTable) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({copy_of(table.name)})")]


def ensure_copy(db, table: tables.SyncedTable, columns: list[str]) -> None:
    """Make ``office_<table>`` hold ``columns`` (creating it, or adding what a newer commune sends)."""
    have = _copy_columns(db, table)
    if not have:
        local = [c for c in tables.columns(db, table) if c not in (table.key, "commune_code")]
        derived = list(_DERIVED.get(table.name, {}))
        db.execute(f"CREATE TABLE {copy_of(table.name)} (commune_code NOT NULL, {table.key} NOT NULL, "
                   f"{''.join(c + ', ' for c in local + derived)}PRIMARY KEY (commune_code, {table.key})) WITHOUT ROWID")
        have = _copy_columns(db, table)
    new = [c for c in columns if c not in have]
    if len(have) + len(new) > MAX_COPY_COLUMNS:
        raise rejected(INVALID, f"Gói có quá nhiều cột lạ ở bảng {table.name}; không nhận.")
    for column in new:
        db.execute(f"ALTER TABLE {copy_of(table.name)} ADD COLUMN {column}")


class _Copy:
    """What the package refers to while it is applied: its tables' keys in order, the rows that
    later tables copy values from, and the office's copy of the commune's people."""

    def __init__(self, db, code: str, declared: dict, removed: list):
        self.db, self.code, self.declared, self.removed = db, code, declared, removed
        self.keys: dict[str, list] = {}
        self.rows: dict[str, tuple[dict, dict]] = {}  # table -> ({key: row}, {column: index})
        self._people: dict | None = None
        self._register: list | None = None

    def frame(self, name):
        if name == package.REGISTER_FRAME:
            if self._register is None:
                self._register = self._people_frame()
            return self._register
        if isinstance(name, str) and name.startswith("rows:") and name[5:] in self.keys:
            return self.keys[name[5:]]
        raise ValueError(f"khung {name}")

    def _people_frame(self) -> list[str]:
        """The sorted ids of the commune's people once the package is applied (its people are
        written already), checked against the digest the commune signed."""
        expected = self.declared.get(package.REGISTER_FRAME)
        if expected is None:
            raise ValueError("khung danh sách đối tượng")
        gone = {row_id for table, row_id in self.removed if table == "beneficiaries"}
        versions = [(key, version) for key, version in self.db.execute(
            "SELECT id, version FROM office_beneficiaries WHERE commune_code = ?", [self.code]) if key not in gone]
        keys, digest = package.register_frame(versions)
        if digest != expected["sha256"]:
            raise rejected(INVALID,
                           f"Danh sách đối tượng của xã {self.code} ở đơn vị này ({len(keys)} người) không khớp với "
                           f"máy của xã ({expected['rows']} người): gói tham chiếu tới danh sách đó nên không nhập "
                           "được, không ghi gì. Xã hãy gửi gói toàn bộ: sync export --full")
        return keys

    def source(self, table: tables.SyncedTable):
        def value(ref_column, key, column):
            target = table.refs.get(ref_column)
            rows, index = self.rows.get(target, ({}, {}))
            row = rows.get(key)
            if row is not None:
                return row[index[column]] if column in index else package.MISSING
            if target == "beneficiaries":
                return self._person(key).get(column, package.MISSING)
            return package.MISSING
        return value

    def _person(self, key) -> dict:
        if self._people is None:
            cursor = self.db.execute("SELECT * FROM office_beneficiaries WHERE commune_code = ?", [self.code])
            names = [d[0] for d in cursor.description]
            id_at = names.index("id")
            self._people = {row[id_at]: row for row in cursor}
            self._index = {n: i for i, n in enumerate(names) if n not in _DERIVED["beneficiaries"]}
        row = self._people.get(key)
        return {} if row is None else {n: row[i] for n, i in self._index.items()}


# Tables whose rows later tables copy values from (the targets of ``SyncedTable.defaults``).
_SOURCES = {t.refs[via] for t in tables.SYNCED for via, _ in t.defaults.values()}


def _write(db, code: str, opened: reader.Opened, programs=scope.PROGRAMS) -> tuple[dict[str, int], int, list[str]]:
    """Check and write every table of the package in the open transaction; returns (counts,
    deleted, problems). The caller rolls back when there are problems."""
    m = opened.manifest
    order = {t.name: i for i, t in enumerate(tables.SYNCED)}
    entries = m["tables"]
    unknown = [e["name"] for e in entries if e["name"] not in order]
    if unknown:
        raise rejected(INVALID, f"Gói có bảng phần mềm này chưa biết ({', '.join(unknown)}): "
                                "hãy cập nhật phần mềm ở đơn vị cấp trên.")
    if len({e["name"] for e in entries}) != len(entries):
        raise rejected(INVALID, "Gói bị hỏng: một bảng được kê hai lần.")
    removed = _removed(opened)
    if m.get("full"):
        # A full package is the commune's whole register: rows it no longer has go, except
        # payments and cash movements, which happened whatever a restored laptop remembers.
        for table in tables.SYNCED:
            if not table.append_only and _copy_columns(db, table):
                db.execute(f"DELETE FROM {copy_of(table.name)} WHERE commune_code = ?", [code])
    copy = _Copy(db, code, m.get("frames") or {}, removed)
    counts, problems = {}, []
    programs = None if scope.receives_all(programs) else tuple(programs)
    for entry in sorted(entries, key=lambda e: order[e["name"]]):
        table = tables.BY_NAME[entry["name"]]
        counts[table.name] = _write_table(db, code, opened, table, entry, copy, problems, programs)
    if programs and "beneficiaries" in copy.keys:
        _people_without_programme(db, code, copy.keys["beneficiaries"], programs, problems)
    deleted = 0
    for line, (name, row_id) in enumerate(removed, start=1):
        table = tables.BY_NAME.get(name)
        if table is None or table.append_only:
            problems.append(f"xóa dòng {line}: không được xóa ở bảng {name}")
        elif _copy_columns(db, table):
            db.execute(f"DELETE FROM {copy_of(table.name)} WHERE commune_code = ? AND {table.key} = ?", [code, row_id])
            deleted += 1
        else:
            deleted += 1
    return counts, deleted, problems


def _check_columns(table: tables.SyncedTable, cols: list[str]) -> None:
    if len(set(cols)) != len(cols) or table.key not in cols or "version" not in cols:
        raise rejected(INVALID, f"Gói bị hỏng: bảng {table.name} thiếu cột khóa hoặc phiên bản.")
    odd = [c for c in cols if not _COLUMN.fullmatch(c) or c in table.local_columns
           or c in _DERIVED.get(table.name, {})]
    if odd:
        raise rejected(INVALID, f"Gói bị hỏng: bảng {table.name} có cột không hợp lệ ({', '.join(odd[:5])}).")
    if (table.commune_column and table.commune_column not in cols) or (table.parent and table.parent[0] not in cols):
        raise rejected(INVALID, f"Gói bị hỏng: bảng {table.name} thiếu cột mã xã.")


def _people_without_programme(db, code: str, people: list[str], programs, problems: list[str]) -> None:
    """People of the package with no membership of this office's programmes on file, once the
    package's memberships are written: the office may not hold them."""
    for i in range(0, len(people), _IN_CHUNK):
        chunk = people[i:i + _IN_CHUNK]
        for (person,) in db.execute(
                "SELECT id FROM office_beneficiaries b WHERE commune_code = ? "
                f"AND id IN ({', '.join('?' * len(chunk))}) "
                "AND NOT EXISTS (SELECT 1 FROM office_memberships m INDEXED BY ix_office_memberships_person "
                "WHERE m.commune_code = b.commune_code AND m.beneficiary_id = b.id)", [code, *chunk]):
            if len(problems) < MAX_PROBLEMS_KEPT:
                problems.append(f"beneficiaries: người {person} không có diện hưởng nào thuộc chương trình "
                                f"{scope.describe(programs)} mà đơn vị này nhận")


def _write_table(db, code: str, opened: reader.Opened, table: tables.SyncedTable, entry: dict, copy: _Copy,
                 problems: list[str], programs: tuple[str, ...] | None = None) -> int:
    """Rebuild one table, check its hash and every row, and write the good rows; returns their
    number. ``programs``: the office's, when it does not receive every programme."""
    cols = list(entry["columns"])
    _check_columns(table, cols)
    ensure_copy(db, table, cols)
    specs = opened.member_json(entry["member"])
    rows = package.decode_table(specs, cols, entry["rows"], copy.frame, copy.source(table),
                                table.derive_key or _no_key, table.name)
    del specs
    if package.rows_sha256(rows) != entry["rows_sha256"]:
        raise rejected(INVALID, f"Gói không khớp: các dòng bảng {table.name} dựng lại không khớp mã kiểm tra "
                                "mà xã đã ký (không ghi gì).")
    key_i, ver_i = cols.index(table.key), cols.index("version")
    owner_i = cols.index("commune_code") if "commune_code" in cols else None
    parent_i = cols.index(table.parent[0]) if table.parent else None
    program_i = cols.index("program") if programs and "program" in cols else None
    if table.parent:
        parents = set(copy.keys.get(table.parent[1], ()))
        parents |= set(_on_file(db, code, tables.BY_NAME[table.parent[1]], {r[parent_i] for r in rows} - parents,
                                [tables.BY_NAME[table.parent[1]].key]))
    existing = _on_file(db, code, table, {r[key_i] for r in rows}, cols) if table.append_only else {}
    derived_i = [(cols.index(source) if source in cols else None, fn)
                 for source, fn in _DERIVED.get(table.name, {}).values()]
    keys: list[str] = []

    def bad(line: int, message: str) -> None:
        if len(problems) < MAX_PROBLEMS_KEPT:
            problems.append(f"{table.name} (dòng {line}): {message}")

    def good():
        """The good rows as the copy's rows, made one at a time as SQLite takes them."""
        for line, row in enumerate(rows, start=1):
            key, version = row[key_i], row[ver_i]
            if not isinstance(key, str) or not isinstance(version, int) or isinstance(version, bool) \
                    or not 0 <= version <= MAX_VERSION:
                bad(line, "dòng không đúng cấu trúc")
                continue
            if owner_i is not None and row[owner_i] != code:
                bad(line, f"thuộc xã {row[owner_i]}, không phải xã {code}")
                continue
            if parent_i is not None and row[parent_i] not in parents:
                bad(line, f"trỏ tới {table.parent[1]} {row[parent_i]} không thuộc xã {code}")
                continue
            if program_i is not None and row[program_i] not in programs:
                bad(line, f"thuộc chương trình {row[program_i]}, đơn vị này chỉ nhận {scope.describe(programs)}")
                continue
            if key in existing:
                if existing[key] != tuple(row):
                    bad(line, f"bút toán {key} đã nhận trước đây, không được sửa")
                    continue
                keys.append(key)  # already on file as it is: nothing to write
                continue
            keys.append(key)
            extra = [fn(row[i] if i is not None else None) for i, fn in derived_i]
            yield (*row, *extra) if owner_i is not None else (code, *row, *extra)

    names = cols if owner_i is not None else ["commune_code", *cols]
    names += list(_DERIVED.get(table.name, {}))
    # Written even when a row was bad: later tables refer to these, and the caller rolls back.
    db.conn.executemany(f"INSERT OR REPLACE INTO {copy_of(table.name)} ({', '.join(names)}) "
                        f"VALUES ({', '.join('?' * len(names))})", good())
    if table.name in _SOURCES:
        copy.rows[table.name] = ({r[key_i]: r for r in rows}, {c: i for i, c in enumerate(cols)})
    copy.keys[table.name] = keys
    if len(rows) != entry["rows"]:
        problems.append(f"{table.name}: bảng kê ghi {entry['rows']} dòng, gói có {len(rows)}")
    return len(keys)


def _no_key(_row):
    raise ValueError("khóa")


def _on_file(db, code: str, table: tables.SyncedTable, keys: set, columns: list[str]) -> dict:
    """The rows of ``table`` of the commune already on file among ``keys``: key → the values of
    ``columns`` (as a tuple), or the key alone when ``columns`` is just the key."""
    if not _copy_columns(db, table):
        return {}
    have = set(_copy_columns(db, table))
    wanted_cols = [c if c in have else "NULL" for c in columns]
    found = {}
    wanted = [k for k in keys if isinstance(k, str)]
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i:i + _IN_CHUNK]
        for row in db.execute(
                f"SELECT {table.key}, {', '.join(wanted_cols)} FROM {copy_of(table.name)} WHERE commune_code = ? "
                f"AND {table.key} IN ({', '.join('?' * len(chunk))})", [code, *chunk]):
            found[row[0]] = tuple(row[1:])
    return found
