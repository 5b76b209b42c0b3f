"""The office console in the real window under Xvfb: an office set up on first run, two
communes (real demo databases and their real packages) registered and their keys confirmed by
"phone", packages imported (one tampered, one repeated, one out of order), status, the coverage
workbook, receipts read back by a commune, a package sent down; then every page at 1280×720.
Screenshots go to tests/artifacts/office_*.png."""

import datetime as dt
import os
import shutil
import subprocess
import sys

import openpyxl
import pytest

import test_gui_app as gui
from commune_payout import applog, demo, grievances, payouts, register
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError
from commune_payout.gui import app
from commune_payout.gui.office import communes_view, console
from commune_payout.payouts import SessionSpec
from commune_payout.sync import commune, keys, media, scope
from commune_payout.sync import office as office_side

CLOCK = FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0))
AN_BINH, LAC_SON = "05425", "05266"


class OfficeFakeDialogs(gui.FakeDialogs):
    """FakeDialogs plus the office's two choosers: several files, and a folder."""

    def __init__(self):
        super().__init__()
        self.open_paths = []
        self.directory = None

    def ask_open_files(self, title, filetypes=None):
        return self.open_paths

    def ask_directory(self, title):
        return self.directory


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("gui_office")


@pytest.fixture(scope="module")
def communes(folder):
    """Two communes on demo databases of their own, as their laptops would be."""
    out = {}
    for code, size, seed in ((AN_BINH, 60, 1), (LAC_SON, 40, 2)):
        ctx = Context(open_db(folder / f"xa-{code}.sqlite"), clock=CLOCK, user="can_bo_xa")
        demo.populate(ctx, size, seed=seed, commune_code=code)
        out[code] = ctx
    payouts.create_session(out[AN_BINH], SessionSpec(name="Trợ cấp tháng 1/2026", kind="monthly", period="2026-01",
                                                     session_date=dt.date(2026, 1, 1)))
    grievances.add_grievance(out[AN_BINH], "left_out", "Đủ 80 tuổi nhưng không có tên", received_via="village_head",
                             received_on="19/12/2025", person={"full_name": "Lò Văn Sót"}, program="btxh")
    yield out
    for ctx in out.values():
        ctx.db.close()


def export(ctx, usb):
    """The commune's real export: everything the office has not acknowledged, onto ``usb``."""
    pkg = commune.build(ctx)
    [path] = media.copy_verified(commune.save(pkg, commune.outbox_dir(ctx.db.path)), usb)
    return path


def health_people(ctx) -> int:
    """The commune's people the Sở Y tế receives (bảo trợ xã hội, hưu trí xã hội)."""
    return ctx.db.execute("SELECT count(DISTINCT beneficiary_id) FROM memberships "
                          "WHERE program IN ('btxh', 'htxh')").fetchone()[0]


def tampered(path, usb):
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x01
    out = usb / ("sua-" + path.name)
    out.write_bytes(bytes(data))
    return out


def change_someone(ctx, phone):
    person = register.list_beneficiaries(ctx.db, limit=1)[0]
    register.update(ctx, person["id"], {"phone": phone})


@pytest.fixture(scope="module")
def office_path(folder):
    return folder / "so-y-te" / "tong-hop.sqlite"


@pytest.fixture(scope="class")
def root(folder):
    old_display = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = gui.display_of_size(1366, 768)
    applog.setup(folder / "log" / "commune_payout.log")
    root = app.create_root()
    root.geometry("1366x768+0+0")
    yield root
    root.destroy()
    os.environ["DISPLAY"] = old_display or ""


def shell_of(root):
    return root.office_shell


