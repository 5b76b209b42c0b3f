"""Transfer files per bank (control totals, checksum, atomic write); a returned transfer paid in cash."""

import csv

import openpyxl
import pytest

from commune_payout import payouts, transfers
from commune_payout.errors import UserError
from test_payouts import add_person, line_of, locked, tet_spec


@pytest.fixture
def session(ctx):
    """A locked Tết session: two Agribank accounts (one with a leading zero), one BIDV, one cash."""
    people = {
        "an": add_person(ctx, "Nguyễn Văn An", "ncc_me_vnah", account="0012345678", bank="970405"),
        "binh": add_person(ctx, "Trần Thị Bình", "ncc_than_nhan_liet_si", account="22223333", bank="970405",
                           receiver="Trần Văn Cường", holder="TRAN VAN CUONG"),
        "dung": add_person(ctx, "Lê Văn Dũng", "ncc_thuong_binh", account="44445555", bank="970418"),
        "hoa": add_person(ctx, "Phạm Thị Hoa", "ncc_than_nhan_liet_si"),
    }
    return locked(ctx, tet_spec()), people


def _read_csv(path):
    text = path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(text.decode("utf-8-sig").splitlines()))


def _rows_from_table(table):
    header = table[0]
    col = {name: header.index(name) for name in header}
    rows = []
    for r in table[1:]:
        if not r or not str(r[0]).isdigit():
            break
        rows.append(transfers.TransferRow(
            no=int(r[col["STT"]]), full_name=r[col["Họ và tên người hưởng"]], holder=r[col["Chủ tài khoản"]],
            account_number=r[col["Số tài khoản"]], bank_bin=r[col["Mã ngân hàng (BIN)"]],
            amount=int(r[col["Số tiền (đồng)"]]), content=r[col["Nội dung chuyển khoản"]], line_id=""))
    return rows


def test_export_one_file_pair_per_bank_with_control_totals_and_checksum(ctx, session, tmp_path):
    sid, _ = session
    files = transfers.export_transfers(ctx.db, sid, tmp_path)
    assert [(f.bank_name, f.count, f.amount) for f in files] == [("Agribank", 2, 900_000), ("BIDV", 1, 300_000)]
    agri = files[0]
    table = _read_csv(agri.csv)
    rows = _rows_from_table(table)
    assert [(r.account_number, r.holder, r.amount) for r in rows] == [
        ("0012345678", "NGUYEN VAN AN", 600_000), ("22223333", "TRAN VAN CUONG", 300_000)]
    assert rows[0].content == "QUA TET BINH NGO 2026 NGUYEN VAN AN"
    footer = {r[0]: r[1] for r in table if len(r) == 2}
    assert footer["Tổng số giao dịch"] == "2"
    assert footer["Tổng số tiền (đồng)"] == "900000"
    assert footer["Bằng chữ"] == "Chín trăm nghìn đồng."
    assert footer["Mã kiểm tra SHA-256"] == agri.checksum == transfers.checksum(rows)
    tampered = [rows[0], transfers.TransferRow(**{**rows[1].__dict__, "amount": 3_000_000})]
    assert transfers.checksum(tampered) != agri.checksum

    ws = openpyxl.load_workbook(agri.xlsx).active
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(values) if r[0] == "STT")
    assert values[header_at + 1][3] == "0012345678"          # text, leading zero kept
    xlsx_footer = {r[0]: r[1] for r in values if r[0] and r[1] is not None and r[0] != "STT"}
    assert xlsx_footer["Mã kiểm tra SHA-256"] == agri.checksum
    assert xlsx_footer["Tổng số tiền (đồng)"] == "900000"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f.xlsx.name for f in files] + [f.csv.name for f in files])  # no temporary files left behind


def test_export_needs_a_locked_session_with_pending_transfers(ctx, tmp_path):
    add_person(ctx, "Chỉ Tiền Mặt", "ncc_me_vnah")
    draft = payouts.create_session(ctx, tet_spec())
    with pytest.raises(UserError, match="đã khóa"):
        transfers.export_transfers(ctx.db, draft, tmp_path)
    payouts.lock_session(ctx, draft)
    with pytest.raises(UserError, match="Không còn dòng chuyển khoản"):
        transfers.export_transfers(ctx.db, draft, tmp_path)


def test_returned_transfer_falls_back_to_cash_in_one_action(ctx, session, tmp_path):
    sid, people = session
    line = line_of(ctx.db, sid, people["binh"])
    with pytest.raises(UserError, match="bị trả lại"):
        payouts.fallback_to_cash(ctx, line["id"])
    payouts.mark_returned(ctx, line["id"], "Tài khoản đã đóng")
    with pytest.raises(UserError, match="bị trả lại"):
        payouts.pay_line(ctx, line["id"])
    payouts.fallback_to_cash(ctx, line["id"], channel="cash_home")
    after = payouts.get_line(ctx.db, line["id"])
    assert (after["status"], after["channel"], after["planned_channel"]) == ("pending", "cash_home", "account")
    assert payouts.pay_line(ctx, line["id"]) == 1
    assert payouts.get_line(ctx.db, line["id"])["received_by"] == "self"
    assert payouts.counters(ctx.db, sid)["cash_paid"] == 300_000
    files = transfers.export_transfers(ctx.db, sid, tmp_path)
    assert sum(f.count for f in files) == 2       # the fallen-back line is no longer a transfer


def test_export_is_refused_after_close(ctx, session, tmp_path):
    sid, _ = session
    payouts.close_session(ctx, sid)
    with pytest.raises(UserError):
        transfers.export_transfers(ctx.db, sid, tmp_path)
