"""The printing page in the real window under Xvfb (1366×768): choose a document, preview it
(the system viewer is a fake), save it as, print it (the printer is a fake). Screenshot in
tests/artifacts/printing.png."""

import datetime as dt
import threading
from pathlib import Path

import pypdf
import pytest

import test_gui_app as gui
from commune_payout import demo, payouts
from commune_payout.clock import FixedClock
from commune_payout.context import Context
from commune_payout.db import open_db
from commune_payout.errors import UserError
from commune_payout.gui import shell as shell_module

FEATURES = list(dict.fromkeys([*shell_module.FEATURES, "commune_payout.gui.printing_view"]))
CLOCK = FixedClock(dt.datetime(2026, 1, 15, 9, 0, 0))


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(path)).pages)


@pytest.fixture(scope="class")
def window(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gui_printing")
    db_path = folder / "demo.sqlite"
    db = open_db(db_path)
    ctx = Context(db, clock=CLOCK, user="test")
    demo.populate(ctx, size=120)     # people as old as they are on the session's date
    sid = payouts.create_session(ctx, payouts.SessionSpec(
        name="Quà Tết Bính Ngọ 2026", kind="tet_gift", period="2026-01", session_date=dt.date(2026, 1, 15),
        gift_high=600_000, gift_low=300_000, fixed={"btxh": 400_000, "htxh": 400_000}))
    payouts.lock_session(ctx, sid)
    for line in payouts.session_lines(db, sid)[:5]:
        payouts.pay_line(ctx, line["id"])
    db.close()
    shell = gui.open_window(folder, db_path=db_path, clock=CLOCK, features=FEATURES)
    yield shell
    gui.close_window(shell)


@pytest.fixture
def view(window):
    window.dialogs.__init__()
    view = window.show("printing")
    view.opened, view.printed = [], []
    view.opener = view.opened.append
    printed = view.printed
    view.printer = lambda path: printed.append(path) or "Đã gửi ra máy in (lệnh in HP-1)."
    return view


def wait(window, view):
    gui.pump(window.root, lambda: view.task is not None and view.task.done)


class TestPrintingPage:
    def test_sidebar_entry_and_defaults(self, window, view):
        assert window.sections["printing"].title == "In tài liệu"
        assert view.kind.code() == "payout-list"
        assert "Quà Tết Bính Ngọ 2026" in view.session_box.get()
        assert view.date_var.get() == "15/01/2026" and view.period_var.get() == "2026-01"
        assert str(view.grid_.inputs["period"].cget("state")) == "disabled"
        assert str(view.grid_.inputs["session"].cget("state")) == "readonly"

    def test_fields_follow_the_document(self, window, view):
        view.kind.set_code("report")
        view.update_fields()
        assert str(view.grid_.inputs["period"].cget("state")) == "normal"
        assert str(view.grid_.inputs["session"].cget("state")) == "disabled"
        assert str(view.grid_.inputs["number"].cget("state")) == "normal"
        view.kind.set_code("receipts")
        view.update_fields()
        assert view.date_var.get() == "" and view.channel.code() == "cash"   # each payment's day, cash only
        assert all(str(b.cget("state")) == "normal" for b in view.grid_.inputs["per_page"].winfo_children())
        assert view.request().on is None
        view.kind.set_code("payout-list")
        view.update_fields()
        assert view.date_var.get() == "15/01/2026" and view.channel.code() == "all"

    def test_preview_opens_the_system_viewer(self, window, view):
        view.mask_var.set(True)
        view.preview()
        wait(window, view)
        assert len(view.opened) == 1
        path = Path(view.opened[0])
        assert path.parent == Path(window.db_path).resolve().parent / "previews"
        assert path.name == "danh-sach-chi-tra_2026-01.pdf"
        text = pdf_text(path)
        assert "DANH SÁCH CHI TRẢ" in text and "TỔNG CỘNG: 120 người" in text and "••••" in text
        assert "Danh sách chi trả: 120 người" in view.status.cget("text")
        view.mask_var.set(False)
        gui.screenshot(window.root, "printing")

    def test_save_as_asks_where_and_tells_what_was_written(self, window, view, tmp_path):
        view.kind.set_code("receipts")
        view.update_fields()
        view.channel.set_code("all")
        view.per_page_var.set(2)
        window.dialogs.save_path = str(tmp_path / "bien-nhan.pdf")
        view.save_as()
        wait(window, view)
        assert len(pypdf.PdfReader(window.dialogs.save_path).pages) == 3
        assert window.dialogs.infos and "Biên nhận: 5 biên nhận" in window.dialogs.infos[-1]
        assert window.dialogs.save_path in window.dialogs.infos[-1]

    def test_save_as_cancelled_writes_nothing(self, window, view):
        window.dialogs.save_path = None
        view.save_as()
        assert view.task is None or view.task.done
        assert not window.dialogs.infos and not window.dialogs.errors

    def test_print_sends_the_pdf_to_the_printer(self, window, view):
        view.kind.set_code("campaign")
        view.update_fields()
        view.print_document()
        wait(window, view)
        assert [Path(p).name for p in view.printed] == ["can-mo-tai-khoan_20260115.pdf"]
        assert "Danh sách cần mở tài khoản" in view.status.cget("text")
        assert "Đã gửi ra máy in (lệnh in HP-1)." in view.status.cget("text")

    def test_a_printer_that_hangs_does_not_freeze_the_window(self, window, view):
        release = threading.Event()
        printed = view.printed

        def slow_printer(path):
            release.wait()
            printed.append(path)
            return "Đã gửi ra máy in."

        view.printer = slow_printer
        view.kind.set_code("cleaning")
        view.update_fields()
        view.print_document()
        gui.pump(window.root, lambda: "Đang gửi ra máy in" in view.status.cget("text"))
        window.root.update()                              # the window still answers while the printer hangs
        assert not view.task.done and str(view.print_button.cget("state")) == "disabled"
        release.set()
        wait(window, view)
        assert len(printed) == 1 and str(view.print_button.cget("state")) == "normal"

    def test_printer_error_is_shown_plainly(self, window, view):
        def no_printer(path):
            raise UserError("Không in được. Máy tính chưa chọn máy in mặc định.")

        view.printer = no_printer
        view.kind.set_code("cleaning")
        view.update_fields()
        view.print_document()
        wait(window, view)
        assert window.dialogs.errors == ["Không in được. Máy tính chưa chọn máy in mặc định."]

    def test_bad_month_and_date_are_marked_beside_their_fields(self, window, view):
        view.kind.set_code("report")
        view.update_fields()
        view.period_var.set("2026-13")
        view.date_var.set("32/01/2026")
        view.preview()
        assert view.opened == []
        errors = {k: label.cget("text") for k, label in view.grid_.errors.items() if label.cget("text").startswith("⚠")}
        assert set(errors) == {"period", "date"}
        assert "Hãy sửa" in view.status.cget("text")
        view.period_var.set("2026-01")
        view.date_var.set("02/02/2026")
        view.preview()
        wait(window, view)
        assert "BÁO CÁO Tiến độ chi trả" in pdf_text(view.opened[0])

    def test_document_errors_from_the_worker_are_shown(self, window, view):
        db = open_db(window.db_path)
        sid = payouts.create_session(Context(db, clock=CLOCK, user="test"), payouts.SessionSpec(
            name="Tháng 02/2026", kind="monthly", period="2026-02", session_date=dt.date(2026, 2, 1)))
        db.close()
        view.on_show()
        assert view.session_id() != sid                    # sessions are listed newest period first …
        view.session_box.current([s["id"] for s in view.sessions].index(sid))
        view.kind.set_code("receipts")
        view.update_fields()
        view.preview()
        wait(window, view)
        assert window.dialogs.errors == ["Chưa có khoản chi nào để in biên nhận bằng tiền mặt"]   # … nobody paid
        assert str(view.preview_button.cget("state")) == "normal"

    def test_the_monthly_report_for_one_office_by_payment_date_and_its_workbook(self, window, view, tmp_path):
        view.kind.set_code("report")
        view.update_fields()
        assert str(view.xlsx_button.cget("state")) == "normal"
        assert view.office.cget("values")[1:] == ("Sở Y tế tỉnh Phú Thọ", "Sở Nội vụ tỉnh Phú Thọ")
        view.office.set("Sở Y tế tỉnh Phú Thọ")
        view.basis_var.set("payment")
        view.period_var.set("2026-01")
        gui.screenshot(window.root, "printing_report")
        view.preview()
        wait(window, view)
        path = Path(view.opened[-1])
        assert path.name == "bao-cao-thang_2026-01_btxh-htxh_theo-ngay-chi.pdf"
        text = pdf_text(path)
        assert "Kính gửi: Sở Y tế tỉnh Phú Thọ." in text and "Số liệu tính theo ngày chi trả" in text
        assert "Sở Nội vụ" not in text
        window.dialogs.save_path = str(tmp_path / "so-lieu.xlsx")
        view.save_xlsx()
        gui.pump(window.root, lambda: window.dialogs.infos or window.dialogs.errors)
        assert window.dialogs.errors == [] and (tmp_path / "so-lieu.xlsx").exists()
        view.kind.set_code("payout-list")
        view.update_fields()
        assert str(view.xlsx_button.cget("state")) == "disabled"
