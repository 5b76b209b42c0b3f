"""Migration 7 on a database that already paid: the old "81 %" group, a single parent's coefficient
and a line carried from one session become the new shapes, and nothing about the paid sessions
changes."""

import datetime as dt

import pytest

from commune_payout import db as db_module, payouts, register
from commune_payout.migrations import m007_entitlement

LINE = ("INSERT INTO payout_lines (id, session_id, commune_code, seq, beneficiary_id, full_name, name_fold, name_sort, "
        "program, group_code, group_label, group_public, coefficient, base_amount, carried_forward, "
        "carried_from_line_id, total, planned_channel, channel) VALUES (?, ?, '05425', 1, 'p1', 'Hà Văn Cư', "
        "'ha van cu', 'cu', 'btxh', 'nct_80', 'Người từ 80 tuổi không có lương hưu', "
        "'Người từ 80 tuổi không có lương hưu', 1.0, 500000, ?, ?, ?, 'cash_commune', 'cash_commune')")
SESSION = ("INSERT INTO payout_sessions (id, commune_code, name, kind, period, session_date, carried_from_session_id, "
           "created_at, created_by) VALUES (?, '05425', ?, 'monthly', ?, ?, ?, '2026-01-01', 'cu')")


def _before_migration_7(path):
    """A database of schema 6 holding two closed monthly sessions, February carrying January."""
    database = db_module.open_db(path, migrate_schema=False)
    for mod in db_module._migration_modules():
        if mod.VERSION < m007_entitlement.VERSION:
            with db_module.write_transaction(database):
                mod.apply(database)
                database.execute(f"PRAGMA user_version = {mod.VERSION}")
    with db_module.write_transaction(database):
        database.execute("INSERT INTO beneficiaries (id, commune_code, full_name, birth_year, created_at, "
                         "updated_at) VALUES ('p1', '05425', 'Hà Văn Cư', 1940, '2026-01-01', '2026-01-01')")
        database.execute("INSERT INTO memberships (id, beneficiary_id, program, category, coefficient) VALUES "
                         "('m1', 'p1', 'ncc', 'ncc_thuong_binh_81', NULL), "
                         "('m2', 'p1', 'btxh', 'don_than_ngheo', 2.0)")
        database.execute(SESSION, ["jan", "Tháng 1", "2026-01", "2026-01-01", None])
        database.execute(LINE, ["l1", "jan", 0, None, 500_000])
        database.execute(SESSION, ["feb", "Tháng 2", "2026-02", "2026-02-01", "jan"])
        database.execute(LINE, ["l2", "feb", 500_000, "l1", 1_000_000])
        for sid in ("jan", "feb"):
            database.execute("UPDATE payout_sessions SET status = 'locked' WHERE id = ?", [sid])
            database.execute("UPDATE payout_sessions SET status = 'closed' WHERE id = ?", [sid])
    database.close()


def test_an_older_database_keeps_its_payments_in_the_new_shape(tmp_path):
    path = tmp_path / "old.sqlite"
    _before_migration_7(path)
    database = db_module.open_db(path)
    assert db_module.schema_version(database) == db_module.latest_schema_version()
    groups = {m["category"]: m for m in register.memberships_of(database, "p1")}
    assert groups["ncc_thuong_binh"]["injury_rate"] == 81                      # still the higher Tết gift
    assert groups["don_than_ngheo"]["children"] == 2
    assert [c["from_line_id"] for c in payouts.line_carries(database, "l2")] == ["l1"]
    line = payouts.get_line(database, "l2")
    assert (line["carried_forward"], line["total"]) == (500_000, 1_000_000) and "carried_from_line_id" not in line
    assert payouts.explain_line(line) == [                # made before lines kept their explanation
        "Người từ 80 tuổi không có lương hưu: hệ số 1, 500.000 đ", "Chưa nhận ở đợt trước, chuyển sang: 500.000 đ",
        "Tổng được nhận: 1.000.000 đ"]
    with pytest.raises(Exception, match="closed|snapshot"):
        database.execute("UPDATE payout_lines SET explain = 'x' WHERE id = 'l2'")
    with pytest.raises(Exception, match="never change"):
        database.execute("UPDATE payout_carries SET amount = 1")
    # January's unpaid line was carried once, into February: March finds nothing more to carry.
    march = payouts.SessionSpec(name="Tháng 3", kind="monthly", period="2026-03", session_date=dt.date(2026, 3, 1))
    assert [r["line_id"] for r in payouts.closing.unpaid_lines(database, march).get("p1", [])] == ["l2"]


def test_the_migration_completes_a_database_that_has_part_of_it(tmp_path):
    path = tmp_path / "old.sqlite"
    _before_migration_7(path)
    database = db_module.open_db(path)
    with db_module.write_transaction(database):
        m007_entitlement.apply(database)        # run again over its own result: nothing breaks, nothing doubles
    assert database.execute("SELECT count(*) FROM payout_carries").fetchone()[0] == 1
