"""The "Hồ sơ và quyết định" page in the real window under Xvfb (1366×768): the files by due date
with the overdue one marked, a new file typed from the keyboard, a decision drafted from two
files, printed (the viewer is a fake) and applied; the funeral-support tab. Screenshots in
tests/artifacts/decisions*.png."""

import datetime as dt

import pdfplumber
import pytest

import test_gui_app as gui
from commune_payout import decisions, register
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.gui import app

CLOCK = FixedClock(dt.datetime(2026, 10, 20, 9, 0, 0))


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gui_decisions")
    db_path = app.make_demo_database(folder, size=60)
    db = open_db(db_path)
    ctx = Context(db, clock=CLOCK, user="test")
    hoa = register.create(ctx, {"full_name": "Nguyễn Thị Hoa", "birth_year": 1950, "gender": "F",
                                "village": "Thôn Đông"})
    decisions.add_application(ctx, "grant", "2026-09-01", beneficiary_id=hoa, category="nct_ngheo_60_80")
    decisions.add_application(ctx, "grant", "2026-10-16", person={"full_name": "Lê Văn Nam", "birth_year": 2015,
                                                                  "village": "Thôn Tây"}, category="tre_mo_coi")
    dead = register.create(ctx, {"full_name": "Phan Văn Mất", "birth_year": 1938, "village": "Thôn Tây"},
                           [{"category": "nct_ngheo_80"}])
    register.set_status(ctx, dead, "deceased", dt.date(2026, 10, 15))
    db.close()
    shell = gui.open_window(folder, db_path=db_path, clock=CLOCK)
    yield shell
    gui.close_window(shell)


@pytest.fixture
def view(window):
    window.dialogs.__init__()
    view = window.show("decisions")
    view.opened = []
    view.opener = view.opened.append
    view.refresh()
    return view


def rows(tree):
    return [tree.item(i, "values") for i in tree.get_children()]


class TestDecisionsPage:
    def test_files_by_due_date_with_the_overdue_one_marked(self, window, view):
        assert window.sections["decisions"].title == "Hồ sơ và quyết định"
        first, second = view.app_tree.get_children()[:2]
        assert view.app_tree.item(first, "values")[0] == "Nguyễn Thị Hoa"
        assert view.app_tree.item(first, "tags") == ("overdue",)
        assert view.app_tree.item(first, "values")[4] == "Quá hạn 24 ngày"
        assert view.app_tree.item(second, "values")[3] == "30/10/2026"
        assert "quá hạn" in view.summary.cget("text")
        gui.screenshot(window.root, "decisions")

    def test_a_new_file_from_the_keyboard(self, window, view):
        form = view.new_application()
        gui.pump(window.root, lambda: form.winfo_viewable())
        form.picker.entry.focus_force()
        for key in "phan van mat":
            form.picker.entry.event_generate("<KeyPress>", keysym="space" if key == " " else key)
        gui.pump(window.root, lambda: rows(form.picker.tree))
        assert [r[0] for r in rows(form.picker.tree)] == ["Phan Văn Mất"]
        form.picker.entry.event_generate("<Down>")
        gui.pump(window.root, lambda: form.picker.chosen is not None)
        assert form.picker.chosen["full_name"] == "Phan Văn Mất"
        form.new_var.set(True)
        form._update()
        gui.fill(form.who.inputs["full_name"], "Đỗ Thị Út")
        gui.fill(form.who.inputs["birth"], "1948")
        form.category.set_code("nct_ngheo_60_80")
        gui.fill(form.what.inputs["completed_on"], "19/10/2026")
        gui.screenshot(window.root, "decisions_new_file")
        form.what.inputs["completed_on"].focus_set()
        form.event_generate("<Return>")
        gui.pump(window.root, lambda: not form.winfo_exists())
        assert window.dialogs.infos[-1] == "Đã ghi hồ sơ của Đỗ Thị Út. Hạn giải quyết: 02/11/2026."
        assert "Đỗ Thị Út" in [r[0] for r in rows(view.app_tree)]

    def test_problems_show_beside_their_fields(self, window, view):
        form = view.new_application()
        gui.pump(window.root, lambda: form.winfo_viewable())
        gui.fill(form.what.inputs["completed_on"], "32/10/2026")
        form.save()
        assert form.winfo_exists()
        assert form.who.errors["full_name"].cget("text").startswith("⚠")
        assert form.what.errors["completed_on"].cget("text").startswith("⚠")
        form.destroy()

    def test_draft_print_and_apply_a_decision(self, window, view, tmp_path):
        names = {view.applications[i]["full_name"]: i for i in view.app_tree.get_children()}
        view.app_tree.selection_set([names["Nguyễn Thị Hoa"], names["Lê Văn Nam"]])
        form = view.draft_decision()
        gui.pump(window.root, lambda: form.winfo_viewable())
        gui.fill(form.grid_.inputs["number"], "45")
        form.vars["effective_month"].set("2026-09")
        gui.screenshot(window.root, "decisions_draft")
        form.save()
        assert window.dialogs.infos[-1].startswith("Đã lập dự thảo quyết định số 45/QĐ-UBND")
        chosen = view._chosen_decision()
        assert chosen["number"] == 45 and chosen["status"] == "draft"
        window.dialogs.save_path = str(tmp_path / "qd45.pdf")
        view.print_decision()
        gui.pump(window.root, lambda: view.task.done)
        assert [p.name for p in view.opened] == ["qd45.pdf"]
        with pdfplumber.open(tmp_path / "qd45.pdf") as pdf:
            text = " ".join(page.extract_text() for page in pdf.pages)
        assert "Số: 45/QĐ-UBND" in text and "Lê Văn Nam" in text and "Nguyễn Thị Hoa" in text
        view.apply_decision()
        assert window.dialogs.questions[-1].startswith("Áp dụng quyết định số 45/QĐ-UBND")
        assert window.dialogs.infos[-1] == "Đã áp dụng quyết định cho 2 người."
        assert view.decision_tree.item(chosen["id"], "values")[5] == "Đã áp dụng"
        hoa = register.get(window.db, register.search(window.db, "Nguyễn Thị Hoa")[0]["id"])
        assert [m["start_date"] for m in hoa["memberships"]] == ["2026-09-01"]
        gui.screenshot(window.root, "decisions_applied")

    def test_funeral_support_tab(self, window, view):
        view.tabs.select(2)
        assert rows(view.proposal_tree)[0][:4] == ("Phan Văn Mất", "Thôn Tây", "15/10/2026", "10.000.000 đ")
        assert view.tabs.tab(2, "text") == "Hỗ trợ mai táng (1)"
        view.proposal_tree.selection_set(view.proposal_tree.get_children()[0])
        form = view.funeral_application()
        gui.pump(window.root, lambda: form.winfo_viewable())
        assert form.request.code() == "funeral" and form.vars["died_on"].get() == "15/10/2026"
        gui.fill(form.what.inputs["receiver_name"], "Phan Thị Con")
        gui.fill(form.what.inputs["receiver_relation"], "Con gái")
        gui.screenshot(window.root, "decisions_funeral")
        form.save()
        assert not form.winfo_exists(), form.message.cget("text")
        assert view.tabs.tab(2, "text") == "Hỗ trợ mai táng (0)"


