"""The "Xác minh và khiếu nại" page in the real window under Xvfb (1366×768): the tickets with the
overdue one on top, a new complaint typed from the keyboard, a ticket moved to its end with its
fix, the verification of a session drawn, answered key by key and a negative answer turned into a
ticket in one action, the sheet printed; the person's complaints in their record; the session's
line on the payouts page. Screenshots in tests/artifacts/grievances*.png."""

import datetime as dt
import pdfplumber
import pytest

import test_gui_app as gui
from commune_payout import demo, grievances, payouts
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError

CLOCK = FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0))


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gui_grievances")
    db_path = folder / "demo.sqlite"
    db = open_db(db_path)
    ctx = Context(db, clock=CLOCK, user="test")
    demo.populate(ctx, size=80)
    sid = payouts.create_session(ctx, payouts.SessionSpec(name="Trợ cấp tháng 01/2026", kind="monthly",
                                                          period="2026-01", session_date=dt.date(2026, 1, 1)))
    payouts.lock_session(ctx, sid)
    for line in payouts.session_lines(db, sid)[:40]:
        payouts.pay_line(ctx, line["id"])
    late = payouts.session_lines(db, sid)[0]
    grievances.add_grievance(ctx, "not_received", "Chưa nhận được tiền tháng 12/2025", received_via="phone",
                             received_on="18/12/2025", beneficiary_id=late["beneficiary_id"])
    grievances.add_grievance(ctx, "data_wrong", "Sai năm sinh trên danh sách", received_via="in_person",
                             received_on="14/01/2026", beneficiary_id=payouts.session_lines(db, sid)[1]["beneficiary_id"])
    db.close()
    shell = gui.open_window(folder, db_path=db_path, clock=CLOCK)
    shell.sid = sid
    yield shell
    gui.close_window(shell)


@pytest.fixture
def view(window):
    window.dialogs.__init__()
    view = window.show("grievances")
    view.tabs.select(0)
    view.refresh()
    return view


def rows(tree):
    return [tree.item(i, "values") for i in tree.get_children()]


def press(widget, key):
    widget.focus_force()
    widget.event_generate("<KeyPress>", keysym=key)


