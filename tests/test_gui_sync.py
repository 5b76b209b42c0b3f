"""The Sync page in the real window under Xvfb (1366×768): the key files of two offices and their
programmes, one card per office, a package to a (stand-in) USB stick, the receipt file, a package
for e-mail and the receipt code read over the phone, what each office sends down. Screenshots go to
tests/artifacts/sync_*.png."""

import datetime as dt

import pytest

import test_gui_app as gui
from commune_payout import register
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.gui import shell as shell_module
from commune_payout.sync import commune
from commune_payout.sync import office as office_side

FEATURES = list(dict.fromkeys([*shell_module.FEATURES, "commune_payout.gui.sync_view"]))
CLOCK = FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0))


@pytest.fixture(scope="class")
def window(tmp_path_factory):
    shell = gui.open_window(tmp_path_factory.mktemp("gui_sync"), clock=CLOCK, features=FEATURES)
    yield shell
    gui.close_window(shell)


def _office(name, programs):
    octx = Context(open_db(":memory:"), clock=CLOCK, user="so")
    office_side.init_office(octx, name, programs)
    office_side.add_commune(octx, "05425")
    return octx


@pytest.fixture(scope="class")
def offices():
    """The Sở Y tế (bảo trợ xã hội, hưu trí xã hội) and the Sở Nội vụ (người có công) of Phú Thọ."""
    both = _office("Sở Y tế tỉnh Phú Thọ", ("btxh", "htxh")), _office("Sở Nội vụ tỉnh Phú Thọ", ("ncc",))
    yield both
    for octx in both:
        octx.db.close()


@pytest.fixture
def view(window):
    window.dialogs.__init__()
    return window.show("sync")


def key_file(window, octx):
    card = office_side.office_keys(octx.db).card
    path = window.folder / f"{card.fingerprint}.pub.txt"
    path.write_text(card.to_text(), encoding="utf-8")
    return path, card


def ticked(view):
    return tuple(code for code, var in view.program_vars.items() if var.get())


