"""The rules table (tests/data/amount_rules.csv): every row is one person and one session, and the
amount that session must pay them. Each row runs on its own fresh database; see the file's header
for the columns."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from commune_payout import cashbook, payouts, register
from commune_payout.payouts import SessionSpec

TABLE = Path(__file__).parent / "data" / "amount_rules.csv"


def _rows():
    lines = [line for line in TABLE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter=";"))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _person(ctx, row) -> str:
    data = {"full_name": "Người Trong Bảng", "village": "Thôn Đông"}
    if "/" in row["born"]:
        data["birth_date"] = row["born"]
    elif row["born"]:
        data["birth_year"] = int(row["born"])
    if row["status"] != "active":
        status, day = row["status"].split("@")
        data.update(status=status, status_date=day)
    memberships = []
    for item in row["groups"].split("+"):
        code, _, details = item.partition(":")
        m = {"category": code}
        for pair in filter(None, details.split(",")):
            key, value = pair.split("=")
            key = {"rate": "injury_rate", "from": "start_date", "to": "end_date"}.get(key, key)
            m[key] = value if key in ("start_date", "end_date") else float(value) if "." in value else int(value)
        memberships.append(m)
    return register.create(ctx, data, memberships)


def _spec(text: str, name: str = "Đợt trong bảng") -> SessionSpec:
    kind, day, *options = text.split()
    on = _date(day)
    spec = SessionSpec(name=name, kind=kind, period=on.strftime("%Y-%m"), session_date=on)
    for option in options:
        key, value = option.split("=", 1)
        if key.startswith("fixed."):
            spec.fixed[key[6:]] = int(value)
        elif key == "programs":
            spec.programs = tuple(value.split(","))
        elif key == "one_per_person":
            spec.one_per_person = value == "1"
        else:
            setattr(spec, key, int(value))
    return spec


def _history(ctx, bid: str, history: str, order: str) -> None:
    """Earlier monthly sessions of the person: each paid or not, then closed or left open."""
    steps = [item.split(":") for item in history.split()]
    made = []
    for period, paid, state in steps:
        sid = payouts.create_session(ctx, _spec(f"monthly {period}-01", f"Tháng {period}"))
        payouts.lock_session(ctx, sid)
        line = next(line for line in payouts.session_lines(ctx.db, sid) if line["beneficiary_id"] == bid)
        if paid == "paid":
            payouts.pay_line(ctx, line["id"])
            cashbook.record(ctx, sid, "received", line["total"])
        made.append((sid, state))
        if order == "in_turn" and state == "closed":
            payouts.close_session(ctx, sid)
    if order == "together":
        for sid, state in made:
            if state == "closed":
                payouts.close_session(ctx, sid)


@pytest.mark.parametrize("row", _rows(), ids=lambda row: row["case"])
def test_rules_table(ctx, row):
    bid = _person(ctx, row)
    if row["history"]:
        _history(ctx, bid, row["history"], row["order"])
    preview = payouts.preview_session(ctx.db, _spec(row["session"]))
    lines = {line["beneficiary_id"]: line for line in preview.lines}
    excluded = {e["beneficiary_id"]: e["reason"] for e in preview.excluded}
    note = f"{row['case']}: {row['note']}"
    if row["expected"] == "excluded":
        assert bid in excluded and bid not in lines, note
    elif row["expected"] == "absent":
        assert bid not in excluded and bid not in lines, note
    else:
        assert bid in lines, (note, excluded.get(bid))
        assert lines[bid]["total"] == int(row["expected"]), (note, payouts.explain_line(lines[bid]))


def test_the_table_covers_every_group_status_and_boundary():
    rows = _rows()
    groups = {item.partition(":")[0] for row in rows for item in row["groups"].split("+")}
    from commune_payout.programs import CATEGORIES

    assert {c.code for c in CATEGORIES} - {"other", "chua_xac_dinh"} <= groups
    assert {row["status"].split("@")[0] for row in rows} == {"active", "suspended", "ended", "deceased"}
    for age in (4, 16, 60, 75, 80):
        assert any(row["case"].endswith(f"_{age}") or f"turns_{age}" in row["case"] for row in rows), age
    assert {row["order"] for row in rows if row["history"]} == {"together", "in_turn"}