class TestUpstreamConsole:
    """One office's first weeks, through the window, test by test in order."""

    def test_first_run_names_the_office_and_shows_its_key_card(self, root, office_path):
        dialogs = OfficeFakeDialogs()
        setup = console.start_office(root, office_path, clock=CLOCK, dialogs=dialogs)
        assert isinstance(setup, console.OfficeSetup)
        setup.finish()
        assert setup.fields.errors["name"].cget("text").startswith("⚠")
        setup.name.insert(0, "Sở Y tế tỉnh Phú Thọ")
        gui.screenshot(root, "office_setup")
        setup.finish()
        shell = root.office_shell = setup.opened
        assert shell.current == "key"
        assert console.is_office_database(office_path)
        card = office_side.office_keys(shell.db).card
        assert shell.view("key").fingerprint.cget("text") == card.fingerprint
        titles = [s.title for s in sorted(shell.sections.values(), key=lambda s: s.order)]
        assert titles == ["Các xã", "Nhập gói của xã", "Báo cáo tổng hợp", "Biên nhận cho xã", "Gửi xuống xã",
                          "Khóa của đơn vị"]
        texts = [item.label.cget("text") for item in shell.status_items.values()]
        assert "0 xã đã đăng ký" in texts
        gui.screenshot(root, "office_key")

    def test_key_card_saved_to_a_file_and_copied(self, root, folder):
        shell = shell_of(root)
        view = shell.show("key")
        shell.dialogs.save_path = str(folder / "khoa-cap-tren.txt")
        view.save()
        card = keys.parse_card((folder / "khoa-cap-tren.txt").read_text(encoding="utf-8"))
        assert card == shell.card
        view.copy()
        assert root.clipboard_get() == shell.card.to_text()

    def test_register_two_communes_from_the_official_list(self, root):
        shell = shell_of(root)
        view = shell.show("communes")
        view.province.set("Phú Thọ")
        view.province.event_generate("<<ComboboxSelected>>")
        view.query.insert(0, "an binh")
        assert [c.code for c in view.found] == [AN_BINH]
        assert view.listbox.get(0, "end") == ("Xã An Bình — Phú Thọ (05425)",)
        view.add_selected()
        view.query.insert(0, "LAC son")
        view.listbox.selection_set([c.code for c in view.found].index(LAC_SON))
        view.add_selected()
        assert "Xã Lạc Sơn" in view.add_feedback.cget("text")
        assert view.tree.get_children() == (LAC_SON, AN_BINH)
        assert view.tree.item(AN_BINH, "values")[2] == "chưa xác nhận"
        root.after(0, view.add_selected)
        gui.pump(root, lambda: shell.dialogs.errors)
        assert "chọn một xã" in shell.dialogs.errors[0]

    def test_first_packages_wait_for_the_phone_call_and_a_tampered_one_is_rejected(self, root, folder, communes):
        shell = shell_of(root)
        shell.dialogs.__init__()
        usb = folder / "usb1"
        usb.mkdir()
        card = keys.parse_card((folder / "khoa-cap-tren.txt").read_text(encoding="utf-8"))
        for ctx in communes.values():
            commune.set_upstream(ctx, card)     # its name says: bảo trợ xã hội, hưu trí xã hội
        tampered(export(communes[LAC_SON], usb), usb)
        export(communes[AN_BINH], usb)
        view = shell.show("import")
        assert str(view.import_button.cget("state")) == "disabled"
        shell.dialogs.directory = str(usb)
        view.choose_folder()
        assert view.files_label.cget("text").startswith("3 tệp")
        view.run(dry_run=False)
        gui.pump(root, lambda: view.task.done)
        outcomes = {view.tree.item(i, "values")[0]: view.tree.item(i, "values")[3] for i in view.tree.get_children()}
        [bad] = [name for name in outcomes if name.startswith("sua-")]
        assert outcomes.pop(bad) == "Bị từ chối: hỏng khi chuyển"
        assert sorted(outcomes.values()) == ["Đang chờ: chờ xác nhận khóa"] * 2
        assert view.tree.item(view.tree.selection()[0], "values")[0] == bad
        assert "bị hỏng hoặc bị cắt cụt" in view.detail.cget("text")
        assert "2 xã chờ xác nhận khóa" in view.summary.cget("text")
        assert shell.dialogs.errors == []
        gui.screenshot(root, "office_import_first")

    def test_keys_confirmed_by_phone_import_what_waited(self, root, communes):
        shell = shell_of(root)
        shell.dialogs.__init__()
        view = shell.show("communes")
        fingerprint = commune.status(communes[AN_BINH].db)["fingerprint"]
        assert view.tree.item(AN_BINH, "values")[6:9] == ("", "", f"{fingerprint}: gói 1")  # held, not waiting
        view.tree.selection_set(AN_BINH)
        root.update()
        assert f"Đang giữ riêng: {fingerprint}: gói 1" in view.chosen_label.cget("text")
        gui.screenshot(root, "office_quarantine")
        view.tree.selection_set(AN_BINH)
        view.fingerprint.insert(0, "AAAA-BBBB-CCCC")
        root.after(0, view.confirm)
        gui.pump(root, lambda: shell.dialogs.errors)
        assert "Không có gói nào" in shell.dialogs.errors[0]
        for code in (AN_BINH, LAC_SON):
            view.tree.selection_set(code)
            # Read aloud, typed in lower case with spaces.
            gui.fill(view.fingerprint, commune.status(communes[code].db)["fingerprint"].lower().replace("-", " "))
            view.confirm()
        assert len(shell.dialogs.infos) == 2 and "1 gói đã được nhập" in shell.dialogs.infos[0]
        assert view.tree.item(AN_BINH, "values")[8] == ""
        assert view.tree.item(AN_BINH, "values")[2:6] == ("đã xác nhận", "1", "15/01/2026 09:00",
                                                          str(health_people(communes[AN_BINH])))
        assert view.tree.item(LAC_SON, "values")[5] == str(health_people(communes[LAC_SON]))

    def test_dry_run_then_import_in_any_order(self, root, folder, communes):
        shell = shell_of(root)
        shell.dialogs.__init__()
        an_binh, lac_son = communes[AN_BINH], communes[LAC_SON]
        for code, ctx in communes.items():
            commune.record_ack_file(ctx, office_side.make_ack(shell.context(), code)[0])
        usb2, usb3 = folder / "usb2", folder / "usb3"
        usb2.mkdir()
        usb3.mkdir()
        change_someone(an_binh, "0911111111")
        lost = export(an_binh, usb3)              # found again after the next one arrived
        change_someone(an_binh, "0922222222")
        export(an_binh, usb2)
        change_someone(lac_son, "0933333333")
        tampered(export(lac_son, usb2), usb2)
        again = next((folder / "usb1").glob(f"{LAC_SON}*.cpkg"))
        shutil.copy(again, usb2)

        view = shell.show("import")
        view.clear()
        shell.dialogs.open_paths = [str(p) for p in sorted(usb2.glob("*.cpkg"))]
        view.choose_files()
        view.run(dry_run=True)
        gui.pump(root, lambda: view.task.done)
        preview = {view.tree.item(i, "values")[1:4] for i in view.tree.get_children()}
        assert preview == {("Xã An Bình", "3", "Sẽ nhập"), ("Xã Lạc Sơn", "2", "Sẽ nhập"),
                           ("Xã Lạc Sơn", "1", "Đã nhập trước đây"), ("", "", "Bị từ chối: hỏng khi chuyển")}
        [would] = [i for i in view.tree.get_children()
                   if view.tree.item(i, "values")[1:4] == ("Xã Lạc Sơn", "2", "Sẽ nhập")]
        view.tree.selection_set(would)
        root.update()
        assert "người hưởng 1" in view.detail.cget("text")
        assert office_side.communes_status(shell.db)[0]["last_seq"] == 1  # nothing written
        assert len(view.files) == 4
        gui.screenshot(root, "office_dry_run")

        view.run(dry_run=False)
        gui.pump(root, lambda: view.task.done)
        outcomes = sorted(view.tree.item(i, "values")[3] for i in view.tree.get_children())
        assert outcomes == ["Bị từ chối: hỏng khi chuyển", "Đã nhập", "Đã nhập", "Đã nhập trước đây"]
        assert "Đã nhập: 2" in view.summary.cget("text")
        gui.screenshot(root, "office_import")

        shell.dialogs.open_paths = [str(lost)]
        view.choose_files()
        view.run(dry_run=False)
        gui.pump(root, lambda: view.task.done)
        [row] = view.tree.get_children()
        assert view.tree.item(row, "values")[3] == "Bị từ chối: gói cũ hoặc trùng"
        assert "cũ hơn gói số 3" in view.detail.cget("text")
        status = shell.show("communes")
        assert status.tree.item(AN_BINH, "values")[3] == "3" and status.tree.item(LAC_SON, "values")[3] == "2"
        gui.screenshot(root, "office_communes")

    def test_gaps_show_in_the_status_table(self):
        row = {"code": AN_BINH, "name": "Xã An Bình", "confirmed": True, "last_seq": 1,
               "last_import": "2026-01-15 09:00:00", "people": 60, "waiting": [3], "missing": [2],
               "held": {"ABCD-EFGH-JKMN": [1, 2]}, "down": {"sent": 1, "rejected": 1}}
        assert communes_view._status_cells(row)[6:] == ("gói 3", "THIẾU gói 2", "ABCD-EFGH-JKMN: gói 1, 2",
                                                        "1 chờ trả lời; 1 bị từ chối")

    def test_reports_and_the_coverage_workbook(self, root, folder, communes):
        shell = shell_of(root)
        shell.dialogs.__init__()
        view = shell.show("reports")
        gui.pump(root, lambda: view.loading.done)
        assert [r["commune_code"] for r in view.coverage] == [LAC_SON, AN_BINH]
        assert view.canvas.find_all()
        assert len(view.people_tree.get_children()) == sum(map(health_people, communes.values()))
        assert view.payouts_tree.item(view.payouts_tree.get_children()[0], "values")[1] == "Trợ cấp tháng 1/2026"
        gui.screenshot(root, "office_reports")
        shell.dialogs.save_path = str(folder / "bao-cao" / "ty-le.xlsx")
        (folder / "bao-cao").mkdir()
        view.export()
        gui.pump(root, lambda: shell.dialogs.infos or shell.dialogs.errors)
        assert shell.dialogs.errors == [] and "2 dòng" in shell.dialogs.infos[0]
        sheet = openpyxl.load_workbook(folder / "bao-cao" / "ty-le.xlsx").active
        assert [sheet.cell(r, 1).value for r in range(2, 4)] == [LAC_SON, AN_BINH]
        view.tabs.select(1)
        view.commune.set("Xã Lạc Sơn (05266)")
        view.commune.event_generate("<<ComboboxSelected>>")
        gui.pump(root, lambda: view.loading.done)
        assert len(view.people_tree.get_children()) == health_people(communes[LAC_SON])
        view.program.set(view.program.cget("values")[2])                   # the social pension only
        view.program.event_generate("<<ComboboxSelected>>")
        gui.pump(root, lambda: view.loading.done)
        pension = communes[LAC_SON].db.execute("SELECT count(DISTINCT beneficiary_id) FROM memberships "
                                               "WHERE program = 'htxh'").fetchone()[0]
        assert 0 < len(view.people_tree.get_children()) == pension
        gui.screenshot(root, "office_people")
        view.program.set(view.program.cget("values")[0])
        view.program.event_generate("<<ComboboxSelected>>")
        gui.pump(root, lambda: view.loading.done)
        view.tabs.select(2)
        view.commune.set(view.commune.cget("values")[0])
        view.commune.event_generate("<<ComboboxSelected>>")
        gui.pump(root, lambda: view.loading.done)
        gui.screenshot(root, "office_payouts")
        view.tabs.select(4)
        assert view.report() == "grievances"
        [ticket] = [view.grievances_tree.item(i, "values") for i in view.grievances_tree.get_children()]
        assert (ticket[0], ticket[1], ticket[3], ticket[4], ticket[6], ticket[7]) == (
            "Xã An Bình", "1/2025", "Không có tên trong danh sách", "Lò Văn Sót", "05/01/2026", "Quá hạn")
        gui.screenshot(root, "office_grievances")
        view.tabs.select(0)

    def test_receipts_written_and_read_back_by_the_commune(self, root, folder, communes):
        shell = shell_of(root)
        shell.dialogs.__init__()
        view = shell.show("acks")
        assert view.tree.get_children() == (LAC_SON, AN_BINH)
        view.tree.selection_set(AN_BINH)
        root.update()
        code = view.phone_code.cget("text")
        assert code.startswith("3-") and view.tree.item(AN_BINH, "values")[3] == code
        view.tree.selection_set((AN_BINH, LAC_SON))
        shell.dialogs.directory = str(folder / "bien-nhan")
        view.write(selected=True)
        assert "2 biên nhận" in shell.dialogs.infos[0]
        written = view.tree.item(AN_BINH, "values")[4]
        assert written.startswith(AN_BINH)
        done = commune.record_ack_file(communes[AN_BINH], (folder / "bien-nhan" / written).read_bytes())
        assert done["seq"] == 3
        view.tree.selection_set(AN_BINH)
        root.update()
        gui.screenshot(root, "office_acks")

    def test_send_a_new_base_level_down(self, root, folder, communes):
        shell = shell_of(root)
        shell.dialogs.__init__()
        view = shell.show("send_down")
        view.program.set_code("btxh")
        view.valid_from.insert(0, "01/07/2026")
        view.amount.insert(0, "600.000")
        view.add_item()
        assert view.items == [{"program": "btxh", "valid_from": "2026-07-01", "amount": 600000}]
        view.amount.insert(0, "9" * 100_000)        # a paste: refused, and quoted short (it was quoted whole)
        root.after(0, view.add_item)
        gui.pump(root, lambda: shell.dialogs.errors)
        assert "không hợp lệ" in shell.dialogs.errors[0] and len(shell.dialogs.errors[0]) < 120
        view.amount.delete(0, "end")
        view.communes_tree.selection_set(AN_BINH)
        shell.dialogs.directory = str(folder / "gui-xuong")
        view.send()
        [path] = (folder / "gui-xuong").glob("*.cpkg")
        pkg = commune.read_down(communes[AN_BINH], path.read_bytes())
        assert pkg.items == view.items
        [row] = view.history.get_children()
        assert view.history.item(row, "values")[3] == "chờ xã trả lời"
        gui.screenshot(root, "office_send_down")

        view.kind.set("gift_list")
        view._kind_changed()
        assert view.items == [] and view.title_entry.get() == "Danh sách quà Tết"
        assert "ncc_me_vnah" not in view.category.options and "nct_80" in view.category.options  # its groups
        view.category.set_code("ncc_me_vnah")        # not a group of this office's programmes
        view.amount.insert(0, "1.000.000")
        root.after(0, view.add_item)
        gui.pump(root, lambda: len(shell.dialogs.errors) > 1)
        assert shell.dialogs.errors[-1] == "Hãy chọn diện trong danh sách." and view.items == []
        view.category.set_code("nct_80")
        view.add_item()
        view.communes_tree.selection_set(view.communes_tree.get_children())
        view.send()
        assert len(list((folder / "gui-xuong").glob("*.cpkg"))) == 3
        assert "Đã tạo 2 gói" in shell.dialogs.infos[-1]
        assert len(view.history.get_children()) == 3

    def test_status_bar_counts_communes_and_the_last_import(self, root):
        shell = shell_of(root)
        shell.refresh_status()
        texts = [item.label.cget("text") for item in shell.status_items.values()]
        assert "2 xã đã đăng ký · nhập gói gần nhất: 15/01/2026 09:00" in texts
        assert any(t.startswith("Sao lưu gần nhất") for t in texts)


