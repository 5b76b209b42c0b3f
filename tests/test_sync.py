"""Sync between a commune and its upstream office: the round trip, receipts, every rejection,
waiting packages, parts, down packages, the independent ``age`` tool, package sizes."""

import datetime as dt
import io
import json
import os
import random
import sqlite3
import stat
import subprocess
import zipfile

import pyrage
import pytest
from pyrage import x25519

from commune_payout import demo, payouts, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import NotFound, PackageRejected, UserError
from commune_payout.payouts import SessionSpec
from commune_payout.sync import commune, consolidate, keys, media, package, reader, receipts, reports, scope, tables
from commune_payout.sync import office as office_side


@pytest.fixture
def office(clock):
    database = open_db(":memory:")
    octx = Context(database, clock=clock, user="so_y_te")
    office_side.init_office(octx, "Sở Y tế tỉnh Phú Thọ")
    office_side.add_commune(octx, "05425")
    yield octx
    database.close()


@pytest.fixture
def cctx(ctx, office):
    """The commune (05425) with 30 people, knowing the office's public key."""
    demo.populate(ctx, 30)
    card = keys.parse_card(office_side.office_keys(office.db).card.to_text())
    commune.set_upstream(ctx, card, scope.PROGRAMS)
    return ctx


def send(cctx, tmp_path, **kw):
    pkg = commune.build(cctx, **kw)
    return commune.save(pkg, tmp_path / f"out{pkg.seq}")


def statuses(results):
    return [r.status for r in results]


def up_count(office, table="beneficiaries"):
    return office.db.execute(f"SELECT count(*) FROM office_{table}").fetchone()[0]


@pytest.fixture
def linked(cctx, office, tmp_path):
    """First package imported, key confirmed by 'phone', receipt recorded at the commune."""
    first = send(cctx, tmp_path)
    assert statuses(office_side.import_files(office, first)) == ["waiting"]
    office_side.confirm_key(office, "05425", commune.status(cctx.db)["fingerprint"])
    data, _, _ = office_side.make_ack(office, "05425")
    commune.record_ack_file(cctx, data)
    return first