class TestTickets:
    def test_open_tickets_first_the_overdue_on_top(self, window, view):
        assert window.sections["grievances"].title == "Xác minh và khiếu nại"
        first, second = rows(view.tree)[:2]
        assert first[0] == "1/2025" and first[6] == "02/01/2026" and first[7] == "Quá hạn 9 ngày"
        assert view.tree.item(view.tree.get_children()[0], "tags") == ("overdue",)
        assert second[0] == "1/2026" and second[7] == "Còn 9 ngày"
        assert view.summary.cget("text") == "2 phiếu đang giải quyết, 1 quá hạn trả lời · 2 phiếu"
        assert not gui.cut_cells(view.tree)
        gui.screenshot(window.root, "grievances")

    def test_a_new_complaint_from_the_keyboard(self, window, view):
        form = view.new_ticket()
        gui.pump(window.root, lambda: form.winfo_viewable())
        gui.assert_placed_over_the_window(form, window)
        form.outside.set(True)
        form.update()
        gui.fill(form.who.inputs["full_name"], "Lường Thị Sót")
        gui.fill(form.who.inputs["village"], "Thôn Đông")
        form.kind.set_code("left_out")
        form.received_via.set_code("village_head")
        form.program.set_code("btxh")
        form.description.text.focus_force()
        for key in "Du 80":
            form.description.text.event_generate("<KeyPress>", keysym="space" if key == " " else key)
        form.description.text.event_generate("<Return>")
        assert form.winfo_exists() and form.description.get() == "Du 80"    # Enter is a new line in the text
        form.description.set("Đủ 80 tuổi từ tháng 10/2025\nnhưng không có tên trong danh sách")
        gui.screenshot(window.root, "grievances_new")
        form.event_generate("<Control-Return>")
        gui.pump(window.root, lambda: not form.winfo_exists())
        assert window.dialogs.infos[-1] == "Đã tiếp nhận phiếu số 2/2026. Hạn trả lời: 29/01/2026."
        assert "Lường Thị Sót" in [r[2] for r in rows(view.tree)]

    def test_problems_show_beside_their_fields(self, window, view):
        form = view.new_ticket()
        gui.pump(window.root, lambda: form.winfo_viewable())
        gui.fill(form.what.inputs["received_on"], "32/01/2026")
        form.save()
        assert form.winfo_exists()
        for grid, key in ((form.who, "full_name"), (form.what, "received_on"), (form.what, "description")):
            assert grid.errors[key].cget("text").startswith("⚠"), key
        form.destroy()

    def test_a_ticket_is_followed_to_closure_with_its_fix(self, window, view):
        gid = next(i for i, t in view.tickets.items() if t["number_text"] == "1/2025")
        view.tree.selection_set(gid)
        form = view.open_selected()
        gui.pump(window.root, lambda: form.winfo_viewable())
        assert list(form.action.options) == ["in_progress", "note"]          # only the moves allowed
        gui.screenshot(window.root, "grievances_ticket")
        form.save()
        ticket = grievances.get_grievance(window.db, gid)
        assert ticket["state"] == "in_progress" and ticket["handled_by"] == window.ctx.user
        line = next(l for l in payouts.session_lines(window.db, window.sid) if l["beneficiary_id"] == ticket["beneficiary_id"])
        payouts.reverse_entry(window.ctx, line["payment_entry_id"], "Chuyển nhầm tài khoản")
        payouts.pay_line(window.ctx, line["id"], channel="cash_commune")
        form = view.open_ticket(gid)
        gui.pump(window.root, lambda: form.winfo_viewable())
        assert list(form.action.options) == ["resolved", "fix", "note"]
        form.action.set_code("resolved")
        form.update()
        form.save()
        assert form.winfo_exists() and form.grid_.errors["resolution"].cget("text").startswith("⚠")
        form.resolution.set("Đã đảo khoản chuyển nhầm, chi tiền mặt tại xã")
        reversal = next(c for c in form.candidates if "Chuyển nhầm tài khoản" in c["label"])
        form.fix.set_code(reversal["ref"])
        form.save()
        gui.pump(window.root, lambda: not form.winfo_exists())
        ticket = grievances.get_grievance(window.db, gid)
        assert (ticket["state"], ticket["fix_kind"], ticket["fix_ref"]) == ("resolved", "repayment", reversal["ref"])
        form = view.open_ticket(gid)
        gui.pump(window.root, lambda: form.winfo_viewable())
        assert list(form.action.options) == ["closed", "in_progress", "fix", "note"]
        assert [form.history.item(i, "values")[2] for i in form.history.get_children()] == [
            "Mới tiếp nhận", "Đang xử lý", "Đã giải quyết"]
        form.action.set_code("closed")
        form.update()
        form.save()
        assert grievances.get_grievance(window.db, gid)["state"] == "closed"
        assert view.tree.item(gid, "tags") == ("done",)

    def test_working_days_per_kind(self, window, view):
        form = view.deadlines()
        gui.pump(window.root, lambda: form.winfo_viewable())
        form.vars["not_received"].set("5")
        form.vars["other"].set("0")
        form.save()
        assert form.winfo_exists() and form.grid_.errors["other"].cget("text").startswith("⚠")
        form.vars["other"].set("10")
        form.save()
        assert grievances.days_by_kind(window.db)["not_received"] == 5
        grievances.set_days(window.db, {"not_received": 10})


