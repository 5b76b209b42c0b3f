"""The office survives any file: bit flips and truncations anywhere, every malformation found by
hand (with and without a stolen commune key), fuzzed archives, a poisoned batch, a squatter and
a compression bomb. Every refusal has a class and a plain reason, and the office's database is
byte for byte what it was, except for the files that legitimately applied."""

import hashlib
import io
import json
import random
import struct
import tracemalloc
import zipfile

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyrage import x25519

from commune_payout import cli, demo, register
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.sync import commune, keys, package, reader, scope
from commune_payout.sync import office as office_side
from test_sync import cctx, linked, office, send, unpack, write  # noqa: F401  (fixtures)

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CLASSES = set(reader.REASONS)


def dump_hash(office) -> str:
    """The whole office database as SQL text, hashed: what "unchanged" means here."""
    return hashlib.sha256("\n".join(office.db.conn.iterdump()).encode("utf-8")).hexdigest()


def assert_rejected(office, tmp_path, data, name="t.cpkg", kind=None, match=None):
    """Import one file, which must be refused with a class and change nothing."""
    before = dump_hash(office)
    [result] = office_side.import_files(office, [write(tmp_path, name, data)])
    assert result.status == "rejected", result.message
    assert result.reason in CLASSES and result.message
    if kind:
        assert result.reason == kind, result.message
    if match:
        assert match in result.message
    assert dump_hash(office) == before
    return result


@pytest.fixture
def next_package(cctx, tmp_path, linked):  # noqa: F811
    register.update(cctx, register.list_beneficiaries(cctx.db)[0]["id"], {"phone": "0900000001"})
    [path] = send(cctx, tmp_path)
    return path


def recipient(office):
    return x25519.Recipient.from_str(office_side.office_keys(office.db).card.age_recipient)


def seal_zip(zip_bytes: bytes, office) -> bytes:
    return pyrage.encrypt(zip_bytes, [recipient(office)])