class TestDatedSettings:
    def test_a_base_level_set_by_the_commune_and_its_history(self, window):
        page = window.show("settings")
        assert page.levels_summary.cget("text").startswith("Mức chuẩn trợ giúp xã hội: 500.000 đ từ 01/07/2024")
        gui.screenshot(window.root, "settings_with_levels")
        dialog = page.open_dated_settings()
        gui.pump(window.root, lambda: dialog.winfo_viewable())
        dialog.level_program.set_code("btxh")
        dialog.level_vars["valid_from"].set("01/07/2026")
        dialog.level_vars["amount"].set("540.000")
        dialog.level_vars["note"].set("NĐ mới (chưa có gói của cấp trên)")
        dialog.set_level()
        assert dialog.message.cget("text") == "Đã đặt mức chuẩn 540.000 đ từ 01/07/2026."
        top = dialog.level_tree.item(dialog.level_tree.get_children()[0], "values")
        assert top[:3] == ("Bảo trợ xã hội", "01/07/2026", "540.000 đ")
        assert top[3].startswith("Xã tự đặt") and top[5] == "đang áp dụng"
        assert page.levels_summary.cget("text").startswith("Mức chuẩn trợ giúp xã hội: 540.000 đ từ 01/07/2026 "
                                                            "(Xã tự đặt)")
        dialog.level_vars["amount"].set("năm trăm")
        dialog.set_level()
        assert dialog.level_grid.errors["amount"].cget("text").startswith("⚠")
        gui.screenshot(window.root, "dated_settings")
        dialog.tabs.select(1)
        dialog.holiday_var.set("17/02/2026")
        dialog.add_holiday()
        assert dialog.holiday_list.get(0, "end") == ("17/02/2026 (thứ Ba)",)
        dialog.tabs.select(2)
        dialog.funeral_vars["valid_from"].set("01/01/2026")
        dialog.funeral_vars["multiple"].set("20")
        dialog.funeral_vars["amount"].set("12.000.000")
        dialog.set_funeral()
        assert "chưa hợp lệ" in dialog.message.cget("text")
        dialog.funeral_vars["multiple"].set("")
        dialog.set_funeral()
        assert "Từ 01/01/2026: 12.000.000 đ" in dialog.funeral_levels.cget("text")
        dialog.tabs.select(3)
        dialog.grounds_program.set_code("ncc")
        dialog._load_grounds()
        assert "Pháp lệnh Ưu đãi người có công" in dialog.grounds_text.get("1.0", "end")
        dialog.destroy()


def test_the_session_wizard_offers_arrears_and_a_funeral_support_session(window):
    wizard = window.show("payouts").open_wizard()
    gui.pump(window.root, lambda: wizard.winfo_viewable())
    wizard.vars["name"].set("Truy lĩnh mức chuẩn")
    wizard.kind.set_code("arrears")
    wizard._kind_changed()
    assert wizard.vars["gift_high"].get() == "" and wizard.read_spec().basis == "arrears"
    wizard.kind.set_code("one_off")
    wizard._kind_changed()
    wizard.funeral_only.set(True)
    assert wizard.read_spec().basis == "funeral"
    wizard.destroy()
