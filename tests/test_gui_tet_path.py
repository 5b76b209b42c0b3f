"""The Tết path as an officer walks it in the real window under Xvfb: from the register just
imported to the payout list saved as PDF, each click, key or answer to a dialog counted. Each
page proposes the next step, so the path takes 6 actions (it took 13). Screenshots go to
tests/artifacts/tet_path_*.png."""

import pytest
from pypdf import PdfReader

import test_gui_app as gui
from commune_payout import paths, payouts


class CountingDialogs(gui.FakeDialogs):
    """Fake dialogs that count each answer the officer gives as one action."""

    def __init__(self, actions: list):
        super().__init__()
        self.actions = actions

    def ask_yes_no(self, message, title=None):
        self.actions.append(f"answer: {message[:30]}")
        return super().ask_yes_no(message, title)

    def ask_save_file(self, title, initialfile="", filetypes=None):
        self.actions.append(f"save as {initialfile}")
        return super().ask_save_file(title, initialfile, filetypes)


@pytest.fixture
def window(tmp_path):
    shell = gui.open_window(tmp_path, people=30)
    yield shell
    gui.close_window(shell)


def test_from_the_imported_register_to_the_printed_list_in_six_actions(window, tmp_path):
    shell = window
    importer_view = shell.show("import")
    shell.dialogs.open_path = str(paths.asset(*paths.SAMPLE_REGISTER))
    importer_view.choose_button.invoke()
    gui.pump(shell.root, lambda: not importer_view.busy())
    importer_view.import_button.invoke()
    gui.pump(shell.root, lambda: importer_view.next_button.winfo_ismapped())
    gui.screenshot(shell.root, "tet_path_1_imported")

    actions: list[str] = []
    shell.dialogs = CountingDialogs(actions)
    shell.dialogs.save_path = str(tmp_path / "danh-sach-chi-tra.pdf")

    def click(button):
        actions.append(f"click {button.cget('text')}")
        button.invoke()

    click(importer_view.next_button)                          # 1. next step: a new session
    view = shell.view("payouts")
    wizard = view.wizard
    gui.pump(shell.root, lambda: str(wizard.create_button.cget("state")) == "normal")   # totals shown at once
    assert wizard.vars["name"].get() == "Quà Tết 2026" and "người, tổng" in wizard.summary.cget("text")
    gui.screenshot(shell.root, "tet_path_2_wizard")
    click(wizard.create_button)                               # 2. create
    gui.pump(shell.root, lambda: view.sid is not None)
    assert view.notebook.select() == str(view.review)
    click(view.lock_button)                                   # 3. lock, 4. yes
    assert view.session["status"] == "locked"
    gui.pump(shell.root, view.next_button.winfo_ismapped)
    gui.screenshot(shell.root, "tet_path_3_locked")
    click(view.next_button)                                   # 5. print the list, 6. save as
    pdf = tmp_path / "danh-sach-chi-tra.pdf"
    gui.pump(shell.root, lambda: pdf.exists() and shell.view("printing").last_path == pdf)
    assert len(actions) == 6, actions
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert payouts.get_session(shell.db, view.sid)["name"] in text or "DANH SÁCH" in text.upper()
    gui.screenshot(shell.root, "tet_path_4_saved")