class TestModeChoice:
    def test_gui_on_an_office_database_opens_the_console(self, root, office_path):
        shell = app.start(root, office_path, clock=CLOCK, dialogs=OfficeFakeDialogs())
        assert isinstance(shell, console.OfficeShell) and shell.current == "communes"
        shell.frame.destroy()
        shell.db.close()

    def test_a_communes_database_is_refused_by_the_console(self, folder, communes):
        with pytest.raises(UserError, match="cơ sở dữ liệu của một xã"):
            console.start_office(None, folder / f"xa-{AN_BINH}.sqlite")
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        done = subprocess.run([sys.executable, "-m", "commune_payout", "--db", str(folder / f"xa-{AN_BINH}.sqlite"),
                               "gui", "--office"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and done.stderr.strip().splitlines() == [
            "Lỗi: Đây là cơ sở dữ liệu của một xã. Đơn vị cấp trên cần một tệp cơ sở dữ liệu riêng (--db)."]

    def test_no_display_exits_with_one_clear_line(self, office_path, tmp_path):
        env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
        env["XDG_DATA_HOME"] = str(tmp_path)
        for args in (["--db", str(office_path)], ["--db", str(tmp_path / "moi.sqlite"), "gui", "--office"]):
            done = subprocess.run([sys.executable, "-m", "commune_payout", *args], env=env,
                                  capture_output=True, text=True, timeout=60)
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 1 and len(lines) == 1, done.stderr
            assert lines[0].startswith("Lỗi: Không mở được cửa sổ")


@pytest.fixture(scope="class")
def small(folder, office_path):
    """The office's console on a 1280×720 display."""
    old_display = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = gui.display_of_size(1280, 720)
    root = app.create_root()
    root.geometry("1280x720+0+0")
    shell = console.open_office(root, office_path, clock=CLOCK, dialogs=OfficeFakeDialogs())
    gui.settle(root)
    yield shell
    root.destroy()
    shell.db.close()
    os.environ["DISPLAY"] = old_display or ""


class TestSmallScreen:
    def test_every_page_fits(self, small):
        for key in ("communes", "import", "reports", "acks", "send_down", "key"):
            view = small.show(key)
            gui.settle(small.root, 0.3)
            assert view.winfo_width() <= 1280 and view.winfo_rooty() + view.winfo_height() <= 720
            gui.screenshot(small.root, f"office_small_{key}")
