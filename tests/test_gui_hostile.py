"""Keystrokes are hostile input: every field of the app's forms, typed into through the real
widgets under Xvfb, ends in a saved value (NFC, digits in ASCII, dates real) or an inline
refusal in Vietnamese beside the field; never an internal error, never a half-written record.

One property test per form. Lone UTF-16 halves cannot be typed through tkinter (it refuses to
encode them); the services that clean what the forms send are tested with them
(tests/test_register.py)."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import test_gui_app as gui
from commune_payout import register
from commune_payout.money import MAX_MONTHLY
from commune_payout.programs import MAX_COEFFICIENT
from commune_payout.text import clean

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
NASTY = [
    "9" * 400, str(10**30), "1e309", "-1", "-0", "0", "²", "１２３", "١٢٣", "NaN", "inf", "-inf", "1_000",
    "31/02/2026", "00/00/0000", "01/01/0001", "01/01/99999", "29/02/2025", "1/1/1950", "１５/０３/１９５０", "1950",
    "a\x00b", "\x07\x1b", "\u202eabc\u202c", "\u200bx\u200d", "\ufeff", "\t\n\r", "  x  ", "😀", "Lò 😀 Páo",
    "\U0010ffff", NFD_NAME, "Đ" * 101, "x" * 100_000, "1.500.000", "1,5", "１,５", "-1.500.000", "+84 912 345 678",
    "0912.345.678", "025150000777", "０２５１５００００７７７", "=HYPERLINK(\"x\")", "'; DROP TABLE beneficiaries; --",
]
# What tkinter can carry to Tk: any code point but the UTF-16 halves.
TYPABLE = st.characters(blacklist_categories=("Cs",))
HOSTILE = st.one_of(
    st.sampled_from(NASTY),
    st.text(TYPABLE, max_size=25),
    st.builds(lambda a, b: a + b, st.sampled_from(NASTY), st.text(TYPABLE, max_size=5)),
)
FREE_TEXT = ("full_name", "village", "address", "notes", "status_reason", "account_status_reason",
             "account_holder", "receiver_name", "receiver_relation")
NUMBERS = ("id_number", "old_id_number", "receiver_id_number", "account_number", "phone")
TYPED_FIELDS = (*FREE_TEXT, *NUMBERS, "birth", "police_verified_on", "status_date", "monthly_amount")


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    shell = gui.open_window(tmp_path_factory.mktemp("gui_hostile"), people=40)
    yield shell
    gui.close_window(shell)


def no_internal_error(shell):
    """Nothing reached the shell's "internal error" dialog (it logs and shows every exception
    the Tk loop catches)."""
    gui.settle(shell.root, 0.05)
    assert shell.dialogs.errors == []


def stored_values_are_clean(person):
    for key in register.EDITABLE:
        value = person[key]
        if isinstance(value, str):
            assert unicodedata.is_normalized("NFC", value), key
            assert not re.search("[\x00-\x1f\ud800-\udfff\u200b\u202e]", value), key
    for key in NUMBERS:
        assert person[key] in (None, "") or re.fullmatch("[0-9]+", person[key]), key
    for key in ("birth_date", "status_date", "police_verified_on"):
        assert person[key] is None or "1880-01-01" <= person[key] <= "2026-01-15", key
    assert person["monthly_amount"] is None or 0 <= person["monthly_amount"] <= MAX_MONTHLY


@settings(max_examples=40)
@given(field=st.sampled_from(TYPED_FIELDS), typed=HOSTILE, status=st.sampled_from(["active", "ended"]))
def test_person_form_saves_clean_values_or_refuses_beside_the_field(window, field, typed, status):
    from commune_payout.gui.person_form import PersonForm

    window.dialogs.__init__()
    form = PersonForm.open(window, None)
    try:
        inputs = form._inputs()
        gui.fill(inputs["full_name"], "Hà Thị Thử")
        inputs["status"].set_code(status)
        if field in ("account_number",):
            inputs["bank_bin"].set_code("970405")
        gui.fill(inputs[field], typed)
        shown = inputs[field].get()
        before = register.count(window.db)
        saved = form.save()
        no_internal_error(window)
        if saved:
            assert register.count(window.db) == before + 1
            person = register.get(window.db, form.bid)
            stored_values_are_clean(person)
            if field in FREE_TEXT:
                assert person[field] == clean(shown)
        else:
            assert register.count(window.db) == before
            assert form.message.cget("text").startswith("Chưa lưu")
            refusals = [label.cget("text") for grid in form.grids.values() for label in grid.errors.values()
                        if label.cget("text").startswith("⚠ ")]
            assert refusals and all(len(r) < 200 for r in refusals)
    finally:
        if form.winfo_exists():
            form.destroy()


@settings(max_examples=30)
@given(coefficient=HOSTILE, amount=HOSTILE)
def test_person_form_group_adder_keeps_a_real_coefficient_and_amount_or_refuses(window, coefficient, amount):
    from commune_payout.gui.person_form import PersonForm

    bid = register.list_beneficiaries(window.db, limit=1)[0]["id"]
    window.dialogs.__init__()
    form = PersonForm.open(window, bid)
    try:
        held = len(form.memberships)
        form.ms_category.set_code("nct_80")
        gui.fill(form.ms_coefficient, coefficient)
        gui.fill(form.ms_amount, amount)
        form.add_membership()
        no_internal_error(window)
        if len(form.memberships) == held + 1:
            added = form.memberships[-1]
            assert added["coefficient"] is None or 0 < added["coefficient"] <= MAX_COEFFICIENT
            assert added["amount"] is None or 0 <= added["amount"] <= MAX_MONTHLY
            assert form.ms_error.cget("text") == ""
        else:
            assert len(form.memberships) == held and form.ms_error.cget("text").startswith("⚠ ")
    finally:
        form.destroy()
