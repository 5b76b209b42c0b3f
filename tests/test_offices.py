"""Offices above the commune since 7/2025: the office's copies and its programmes, the databases
of the district era migrated, and (below) one commune reporting to two offices."""

import datetime as dt
import io
import json
import zipfile

import pyrage
import pytest

from commune_payout import db as db_module
from commune_payout import cashbook, decisions, demo, payouts, register, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db, write_transaction
from commune_payout.errors import PackageRejected, UserError
from commune_payout.payouts import SessionSpec
from commune_payout.programs import CATEGORIES
from commune_payout.sync import commune, package, reader, reports, scope, tables
from commune_payout.sync import office as office_side
from test_payouts import add_person

CLOCK = FixedClock(dt.datetime(2026, 1, 15, 9, 0))


def database_at(path, version: int):
    """A database file made by the app of the time when the schema was at ``version``."""
    database = open_db(path, migrate_schema=False)
    for module in db_module._migration_modules():
        if module.VERSION <= version:
            with write_transaction(database):
                module.apply(database)
                database.execute(f"PRAGMA user_version = {module.VERSION}")
    return database


def paid_commune(size=40, seed=3):
    """A commune with a paid monthly session, on an in-memory database."""
    ctx = Context(open_db(":memory:"), clock=CLOCK, user="can_bo")
    settings.init_commune(ctx.db, "05425", officer="Nguyễn Thị Lập")
    demo.populate(ctx, size, seed=seed)
    sid = payouts.create_session(ctx, SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                                  session_date=dt.date(2026, 1, 1)))
    payouts.lock_session(ctx, sid)
    for line in payouts.session_lines(ctx.db, sid)[:10]:
        payouts.pay_line(ctx, line["id"])
    return ctx


# --- the office's programmes --------------------------------------------------------------------

def test_programme_lists_are_read_plainly():
    assert scope.parse("htxh, BTXH") == ("btxh", "htxh")
    assert scope.describe(("ncc",)) == "Người có công"
    with pytest.raises(UserError, match="hiv"):
        scope.parse("btxh,hiv")
    with pytest.raises(UserError):
        scope.parse(" , ")
    assert scope.programs_of_office("SỞ Y TẾ tỉnh Phú Thọ") == ("btxh", "htxh")
    assert scope.programs_of_office("So Noi vu tinh Phu Tho") == ("ncc",)
    assert scope.programs_of_office("Phòng Văn hóa - Xã hội") == ()
    assert scope.office_names("tỉnh Phú Thọ") == {"btxh": "Sở Y tế tỉnh Phú Thọ", "htxh": "Sở Y tế tỉnh Phú Thọ",
                                                  "ncc": "Sở Nội vụ tỉnh Phú Thọ"}


def test_an_office_records_the_programmes_it_receives():
    octx = Context(open_db(":memory:"), clock=CLOCK, user="so_noi_vu")
    office_side.init_office(octx, "Sở Nội vụ tỉnh Phú Thọ", ("ncc",))
    assert office_side.programs(octx.db) == ("ncc",)
    assert office_side.set_programs(octx, "ncc,btxh") == ("btxh", "ncc")
    with pytest.raises(UserError):
        office_side.set_programs(octx, "district")


@pytest.mark.parametrize("typed", ["\u200b\u200b", "Sở " * 100])
def test_an_office_name_that_shows_nothing_or_outgrows_its_key_card_is_refused(typed):
    # "\u200b" passed the blank check and became an empty name; a name past 200 characters made a
    # key card that every commune refused to read (the card's name holds 200).
    octx = Context(open_db(":memory:"), clock=CLOCK, user="so_y_te")
    with pytest.raises(UserError):
        office_side.init_office(octx, typed)
    assert not office_side.is_office(octx.db)


# --- a database of the district era -------------------------------------------------------------

