"""The VNeID social-security account as a payment channel: the schema that accepts it, the
register, the transfer list grouped by bank, the importer's headers, and the ledger."""

import datetime as dt
import sqlite3

import pytest

from commune_payout import importer, payouts, register, transfers
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import ValidationError
from commune_payout.payouts import SessionSpec
from test_importer import make_xlsx, person_row
from test_offices import CLOCK, database_at
from test_payouts import add_person

VNEID = {"channel": "vneid"}


def gift(ctx, **kw) -> str:
    sid = payouts.create_session(ctx, SessionSpec(name="Quà Tết (NQ 418)", kind="tet_gift", period="2027-01",
                                                  session_date=dt.date(2027, 1, 20),
                                                  fixed={"btxh": 400_000, "ncc": 400_000}, **kw))
    payouts.lock_session(ctx, sid)
    return sid


def test_a_database_of_before_takes_the_channel_after_its_migration(tmp_path):
    path = tmp_path / "xa.sqlite"
    old = database_at(path, 11)
    old.execute("INSERT INTO settings VALUES ('commune', ?)",
                ['{"code": "05425", "name": "Xã An Bình", "province_code": "25", "province_name": "Phú Thọ"}'])
    row = ("p1", "05425", "Lê Thị Hoa", "vneid", "970405", "0123456789", "has_account", "2026-01-01", "2026-01-01")
    insert = ("INSERT INTO beneficiaries (id, commune_code, full_name, channel, bank_bin, account_number, "
              "account_status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
    with pytest.raises(sqlite3.IntegrityError):
        old.execute(insert, row)
    old.conn.commit()
    old.close()
    db = open_db(path)
    db.execute(insert, row)
    assert register.get(db, "p1")["channel"] == "vneid"
    assert db.execute("PRAGMA quick_check").fetchone() == ("ok",)
    with pytest.raises(sqlite3.IntegrityError):      # the other values still refused
        db.execute(insert, ("p2", *row[1:3], "wallet", *row[4:]))
    db.execute("PRAGMA user_version = 11")            # set back, and migrated again: nothing to widen
    db.conn.commit()
    db.close()
    again = open_db(path)
    assert again.execute("SELECT count(*) FROM beneficiaries WHERE channel = 'vneid'").fetchone() == (1,)
    again.close()


def test_the_register_asks_the_vneid_account_for_its_bank_and_number(ctx):
    with pytest.raises(ValidationError) as refused:
        register.create(ctx, {"full_name": "Lê Thị Hoa", "birth_year": 1950, **VNEID}, [{"category": "nct_80"}])
    assert "account_number" in refused.value.problems
    bid = register.create(ctx, {"full_name": "Lê Thị Hoa", "birth_year": 1950, "bank_bin": "971005",
                                "account_number": "0987654321", **VNEID}, [{"category": "nct_80"}])
    person = register.get(ctx.db, bid)
    assert person["channel"] == "vneid" and person["account_status"] == "has_account"
    # recording the account again keeps it the VNeID account
    register.set_account(ctx, bid, account_status="has_account", bank_bin="970405", account_number="0123456789")
    assert register.get(ctx.db, bid)["channel"] == "vneid"


def test_vneid_payees_are_on_the_transfer_list_by_bank_and_paid_by_transfer(ctx, tmp_path):
    hoa = add_person(ctx, "Lê Thị Hoa", "nct_80", account="0123456789", bank="970405")
    register.update(ctx, hoa, VNEID)
    lan = add_person(ctx, "Trần Thị Lan", "nkt_nang", account="0222333444", bank="970405")
    wallet = add_person(ctx, "Phạm Văn Nam", "ncc_thuong_binh", account="0909123456", bank="971005")
    register.update(ctx, wallet, VNEID)
    add_person(ctx, "Đỗ Văn Út", "nct_80")                                   # cash
    sid = gift(ctx)
    rows = transfers.transfer_rows(ctx.db, sid)
    assert {bin_code: [r.full_name for r in found] for bin_code, found in rows.items()} == {
        "970405": ["Lê Thị Hoa", "Trần Thị Lan"], "971005": ["Phạm Văn Nam"]}
    [first] = [line for line in payouts.session_lines(ctx.db, sid) if line["beneficiary_id"] == hoa]
    assert first["channel"] == "vneid"
    payouts.pay_line(ctx, first["id"])
    paid = payouts.get_line(ctx.db, first["id"])
    assert paid["paid_channel"] == "vneid" and paid["status"] == "paid"
    [bank_line] = [line for line in payouts.session_lines(ctx.db, sid) if line["beneficiary_id"] == wallet]
    payouts.mark_returned(ctx, bank_line["id"], "Sai số tài khoản")
    assert payouts.get_line(ctx.db, bank_line["id"])["status"] == "returned"
    files = transfers.export_transfers(ctx.db, sid, tmp_path)
    assert sorted(f.bank_bin for f in files) == ["970405"]                    # Lan still pending


def test_the_importer_reads_the_vneid_account_and_the_channel(ctx, tmp_path):
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Xóm", "Diện đối tượng", "Hệ số",
              "Mức hưởng (đồng)", "Số TK an sinh xã hội (VNeID)", "Ngân hàng", "Hình thức nhận"]
    rows = [
        person_row(1, account="'0123456789", bank="Agribank", note=None),
        person_row(2, "Lê Thị Bình", cccd="001150012346", gender="Nữ", note="Tiền mặt tại nhà"),
        person_row(3, "Trần Văn Cường", cccd="001050012347", note="Chuyển khoản"),
    ]
    rows[2][9], rows[2][10] = None, None
    source = make_xlsx(tmp_path / "ds.xlsx", rows, header=header)
    result = importer.import_file(ctx, source)
    assert result.imported == 3
    found = {p["full_name"]: p for p in register.list_beneficiaries(ctx.db)}
    an = register.get(ctx.db, found["Nguyễn Văn An"]["id"])
    assert (an["channel"], an["bank_bin"], an["account_number"]) == ("vneid", "970405", "0123456789")
    assert register.get(ctx.db, found["Lê Thị Bình"]["id"])["channel"] == "cash_home"
    # "Chuyển khoản" with no account: paid in cash until one is recorded, and the officer is told
    assert register.get(ctx.db, found["Trần Văn Cường"]["id"])["channel"] == "cash_commune"
    assert any(p.row == 8 and p.field == "channel" and "chưa có số tài khoản" in p.message for p in result.problems)


def test_both_accounts_in_a_file_keep_the_vneid_one(ctx, tmp_path):
    header = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Thôn/Xóm", "Diện đối tượng", "Hệ số",
              "Mức hưởng (đồng)", "Số tài khoản", "Ngân hàng", "Tài khoản an sinh xã hội"]
    row = person_row(1, account="'0555666777", bank="Agribank", note="'0123456789")
    result = importer.import_file(ctx, make_xlsx(tmp_path / "ds.xlsx", [row], header=header))
    [person] = register.list_beneficiaries(ctx.db)
    person = register.get(ctx.db, person["id"])
    assert (person["channel"], person["account_number"]) == ("vneid", "0123456789")
    assert any("giữ tài khoản an sinh xã hội" in p.message for p in result.problems)
