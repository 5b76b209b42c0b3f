"""The payout pages in the real window under Xvfb (1366×768): the wizard, review and lock, the
desk (Enter pays), reversal, receipts, transfer files, the bank result, the cash book and
closing. Screenshots go to tests/artifacts/payouts_*.png."""

import re

import pytest

import test_gui_app as gui
from commune_payout import banks, payouts
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.gui import shell as shell_module
from commune_payout.money import format_vnd
from commune_payout.text import fold

FEATURES = list(dict.fromkeys([*shell_module.FEATURES, "commune_payout.gui.payouts_view"]))


@pytest.fixture(scope="class")
def window(tmp_path_factory):
    shell = gui.open_window(tmp_path_factory.mktemp("gui_payouts"), features=FEATURES)
    yield shell
    gui.close_window(shell)


@pytest.fixture
def view(window):
    window.dialogs.__init__()
    return window.show("payouts")


def _search(view, text):
    view.search_var.set(text)
    view.run_search()


class TestPayoutPages:
    """One session, created, paid and closed through the window, test by test in order."""

    def test_sidebar_entry_and_empty_state(self, window, view):
        assert window.sections["payouts"].title == "Đợt chi trả"
        assert "Chưa có đợt chi nào" in view.status_label.cget("text")
        assert str(view.lock_button.cget("state")) == "disabled"

    def test_wizard_shows_every_problem_beside_its_field(self, window, view):
        window.root.event_generate("<Control-n>")
        wizard = view.wizard
        assert wizard is not None and wizard.winfo_exists()
        gui.pump(window.root, wizard.winfo_ismapped)
        gui.assert_placed_over_the_window(wizard, window)
        wizard.vars["name"].set("")
        wizard.vars["period"].set("2026-13")
        wizard.vars["gift_high"].set("sáu trăm")
        wizard.preview()
        errors = {k: label.cget("text") for k, label in wizard.grid_.errors.items() if label.cget("text")}
        assert errors["name"].startswith("⚠ Chưa đặt tên")
        assert errors["gift_high"] == "⚠ Số tiền không hợp lệ"
        assert str(wizard.create_button.cget("state")) == "disabled"

    def test_a_preview_says_which_groups_have_no_amount(self, window, view):
        wizard = view.wizard
        wizard.vars["name"].set("Quà Tết")
        wizard.vars["period"].set("2026-01")
        wizard.vars["session_date"].set("20/01/2026")
        wizard.vars["gift_high"].set("600.000")
        wizard.vars["gift_low"].set("")
        wizard.preview()
        gui.pump(window.root, lambda: wizard.summary.cget("text") != "Đang tính…")
        # the groups whose amount is blank are named, not silently left out
        assert "Chưa ghi Quà mức thấp (NCC), Mức cố định BTXH, Mức cố định HTXH" in wizard.warnings.cget("text")

    def test_wizard_preview_then_create(self, window, view):
        wizard = view.wizard
        wizard.vars["name"].set("Quà Tết Bính Ngọ 2026")
        wizard.vars["period"].set("2026-01")
        wizard.vars["session_date"].set("20/01/2026")
        wizard.vars["gift_high"].set("600.000")
        wizard.vars["fixed_btxh"].set("400.000")
        wizard.preview()
        gui.pump(window.root, lambda: str(wizard.create_button.cget("state")) == "normal")
        assert "người, tổng" in wizard.summary.cget("text")
        assert wizard.totals.trees["by_channel"].get_children()
        gui.screenshot(window.root, "payouts_wizard")
        for key, tree in wizard.totals.trees.items():
            wizard.totals.holder.select(tree.master)
            gui.settle(window.root, 0.1)
            assert gui.cut_cells(tree) == [], key             # no group or village name cut off
        wizard.create()
        gui.pump(window.root, lambda: view.sid is not None)
        assert not wizard.winfo_exists()
        assert view.session["status"] == "draft"
        assert view.review_totals.trees["by_village"].get_children()
        view.notebook.select(view.review)
        gui.settle(window.root, 0.1)
        for key, tree in view.review_totals.trees.items():
            assert gui.cut_cells(tree) == [], key
        gui.screenshot(window.root, "payouts_review")

    def test_a_draft_can_be_deleted_and_made_again(self, window, view):
        view.delete_draft()
        assert view.sid is None and payouts.list_sessions(window.db) == []
        wizard = view.open_wizard()
        wizard.vars["name"].set("Quà Tết Bính Ngọ 2026")
        wizard.vars["period"].set("2026-01")
        wizard.vars["session_date"].set("20/01/2026")
        wizard.vars["fixed_btxh"].set("400.000")
        wizard.preview()
        gui.pump(window.root, lambda: str(wizard.create_button.cget("state")) == "normal")
        wizard.create()
        gui.pump(window.root, lambda: view.sid is not None)

    def test_lock_then_enter_pays_the_person_found_without_accents(self, window, view):
        view.session_box.focus_force()          # the confirmation box takes the focus in real life
        gui.pump(window.root, lambda: view.session_box.focus_get() is view.session_box)
        view.lock()
        assert view.session["status"] == "locked" and window.dialogs.questions
        # the desk is ready for the first name at once
        gui.pump(window.root, lambda: view.search.focus_get() is view.search)
        cash = next(line for line in payouts.session_lines(window.db, view.sid, channel="cash_commune")
                    if not line["receiver_name"])
        view.notebook.select(view.desk)
        _search(view, fold(cash["full_name"]) + " " + str(cash["birth_year"] or ""))
        _search(view, cash["id_number"][-6:] if cash["id_number"] else fold(cash["full_name"]))
        assert view.selected_line()["id"] == cash["id"]
        why = view.detail_why.cget("text").splitlines()      # the arithmetic of the amount shown
        assert why[0] == "Cách tính:" and why[-1] == f"Tổng được nhận: {format_vnd(cash['total'])}"
        assert any("mức cố định của đợt chi 400.000 đ" in text for text in why)
        gui.screenshot(window.root, "payouts_why")
        view.search.focus_force()
        gui.pump(window.root, lambda: view.search.focus_get() is view.search)
        view.search.event_generate("<Return>")
        gui.pump(window.root, lambda: view.receipt_queue)
        paid = payouts.get_line(window.db, cash["id"])
        assert (paid["status"], paid["receipt_no"], paid["received_by"]) == ("paid", 1, "self")
        assert view.receipt_queue == [1]
        assert "Biên nhận số 1" in view.desk_message.cget("text")
        assert view.search_var.get() == ""
        assert view.tile_labels["paid"][0].cget("text").startswith("1 / ")
        # no cash recorded as received from the treasury: asked first, and the tile says what is missing
        assert "Sổ quỹ mới ghi giữ 0 đ tiền mặt" in window.dialogs.questions[-1]
        assert view.tile_labels["cash"][0].cget("text") == "Thiếu " + format_vnd(paid["total"])
        view.search.event_generate("<Return>")          # a second Enter pays nobody
        gui.settle(window.root, 0.1)
        assert payouts.counters(window.db, view.sid)["paid_count"] == 1
        view.show_paid.set(True)
        view.run_search()
        gui.settle(window.root, 0.1)
        # "Thôn Thượng", "Đã nhận (BN 1)" whole (a long name is read whole in the panel beside)
        assert [cell for cell in gui.cut_cells(view.tree) if cell[0] != "name"] == []
        view.tree.selection_set(cash["id"])
        view.show_detail()
        assert "lúc 15/01/2026 09:00" in view.detail_text.cget("text")        # dd/mm/yyyy, not ISO
        view.show_paid.set(False)
        view.run_search()
        gui.screenshot(window.root, "payouts_desk")

    def test_account_without_holder_and_a_child_without_guardian(self, window, view):
        lines = payouts.session_lines(window.db, view.sid, status="pending")
        account = next(line for line in lines if line["channel"] == "account")
        _search(view, account["id_number"] or account["full_name"])
        view.lines[account["id"]]["account_holder"] = ""        # an account whose holder is not recorded
        view.tree.selection_set(account["id"])
        view.show_detail()
        bank = banks.bank_name(account["bank_bin"])
        assert f"Tài khoản: {account['account_number']} · {bank}\n" in view.detail_text.cget("text")
        assert "()" not in view.detail_text.cget("text")
        child = next(line for line in lines if line["birth_year"] and line["birth_year"] >= 2012
                     and not line["receiver_name"])
        _search(view, child["id_number"] or child["full_name"])
        view.tree.selection_set(child["id"])
        view.show_detail()
        assert "tuổi: người giám hộ nhận thay" in view.detail_text.cget("text")
        assert view.received_by.get() == "authorised" and view.receiver_var.get() == ""

    def test_ctrl_f_at_the_desk_goes_to_the_desk_search(self, window, view):
        view.tree.focus_force()
        gui.pump(window.root, lambda: view.tree.focus_get() is view.tree)
        view.tree.event_generate("<Control-f>")
        gui.pump(window.root, lambda: view.search.focus_get() is view.search)
        assert window.current == "payouts"

    def test_authorised_receiver_is_recorded(self, window, view):
        line = payouts.session_lines(window.db, view.sid, status="pending", channel="cash_commune")[0]
        _search(view, line["id_number"] or line["full_name"])
        view.tree.selection_set(line["id"])
        view.show_detail()
        view.receiver_entry.focus_force()
        gui.pump(window.root, lambda: view.receiver_entry.focus_get() is view.receiver_entry)
        view.receiver_var.set("")
        view.receiver_entry.event_generate("<Key>", keysym="N")      # typing a name picks "authorised"
        view.receiver_entry.insert("end", "guyễn Văn Nhận Thay")
        assert view.received_by.get() == "authorised"
        view.receiver_entry.event_generate("<Return>")      # Enter pays, as the button says
        gui.pump(window.root, lambda: view.receipt_queue[-1:] == [2])
        paid = payouts.get_line(window.db, line["id"])
        assert (paid["received_by"], paid["paid_to"]) == ("authorised", "Nguyễn Văn Nhận Thay")

    def test_a_transfer_line_is_paid_in_cash_only_when_the_officer_confirms(self, window, view):
        line = payouts.session_lines(window.db, view.sid, status="pending", channel="account")[-1]
        _search(view, line["id_number"] or line["full_name"])
        view.tree.selection_set(line["id"])
        window.dialogs.answer = False
        assert view.pay_selected() is None
        assert payouts.get_line(window.db, line["id"])["status"] == "pending"
        window.dialogs.answer = True
        receipt = view.pay_selected()
        paid = payouts.get_line(window.db, line["id"])
        assert (paid["receipt_no"], paid["paid_channel"], paid["channel"]) == (receipt, "cash_commune", "account")
        assert any("chuyển khoản" in q for q in window.dialogs.questions)

    def test_second_desk_paying_the_same_person_is_told_the_receipt(self, window, view):
        line = payouts.session_lines(window.db, view.sid, status="pending", channel="cash_commune")[0]
        _search(view, line["id_number"] or line["full_name"])
        view.tree.selection_set(line["id"])
        other = Context(open_db(window.db_path), clock=FixedClock(), user="ban_chi_2")
        payouts.pay_line(other, line["id"])
        other.db.close()
        assert view.pay_selected() is None
        assert "đã được chi trả trong đợt này, biên nhận số 4" in window.dialogs.errors[0]

    def test_reversal_from_the_desk(self, window, view):
        view.show_paid.set(True)
        first = payouts.payment_by_receipt(window.db, view.sid, 1)
        line = payouts.get_line(window.db, first["line_id"])
        _search(view, line["id_number"] or line["full_name"])
        view.tree.selection_set(line["id"])
        view.reverse_reason.set("Ghi nhầm người")
        view.reverse_selected()
        assert payouts.get_line(window.db, line["id"])["status"] == "pending"
        assert view.receipt_queue == [2, 3]
        view.show_paid.set(False)

    def test_receipt_queue_prints_to_pdf(self, window, view, tmp_path):
        window.dialogs.save_path = str(tmp_path / "bien-nhan.pdf")
        view.print_queue()
        assert (tmp_path / "bien-nhan.pdf").read_bytes().startswith(b"%PDF")
        assert view.receipt_queue == [] and window.dialogs.infos

    def test_transfer_files_and_bank_result(self, window, view, tmp_path):
        view.notebook.select(view.bank)
        view.export_transfers()
        gui.pump(window.root, lambda: view.last_export)
        folder = view.export_folder()
        assert sorted(p.suffix for p in folder.iterdir()) == [".csv", ".xlsx"] * len(view.last_export) or \
            len(list(folder.iterdir())) == 2 * len(view.last_export)
        accounts = payouts.session_lines(window.db, view.sid, status="pending", channel="account")
        result = tmp_path / "ketqua.csv"
        result.write_text("Số tài khoản;Số tiền;Trạng thái;Lý do\n" + "".join(
            f"{line['account_number']};{line['total']};{'Trả lại' if i == 0 else 'Thành công'};Sai số tài khoản\n"
            for i, line in enumerate(accounts)), encoding="utf-8")
        window.dialogs.open_path = str(result)
        view.import_results()
        assert "1 bị trả lại" in window.dialogs.questions[-1]
        assert payouts.get_line(window.db, accounts[0]["id"])["status"] == "returned"
        assert payouts.counters(window.db, view.sid)["cashless_count"] == len(accounts) - 1
        gui.screenshot(window.root, "payouts_bank")
        view.notebook.select(view.desk)
        _search(view, accounts[0]["id_number"] or accounts[0]["full_name"])
        view.tree.selection_set(accounts[0]["id"])
        view.show_detail()
        assert str(view.fallback_button.cget("state")) == "normal"
        view.fallback_selected()
        assert payouts.get_line(window.db, accounts[0]["id"])["channel"] == "cash_commune"

    def test_cash_book_and_closing(self, window, view):
        view.notebook.select(view.cash)
        view.cash_kind.set_code("received")
        view.cash_amount.set("5.000.000")
        view.record_cash()
        view.close()
        assert "Sổ quỹ tiền mặt còn thừa" in window.dialogs.errors[-1]
        on_hand = payouts.counters(window.db, view.sid)["cash_on_hand"]
        view.cash_kind.set_code("handed_back")
        view.cash_amount.set(str(on_hand))
        view.cash_note.set("Nộp trả kho bạc")
        view.record_cash()
        assert "còn giữ 0 đ" in view.cash_summary.cget("text")
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", view.cash_tree.item(view.cash_tree.get_children()[0],
                                                                       "values")[0])
        gui.screenshot(window.root, "payouts_cash")
        view.close()
        assert view.session["status"] == "closed"
        assert "Đã đóng đợt chi" in window.dialogs.infos[-1]
        assert str(view.close_button.cget("state")) == "disabled"
