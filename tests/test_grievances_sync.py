"""Verification results and grievance tickets travel to the office that owns their programme: a
commune with people of all three programmes and two offices (the fixtures of test_offices), the
Tết gift verified in full, tickets of social assistance and of người có công; each office holds
exactly its own, sees them per commune, and the other office's text is nowhere in its package."""

import datetime as dt
import io
import zipfile

import pyrage
import pytest

from commune_payout import grievances, payouts, verification
from commune_payout.clock import FixedClock
from commune_payout.sync import commune, reports
from commune_payout.sync import office as office_side
from test_offices import copy_ids, deliver, two_offices, village  # noqa: F401 (fixtures)

ASK = {"asked_by": "Trưởng thôn Đông", "asked_on": "2026-01-22", "asked_how": "phone"}
SECRET = "Con trai giữ thẻ ATM của mẹ"


@pytest.fixture
def followed(village):
    """The Tết gift verified in full; a ticket from a btxh answer (with a note naming a family
    matter), one from an ncc answer, one for someone the register lacks (ncc), each moved on."""
    village.clock = FixedClock(dt.datetime(2026, 1, 22, 9))
    gift = next(s["id"] for s in payouts.list_sessions(village.db) if s["kind"] == "tet_gift")
    verification.draw(village, gift, verification.DrawSpec("all"), seed=418)
    items = verification.items(village.db, gift)
    btxh = next(i for i in items if i["program"] == "btxh")
    ncc = next(i for i in items if i["program"] == "ncc")
    verification.record_answer(village, items[-1]["id"], "received", **ASK)
    answer = verification.record_answer(village, btxh["id"], "not_received", note=SECRET, **ASK)
    health_ticket = grievances.open_from_answer(village, answer)
    grievances.move(village, health_ticket, "in_progress")
    answer = verification.record_answer(village, ncc["id"], "different_amount", amount="200000", **ASK)
    home_ticket = grievances.open_from_answer(village, answer)
    left_out = grievances.add_grievance(village, "left_out", "Mẹ liệt sĩ chưa có tên trong danh sách quà Tết",
                                        received_via="in_person", person={"full_name": "Đinh Thị Sót"},
                                        program="ncc")
    village.tickets = {"btxh": {health_ticket}, "ncc": {home_ticket, left_out}}
    village.gift = gift
    return village


def _ids(cctx, sql, programs):
    inside = "(" + ", ".join(f"'{p}'" for p in programs) + ")"
    return {r[0] for r in cctx.db.execute(sql.format(inside=inside))}


def test_each_office_holds_the_verification_and_tickets_of_its_programmes(followed, two_offices, tmp_path):
    for pkg, octx in zip(commune.build_all(followed), two_offices):
        assert [r.status for r in deliver(followed, octx, pkg, tmp_path)] == ["applied"]
        programs = pkg.office.programs
        lines = "SELECT id FROM payout_lines WHERE program IN {inside}"
        items = _ids(followed, f"SELECT id FROM verification_items WHERE line_id IN ({lines})", programs)
        assert items and copy_ids(octx, "verification_items") == items, pkg.office.name
        assert copy_ids(octx, "verification_answers") == _ids(
            followed, "SELECT id FROM verification_answers WHERE item_id IN "
                      f"(SELECT id FROM verification_items WHERE line_id IN ({lines}))", programs)
        assert len(copy_ids(octx, "verifications")) == 1
        tickets = set().union(*(followed.tickets.get(p, set()) for p in programs))
        assert copy_ids(octx, "grievances") == tickets
        assert copy_ids(octx, "grievance_events") == _ids(
            followed, "SELECT id FROM grievance_events WHERE grievance_id IN "
                      "(SELECT id FROM grievances WHERE program IN {inside})", programs)
    health, home = two_offices
    [row] = health.db.execute("SELECT state, description FROM office_grievances").fetchall()
    assert row[0] == "in_progress" and SECRET in row[1]


def test_the_other_office_s_complaint_is_nowhere_in_a_package(followed, two_offices):
    """Decrypt the Sở Nội vụ's package and search it for the social-assistance ticket's text."""
    _health, home = two_offices
    [pkg] = [p for p in commune.build_all(followed) if p.office.programs == ("ncc",)]
    plain = pyrage.decrypt(b"".join(pkg.parts), [office_side.office_keys(home.db).identity])
    with zipfile.ZipFile(io.BytesIO(plain)) as zf:
        text = b"".join(zf.read(name) for name in zf.namelist()).decode("utf-8")
    assert "Mẹ liệt sĩ chưa có tên" in text                  # readable, and its own ticket is there
    assert SECRET not in text
    assert "Mẹ liệt sĩ".encode() not in b"".join(pkg.parts)   # encrypted like everything else


def test_the_office_sees_them_per_commune(followed, two_offices, tmp_path):
    health, home = two_offices
    for pkg, octx in zip(commune.build_all(followed), two_offices):
        deliver(followed, octx, pkg, tmp_path)
    [checked] = reports.verification(home.db)
    drawn = len(_ids(followed, "SELECT i.id FROM verification_items i JOIN payout_lines l ON l.id = i.line_id "
                               "WHERE l.program IN {inside}", ("ncc",)))
    assert (checked["commune_code"], checked["drawn"], checked["answered"], checked["different_amount"],
            checked["pending"], checked["grievances"]) == ("05425", drawn, 1, 1, drawn - 1, 1)
    tickets = reports.grievances(home.db, "05425", today=dt.date(2026, 2, 20))
    assert [(t["number"], t["kind"], t["state"], t["overdue"]) for t in tickets] == [
        ("2/2026", "wrong_amount", "new", "Quá hạn"), ("3/2026", "left_out", "new", "Quá hạn")]
    assert reports.grievances(home.db, "05425", today=dt.date(2026, 1, 23))[0]["overdue"] == ""
    shown = list(reports.rows(home.db, "grievances", today=dt.date(2026, 2, 20)))
    assert shown[0][4] == "Sai số tiền" and shown[0][9] == "Mới tiếp nhận" and shown[0][11] == "Quá hạn"
    assert reports.grievances(health.db, program="ncc") == []
    path = tmp_path / "khieu-nai.xlsx"
    assert reports.export_xlsx(home.db, "grievances", path, today=dt.date(2026, 2, 20)) == 2