def test_an_office_database_of_the_district_era_keeps_everything(tmp_path):
    """An office database made before migration 8 (key role ``upstream``, ``up_*`` tables, every
    consolidated row a JSON object in ``up_rows``) opens with the same keys, communes, packages and
    rows, now in the office's copies; the migration can run again."""
    village = paid_commune()
    path = tmp_path / "so-y-te.sqlite"
    old = database_at(path, 7)
    keys = Context(open_db(":memory:"), clock=CLOCK)
    office_side.init_office(keys, "Phòng Văn hóa - Xã hội")
    [key_row] = keys.db.execute("SELECT * FROM sync_keys").fetchall()
    old.execute("INSERT INTO sync_keys VALUES ('upstream', ?, ?, ?, ?, ?, ?, ?)", list(key_row)[1:])
    old.execute("INSERT INTO up_communes (code, name, province_name, fingerprint, confirmed_at, added_at) "
                "VALUES ('05425', 'Xã An Bình', 'Phú Thọ', 'ABCD-EFGH-JKMN', '2025-03-01', '2025-02-01')")
    old.execute("INSERT INTO up_packages (id, commune_code, seq, from_version, to_version, rows, sha256, "
                "manifest_sha256, size, status, received_at, applied_at) VALUES ('p1', '05425', 4, 1, 900, 10, "
                "'x', 'y', 100, 'applied', '2025-03-01', '2025-03-01')")
    expected = {}
    for table in tables.present(village.db):
        cols = tables.columns(village.db, table)
        rows = village.db.conn.execute(f"SELECT {', '.join(cols)} FROM {table.name}").fetchall()
        expected[table.name] = sorted(rows)
        old.conn.executemany("INSERT INTO up_rows (commune_code, table_name, row_id, version, data) VALUES "
                             "(?, ?, ?, ?, ?)", [("05425", table.name, r[cols.index("id")], r[cols.index("version")],
                                                  json.dumps(dict(zip(cols, r)), ensure_ascii=False)) for r in rows])
    old.conn.commit()
    old.close()

    octx = Context(open_db(path), clock=CLOCK, user="so_y_te")
    assert office_side.is_office(octx.db) and office_side.office_keys(octx.db).card.name == "Phòng Văn hóa - Xã hội"
    assert office_side.programs(octx.db) == scope.PROGRAMS      # the one office still receives everything
    [status] = office_side.communes_status(octx.db)
    assert (status["last_seq"], status["applied_version"], status["confirmed"]) == (4, 900, True)
    assert status["people"] == 40
    for name, rows in expected.items():
        cols = tables.columns(village.db, tables.BY_NAME[name])
        assert sorted(octx.db.execute(f"SELECT {', '.join(cols)} FROM office_{name}").fetchall()) == rows, name
    names = [p["full_name"] for p in reports.people(octx.db)]
    assert len(names) == 40 and names[0] != names[-1]
    existing = {r[0] for r in octx.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not existing & {"up_rows", "up_communes", "up_packages", "up_quarantine", "up_down"}
    octx.db.execute("PRAGMA user_version = 7")                   # set back, and migrated again
    octx.db.close()
    again = open_db(path)
    assert again.execute("SELECT count(*) FROM office_beneficiaries").fetchone()[0] == 40
    assert not {r[0] for r in again.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} & {
        "up_rows", "up_quarantine", "up_packages"}
    again.close()


# --- one commune, two offices ----------------------------------------------------------------------

def _office(name, programs):
    octx = Context(open_db(":memory:"), clock=CLOCK, user="so")
    office_side.init_office(octx, name, programs)
    office_side.add_commune(octx, "05425")
    return octx


@pytest.fixture
def two_offices():
    """The Sở Y tế (bảo trợ xã hội, hưu trí xã hội) and the Sở Nội vụ (người có công) of Phú Thọ."""
    health, home = _office("Sở Y tế tỉnh Phú Thọ", ("btxh", "htxh")), _office("Sở Nội vụ tỉnh Phú Thọ", ("ncc",))
    yield health, home
    health.db.close()
    home.db.close()


@pytest.fixture
def village(two_offices):
    """A commune with people in all three programmes, some in two (one of them in an HIV group and
    người có công), a paid monthly session of social assistance, a Tết gift of NQ 418 for everyone
    (once per person) and notes about a person; it knows both offices' key cards."""
    ctx = Context(open_db(":memory:"), clock=CLOCK, user="can_bo")
    settings.init_commune(ctx.db, "05425", officer="Nguyễn Thị Lập")
    demo.populate(ctx, 60, seed=5)
    both = {
        "hiv_and_martyr": add_person(ctx, "Trần Thị Hoa", "nguoi_hiv_ngheo", ("ncc_than_nhan_liet_si",
                                                                               {"amount": 2_789_000}),
                                     account="0123456789", bank="970405"),
        "pension_and_invalid": add_person(ctx, "Lê Văn Thắng", "htxh", ("ncc_thuong_binh",
                                                                         {"amount": 2_400_000, "injury_rate": 61}),
                                          birth_year=1946),
        "disabled_and_martyr": add_person(ctx, "Phạm Thị Lan", "nkt_nang", ("ncc_me_vnah", {"amount": 8_367_000})),
    }
    register.update(ctx, both["hiv_and_martyr"], {"notes": "Điều trị ARV tại trạm y tế xã"})
    # a file of social assistance for the person who is also người có công, and its decision
    application = decisions.add_application(ctx, "change", "2026-01-05", beneficiary_id=both["hiv_and_martyr"],
                                            category="nkt_nang", from_category="nguoi_hiv_ngheo")
    decisions.create_decision(ctx, decisions.DecisionSpec(signed_on=dt.date(2026, 1, 10), effective_month="2026-02"),
                              applications=[application])
    monthly = payouts.create_session(ctx, SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                                      session_date=dt.date(2026, 1, 1)))
    payouts.lock_session(ctx, monthly)
    cashbook.record(ctx, monthly, "received", 30_000_000, "Nhận tiền mặt từ kho bạc")
    for line in payouts.session_lines(ctx.db, monthly)[:20]:
        payouts.pay_line(ctx, line["id"])
    gift = payouts.create_session(ctx, SessionSpec(
        name="Quà Tết Bính Ngọ (NQ 418)", kind="tet_gift", period="2026-01", session_date=dt.date(2026, 1, 20),
        fixed={"btxh": 400_000, "htxh": 400_000, "ncc": 400_000, "tre_hiv": 450_000}))
    payouts.lock_session(ctx, gift)
    cashbook.record(ctx, gift, "received", 20_000_000, "Nhận tiền quà Tết")
    for line in payouts.session_lines(ctx.db, gift):
        payouts.pay_line(ctx, line["id"])
    health, home = two_offices
    for octx in two_offices:
        commune.set_upstream(ctx, office_side.office_keys(octx.db).card)
    ctx.both = both
    return ctx