class TestVerification:
    def test_draw_answer_and_open_a_ticket_in_one_action(self, window, view):
        panel = window.run_command("open_verification", window.sid)
        assert view.tabs.index(view.tabs.select()) == 1
        assert "chưa rút mẫu" in panel.summary.cget("text")
        form = panel.draw()
        gui.pump(window.root, lambda: form.winfo_viewable())
        assert form.size.cget("text") == "Cỡ mẫu: 29 trong 40 người đã nhận tiền"    # 96.04×40/135.04 = 28.4
        form.method.set_code("count")
        form.update()
        form.vars["count"].set("12")
        assert form.size.cget("text") == "Cỡ mẫu: 12 trong 40 người đã nhận tiền"
        form.vars["seed"].set("2026")
        form.save()
        assert len(panel.tree.get_children()) == 12
        assert "số hạt giống 2026" in panel.summary.cget("text")
        # the number on the sheet finds the person; "1" asks who asked the first time
        gui.fill(panel.find_entry, "3")
        press(panel.find_entry, "Return")
        third = panel.tree.selection()[0]
        assert panel.items[third]["seq"] == 3
        panel.answer_selected("received")
        answer_form = next(w for w in window.root.winfo_children() if w.winfo_class() == "Toplevel"
                           and w.title().startswith("Câu trả lời"))
        answer_form.vars["asked_by"].set("Trưởng thôn Đông")
        answer_form.save()
        assert panel.items[third]["answer"] == "received"
        fourth = panel.tree.selection()[0]
        assert panel.items[fourth]["seq"] == 4                       # the next person, ready for a key
        press(panel.tree, "1")
        assert panel.items[fourth]["answer"] == "received"
        window.dialogs.answer = True
        press(panel.tree, "2")                                       # not received: a ticket at once
        fifth = next(i for i, item in panel.items.items() if item["seq"] == 5)
        assert window.dialogs.questions[-1].endswith("trả lời “Chưa nhận được”. Mở phiếu khiếu nại ngay?")
        assert window.dialogs.infos[-1].startswith("Đã mở phiếu khiếu nại số ")
        assert panel.tree.item(fifth, "values")[7].endswith("(mới tiếp nhận)")
        assert "Vấn đề: 1 người" in panel.summary.cget("text")
        assert panel.detail.cget("text").startswith("#5 ") and "gọi điện thoại, người hỏi: Trưởng thôn Đông" in \
            panel.detail.cget("text")
        assert not gui.cut_cells(panel.tree)
        assert panel.tree.item(fifth, "tags") == ("problem",)
        window.dialogs.answer = False
        panel.tree.selection_set(next(i for i, item in panel.items.items() if item["seq"] == 6))
        panel.answer_selected("different_amount")
        answer_form = next(w for w in window.root.winfo_children() if w.winfo_class() == "Toplevel"
                           and w.title().startswith("Câu trả lời"))
        assert answer_form.vars["asked_by"].get() == "Trưởng thôn Đông"
        answer_form.vars["amount_received"].set("100.000")
        answer_form.save()
        sixth = next(i for i, item in panel.items.items() if item["seq"] == 6)
        assert panel.items[sixth]["ticket"] is None                   # the officer said not now
        panel.tree.selection_set(sixth)
        panel.open_grievance()                                       # … and later, Ctrl+G
        assert panel.items[sixth]["ticket"]["number_text"]
        with pytest.raises(UserError):
            panel.tree.selection_set(third)
            panel.open_grievance()
        gui.screenshot(window.root, "grievances_verification")

    def test_the_sheet_is_printed_from_the_page(self, window, view, tmp_path):
        panel = window.run_command("open_verification", window.sid)
        printing = window.view("printing")
        printing.opened = []
        printing.opener = printing.opened.append
        window.dialogs.save_path = str(tmp_path / "phieu.pdf")
        panel.print_sheet()
        gui.pump(window.root, lambda: printing.task is not None and printing.task.done)
        with pdfplumber.open(tmp_path / "phieu.pdf") as pdf:
            text = " ".join(page.extract_text() for page in pdf.pages)
        assert "PHIẾU XÁC MINH CHI TRẢ" in text and "số hạt giống 2026" in text

    def test_the_session_shows_its_verification(self, window, view):
        payouts_view = window.show("payouts")
        payouts_view.select(window.sid)
        assert payouts_view.verify_button.cget("text") == "Xác minh: 4/12 đã trả lời (33,3%), 2 vấn đề →"
        gui.screenshot(window.root, "grievances_payouts_line")
        payouts_view.verify_button.invoke()
        assert window.current == "grievances" and view.verification.sid == window.sid


def test_the_person_s_complaints_are_in_their_record(window, view):
    ticket = grievances.list_grievances(window.db, CLOCK.today())[0]
    form = gui.PersonForm.open(window, ticket["beneficiary_id"])
    gui.pump(window.root, lambda: form.winfo_viewable())
    form.tabs.select(len(form.tabs.tabs()) - 1)
    assert form.tabs.tab(form.tabs.select(), "text").startswith("Khiếu nại (")
    assert ticket["id"] in form.grievance_tree.get_children()
    gui.screenshot(window.root, "grievances_person")
    form.grievance_tree.selection_set(ticket["id"])
    form._open_grievance()
    opened = next(w for w in window.root.winfo_children() if w.winfo_class() == "Toplevel"
                  and w.title() == f"Phiếu khiếu nại số {ticket['number_text']}")
    opened.destroy()
    form.destroy()