def zip_of(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def signed(cctx, office, manifest: dict, members: dict[str, bytes]) -> bytes:
    """A package signed with the commune's own key (a stolen laptop) around any manifest."""
    encrypted, _ = package.build(manifest, members, commune.ensure_keys(cctx),
                                 office_side.office_keys(office.db).card.age_recipient)
    return encrypted


def patch_headers(zip_bytes: bytes, name: str, **fields) -> bytes:
    """Change fields of a member's local and central zip headers (flags, method, crc, size)."""
    local = {"flags": (6, "<H"), "method": (8, "<H"), "crc": (14, "<I"), "csize": (18, "<I"), "size": (22, "<I")}
    central = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"), "csize": (20, "<I"), "size": (24, "<I")}
    data = bytearray(zip_bytes)
    encoded = name.encode()
    for signature, offsets, name_at in ((b"PK\x03\x04", local, 30), (b"PK\x01\x02", central, 46)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            if data[at + name_at: at + name_at + len(encoded)] == encoded:
                for field, value in fields.items():
                    offset, fmt = offsets[field]
                    struct.pack_into(fmt, data, at + offset, value)
            start = at + 4
    return bytes(data)


# --- anywhere in the file ---------------------------------------------------------------------

@FUZZ
@given(position=st.floats(0, 1, exclude_max=True), bit=st.integers(0, 7))
def test_a_bit_flipped_anywhere_is_refused_and_changes_nothing(office, tmp_path, next_package, position, bit):
    data = bytearray(next_package.read_bytes())
    data[int(position * len(data))] ^= 1 << bit
    result = assert_rejected(office, tmp_path, bytes(data))
    assert result.reason in (reader.DAMAGED, reader.NOT_FOR_US)


def test_bit_flips_in_the_age_header_say_damaged_unless_they_look_like_another_key(office, tmp_path, next_package):
    """Only a flip inside the X25519 stanza's key material still reads as a well-formed package
    for some other key (age cannot tell them apart); everything else is damage in transit."""
    data = next_package.read_bytes()
    header_end = data.index(b"\n---") + 4
    stanza = data.index(b"-> X25519 ")
    material = range(stanza + len(b"-> X25519 "), data.index(b"\n", data.index(b"\n", stanza) + 1))
    ambiguous = 0
    for position in range(0, header_end, 3):
        flipped = bytearray(data)
        flipped[position] ^= 1 << (position % 8)
        result = assert_rejected(office, tmp_path, bytes(flipped))
        if position not in material:
            assert result.reason == reader.DAMAGED, (position, result.message)
        ambiguous += result.reason == reader.NOT_FOR_US
    assert ambiguous < len(material) / 3


@FUZZ
@given(keep=st.floats(0, 1, exclude_max=True))
def test_a_truncated_file_is_refused_as_damaged(office, tmp_path, next_package, keep):
    data = next_package.read_bytes()
    assert_rejected(office, tmp_path, data[:int(keep * len(data))], kind=reader.DAMAGED)


def test_empty_and_foreign_files_are_refused(office, tmp_path):
    assert_rejected(office, tmp_path, b"", kind=reader.DAMAGED)
    assert_rejected(office, tmp_path, b"PK\x03\x04 not age at all", kind=reader.DAMAGED)
    assert_rejected(office, tmp_path, b"\x00" * (reader.MAX_PACKAGE + 1), kind=reader.INVALID, match="quá lớn")


# --- made with nothing but the office's public key --------------------------------------------

def test_archive_malformations_need_no_signature_and_are_refused(office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    plain = zip_of(members)
    cases = {
        "crc-signature": patch_headers(plain, "signature.txt", crc=0),
        "crc-manifest": patch_headers(plain, "manifest.json", crc=0),
        "method-99": patch_headers(plain, "manifest.json", method=99),
        "encrypted-flag": patch_headers(plain, "beneficiaries.json", flags=1),
        "lying-size": patch_headers(plain, "manifest.json", size=10),
        "not-a-zip": b"this is not a zip file",
    }
    compressed = zip_of({"signature.txt": members["signature.txt"], "manifest.json": members["manifest.json"]})
    at = compressed.index(b"manifest.json") + len("manifest.json") + 20
    cases["corrupt-deflate"] = compressed[:at] + bytes(b ^ 0x5A for b in compressed[at:at + 40]) + compressed[at + 40:]
    for name, zip_bytes in cases.items():
        result = assert_rejected(office, tmp_path, seal_zip(zip_bytes, office), name=f"{name}.cpkg")
        assert result.reason in (reader.INVALID, reader.UNCONFIRMED), (name, result.message)


def test_manifests_nobody_signed_are_refused_before_they_cost_anything(office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    manifest = json.loads(members["manifest.json"])
    deep = b"[" * 100_000 + b"]" * 100_000
    numeric_key = json.dumps({**manifest, "sender": {**manifest["sender"], "signing_public": 12345}}).encode()
    for name, manifest_bytes in {"deep": deep, "numeric-key": numeric_key, "not-json": b"\xff{",
                                 "nan": b'{"seq": NaN}'}.items():
        # a signature by a key nobody confirmed, so the office reads the manifest to find the sender
        stranger = keys.fingerprint(keys.encode_signing_key(Ed25519PrivateKey.generate().public_key()),
                                    manifest["sender"]["age_recipient"])
        sig = f"{stranger}\n{'A' * 86}==\n".encode()
        zip_bytes = zip_of({"signature.txt": sig, "manifest.json": manifest_bytes})
        result = assert_rejected(office, tmp_path, seal_zip(zip_bytes, office), name=f"{name}.cpkg")
        assert result.reason == reader.INVALID, (name, result.message)


@FUZZ
@given(data=st.data())
def test_any_damage_to_the_archive_inside_is_refused_or_harmless(office, tmp_path, next_package, data):
    """Fuzz the decrypted zip (what age protects in transit, but anyone can forge): every outcome
    is a refusal that wrote nothing, or the genuine package applied."""
    plain = zip_of(unpack(next_package.read_bytes(), office))
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(plain) - 1), st.integers(0, 255)), min_size=1,
                               max_size=4))
    mutated = bytearray(plain)
    for at, value in edits:
        mutated[at] = value
    cut = data.draw(st.integers(len(plain) // 2, len(plain)))
    before = dump_hash(office)
    [result] = office_side.import_files(office, [write(tmp_path, "f.cpkg", seal_zip(bytes(mutated[:cut]), office))])
    assert result.status in ("rejected", "applied", "already"), result.message
    if result.status == "rejected":
        assert result.reason in CLASSES and dump_hash(office) == before


@FUZZ
@given(blob=st.binary(max_size=2000))
def test_parse_json_takes_any_bytes(blob):
    try:
        reader.parse_json(blob, "x")
    except reader.PackageRejected as exc:
        assert exc.kind == reader.INVALID


# --- signed with a stolen commune key ---------------------------------------------------------

def test_signed_malformations_are_refused_plainly(cctx, office, tmp_path, next_package):
    members = unpack(next_package.read_bytes(), office)
    manifest = json.loads(members["manifest.json"])
    manifest.pop("members")
    data_members = {k: v for k, v in members.items() if k not in ("manifest.json", "signature.txt")}
    cases = {
        "seq-2^63": {**manifest, "seq": 2 ** 63},
        "seq-10^30": {**manifest, "seq": 10 ** 30},
        "from-2^64": {**manifest, "from_version": 2 ** 64},
        "decisions": {**manifest, "down_decisions": ["accepted", 7]},
        "decision-status": {**manifest, "down_decisions": [{"id": "x", "status": "received"}]},
        "tables": {**manifest, "tables": [{"name": "beneficiaries"}]},
        "commune": {**manifest, "commune": {"code": 5425, "name": "x"}},
    }
    for name, bad in cases.items():
        result = assert_rejected(office, tmp_path, signed(cctx, office, bad, data_members), name=f"{name}.cpkg")
        assert result.reason == reader.INVALID and "bảng kê" in result.message, (name, result.message)
    genuine = next_package.read_bytes()
    assert_rejected(office, tmp_path, with_people_member(cctx, office, genuine, b"[" * 5000 + b"]" * 5000),
                    name="nested.cpkg", kind=reader.INVALID, match="lồng nhau quá sâu")
    columns = next(t["columns"] for t in manifest["tables"] if t["name"] == "beneficiaries")
    huge_int = package.canonical_json([[10 ** 30]] * len(columns))
    assert_rejected(office, tmp_path, with_people_member(cctx, office, genuine, huge_int), name="int.cpkg",
                    kind=reader.INVALID)


def test_zip_headers_that_lie_about_sizes_are_never_believed(office, tmp_path, next_package):
    """A member said to be smaller than it is fails its check; one said to be larger is read only
    as far as its signed size, so the genuine content still applies."""
    plain = pyrage.decrypt(next_package.read_bytes(), [office_side.office_keys(office.db).identity])
    assert_rejected(office, tmp_path, seal_zip(patch_headers(plain, "beneficiaries.json", size=1), office),
                    name="small.cpkg", kind=reader.INVALID)
    assert_rejected(office, tmp_path, seal_zip(patch_headers(plain, "beneficiaries.json", csize=1), office),
                    name="csize.cpkg", kind=reader.INVALID)
    [result] = office_side.import_files(office, [write(tmp_path, "big.cpkg", seal_zip(
        patch_headers(plain, "beneficiaries.json", size=0xFFFFFFF0), office))])
    assert result.status == "applied" and sum(result.counts.values()) == 2


def with_people_member(cctx, office, genuine: bytes, content: bytes, **extra: bytes) -> bytes:
    """The genuine package with its people's member replaced (and ``extra`` members added),
    signed again with the commune's key."""
    members = unpack(genuine, office)
    manifest = json.loads(members["manifest.json"])
    manifest.pop("members")
    data = {k: v for k, v in members.items() if k not in ("manifest.json", "signature.txt")}
    data[next(t["member"] for t in manifest["tables"] if t["name"] == "beneficiaries")] = content
    return signed(cctx, office, manifest, {**data, **extra})


def peak_memory_of(work) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_signed_compression_bomb_is_refused_within_bounded_memory(cctx, office, tmp_path, next_package):
    """100 MiB of JSON in a package of well under 1 MiB: refused before it is read, and the office
    never holds more than a few megabytes for it."""
    data = with_people_member(cctx, office, next_package.read_bytes(), b"[" + b"0," * (50 * 1024 * 1024) + b"0]")
    assert len(data) < 1024 * 1024
    peak = peak_memory_of(lambda: assert_rejected(office, tmp_path, data, name="bomb.cpkg", kind=reader.INVALID,
                                                  match="bom nén"))
    assert peak < 20 * 1024 * 1024


def test_a_bomb_within_the_ratio_is_refused_by_its_estimated_memory(cctx, office, tmp_path, next_package):
    empty_lists = b"[" + b"[]," * (4 * 1024 * 1024) + b"[]]"  # 12 MiB that would take ~300 MB as lists
    padding = random.Random(1).randbytes(512 * 1024)  # incompressible: keeps the ratio low
    data = with_people_member(cctx, office, next_package.read_bytes(), empty_lists, **{"padding.bin": padding})
    peak = peak_memory_of(lambda: assert_rejected(office, tmp_path, data, name="lists.cpkg", kind=reader.INVALID,
                                                  match="quá lớn để đọc"))
    assert peak < 120 * 1024 * 1024


# --- batches and squatters --------------------------------------------------------------------

def test_a_valid_package_next_to_poisoned_ones_imports(cctx, office, tmp_path, next_package, clock, capsys):
    data = next_package.read_bytes()
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "a-flip.cpkg").write_bytes(data[:100] + bytes([data[100] ^ 1]) + data[101:])
    (usb / "b-short.cpkg").write_bytes(data[: len(data) // 2])
    (usb / "c-junk.cpkg").write_bytes(b"junk")
    plain = zip_of(unpack(data, office))
    (usb / "d-method.cpkg").write_bytes(seal_zip(patch_headers(plain, "manifest.json", method=99), office))
    (usb / "e-genuine.cpkg").write_bytes(data)
    # the reference: an office that only ever saw the genuine file
    reference = Context(open_db(":memory:"), clock=clock)
    office.db.conn.backup(reference.db.conn)
    assert [r.status for r in office_side.import_files(reference, [usb / "e-genuine.cpkg"])] == ["applied"]

    results = office_side.import_files(office, sorted(usb.iterdir()))
    assert sorted(r.status for r in results) == ["applied"] + ["rejected"] * 4
    assert dump_hash(office) == dump_hash(reference)

    database = tmp_path / "office.sqlite"
    copy = open_db(database)
    reference.db.conn.backup(copy.conn)  # the CLI, on the same files: already imported, the rest refused
    copy.close()
    code = cli.main(["--db", str(database), "district", "import", str(usb)])
    out = capsys.readouterr().out
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 5 and lines[-1].startswith("= e-genuine.cpkg")
    for line in lines[:4]:
        assert line.startswith("✗ ") and "[" in line and "]" in line
    assert "[hỏng khi chuyển]" in out and "[nội dung không hợp lệ]" in out


def rogue_commune(clock, office, code="05425", people=3, seed=9):
    """Someone who made their own key and a database claiming to be commune ``code``."""
    rogue = Context(open_db(":memory:"), clock=clock, user="ke_gia")
    demo.populate(rogue, people, seed=seed, commune_code=code)
    commune.set_upstream(rogue, office_side.office_keys(office.db).card, scope.PROGRAMS)
    return rogue


def test_a_squatter_cannot_block_a_commune(cctx, office, tmp_path, clock):  # noqa: F811
    rogue = rogue_commune(clock, office)
    squatted = []
    for n in range(3):
        register.update(rogue, register.list_beneficiaries(rogue.db)[0]["id"], {"phone": f"090000000{n}"})
        squatted += send(rogue, tmp_path / f"rogue{n}")
    assert [r.status for r in office_side.import_files(office, squatted)] == ["waiting"] * 3
    rogue_fp = commune.status(rogue.db)["fingerprint"]
    assert office.db.execute("SELECT count(*) FROM office_packages").fetchone()[0] == 0  # no sequence number taken

    genuine = send(cctx, tmp_path / "genuine")
    [held] = office_side.import_files(office, genuine)
    assert held.status == "waiting" and held.reason == "key"
    [status] = office_side.communes_status(office.db)
    fp = commune.status(cctx.db)["fingerprint"]
    assert status["held"] == {rogue_fp: [1, 2, 3], fp: [1]} or status["held"] == {fp: [1], rogue_fp: [1, 2, 3]}
    assert {h["fingerprint"] for h in office_side.quarantine(office.db)} == {fp, rogue_fp}

    results = office_side.confirm_key(office, "05425", fp)
    assert sorted((r.status, r.reason) for r in results) == [("applied", "")] + [("rejected", reader.UNCONFIRMED)] * 3
    assert all(rogue_fp in r.message for r in results if r.status == "rejected")
    assert office_side.quarantine(office.db) == []
    assert office.db.execute("SELECT count(*) FROM office_beneficiaries").fetchone()[0] == 30
    # once the key is confirmed, the squatter is simply refused
    register.update(rogue, register.list_beneficiaries(rogue.db)[0]["id"], {"phone": "0909999999"})
    assert_rejected(office, tmp_path, send(rogue, tmp_path / "late")[0].read_bytes(), kind=reader.UNCONFIRMED)


def test_a_full_quarantine_names_the_way_out(cctx, office, tmp_path, clock):  # noqa: F811
    rogue = rogue_commune(clock, office)
    for n in range(office_side.MAX_HELD):
        register.update(rogue, register.list_beneficiaries(rogue.db)[0]["id"], {"phone": f"09100000{n:02d}"})
        office_side.import_files(office, send(rogue, tmp_path / f"r{n}"))
    [genuine] = send(cctx, tmp_path / "genuine")
    result = assert_rejected(office, tmp_path, genuine.read_bytes(), kind=reader.UNCONFIRMED, match="--package")
    assert "confirm-key 05425" in result.message
    results = office_side.confirm_key(office, "05425", commune.status(cctx.db)["fingerprint"], genuine.read_bytes())
    assert [r.status for r in results].count("applied") == 1
    assert [r.status for r in results].count("rejected") == office_side.MAX_HELD


def test_the_cli_gives_exit_1_and_a_reason_for_every_malformed_package(office, tmp_path, next_package, capsys):
    database = tmp_path / "office.sqlite"
    copy = open_db(database)
    office.db.conn.backup(copy.conn)
    copy.close()
    data = next_package.read_bytes()
    plain = zip_of(unpack(data, office))
    for name, blob in {"flip": data[:50] + bytes([data[50] ^ 4]) + data[51:], "empty": b"",
                       "crc": seal_zip(patch_headers(plain, "signature.txt", crc=1), office),
                       "flag": seal_zip(patch_headers(plain, "manifest.json", flags=1), office)}.items():
        path = write(tmp_path, f"{name}.cpkg", blob)
        code = cli.main(["--db", str(database), "district", "import", "--json", str(path)])
        [result] = json.loads(capsys.readouterr().out)
        assert code == 1 and result["status"] == "rejected" and result["reason"] in CLASSES, name