def deliver(cctx, octx, pkg, tmp_path, confirm=True):
    paths = commune.save(pkg, tmp_path / f"{pkg.office.id}-{pkg.seq}")
    results = office_side.import_files(octx, paths)
    if confirm and [r.status for r in results] == ["waiting"]:
        results = office_side.confirm_key(octx, "05425", commune.ensure_keys(cctx).card.fingerprint)
    return results


def copy_ids(octx, table):
    return {r[0] for r in octx.db.execute(f"SELECT id FROM office_{table}")}


def expected_ids(cctx, programs):
    """What an office of ``programs`` must hold, worked out here from the commune's tables."""
    inside = "(" + ", ".join(f"'{p}'" for p in programs) + ")"
    people = {r[0] for r in cctx.db.execute(f"SELECT beneficiary_id FROM memberships WHERE program IN {inside}")}
    lines = {r[0] for r in cctx.db.execute(f"SELECT id FROM payout_lines WHERE program IN {inside}")}
    return {
        "beneficiaries": people,
        "memberships": {r[0] for r in cctx.db.execute(f"SELECT id FROM memberships WHERE program IN {inside}")},
        "payout_lines": lines,
        "payout_entries": {r[0] for r in cctx.db.execute("SELECT id, line_id FROM payout_entries") if r[1] in lines},
        "payout_sessions": {r[0] for r in cctx.db.execute(
            f"SELECT DISTINCT session_id FROM payout_lines WHERE program IN {inside}")},
    }


