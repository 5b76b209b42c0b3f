"""The Sync page in the real window under Xvfb (1366×768): the office's key file, a package to a
(stand-in) USB stick, the receipt file, a package for e-mail and the receipt code read over the
phone. Screenshots go to tests/artifacts/sync_*.png."""

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


@pytest.fixture(scope="class")
def office():
    database = open_db(":memory:")
    octx = Context(database, clock=CLOCK, user="so_y_te")
    office_side.init_office(octx, "Sở Y tế tỉnh Phú Thọ")
    office_side.add_commune(octx, "05425")
    yield octx
    database.close()


@pytest.fixture
def view(window):
    window.dialogs.__init__()
    return window.show("sync")


class TestSyncPage:
    """One commune's first weeks of sync, through the window, test by test in order."""

    def test_without_the_office_key_nothing_can_be_sent(self, window, view):
        assert window.sections["sync"].title == "Gửi cấp trên"
        assert "Chưa có khóa của cấp trên" in view.upstream_label.cget("text")
        assert str(view.usb_button.cget("state")) == "disabled"
        assert "900 thay đổi chưa được cấp trên xác nhận" == view.pending_label.cget("text")
        gui.screenshot(window.root, "sync_no_key")

    def test_office_key_file_is_read_and_its_fingerprint_shown(self, window, view, office):
        card = office_side.office_keys(office.db).card
        key_file = window.folder / "so-y-te.pub.txt"
        key_file.write_text(card.to_text(), encoding="utf-8")
        window.dialogs.open_path = str(key_file)
        view.load_upstream_key()
        assert card.fingerprint in window.dialogs.infos[0]
        assert card.fingerprint in view.upstream_label.cget("text")
        assert str(view.usb_button.cget("state")) == "normal"

    def test_send_to_a_usb_stick_then_safe_to_remove(self, window, view):
        stick = window.folder / "media" / "USB16GB"
        stick.mkdir(parents=True)
        view.find_drives = lambda: [stick]
        view.refresh_drives()
        assert view.drive_box.get() == str(stick)
        view.send_to_drive()
        gui.pump(window.root, lambda: window.dialogs.infos or window.dialogs.errors)
        assert window.dialogs.errors == []
        assert "rút USB an toàn" in window.dialogs.infos[0]
        assert len(list(stick.glob("*.cpkg"))) == 1 and not list(stick.glob("*.partial"))
        assert len(view.tree.get_children()) == 1
        assert "Dấu vân tay của xã" in view.own_label.cget("text")

    def test_receipt_file_from_the_office(self, window, view, office):
        [package_file] = (window.folder / "media" / "USB16GB").glob("*.cpkg")
        office_side.import_files(office, [package_file])
        office_side.confirm_key(office, "05425", commune.status(window.db)["fingerprint"])
        [(receipt, _code)] = office_side.write_acks(office, window.folder / "acks")
        window.dialogs.open_path = receipt
        view.load_receipt()
        assert "gói số 1" in window.dialogs.infos[0]
        assert view.tree.item(view.tree.get_children()[0], "values")[5].endswith("(tệp)")
        assert "xác nhận mọi thay đổi" in view.pending_label.cget("text")

    def test_save_for_email_and_the_phone_code(self, window, view, office):
        person = register.list_beneficiaries(window.db, limit=1)[0]
        register.update(window.ctx, person["id"], {"phone": "0912345678"})
        view.refresh()
        window.dialogs.save_path = str(window.folder / "email" / commune.next_file_name(view._ctx()))
        (window.folder / "email").mkdir()
        view.save_for_email()
        gui.pump(window.root, lambda: window.dialogs.infos or window.dialogs.errors)
        assert "sẵn sàng đính kèm e-mail" in window.dialogs.infos[0] and "KB" in window.dialogs.infos[0]
        [package_file] = (window.folder / "email").glob("*.cpkg")
        office_side.import_files(office, [package_file])
        _data, code, _ack = office_side.make_ack(office, "05425")
        window.dialogs.__init__()
        view.code_entry.insert(0, code)
        view.record_code()
        assert "gói số 2" in window.dialogs.infos[0]
        gui.screenshot(window.root, "sync")

    def test_a_wrong_phone_code_is_refused_plainly(self, window, view):
        view.code_entry.insert(0, "2-1-AAAA")
        window.root.after(0, view.record_code)
        gui.pump(window.root, lambda: window.dialogs.errors)
        assert "Mã biên nhận sai" in window.dialogs.errors[0] or "không khớp" in window.dialogs.errors[0]

    def test_packages_from_the_office_are_accepted_or_refused_with_a_reason(self, window, view, office):
        window.dialogs.__init__()
        base = office_side.send_down(office, "05425", "base_level", "Mức chuẩn từ 1/7/2026",
                                  [{"program": "btxh", "valid_from": "2026-07-01", "amount": 600000}],
                                  window.folder / "down")
        window.dialogs.open_path = str(base)
        view.open_down()
        [selected] = view.down_tree.selection()
        assert "600.000 đ từ ngày 01/07/2026" in view.down_tree.item(selected, "values")[2]
        view.accept_down()
        amount = window.db.execute("SELECT amount FROM base_levels WHERE valid_from = '2026-07-01'").fetchone()
        assert amount == (600000,)

        gift = office_side.send_down(office, "05425", "gift_list", "Quà Tết 2027",
                                  [{"category": "ncc_me_vnah", "amount": 600000}], window.folder / "down")
        window.dialogs.open_path = str(gift)
        view.open_down()
        window.root.after(0, view.reject_down)
        gui.pump(window.root, lambda: window.dialogs.errors)
        assert "lý do" in window.dialogs.errors[0]
        view.reason_entry.insert(0, "Thiếu thân nhân liệt sĩ")
        view.reject_down()
        [status] = [view.down_tree.item(i, "values")[3] for i in view.down_tree.get_children()
                    if view.down_tree.item(i, "values")[0] == "Quà Tết 2027"]
        assert status.startswith("đã từ chối") and "Thiếu thân nhân liệt sĩ" in status
        [rejected] = [i for i in view.down_tree.get_children() if view.down_tree.item(i, "values")[3] == status]
        view.down_tree.selection_set(rejected)
        gui.pump(window.root, lambda: "Thiếu thân nhân liệt sĩ" in view.down_detail.cget("text"))
        assert "Quà Tết 2027" in view.down_detail.cget("text")
        gui.screenshot(window.root, "sync_down")
