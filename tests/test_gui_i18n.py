"""Every string the window shows goes through ``_()`` and has an English translation;
ttkbootstrap's own dialogs speak Vietnamese."""

import ast
import re
import string
from pathlib import Path

import pytest

from commune_payout import backups, base_levels, cashbook, checks, decisions, grievances, i18n, payouts, register, \
    verification
from commune_payout.gui.dated_settings import WEEKDAYS
from commune_payout.gui.decisions_view import CHECKS_SHORT
from commune_payout.gui.office.import_view import WAITING_FOR
from commune_payout.gui.payouts_view import SHORT_CHANNELS
from commune_payout.programs import CATEGORIES, PROGRAM_LABELS
from commune_payout.sync import reader

GUI = Path(i18n.__file__).parent / "gui"
# Modules whose strings locale/en.json covers; a feature that ships its own page adds its
# module here together with its English strings.
TRANSLATED = ("about", "app", "card_check", "cleaning_view", "dashboard_view", "dated_settings", "decisions_view",
              "dialogs", "grievances_view", "import_view", "verification_panel",
              *(f"office/{name}" for name in ("console", "communes_view", "import_view", "reports_view", "acks_view",
                                              "send_down_view", "key_view")),
              "payouts_view", "person_form", "printing_view", "register_view", "settings_view", "setup_wizard", "shell", "sync_view", "tasks",
              "widgets")


def literal_strings() -> set[str]:
    found = set()
    for path in (GUI / f"{name}.py" for name in TRANSLATED):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant):
                    found.add(arg.value)
    return found


def importer_labels() -> dict:
    from commune_payout.importer.model import FIELD_LABELS

    return FIELD_LABELS


def domain_labels() -> set[str]:
    """Labels from domain modules that the window passes through ``_()``."""
    out = set()
    for labels in (register.STATUSES, register.ACCOUNT_STATUSES, {0: register.NUMBER_MISSING}, register.CHANNELS,
                   register.GENDERS,
                   register.FIELD_LABELS, importer_labels(), PROGRAM_LABELS, checks.GROUP_LABELS, checks.SEVERITY,
                   backups.REASONS, payouts.KINDS, payouts.SESSION_STATUSES, payouts.LINE_STATUSES,
                   cashbook.KINDS, SHORT_CHANNELS, reader.REASONS, WAITING_FOR, decisions.REQUESTS,
                   decisions.SHORT_REQUESTS, decisions.CHECK_RESULTS, decisions.APPLICATION_STATUSES,
                   decisions.DECISION_STATUSES, base_levels.SOURCES, CHECKS_SHORT, dict(enumerate(WEEKDAYS)),
                   grievances.KINDS, grievances.RECEIVED_VIA, grievances.STATES, grievances.ACTIONS, grievances.FIXES,
                   verification.ANSWERS, verification.ASKED_HOW, verification.DRAW_METHODS):
        out |= set(labels.values())
    return out | {c.label for c in CATEGORIES}


def fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None}


def test_every_gui_string_has_an_english_translation():
    english = i18n.catalogue("en")
    wanted = literal_strings() | domain_labels()
    assert len(wanted) > 200
    assert sorted(wanted - set(english)) == []


def test_translations_keep_their_placeholders():
    for source, target in i18n.catalogue("en").items():
        assert fields(source) == fields(target), source


def test_no_user_visible_literal_bypasses_the_translation_function():
    """Widget texts in the GUI are either ``_()`` calls or built from data, never bare literals."""
    bare = []
    for path in GUI.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg in ("text", "title") and isinstance(node.value, ast.Constant):
                if re.search(r"[A-Za-zÀ-ỹ]", str(node.value.value)):
                    bare.append((path.name, node.value.value))
    assert bare == []


def test_source_language_is_vietnamese_and_english_switches():
    assert i18n.language() == "vi"
    assert i18n._("Sổ người hưởng") == "Sổ người hưởng"
    try:
        i18n.set_language("en")
        assert i18n._("Sổ người hưởng") == "Register"
        assert i18n._("chưa có trong danh mục") == "chưa có trong danh mục"
    finally:
        i18n.set_language("vi")


@pytest.fixture
def root():
    import test_gui_app as gui

    root = gui.new_root()
    yield root
    gui.destroy_root(root)


def test_ttkbootstrap_dialogs_speak_vietnamese(root):
    from ttkbootstrap.localization import MessageCatalog

    i18n.install_tk_catalogue(root)
    assert MessageCatalog.translate("Cancel") == "Hủy"
    assert MessageCatalog.translate("Yes") == "Có"
    assert MessageCatalog.translate("OK") == "Đồng ý"
    assert MessageCatalog.translate("Mo") == "T2"


def press_when_shown(root, label):
    """Press the dialog button labelled ``label`` once the (modal) dialog appears."""
    def find(widget):
        for child in widget.winfo_children():
            if child.winfo_class() == "TButton" and child.cget("text") == label:
                return child
            found = find(child)
            if found is not None:
                return found
        return None

    def poll():
        button = find(root)
        if button is None:
            root.after(50, poll)
        else:
            button.invoke()
    root.after(50, poll)


def test_real_dialogs_have_vietnamese_buttons(root):
    from commune_payout.gui.dialogs import Dialogs

    dialogs = Dialogs(root)
    press_when_shown(root, "Có")
    assert dialogs.ask_yes_no("Khôi phục dữ liệu?") is True
    press_when_shown(root, "Không")
    assert dialogs.ask_yes_no("Bỏ những gì vừa nhập?") is False
    press_when_shown(root, "Đồng ý")
    dialogs.error("Có lỗi")