def test_each_office_holds_exactly_the_people_and_rows_of_its_programmes(village, two_offices, tmp_path):
    packages = commune.build_all(village)
    assert [p.office.name for p in packages] == ["Sở Y tế tỉnh Phú Thọ", "Sở Nội vụ tỉnh Phú Thọ"]
    assert len({p.file_names[0] for p in packages}) == 2 and "so-noi-vu" in packages[1].file_names[0]
    for pkg, octx in zip(packages, two_offices):
        assert [r.status for r in deliver(village, octx, pkg, tmp_path)] == ["applied"]
        for table, ids in expected_ids(village, pkg.office.programs).items():
            assert copy_ids(octx, table) == ids, (pkg.office.name, table)
    health, home = two_offices
    both = set(village.both.values())
    assert both <= copy_ids(health, "beneficiaries") and both <= copy_ids(home, "beneficiaries")
    programs = {r[0] for r in home.db.execute("SELECT program FROM office_memberships")}
    assert programs == {"ncc"}
    assert {r[0] for r in health.db.execute("SELECT program FROM office_memberships")} == {"btxh", "htxh"}
    # a file and a decision of social assistance reach the Sở Y tế only
    issued = {r[0] for r in village.db.execute("SELECT id FROM decisions WHERE recorded = 0")}
    assert len(copy_ids(health, "applications")) == 1 and len(issued) == 1 and issued <= copy_ids(health, "decisions")
    assert copy_ids(home, "applications") == set() and not issued & copy_ids(home, "decisions")
    # the demo's people rest on recorded decisions: each reaches the office of its programme, with its items
    for octx, programs in ((health, {"btxh", "htxh"}), (home, {"ncc"})):
        inside = ", ".join(f"'{p}'" for p in programs)
        assert copy_ids(octx, "decisions") == {r[0] for r in village.db.execute(
            f"SELECT id FROM decisions WHERE program IN ({inside})")}
        assert {r[0] for r in octx.db.execute("SELECT program FROM office_decisions")} <= programs
        assert copy_ids(octx, "decision_items") == {r[0] for r in village.db.execute(
            f"SELECT i.id FROM decision_items i JOIN decisions d ON d.id = i.decision_id WHERE d.program IN ({inside})")}
    # the person in two programmes is the same person at both, with only the office's memberships
    [(name,)] = home.db.execute("SELECT full_name FROM office_beneficiaries WHERE id = ?",
                                [village.both["hiv_and_martyr"]])
    assert name == "Trần Thị Hoa"
    # notes about a person in another office's programme stay at the commune
    assert home.db.execute("SELECT notes FROM office_beneficiaries WHERE id = ?",
                           [village.both["hiv_and_martyr"]]).fetchone() == ("",)
    # cash book: the monthly session is social assistance's, the Tết gift's mixes programmes
    monthly_cash = {r[0] for r in village.db.execute("SELECT c.id FROM cash_movements c JOIN payout_sessions s "
                                                      "ON s.id = c.session_id WHERE s.kind = 'monthly'")}
    assert len(monthly_cash) == 1 and copy_ids(health, "cash_movements") == monthly_cash
    assert copy_ids(home, "cash_movements") == set()
    # the views of each office, per programme
    assert reports.count_people(health.db, program="htxh") == len(expected_ids(village, ("htxh",))["beneficiaries"])
    assert reports.count_people(home.db, program="btxh") == 0


