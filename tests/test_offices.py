"""Offices above the commune since 7/2025: the office's copies and its programmes, the databases
of the district era migrated, and (below) one commune reporting to two offices."""

import datetime as dt
import json

import pytest

from commune_payout import db as db_module
from commune_payout import demo, payouts, settings
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db, write_transaction
from commune_payout.errors import UserError
from commune_payout.payouts import SessionSpec
from commune_payout.sync import commune, reports, scope, tables
from commune_payout.sync import office as office_side

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
    assert scope.office_names("tỉnh Phú Thọ") == {"Sở Y tế tỉnh Phú Thọ": ("btxh", "htxh"),
                                                  "Sở Nội vụ tỉnh Phú Thọ": ("ncc",)}


def test_an_office_records_the_programmes_it_receives():
    octx = Context(open_db(":memory:"), clock=CLOCK, user="so_noi_vu")
    office_side.init_office(octx, "Sở Nội vụ tỉnh Phú Thọ", ("ncc",))
    assert office_side.programs(octx.db) == ("ncc",)
    assert office_side.set_programs(octx, "ncc,btxh") == ("btxh", "ncc")
    with pytest.raises(UserError):
        office_side.set_programs(octx, "district")


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