def unpack(data, office):
    plain = pyrage.decrypt(data, [office_side.office_keys(office.db).identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def repack(members, office):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    recipient = x25519.Recipient.from_str(office_side.office_keys(office.db).card.age_recipient)
    return pyrage.encrypt(buf.getvalue(), [recipient])


def decode(office, members):
    """The tables of an unpacked package as the office rebuilds them: {name: (columns, rows)}, read
    back from a trial apply that is rolled back (a package's rows are those of its version range)."""
    manifest = json.loads(members["manifest.json"])
    opened = reader.Opened(manifest, "", "", members.__getitem__)
    out = {}
    conn = office.db.conn
    conn.execute("SAVEPOINT decode")
    try:
        consolidate._write(office.db, manifest["commune"]["code"], opened)
        for t in manifest["tables"]:
            rows = conn.execute(f"SELECT {', '.join(t['columns'])} FROM office_{t['name']} WHERE commune_code = ? "
                                "AND version BETWEEN ? AND ? ORDER BY version, id",
                                [manifest["commune"]["code"], manifest["from_version"],
                                 manifest["to_version"]]).fetchall()
            out[t["name"]] = (t["columns"], [list(r) for r in rows])
    finally:
        conn.execute("ROLLBACK TO SAVEPOINT decode")
        conn.execute("RELEASE SAVEPOINT decode")
    return out


def resign(cctx, office, members, edit, keep_hashes=False):
    """A package re-signed by the commune's own key after ``edit(manifest, {table: (columns, rows)})``:
    what a buggy or dishonest commune could send. Tables are re-encoded as plain columns; with
    ``keep_hashes`` the manifest keeps the SHA-256 of the rows as they were."""
    manifest = json.loads(members["manifest.json"])
    tables_rows = decode(office, members)
    edit(manifest, tables_rows)
    manifest.pop("members")
    manifest["package_id"] = "f" * 8 + manifest["package_id"][8:]
    out = {k: v for k, v in members.items() if k not in ("manifest.json", "signature.txt")}
    if isinstance(manifest["tables"], list):
        old = {t["name"]: t for t in manifest["tables"]}
        manifest["tables"] = []
        for name, (cols, rows) in tables_rows.items():
            out[f"{name}.json"] = package.canonical_json([[r[c] for r in rows] for c in range(len(cols))])
            manifest["tables"].append({"name": name, "columns": cols, "rows": len(rows), "member": f"{name}.json",
                                       "rows_sha256": old[name]["rows_sha256"] if keep_hashes and name in old
                                       else package.rows_sha256(rows)})
    encrypted, _ = package.build(manifest, out, commune.ensure_keys(cctx),
                                 office_side.office_keys(office.db).card.age_recipient)
    return encrypted


def assert_office_has_the_communes_rows(cctx, office):
    """The office's consolidated copy is exactly the commune's synced rows, value for value."""
    for table in tables.present(cctx.db):
        cols = tables.columns(cctx.db, table)
        select = f"SELECT {table.key}, {', '.join(cols)} FROM "
        mine = {r[0]: r[1:] for r in cctx.db.conn.execute(select + table.name)}
        theirs = {r[0]: r[1:] for r in office.db.execute(select + f"office_{table.name}")}
        assert theirs == mine, table.name


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- keys and cards ---------------------------------------------------------------------------

def test_card_round_trip_and_typed_parts(office):
    card = office_side.office_keys(office.db).card
    assert keys.parse_card(card.to_text()) == card
    typed = keys.card_from_parts(card.name, card.age_recipient.upper(), keys.group(card.signing_public.lower()))
    assert typed.fingerprint == card.fingerprint
    assert len(card.fingerprint) == 14 and card.fingerprint.count("-") == 2
    assert keys.normalise_fingerprint(card.fingerprint.lower().replace("-", " ")) == card.fingerprint


def test_card_with_wrong_fingerprint_or_key_is_refused(office):
    card = office_side.office_keys(office.db).card
    with pytest.raises(UserError, match="dấu vân tay không khớp"):
        keys.parse_card(card.to_text().replace(card.fingerprint, "0000-0000-0000"))
    with pytest.raises(UserError, match="age1"):
        keys.card_from_parts("X", "age1abc", "A" * 52)


def test_private_keys_are_never_in_the_card_and_one_database_is_one_end(cctx, office):
    pair = commune.ensure_keys(cctx)
    assert "AGE-SECRET-KEY" not in pair.card.to_text()
    assert commune.ensure_keys(cctx).card == pair.card
    with pytest.raises(UserError, match="đã có khóa"):
        keys.generate(cctx.db, "commune", "again", cctx.clock.now())
    with pytest.raises(UserError, match="của một xã"):
        office_side.init_office(cctx, "Sở")
    with pytest.raises(UserError, match="đơn vị cấp trên"):
        commune.ensure_keys(Context(office.db, clock=office.clock))


def test_identity_file_is_private_and_opens_with_pyrage(office, tmp_path):
    path = keys.write_identity_file(office_side.office_keys(office.db), tmp_path / "office.age")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    secret = [line for line in path.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")]
    assert len(secret) == 1
    assert str(x25519.Identity.from_str(secret[0]).to_public()) == office_side.office_keys(office.db).card.age_recipient


# --- the round trip -------------------------------------------------------------------------

def test_round_trip_then_incremental_sends_only_changes(cctx, office, tmp_path, linked):
    assert up_count(office) == 30 and up_count(office, "memberships") == 30
    assert commune.status(cctx.db)["offices"][0]["unacked_changes"] == 0
    with pytest.raises(UserError, match="Không có thay đổi"):
        commune.build(cctx)

    people = register.list_beneficiaries(cctx.db)
    register.update(cctx, people[0]["id"], {"phone": "0912345678"})
    register.update(cctx, people[1]["id"], {}, memberships=[{"category": "nct_80"}, {"category": "htxh"}])
    register.update(cctx, people[0]["id"], {"phone": "0912345679"})      # the same row again
    # the page counts the rows the package will carry, not the change counter's steps
    assert commune.status(cctx.db)["offices"][0]["unacked_changes"] == 2 + 2 + 3 + 1
    pkg = commune.build(cctx)
    assert pkg.seq == 2 and pkg.from_version == commune.acked_version(cctx.db, pkg.office) + 1
    assert pkg.counts == {"beneficiaries": 2, "memberships": 2, "beneficiary_history": 3}
    assert pkg.deleted == 1  # the membership that was replaced
    results = office_side.import_files(office, commune.save(pkg, tmp_path / "two"))
    assert statuses(results) == ["applied"]
    assert up_count(office) == 30 and up_count(office, "memberships") == 31
    phone = office.db.execute("SELECT phone FROM office_beneficiaries WHERE id = ?", [people[0]["id"]]).fetchone()[0]
    assert phone == "0912345679"

    _, code, ack = office_side.make_ack(office, "05425")
    assert ack["seq"] == 2
    done = commune.record_ack_code(cctx, code)
    assert done["acked_version"] == pkg.to_version
    history = commune.sent_packages(cctx.db)
    assert [(p["seq"], p["ack_source"]) for p in history] == [(2, "code"), (1, "file")]


def test_lost_package_is_repeated_by_the_next_one(cctx, office, tmp_path, linked):
    people = register.list_beneficiaries(cctx.db)
    register.update(cctx, people[0]["id"], {"phone": "0911111111"})
    send(cctx, tmp_path)  # this stick is lost
    register.update(cctx, people[1]["id"], {"phone": "0922222222"})
    pkg = commune.build(cctx)
    assert pkg.seq == 3 and pkg.counts["beneficiaries"] == 2
    assert statuses(office_side.import_files(office, commune.save(pkg, tmp_path / "three"))) == ["applied"]
    status = office_side.communes_status(office.db)[0]
    assert status["last_seq"] == 3 and status["missing"] == [] and status["waiting"] == []


def test_dry_run_shows_counts_and_writes_nothing(cctx, office, tmp_path, linked):
    register.update(cctx, register.list_beneficiaries(cctx.db)[0]["id"], {"phone": "0933333333"})
    paths = send(cctx, tmp_path)
    before = office.db.execute("SELECT count(*) FROM office_packages").fetchone()[0]
    [result] = office_side.import_files(office, paths, dry_run=True)
    assert result.status == "would_apply" and result.counts["beneficiaries"] == 1
    assert office.db.execute("SELECT count(*) FROM office_packages").fetchone()[0] == before


def test_full_export_rebuilds_an_office_that_lost_its_copy(cctx, office, tmp_path, linked, clock):
    fresh = Context(open_db(":memory:"), clock=clock)
    fresh.db.execute("DELETE FROM sync_keys")
    office.db.conn.backup(fresh.db.conn)
    for table in tables.SYNCED:
        fresh.db.execute(f"DELETE FROM office_{table.name}")
    fresh.db.execute("DELETE FROM office_packages")
    register.update(cctx, register.list_beneficiaries(cctx.db)[0]["id"], {"phone": "0944444444"})
    incremental = send(cctx, tmp_path)
    assert statuses(office_side.import_files(fresh, incremental)) == ["waiting"]
    full = send(cctx, tmp_path, full=True)
    results = office_side.import_files(fresh, full)
    assert statuses(results) == ["applied", "superseded"]
    assert up_count(fresh) == 30


def test_laptop_restored_from_a_backup_sends_everything_after_the_office_sequence(
        cctx, office, tmp_path, linked, clock):
    restored = Context(open_db(":memory:"), clock=clock, user="can_bo")
    cctx.db.conn.backup(restored.db.conn)  # the backup, taken before package 2
    people = register.list_beneficiaries(cctx.db)
    register.update(cctx, people[0]["id"], {"phone": "0900000005"})
    office_side.import_files(office, send(cctx, tmp_path))
    register.update(restored, people[1]["id"], {"phone": "0900000006"})
    [refused] = office_side.import_files(office, send(restored, tmp_path / "restored"))
    assert refused.status == "rejected" and "sync export --full --after 2" in refused.message
    pkg = commune.build(restored, full=True, after=2)
    assert pkg.seq == 3
    assert statuses(office_side.import_files(office, commune.save(pkg, tmp_path / "full"))) == ["applied"]
    phones = dict(office.db.execute("SELECT id, phone FROM office_beneficiaries").fetchall())
    assert phones[people[0]["id"]] != "0900000005" and phones[people[1]["id"]] == "0900000006"
    assert up_count(office) == 30 and up_count(office, "memberships") == 30


# --- duplicates, replays, gaps ----------------------------------------------------------------

def test_duplicate_is_reported_as_already_imported(cctx, office, tmp_path, linked):
    register.update(cctx, register.list_beneficiaries(cctx.db)[0]["id"], {"phone": "0955555555"})
    paths = send(cctx, tmp_path)
    assert statuses(office_side.import_files(office, paths)) == ["applied"]
    [again] = office_side.import_files(office, paths)
    assert again.status == "already" and "đã được nhập" in again.message
    assert statuses(office_side.import_files(office, linked)) == ["already"]


def test_replay_of_an_older_sequence_is_rejected(cctx, office, tmp_path, linked):
    people = register.list_beneficiaries(cctx.db)
    register.update(cctx, people[0]["id"], {"phone": "0966666666"})
    older = send(cctx, tmp_path)
    register.update(cctx, people[1]["id"], {"phone": "0977777777"})
    newer = send(cctx, tmp_path)
    assert statuses(office_side.import_files(office, newer)) == ["applied"]
    [result] = office_side.import_files(office, older)
    assert result.status == "rejected" and "cũ hơn gói số 3" in result.message


def test_gap_waits_then_fills_in_any_order(cctx, office, tmp_path, linked, clock):
    behind = Context(open_db(":memory:"), clock=clock)
    office.db.conn.backup(behind.db.conn)  # an office copy that never gets package 2
    people = register.list_beneficiaries(cctx.db)
    register.update(cctx, people[0]["id"], {"phone": "0988888888"})
    two = send(cctx, tmp_path)
    office_side.import_files(office, two)
    commune.record_ack_file(cctx, office_side.make_ack(office, "05425")[0])
    register.update(cctx, people[1]["id"], {"phone": "0999999999"})
    three = send(cctx, tmp_path)

    [waiting] = office_side.import_files(behind, three)
    assert waiting.status == "waiting" and "chờ gói số 2" in waiting.message
    status = office_side.communes_status(behind.db)[0]
    assert status["waiting"] == [3] and status["missing"] == [2]
    results = office_side.import_files(behind, two)
    assert statuses(results) == ["applied", "applied"]
    assert office_side.communes_status(behind.db)[0]["last_seq"] == 3

    again = Context(open_db(":memory:"), clock=clock)
    office.db.conn.backup(again.db.conn)
    again.db.execute("DELETE FROM office_packages WHERE seq > 1")
    assert statuses(office_side.import_files(again, [*three, *two])) == ["applied", "applied"]


# --- rejections: nothing is written -----------------------------------------------------------

def copies(office):
    """Every consolidated copy's rows and versions, to see that nothing was written."""
    return [office.db.execute(f"SELECT count(*), coalesce(sum(version), 0) FROM office_{t.name}").fetchone()
            for t in tables.SYNCED]


def check_rejected(office, paths, match):
    before = copies(office)
    packages = office.db.execute("SELECT count(*) FROM office_packages").fetchone()
    [result] = office_side.import_files(office, paths)
    assert result.status == "rejected", result.message
    assert match in result.message
    assert copies(office) == before
    assert office.db.execute("SELECT count(*) FROM office_packages").fetchone() == packages
    return result


@pytest.fixture
def next_package(cctx, tmp_path, linked):
    register.update(cctx, register.list_beneficiaries(cctx.db)[0]["id"], {"phone": "0900000001"})
    [path] = send(cctx, tmp_path)
    return path


def test_tampered_ciphertext_is_rejected(office, tmp_path, next_package):
    data = bytearray(next_package.read_bytes())
    data[-40] ^= 0x01
    check_rejected(office, [write(tmp_path, "t.cpkg", bytes(data))], "bị hỏng hoặc bị cắt cụt")


def test_truncated_package_is_rejected(office, tmp_path, next_package):
    data = next_package.read_bytes()
    check_rejected(office, [write(tmp_path, "t.cpkg", data[: len(data) - 100])], "bị hỏng hoặc bị cắt cụt")
    check_rejected(office, [write(tmp_path, "u.cpkg", data[:60])], "bị hỏng hoặc bị cắt cụt")


def test_rows_changed_and_reencrypted_are_rejected(office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    members["beneficiaries.json"] = members["beneficiaries.json"].replace(b"0900000001", b"0900000002")
    check_rejected(office, [write(tmp_path, "t.cpkg", repack(members, office))], "không khớp mã kiểm tra")


def test_manifest_changed_is_rejected_by_the_signature(office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    members["manifest.json"] = members["manifest.json"].replace(b'"seq":2', b'"seq":9')
    check_rejected(office, [write(tmp_path, "t.cpkg", repack(members, office))], "Chữ ký không hợp lệ")


def test_unsigned_package_is_rejected(office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    del members["signature.txt"]
    check_rejected(office, [write(tmp_path, "t.cpkg", repack(members, office))], "chưa được ký")


def test_package_signed_by_another_key_is_rejected(cctx, office, tmp_path, next_package, clock):
    rogue = Context(open_db(":memory:"), clock=clock, user="ke_gia")
    settings.init_commune(rogue.db, "05425")
    demo.populate(rogue, 3)
    commune.set_upstream(rogue, office_side.office_keys(office.db).card, scope.PROGRAMS)
    result = check_rejected(office, send(rogue, tmp_path / "rogue"), "khóa lạ")
    assert "confirm-key" in result.message


def test_package_for_another_office_is_rejected(cctx, office, tmp_path, linked, clock):
    other = Context(open_db(":memory:"), clock=clock)
    office_side.init_office(other, "Sở Y tế tỉnh khác")
    wrong = office_side.office_keys(other.db).card     # a card of another office, under our office's name
    commune.set_upstream(cctx, keys.card_from_parts("Sở Y tế tỉnh Phú Thọ", wrong.age_recipient, wrong.signing_public))
    register.update(cctx, register.list_beneficiaries(cctx.db)[0]["id"], {"phone": "0900000003"})
    check_rejected(office, send(cctx, tmp_path), "không được mã hóa cho đơn vị này")


def test_rows_of_another_commune_are_rejected_with_every_bad_row(cctx, office, tmp_path, linked):
    for n in range(2):
        person = {**register.get(cctx.db, register.list_beneficiaries(cctx.db)[n]["id"])}
        person.pop("memberships")
        person.update(id=f"00000000-0000-4000-8000-00000000000{n}", commune_code="01234")
        cols = ", ".join(person)
        cctx.db.execute(f"INSERT INTO beneficiaries ({cols}) VALUES ({', '.join('?' * len(person))})",
                        list(person.values()))
    result = check_rejected(office, send(cctx, tmp_path), "thuộc xã 01234")
    assert result.message.count("thuộc xã 01234") == 2 and "không ghi gì" in result.message
    assert len(result.problems) == 2 and result.problems[0].startswith("beneficiaries (dòng ")


def test_child_rows_pointing_at_another_communes_person_are_rejected(cctx, office, tmp_path, next_package):
    def add_foreign_membership(manifest, tables_rows):
        tables_rows["memberships"] = (
            ["id", "beneficiary_id", "program", "category", "coefficient", "amount", "start_date", "end_date",
             "version"],
            [["11111111-1111-4111-8111-111111111111", "99999999-9999-4999-8999-999999999999", "btxh", "nct_80",
              1.0, None, None, None, 1]])

    data = resign(cctx, office, unpack(next_package.read_bytes(), office), add_foreign_membership)
    check_rejected(office, [write(tmp_path, "t.cpkg", data)], "không thuộc xã 05425")


def test_signed_but_malformed_manifest_is_rejected_plainly(cctx, office, tmp_path, next_package):
    def break_tables(manifest, tables_rows):
        manifest["tables"] = "beneficiaries"

    data = resign(cctx, office, unpack(next_package.read_bytes(), office), break_tables)
    check_rejected(office, [write(tmp_path, "t.cpkg", data)], "“manifest.tables” trong bảng kê sai kiểu")


def test_unknown_commune_is_rejected(office, tmp_path, clock):
    stranger = Context(open_db(":memory:"), clock=clock)
    settings.init_commune(stranger.db, "00004")
    demo.populate(stranger, 2)
    commune.set_upstream(stranger, office_side.office_keys(office.db).card, scope.PROGRAMS)
    check_rejected(office, send(stranger, tmp_path), "chưa được đăng ký")


def test_defensive_reader_limits(office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    check_rejected(office, [write(tmp_path, "a.cpkg", repack({**members, "../evil": b"x"}, office))],
              "tên tệp bên trong không hợp lệ")
    check_rejected(office, [write(tmp_path, "b.cpkg", repack({**members, "C:x": b"x"}, office))],
              "tên tệp bên trong không hợp lệ")
    check_rejected(office, [write(tmp_path, "c.cpkg", repack({**members, "extra.txt": b"x"}, office))],
              "không có trong bảng kê")
    many = {**members, **{f"m{i}": b"" for i in range(reader.MAX_MEMBERS)}}
    check_rejected(office, [write(tmp_path, "d.cpkg", repack(many, office))], "quá nhiều")
    bomb = {**members, "beneficiaries.json": b" " * (50 * 1024 * 1024)}
    check_rejected(office, [write(tmp_path, "e.cpkg", repack(bomb, office))], "lớn hơn khai báo")


def test_changed_payment_is_refused_append_only(cctx, office, tmp_path, linked):
    payouts.create_session(cctx, SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                             session_date=dt.date(2026, 1, 1)))
    sid = payouts.list_sessions(cctx.db)[0]["id"]
    payouts.lock_session(cctx, sid)
    payouts.pay_line(cctx, payouts.session_lines(cctx.db, sid)[0]["id"])
    [path] = send(cctx, tmp_path)
    assert statuses(office_side.import_files(office, [path])) == ["applied"]

    def change_amount(manifest, tables_rows):
        cols, rows = tables_rows["payout_entries"]
        rows[0][cols.index("amount")] += 1
        manifest["seq"] += 1

    data = resign(cctx, office, unpack(path.read_bytes(), office), change_amount)
    check_rejected(office, [write(tmp_path, "t.cpkg", data)], "không được sửa")
    assert reports.payouts_by_session(office.db)[0]["paid_lines"] == 1


# --- package format 2: derived keys, references, snapshots ------------------------------------

def _session(cctx, period="2026-01"):
    year, month = map(int, period.split("-"))
    return payouts.create_session(cctx, SessionSpec(name=f"Trợ cấp tháng {month}/{year}", kind="monthly",
                                                    period=period, session_date=dt.date(year, month, 1)))


def test_a_paid_session_travels_without_its_ids_and_the_office_gets_every_value(cctx, office, tmp_path, linked):
    sid = _session(cctx)
    lines = payouts.session_lines(cctx.db, sid)
    assert all(line["id"] == payouts.line_id_for(sid, line["beneficiary_id"]) for line in lines)
    legacy = "0badc0de-0000-4000-8000-000000000001"  # a line made before ids were derived
    cctx.db.execute("UPDATE payout_lines SET id = ? WHERE id = ?", [legacy, lines[3]["id"]])
    payouts.set_override(cctx, lines[4]["id"], 123_000, "Quyết định điều chỉnh")
    payouts.lock_session(cctx, sid)
    # the register changes after the snapshot: the line keeps the old name, the package says so
    register.update(cctx, lines[0]["beneficiary_id"], {"full_name": "Nguyễn Văn Đổi Tên"})
    payouts.pay_line(cctx, lines[0]["id"])
    payouts.pay_line(cctx, legacy)
    paid = payouts.session_lines(cctx.db, sid)[1]
    payouts.pay_line(cctx, paid["id"], received_by="authorised", receiver_name="Lê Thị Nhận Thay")
    payouts.reverse_entry(cctx, payouts.line_entries(cctx.db, paid["id"])[0]["id"], "Ghi nhầm người")
    payouts.pay_line(cctx, paid["id"])
    other = lines[5]["id"]
    target = "cash_home" if lines[5]["channel"] != "cash_home" else "cash_commune"
    first = payouts.change_channel(cctx, other, target, "Ốm, chi tại nhà")
    payouts.reverse_entry(cctx, first, "Nhầm")
    again = payouts.change_channel(cctx, other, target, "Ốm, chi tại nhà")  # same content, same second
    assert again != first
    payouts.cancel_line(cctx, lines[6]["id"], "Đã chuyển đi nơi khác")
    for line in lines[7:]:
        payouts.pay_line(cctx, line["id"])
    entries = [dict(r) for r in cctx.db.query("SELECT * FROM payout_entries")]
    derived = [e for e in entries if e["id"] == payouts.entry_id_for(e)]
    assert len(derived) == len(entries) - 1 and again not in {e["id"] for e in derived}

    [path] = send(cctx, tmp_path)
    members = unpack(path.read_bytes(), office)
    manifest = json.loads(members["manifest.json"])
    lines_entry = next(t for t in manifest["tables"] if t["name"] == "payout_lines")
    specs = dict(zip(lines_entry["columns"], json.loads(members["payout_lines.json"])))
    assert specs["id"]["derived"] and [v for _, v in specs["id"]["except"]] == [legacy]
    assert specs["beneficiary_id"]["ref"] == "register:beneficiaries"
    assert specs["full_name"]["from"] == "beneficiary_id"
    assert [v for _, v in specs["full_name"]["except"]] == [lines[0]["full_name"]]
    assert b"0badc0de" in members["payout_lines.json"] and lines[1]["id"].encode() not in members["payout_lines.json"]
    assert statuses(office_side.import_files(office, [path])) == ["applied"]
    assert_office_has_the_communes_rows(cctx, office)
    assert reports.payouts_by_session(office.db)[0]["paid_lines"] == len(lines) - 4  # not 2, 4, 5, 6


def test_office_copy_of_the_register_that_differs_refuses_references_then_a_full_package_mends_it(
        cctx, office, tmp_path, linked):
    sid = _session(cctx)
    payouts.lock_session(cctx, sid)
    payouts.pay_line(cctx, payouts.session_lines(cctx.db, sid)[0]["id"])
    someone = register.list_beneficiaries(cctx.db)[-1]["id"]
    office.db.execute("DELETE FROM office_beneficiaries WHERE id = ?", [someone])  # the office's copy lost a person
    result = check_rejected(office, send(cctx, tmp_path), "sync export --full")
    assert "29 người" in result.message and "30 người" in result.message
    assert statuses(office_side.import_files(office, send(cctx, tmp_path / "full", full=True))) == ["applied"]
    assert_office_has_the_communes_rows(cctx, office)


def test_rows_rebuilt_must_match_the_hash_the_commune_signed(cctx, office, tmp_path, next_package):
    def edit_phone(manifest, tables_rows):
        cols, rows = tables_rows["beneficiaries"]
        rows[0][cols.index("phone")] = "0900000002"

    data = resign(cctx, office, unpack(next_package.read_bytes(), office), edit_phone, keep_hashes=True)
    check_rejected(office, [write(tmp_path, "t.cpkg", data)], "dựng lại không khớp mã kiểm tra")


def test_corrupt_column_references_are_rejected_plainly(cctx, office, tmp_path, linked):
    sid = _session(cctx)
    payouts.lock_session(cctx, sid)
    payouts.pay_line(cctx, payouts.session_lines(cctx.db, sid)[0]["id"])
    [path] = send(cctx, tmp_path)
    members = unpack(path.read_bytes(), office)
    manifest = json.loads(members["manifest.json"])
    entry = next(t for t in manifest["tables"] if t["name"] == "payout_lines")
    specs = json.loads(members["payout_lines.json"])
    specs[entry["columns"].index("beneficiary_id")] = {"ref": "register:beneficiaries", "index": [-1] * entry["rows"],
                                                       "except": []}
    manifest.pop("members")
    manifest["package_id"] = "e" * 8 + manifest["package_id"][8:]
    members["payout_lines.json"] = package.canonical_json(specs)
    data, _ = package.build(manifest, {k: v for k, v in members.items() if k.endswith((".json", ".jsonl"))
                                       and k != "manifest.json"},
                            commune.ensure_keys(cctx), office_side.office_keys(office.db).card.age_recipient)
    check_rejected(office, [write(tmp_path, "t.cpkg", data)], "không đọc được")


def test_a_format_1_package_is_refused_with_its_reason(cctx, office, tmp_path, monkeypatch):
    monkeypatch.setattr(package, "FORMAT", "commune-payout-package/1")
    paths = send(cctx, tmp_path)
    monkeypatch.undo()
    [result] = office_side.import_files(office, paths)
    assert result.status == "rejected" and "định dạng cũ" in result.message


# --- first contact: key confirmation by phone -------------------------------------------------

def test_first_package_waits_for_the_fingerprint_read_by_phone(cctx, office, tmp_path):
    first = send(cctx, tmp_path)
    [result] = office_side.import_files(office, first)
    fp = commune.status(cctx.db)["fingerprint"]
    assert result.status == "waiting" and fp in result.message
    assert up_count(office) == 0
    with pytest.raises(UserError, match="Không có gói nào"):
        office_side.confirm_key(office, "05425", "AAAA-BBBB-CCCC")
    [applied] = office_side.confirm_key(office, "05425", fp.lower())
    assert applied.status == "applied" and up_count(office) == 30
    assert office_side.communes_status(office.db)[0]["confirmed"]


def test_new_key_after_a_lost_laptop_is_confirmed_with_its_package(cctx, office, tmp_path, linked, clock):
    laptop = Context(open_db(":memory:"), clock=clock)
    cctx.db.conn.backup(laptop.db.conn)
    laptop.db.execute("DELETE FROM sync_keys")
    register.update(laptop, register.list_beneficiaries(laptop.db)[0]["id"], {"phone": "0900000009"})
    [path] = send(laptop, tmp_path)
    [refused] = office_side.import_files(office, [path])
    assert refused.status == "rejected" and refused.reason == reader.UNCONFIRMED and "--package" in refused.message
    confirmed = office_side.confirm_key(office, "05425", commune.status(laptop.db)["fingerprint"], path.read_bytes())
    assert statuses(confirmed) == ["applied"]  # the package that brought the new key is imported too
    assert statuses(office_side.import_files(office, [path])) == ["already"]


# --- receipts -------------------------------------------------------------------------------------

def test_receipt_checks(cctx, office, tmp_path, linked):
    data, code, ack = office_side.make_ack(office, "05425")
    seq, version, check = code.split("-")
    with pytest.raises(UserError, match="Mã biên nhận sai"):
        commune.record_ack_code(cctx, f"{seq}-{version}-{'0000' if check != '0000' else '1111'}")
    with pytest.raises(NotFound):
        commune.record_ack_code(cctx, f"9-{version}-{check}")
    forged = json.loads(data)
    forged["ack"]["version"] += 5
    with pytest.raises(UserError, match="chữ ký"):
        commune.record_ack_file(cctx, json.dumps(forged).encode())
    with pytest.raises(UserError, match="không phải biên nhận"):
        commune.record_ack_file(cctx, b"not json")
    assert receipts.ack_code(ack["manifest_sha256"], ack["seq"], ack["version"]) == code
    paths = office_side.write_acks(office, tmp_path / "acks")
    assert [p for p, _ in paths][0].endswith("05425-bien-nhan-goi0001.json")


# --- parts, drives -------------------------------------------------------------------------------

def test_large_package_splits_into_parts_and_a_missing_part_is_named(cctx, office, tmp_path):
    pkg = commune.build(cctx, part_size=2048)
    paths = commune.save(pkg, tmp_path / "parts")
    assert len(paths) > 2 and paths[0].name.endswith(f".part1of{len(paths)}.cpkg")
    [missing] = office_side.import_files(office, paths[:1] + paths[2:])
    assert missing.status == "rejected" and "Thiếu phần 2" in missing.message
    assert statuses(office_side.import_files(office, reversed(paths))) == ["waiting"]


def test_copy_to_a_stick_is_verified_and_leaves_no_partial(cctx, tmp_path):
    paths = send(cctx, tmp_path)
    stick = tmp_path / "media" / "canbo" / "USB16GB"
    stick.mkdir(parents=True)
    copied = media.copy_verified(paths, stick)
    assert copied[0].read_bytes() == paths[0].read_bytes()
    assert not list(stick.glob("*.partial"))
    assert media.removable_drives(roots=[tmp_path / "media" / "canbo", tmp_path / "nowhere"]) == [stick]
    with pytest.raises(UserError, match="USB đã cắm chưa"):
        media.copy_verified(paths, tmp_path / "gone")


# --- down packages -----------------------------------------------------------------------------

def test_down_package_base_level_accepted_and_reported_up(cctx, office, tmp_path, linked):
    path = office_side.send_down(office, "05425", "base_level", "Mức chuẩn từ 1/7/2026",
                              [{"program": "btxh", "valid_from": "2026-07-01", "amount": 600000}], tmp_path)
    pkg = commune.read_down(cctx, path.read_bytes())
    assert pkg.kind == "base_level" and pkg.status == "received"
    commune.decide_down(cctx, pkg.id, accept=True)
    assert cctx.db.execute("SELECT amount FROM base_levels WHERE program = 'btxh' AND valid_from = '2026-07-01'"
                           ).fetchone()[0] == 600000
    with pytest.raises(UserError, match="đã được xử lý"):
        commune.decide_down(cctx, pkg.id, accept=False, reason="x")
    answer = commune.build(cctx)
    assert answer.rows == 0
    office_side.import_files(office, commune.save(answer, tmp_path / "answer"))
    assert office_side.communes_status(office.db)[0]["down"] == {"accepted": 1}
    commune.record_ack_file(cctx, office_side.make_ack(office, "05425")[0])
    with pytest.raises(UserError, match="Không có thay đổi"):
        commune.build(cctx)


def test_down_package_rejection_needs_a_reason(cctx, office, tmp_path, linked):
    path = office_side.send_down(office, "05425", "gift_list", "Quà Tết 2027",
                              [{"category": "ncc_me_vnah", "amount": 600000}], tmp_path)
    pkg = commune.read_down(cctx, path.read_bytes())
    with pytest.raises(UserError, match="lý do"):
        commune.decide_down(cctx, pkg.id, accept=False)
    commune.decide_down(cctx, pkg.id, accept=False, reason="Danh sách thiếu thân nhân liệt sĩ")
    assert commune.down_packages(cctx.db, kind="gift_list")[0]["status"] == "rejected"


def test_down_package_from_another_office_is_rejected(cctx, office, tmp_path, linked, clock):
    other = Context(open_db(":memory:"), clock=clock)
    office_side.init_office(other, "Giả mạo")
    office_side.add_commune(other, "05425")
    other.db.execute("UPDATE office_communes SET signing_public = ?, age_recipient = ?, fingerprint = ?, confirmed_at = ?",
                     [commune.ensure_keys(cctx).card.signing_public, commune.ensure_keys(cctx).card.age_recipient,
                      "X", "2026-01-01"])
    path = office_side.send_down(other, "05425", "base_level", "Giả",
                              [{"program": "btxh", "valid_from": "2026-07-01", "amount": 1}], tmp_path)
    with pytest.raises(PackageRejected, match="Không nhận"):
        commune.read_down(cctx, path.read_bytes())
    assert commune.down_packages(cctx.db) == []


# --- the independent age tool ---------------------------------------------------------------------

def test_age_command_line_tool_decrypts_a_package(cctx, office, tmp_path):
    [path] = send(cctx, tmp_path)
    identity = keys.write_identity_file(office_side.office_keys(office.db), tmp_path / "office.age")
    out = tmp_path / "package.zip"
    subprocess.run(["age", "-d", "-i", str(identity), "-o", str(out), str(path)], check=True, timeout=60)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["beneficiaries.json", "beneficiary_history.json", "decision_items.json",
                                         "decisions.json", "manifest.json", "memberships.json", "signature.txt"]
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["commune"]["code"] == "05425" and manifest["seq"] == 1
        assert manifest["format"] == "commune-payout-package/2"
        for table in manifest["tables"]:  # one JSON array per table, one entry per column
            columns = json.loads(zf.read(table["member"]))
            assert len(columns) == len(table["columns"])
            key = table["columns"].index("id")
            assert len(columns[key]) == table["rows"]  # keys of people and memberships travel as they are
    subprocess.run(["unzip", "-tq", str(out)], check=True, timeout=60, capture_output=True)


# --- consolidated views ----------------------------------------------------------------------------

def test_consolidated_reports_and_xlsx(cctx, office, tmp_path, linked):
    from openpyxl import load_workbook

    [row] = reports.coverage(office.db)
    assert row["active"] == 30 and row["has_account"] + row["needs_account"] + row["opening"] \
        + row["cannot_open"] + row["refuses"] == 30
    assert len(list(reports.people(office.db, "05425"))) == 30 == reports.count_people(office.db, "05425")
    for name in reports.REPORTS:
        n = reports.export_xlsx(office.db, name, tmp_path / f"{name}.xlsx")
        sheet = load_workbook(tmp_path / f"{name}.xlsx").active
        assert sheet.max_row == n + 1
    people = load_workbook(tmp_path / "people.xlsx").active
    assert people.cell(1, 9).value == "Trạng thái" and people.cell(2, 9).value == "Đang hưởng"
    assert people.cell(2, 5).value in ("Nam", "Nữ")


# --- sizes (docs/sync.md rule 10) -------------------------------------------------------------------------

def test_size_of_a_month_of_changes_for_3000_people(office, tmp_path):
    big = Context(open_db(":memory:"), clock=FixedClock(dt.datetime(2026, 1, 5, 9)), user="can_bo")
    demo.populate(big, 3000, commune_code="05425")
    commune.set_upstream(big, office_side.office_keys(office.db).card, scope.PROGRAMS)
    full = commune.build(big)
    assert full.size < 500 * 1024
    office_side.import_files(office, commune.save(full, tmp_path))
    office_side.confirm_key(office, "05425", commune.status(big.db)["fingerprint"])
    commune.record_ack_file(big, office_side.make_ack(office, "05425")[0])

    rng = random.Random(7)
    ids = [r["id"] for r in register.list_beneficiaries(big.db)]
    for bid in rng.sample(ids, 60):
        register.update(big, bid, {"phone": f"09{rng.randint(10**7, 10**8 - 1)}"})
    for bid in rng.sample(ids, 30):
        register.set_account(big, bid, account_status="has_account", bank_bin="970405",
                             account_number=str(rng.randint(10**11, 10**12)), account_holder="NGUYEN VAN A")
    for bid in rng.sample(ids, 5):
        register.set_status(big, bid, "deceased", dt.date(2026, 1, 3), "Đã mất")
    # ... and the month's payout session, everyone paid, in the order people came to the desk
    sid = payouts.create_session(big, SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                                  session_date=dt.date(2026, 1, 1)))
    payouts.lock_session(big, sid)
    lines = payouts.session_lines(big.db, sid)
    rng.shuffle(lines)
    for line in lines:
        payouts.pay_line(big, line["id"])
    month = commune.build(big)
    assert month.counts["payout_entries"] == len(lines) > 2500
    assert month.size < 50 * 1024
    assert statuses(office_side.import_files(office, commune.save(month, tmp_path / "month"))) == ["applied"]
    assert_office_has_the_communes_rows(big, office)


def test_migration_keeps_deletions_as_tombstones(ctx):
    bid = register.create(ctx, {"full_name": "Lê Văn Tám", "birth_year": 1940}, [{"category": "nct_80"}])
    register.update(ctx, bid, {}, memberships=[{"category": "htxh"}])
    assert ctx.db.execute("SELECT table_name FROM sync_tombstones").fetchall() == [("memberships",)]
    with pytest.raises(sqlite3.IntegrityError):
        ctx.db.execute("INSERT INTO sync_keys (role, name, signing_private, signing_public, age_identity, "
                       "age_recipient, fingerprint, created_at) VALUES ('x', '', x'', '', '', '', '', '')")