def test_no_group_of_social_assistance_reaches_the_so_noi_vu(village, two_offices, tmp_path):
    """Decrypt the Sở Nội vụ's package and search every file in it for any BTXH group."""
    _health, home = two_offices
    [pkg] = [p for p in commune.build_all(village) if p.office.programs == ("ncc",)]
    plain = pyrage.decrypt(b"".join(pkg.parts), [office_side.office_keys(home.db).identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        text = b"".join(zf.read(name) for name in zf.namelist()).decode("utf-8")
    assert "ncc_than_nhan_liet_si" in text or "Thân nhân liệt sĩ" in text   # the package is readable
    for cat in CATEGORIES:
        if cat.program in ("btxh", "htxh"):
            assert cat.code not in text, cat.code
            assert cat.label not in text, cat.label
    for word in ("HIV", "ARV", "Bảo trợ xã hội", "khuyết tật", "Hưu trí"):
        assert word not in text, word
    assert [r.status for r in deliver(village, home, pkg, tmp_path)] == ["applied"]


def test_acknowledgements_of_one_office_do_not_stop_the_others(village, two_offices, tmp_path):
    health, home = two_offices
    first = commune.build_all(village)
    for pkg, octx in zip(first, two_offices):
        deliver(village, octx, pkg, tmp_path)
    commune.record_ack_file(village, office_side.make_ack(health, "05425")[0])   # only the Sở Y tế's receipt
    register.update(village, village.both["pension_and_invalid"], {"phone": "0912000111"})
    again = {p.office.name: p for p in commune.build_all(village)}
    assert again["Sở Y tế tỉnh Phú Thọ"].counts == {"beneficiaries": 1, "beneficiary_history": 1}
    assert again["Sở Y tế tỉnh Phú Thọ"].seq == 2
    lost = again["Sở Nội vụ tỉnh Phú Thọ"]
    assert (lost.seq, lost.from_version) == (2, 1)                          # everything again: no receipt yet
    assert lost.counts["beneficiaries"] == len(expected_ids(village, ("ncc",))["beneficiaries"])
    assert [r.status for r in deliver(village, home, lost, tmp_path)] == ["applied"]
    [status] = [o for o in commune.status(village.db)["offices"] if o["programs"] == ["ncc"]]
    assert status["unacked_changes"] > 0 and status["last_ack"] is None
    _data, code, _ack = office_side.make_ack(home, "05425")
    assert commune.record_ack_code(village, code)["office"] == "Sở Nội vụ tỉnh Phú Thọ"
    [status] = [o for o in commune.status(village.db)["offices"] if o["programs"] == ["ncc"]]
    assert status["unacked_changes"] == 0 and status["last_ack"]["seq"] == 2


def test_a_down_package_is_accepted_only_for_the_programmes_of_its_office(village, two_offices, tmp_path):
    health, home = two_offices
    for pkg, octx in zip(commune.build_all(village), two_offices):
        deliver(village, octx, pkg, tmp_path)
    with pytest.raises(UserError, match="không phụ trách"):
        office_side.send_down(home, "05425", "base_level", "Mức chuẩn", [
            {"program": "btxh", "valid_from": "2026-07-01", "amount": 600_000}], tmp_path)
    # one that went round the office's own check (an older app, a hand-made file) is refused by the commune
    keys = office_side.office_keys(home.db)
    manifest = {"type": "down", "package_id": "0" * 8 + "-0000-4000-8000-" + "0" * 12, "commune_code": "05425",
                "kind": "base_level", "title": "Mức chuẩn", "created_at": "2026-06-01 09:00:00",
                "office": keys.card.name}
    data, _ = package.build(manifest, {"items.json": package.canonical_json([
        {"program": "btxh", "valid_from": "2026-07-01", "amount": 600_000}])}, keys,
        commune.ensure_keys(village).card.age_recipient)
    with pytest.raises(PackageRejected, match="Bảo trợ xã hội") as refused:
        commune.read_down(village, data)
    assert refused.value.kind == reader.NOT_FOR_US
    assert commune.down_packages(village.db) == []
    # the Sở Y tế's base level is the Sở Y tế's to send
    path = office_side.send_down(health, "05425", "base_level", "Mức chuẩn 2026", [
        {"program": "btxh", "valid_from": "2026-07-01", "amount": 600_000}], tmp_path)
    received = commune.read_down(village, path.read_bytes())
    assert received.office == "Sở Y tế tỉnh Phú Thọ"
    commune.decide_down(village, received.id, accept=True)
    again = {p.office.name: p for p in commune.build_all(village)}
    for pkg, octx in ((again["Sở Y tế tỉnh Phú Thọ"], health), (again["Sở Nội vụ tỉnh Phú Thọ"], home)):
        assert [r.status for r in deliver(village, octx, pkg, tmp_path)] == ["applied"]
    assert [d["status"] for d in office_side.sent_down(health.db)] == ["accepted"]   # the answer went to its sender


def test_an_office_refuses_what_is_not_its_programmes(two_offices, tmp_path):
    """A commune that sends the Sở Nội vụ everything (its programmes set wrong) is refused with the
    reason; the office's copy stays empty."""
    _health, home = two_offices
    village = paid_commune()
    commune.set_upstream(village, office_side.office_keys(home.db).card, scope.PROGRAMS)   # given everything
    pkg = commune.build(village, commune.find_office(village.db, "Sở Nội vụ"))
    results = deliver(village, home, pkg, tmp_path)
    assert [r.status for r in results] == ["rejected"] and results[0].reason == reader.NOT_FOR_US
    assert "Bảo trợ xã hội" in results[0].message and "--programs ncc" in results[0].message
    assert copy_ids(home, "beneficiaries") == set()


def test_a_person_who_leaves_an_office_is_deleted_there(village, two_offices, tmp_path):
    health, home = two_offices
    for pkg, octx in zip(commune.build_all(village), two_offices):
        deliver(village, octx, pkg, tmp_path)
        commune.record_ack_file(village, office_side.make_ack(octx, "05425")[0])
    person = village.both["disabled_and_martyr"]
    register.update(village, person, {}, memberships=[{"category": "nkt_nang"}])   # the ncc group was a mistake
    again = {p.office.name: p for p in commune.build_all(village)}
    assert again["Sở Nội vụ tỉnh Phú Thọ"].deleted >= 2                           # the person and the membership
    assert [r.status for r in deliver(village, home, again["Sở Nội vụ tỉnh Phú Thọ"], tmp_path)] == ["applied"]
    assert person not in copy_ids(home, "beneficiaries")
    assert [r.status for r in deliver(village, health, again["Sở Y tế tỉnh Phú Thọ"], tmp_path)] == ["applied"]
    assert person in copy_ids(health, "beneficiaries")
    # and the register frame still matches at the Sở Nội vụ: its next package applies
    register.update(village, village.both["hiv_and_martyr"], {"phone": "0988000111"})
    home_next = [p for p in commune.build_all(village) if p.office.programs == ("ncc",)][0]
    assert [r.status for r in deliver(village, home, home_next, tmp_path)] == ["applied"]


# --- one office of the district era -----------------------------------------------------------------

def test_a_commune_database_with_one_office_keeps_its_sequence_and_receipts(tmp_path, two_offices):
    """A commune database made before migration 11 (one ``sync_upstream`` row, numbered packages,
    receipts): its office receives every programme and its next package follows on."""
    health, home = two_offices
    path = tmp_path / "xa.sqlite"
    old = database_at(path, 10)
    settings.init_commune(old, "05425", officer="Nguyễn Thị Lập")
    card = office_side.office_keys(health.db).card
    old.execute("INSERT INTO sync_upstream (id, name, signing_public, age_recipient, fingerprint, set_at) "
                "VALUES (1, ?, ?, ?, ?, '2025-05-01')", [card.name, card.signing_public, card.age_recipient,
                                                         card.fingerprint])
    old.execute("UPDATE change_counter SET value = 500")
    for seq, version in ((1, 300), (2, 450)):
        old.execute("INSERT INTO sync_sent (id, seq, from_version, to_version, rows, file_name, sha256, "
                    "manifest_sha256, size, created_at) VALUES (?, ?, 1, ?, 10, 'f', 'x', 'y', 10, '2025-06-01')",
                    [f"p{seq}", seq, version])
    old.execute("INSERT INTO sync_acks (package_id, seq, version, received_at, source) "
                "VALUES ('p1', 1, 300, '2025-06-02', 'code')")
    old.execute("INSERT INTO sync_down (id, kind, title, payload, issued_at, received_at, status, decided_at) "
                "VALUES ('d1', 'base_level', 'Mức chuẩn', '[]', '2025-06-01', '2025-06-01', 'accepted', '2025-06-03')")
    old.conn.commit()
    old.close()

    village = Context(open_db(path), clock=CLOCK, user="can_bo")
    [office] = commune.offices(village.db)
    assert (office.name, office.programs, office.resend_full) == (card.name, scope.PROGRAMS, False)
    assert commune.acked_version(village.db, office) == 300
    assert [p["seq"] for p in commune.sent_packages(village.db)] == [2, 1]
    demo.populate(village, 10)
    pkg = commune.build(village)
    assert (pkg.seq, pkg.from_version) == (3, 301)
    assert commune.down_packages(village.db)[0]["office"] == card.name
    village.db.execute("PRAGMA user_version = 10")                     # set back, and migrated again
    village.db.close()
    again = open_db(path)
    assert len(commune.offices(again)) == 1 and again.execute("SELECT count(*) FROM sync_sent").fetchone() == (3,)
    again.close()


def test_adding_the_so_noi_vu_moves_nguoi_co_cong_and_the_old_office_gets_a_full_package(two_offices, tmp_path):
    health, home = two_offices
    office_side.set_programs(health, scope.PROGRAMS)                    # the one office of before
    ctx = Context(open_db(":memory:"), clock=CLOCK, user="can_bo")
    settings.init_commune(ctx.db, "05425")
    demo.populate(ctx, 40, seed=9)
    old = commune.set_upstream(ctx, office_side.office_keys(health.db).card, scope.PROGRAMS)
    assert old.programs == scope.PROGRAMS
    deliver(ctx, health, commune.build(ctx), tmp_path)
    commune.record_ack_file(ctx, office_side.make_ack(health, "05425")[0])
    office_side.set_programs(health, "btxh,htxh,other")
    new = commune.set_upstream(ctx, office_side.office_keys(home.db).card)         # its name says: ncc
    assert new.programs == ("ncc",)
    [old] = [o for o in commune.offices(ctx.db) if o.id == old.id]
    assert old.programs == ("btxh", "htxh", "other") and old.resend_full
    packages = {p.office.name: p for p in commune.build_all(ctx)}
    assert packages["Sở Y tế tỉnh Phú Thọ"].full
    for pkg, octx in ((packages["Sở Y tế tỉnh Phú Thọ"], health), (packages["Sở Nội vụ tỉnh Phú Thọ"], home)):
        assert [r.status for r in deliver(ctx, octx, pkg, tmp_path)] == ["applied"]
    assert copy_ids(health, "beneficiaries") == expected_ids(ctx, ("btxh", "htxh", "other"))["beneficiaries"]
    commune.record_ack_file(ctx, office_side.make_ack(health, "05425")[0])
    assert not commune.offices(ctx.db)[0].resend_full