class TestSyncPage:
    """One commune's first weeks with its two offices, through the window, test by test in order."""

    def test_without_an_office_key_nothing_can_be_sent(self, window, view):
        assert window.sections["sync"].title == "Gửi cấp trên"
        assert view.cards == {}
        assert "Chưa có khóa của đơn vị cấp trên nào" in view.warning.cget("text")
        gui.screenshot(window.root, "sync_no_key")

    def test_each_office_key_file_is_read_with_the_programmes_it_receives(self, window, view, offices):
        health, home = offices
        path, card = key_file(window, health)
        window.dialogs.open_path = str(path)
        view.load_upstream_key()
        assert card.fingerprint in view.editor_label.cget("text")
        assert ticked(view) == ("btxh", "htxh")               # the office's name says which
        gui.screenshot(window.root, "sync_new_office")
        view.save_office()
        assert card.fingerprint in window.dialogs.infos[0]
        [card_view] = view.cards.values()
        assert str(card_view.usb_button.cget("state")) == "normal"
        assert "Người có công" in view.warning.cget("text")   # nobody receives người có công yet
        path, card = key_file(window, home)
        window.dialogs.open_path = str(path)
        view.load_upstream_key()
        assert ticked(view) == ("ncc",)
        view.save_office()
        assert [c.office.name for c in view.cards.values()] == ["Sở Y tế tỉnh Phú Thọ", "Sở Nội vụ tỉnh Phú Thọ"]
        assert not view.warning.winfo_ismapped()
        pending = [c.pending.cget("text") for c in view.cards.values()]
        assert all("chưa được" in text for text in pending)

    def test_send_to_a_usb_stick_then_safe_to_remove(self, window, view):
        stick = window.folder / "media" / "USB16GB"
        stick.mkdir(parents=True)
        view.find_drives = lambda: [stick]
        view.refresh_drives()
        assert view.drive_box.get() == str(stick)
        health_card = next(iter(view.cards.values()))
        health_card.usb_button.invoke()
        gui.pump(window.root, lambda: window.dialogs.infos or window.dialogs.errors)
        assert window.dialogs.errors == []
        assert "rút USB an toàn" in window.dialogs.infos[0] and "Sở Y tế" in window.dialogs.infos[0]
        [written] = stick.glob("*.cpkg")
        assert "so-y-te" in written.name and not list(stick.glob("*.partial"))
        [row] = view.tree.get_children()
        assert view.tree.item(row, "values")[0] == "Sở Y tế tỉnh Phú Thọ"
        assert "Dấu vân tay của xã" in view.own_label.cget("text")

    def test_receipt_file_from_the_office(self, window, view, offices):
        health, _home = offices
        [package_file] = (window.folder / "media" / "USB16GB").glob("*.cpkg")
        office_side.import_files(health, [package_file])
        office_side.confirm_key(health, "05425", commune.status(window.db)["fingerprint"])
        [(receipt, _code)] = office_side.write_acks(health, window.folder / "acks")
        window.dialogs.open_path = receipt
        view.load_receipt()
        assert "Sở Y tế tỉnh Phú Thọ đã nhận gói số 1" in window.dialogs.infos[0]
        assert view.tree.item(view.tree.get_children()[0], "values")[6].endswith("(tệp)")
        health_card, home_card = view.cards.values()
        assert "đã xác nhận mọi thay đổi" in health_card.pending.cget("text")
        assert "chưa được" in home_card.pending.cget("text")   # the other office still waits for its package

    def test_save_for_email_and_the_phone_code(self, window, view, offices):
        _health, home = offices
        home_card = list(view.cards.values())[1]
        window.dialogs.save_path = str(window.folder / "email" / commune.next_file_name(view._ctx(), home_card.office))
        (window.folder / "email").mkdir()
        home_card.email_button.invoke()
        gui.pump(window.root, lambda: window.dialogs.infos or window.dialogs.errors)
        assert "sẵn sàng đính kèm e-mail" in window.dialogs.infos[0] and "KB" in window.dialogs.infos[0]
        [package_file] = (window.folder / "email").glob("*.cpkg")
        assert "so-noi-vu" in package_file.name
        office_side.import_files(home, [package_file])
        office_side.confirm_key(home, "05425", commune.status(window.db)["fingerprint"])
        _data, code, _ack = office_side.make_ack(home, "05425")
        window.dialogs.__init__()
        home_card = list(view.cards.values())[1]
        home_card.code_entry.insert(0, code)
        view.record_code(home_card)
        assert "Sở Nội vụ tỉnh Phú Thọ đã nhận gói số 1" in window.dialogs.infos[0]
        assert all("đã xác nhận mọi thay đổi" in c.pending.cget("text") for c in view.cards.values())
        gui.screenshot(window.root, "sync")

    def test_a_wrong_phone_code_is_refused_plainly(self, window, view):
        card = next(iter(view.cards.values()))
        card.code_entry.insert(0, "1-1-AAAA")
        window.root.after(0, lambda: view.record_code(card))
        gui.pump(window.root, lambda: window.dialogs.errors)
        assert "Mã biên nhận sai" in window.dialogs.errors[0] or "không khớp" in window.dialogs.errors[0]

    def test_packages_from_the_offices_are_accepted_or_refused_with_a_reason(self, window, view, offices):
        health, home = offices
        window.dialogs.__init__()
        base = office_side.send_down(health, "05425", "base_level", "Mức chuẩn từ 1/7/2026",
                                     [{"program": "btxh", "valid_from": "2026-07-01", "amount": 600000}],
                                     window.folder / "down")
        window.dialogs.open_path = str(base)
        view.open_down()
        [selected] = view.down_tree.selection()
        assert view.down_tree.item(selected, "values")[1] == "Sở Y tế tỉnh Phú Thọ"
        assert "600.000 đ từ ngày 01/07/2026" in view.down_tree.item(selected, "values")[3]
        view.accept_down()
        amount = window.db.execute("SELECT amount FROM base_levels WHERE valid_from = '2026-07-01'").fetchone()
        assert amount == (600000,)

        gift = office_side.send_down(home, "05425", "gift_list", "Quà Tết 2027",
                                     [{"category": "ncc_me_vnah", "amount": 600000}], window.folder / "down")
        window.dialogs.open_path = str(gift)
        view.open_down()
        window.root.after(0, view.reject_down)
        gui.pump(window.root, lambda: window.dialogs.errors)
        assert "lý do" in window.dialogs.errors[0]
        view.reason_entry.insert(0, "Thiếu thân nhân liệt sĩ")
        view.reject_down()
        assert "Sở Nội vụ tỉnh Phú Thọ" in window.dialogs.infos[-1]
        [status] = [view.down_tree.item(i, "values")[4] for i in view.down_tree.get_children()
                    if view.down_tree.item(i, "values")[0] == "Quà Tết 2027"]
        assert status.startswith("đã từ chối") and "Thiếu thân nhân liệt sĩ" in status
        [rejected] = [i for i in view.down_tree.get_children() if view.down_tree.item(i, "values")[4] == status]
        view.down_tree.selection_set(rejected)
        gui.pump(window.root, lambda: "Thiếu thân nhân liệt sĩ" in view.down_detail.cget("text"))
        assert "Quà Tết 2027" in view.down_detail.cget("text")
        gui.screenshot(window.root, "sync_down")

    def test_changing_an_offices_programmes_sends_it_everything_next(self, window, view):
        health = next(iter(view.cards.values())).office
        view.edit_programs(health)
        assert ticked(view) == ("btxh", "htxh")
        view.program_vars["other"].set(True)
        view.save_office()
        health_card = next(iter(view.cards.values()))
        assert "Khác" in health_card.winfo_children()[0].cget("text")
        assert "gói sau gửi toàn bộ" in health_card.pending.cget("text")
