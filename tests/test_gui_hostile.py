"""Keystrokes are hostile input: every field of the app's forms, typed into through the real
widgets under Xvfb, ends in a saved value (NFC, digits in ASCII, dates real) or an inline
refusal in Vietnamese beside the field; never an internal error, never a half-written record.

One property test per form. Lone UTF-16 halves cannot be typed through tkinter (it refuses to
encode them); the services that clean what the forms send are tested with them
(tests/test_register.py)."""

import re
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import test_gui_app as gui
from commune_payout import cashbook, payouts, register
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
    shell = gui.open_window(tmp_path_factory.mktemp("gui_hostile"), people=120)
    yield shell
    gui.close_window(shell)


def no_internal_error(shell):
    """Nothing reached the shell's "internal error" dialog (it logs and shows every exception
    the Tk loop or a worker raises); a refusal it shows is one plain Vietnamese sentence."""
    gui.settle(shell.root, 0.05)
    assert not any("lỗi bên trong" in e for e in shell.dialogs.errors), shell.dialogs.errors
    assert all(len(e) < 300 for e in shell.dialogs.errors)


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
@example(field="monthly_amount", typed="9" * 400, status="active")        # once: OverflowError in SQLite
@example(field="id_number", typed="０２５１５００００７７７", status="active")  # once: stored in fullwidth
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
@example(coefficient="inf", amount="")           # once: OverflowError computing the amount shown
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


WIZARD_TEXT = ("name", "period", "session_date", "funding_source", "gift_high", "gift_low", "fixed_btxh", "fixed_htxh",
               "months")


@settings(max_examples=30)
@given(field=st.sampled_from(WIZARD_TEXT), typed=HOSTILE)
@example(field="months", typed="²")              # once: ValueError from int("²") ("²".isdigit())
@example(field="session_date", typed="31/12/9999")   # once: OverflowError in the preview
def test_session_wizard_previews_a_sane_session_or_refuses_beside_the_field(window, field, typed):
    view = window.show("payouts")
    window.dialogs.__init__()
    wizard = view.open_wizard()
    try:
        gui.pump(window.root, lambda: wizard.task is None or wizard.task.done)
        wizard.vars["name"].set("Quà Tết thử")
        wizard.vars["period"].set("2026-01")
        wizard.vars["session_date"].set("20/01/2026")
        wizard.vars[field].set(typed)
        wizard.preview()
        gui.pump(window.root, lambda: wizard.task is None or wizard.task.done)
        no_internal_error(window)
        errors = [label.cget("text") for label in wizard.grid_.errors.values() if label.cget("text").startswith("⚠")]
        if wizard.spec is not None:
            spec = wizard.spec
            assert errors == [] and re.fullmatch("20[0-9]{2}-[01][0-9]", spec.period)
            assert 1 <= spec.months <= payouts.MAX_MONTHS
            assert all(0 < a <= MAX_MONTHLY for a in [*spec.fixed.values(), spec.gift_high or 1, spec.gift_low or 1])
            assert unicodedata.is_normalized("NFC", spec.name) and len(spec.name) <= 200
        else:
            assert errors or "Không có ai" in wizard.summary.cget("text")
            assert all(len(e) < 200 for e in errors)
        assert payouts.list_sessions(window.db) == []          # nothing is written before "Lập đợt chi"
    finally:
        wizard.destroy()


@pytest.fixture(scope="module")
def desk(window):
    """A locked Tết session of the demo commune, shown at the desk."""
    view = window.show("payouts")
    wizard = view.open_wizard()
    gui.pump(window.root, lambda: wizard.task is None or wizard.task.done)
    wizard.vars["name"].set("Quà Tết bàn chi")
    wizard.vars["fixed_btxh"].set("400.000")
    wizard.preview()
    gui.pump(window.root, lambda: str(wizard.create_button.cget("state")) == "normal")
    wizard.create()
    gui.pump(window.root, lambda: view.sid is not None)
    view.lock()
    view.notebook.select(view.desk)
    return view


@settings(max_examples=30)
@given(search=HOSTILE, receiver=HOSTILE, reason=HOSTILE)
@example(search="dang " * 1500, receiver="", reason="")     # once: "Expression tree is too large"
def test_payout_desk_search_receiver_and_reversal_keep_the_ledger_whole(window, desk, search, receiver, reason):
    window.dialogs.__init__()
    desk.search_var.set(search)
    desk.run_search()
    no_internal_error(window)
    line = payouts.session_lines(window.db, desk.sid, status="pending", channel="cash_commune")[0]
    try:
        desk.search_var.set(line["id_number"] or line["full_name"])
        desk.run_search()
        desk.tree.selection_set(line["id"])
        desk.show_detail()
        desk.received_by.set("authorised")
        desk.receiver_var.set(receiver)
        receipt = desk.pay_selected()
        no_internal_error(window)
        paid = payouts.get_line(window.db, line["id"])
        if receipt is None:
            assert paid["status"] == "pending" and window.dialogs.errors
            return
        assert paid["status"] == "paid" and paid["paid_to"] == (clean(receiver) or line["receiver_name"])
        assert unicodedata.is_normalized("NFC", paid["paid_to"]) and len(paid["paid_to"]) <= 100
        desk.show_paid.set(True)
        desk.search_var.set(line["id_number"] or line["full_name"])
        desk.run_search()
        desk.tree.selection_set(line["id"])
        desk.show_detail()
        desk.reverse_reason.set(reason)
        desk.reverse_selected()
        no_internal_error(window)
        after = payouts.get_line(window.db, line["id"])
        assert after["status"] == ("pending" if clean(reason) and len(clean(reason)) <= 500 else "paid")
    finally:
        desk.show_paid.set(False)
        still = payouts.get_line(window.db, line["id"])
        if still["status"] == "paid":       # put back, so the next example finds the line to pay
            payouts.reverse_entry(window.ctx, still["payment_entry_id"], "Thử lại")


@settings(max_examples=30)
@given(amount=HOSTILE, note=HOSTILE)
@example(amount="1" + "0" * 15, note="")         # refused, and the refusal says why
def test_cash_book_records_a_real_amount_or_refuses(window, desk, amount, note):
    window.dialogs.__init__()
    before = cashbook.ledger(window.db, desk.sid)["movements"]
    desk.cash_kind.set_code("received")
    desk.cash_amount.set(amount)
    desk.cash_note.set(note)
    desk.record_cash()
    no_internal_error(window)
    after = cashbook.ledger(window.db, desk.sid)["movements"]
    if len(after) == len(before) + 1:
        added = after[-1]
        assert added["amount"] != 0 and abs(added["amount"]) <= cashbook.MAX_AMOUNT and len(added["note"]) <= 500
        assert added["note"] == clean(note)
    else:
        assert after == before and window.dialogs.errors
        assert "\n" in window.dialogs.errors[-1] or "Nhập số tiền" in window.dialogs.errors[-1]   # what to fix


def added_or_refused(form, before: set, after: dict) -> dict | None:
    """The record a person-and-request form (who · what) added, its texts NFC; or ``None`` once
    checked that it added nothing and said why, beside a field or under the form, briefly."""
    if not form.winfo_exists():
        [added] = [row for key, row in after.items() if key not in before]
        for value in added.values():
            assert not isinstance(value, str) or unicodedata.is_normalized("NFC", value)
        return added
    assert set(after) == before
    shown = [label.cget("text") for grid in (form.who, form.what) for label in grid.errors.values()
             if label.cget("text").startswith("⚠")]
    assert shown or form.message.cget("text")
    assert all(len(text) < 300 for text in [*shown, form.message.cget("text")])
    return None


APPLICATION_TEXT = ("full_name", "birth", "id_number", "village", "completed_on", "coefficient", "amount", "children")


@settings(max_examples=30)
@given(field=st.sampled_from(APPLICATION_TEXT), typed=HOSTILE)
@example(field="completed_on", typed="01/01/0001")     # once: taken as the day the file was complete
def test_application_form_records_a_clean_file_or_refuses_beside_the_field(window, field, typed):
    from commune_payout import decisions

    view = window.show("decisions")
    window.dialogs.__init__()
    form = view.new_application()
    try:
        form.new_var.set(True)
        form._update()
        for key, value in (("full_name", "Đỗ Thị Út"), ("birth", "1948"), ("completed_on", "10/01/2026")):
            form.vars[key].set(value)
        form.category.set_code("nct_ngheo_60_80")
        form.vars[field].set(typed)
        before = {a["id"] for a in decisions.list_applications(window.db, window.ctx.clock.today())}
        form.save()
        no_internal_error(window)
        after = {a["id"]: a for a in decisions.list_applications(window.db, window.ctx.clock.today())}
        added = added_or_refused(form, before, after)
        assert added is None or "1900-01-01" <= added["completed_on"] <= "2026-01-15"
    finally:
        if form.winfo_exists():
            form.destroy()


@settings(max_examples=20)
@given(key=st.sampled_from(["officer", "chairman", "office_health"]), typed=HOSTILE)
@example(key="chairman", typed="Hoàng " * 100)       # once: saved, and printed under every signature
def test_settings_page_saves_clean_names_or_refuses_the_whole_save(window, key, typed):
    from commune_payout import settings as commune_settings

    page = window.show("settings")
    window.dialogs.__init__()
    before = commune_settings.signers(window.db), commune_settings.commune(window.db)
    entry = page.signer_entries.get(key) or (page.officer if key == "officer" else page.offices[key])
    original = entry.get()
    try:
        gui.fill(entry, typed)
        page.after(0, page.save_commune)        # as the button runs it: refusals reach the shell
        gui.pump(window.root, lambda: window.dialogs.infos or window.dialogs.errors)
        no_internal_error(window)
        after = commune_settings.signers(window.db), commune_settings.commune(window.db)
        if window.dialogs.errors:
            assert after == before                  # neither the officer nor the signers half-saved
        else:
            for value in [*after[0].values(), after[1]["officer"], *after[1]["offices"].values()]:
                assert not isinstance(value, str) or (unicodedata.is_normalized("NFC", value) and len(value) <= 200)
    finally:
        gui.fill(entry, original)
        page.save_commune()


@settings(max_examples=30)
@given(valid_from=HOSTILE, amount=HOSTILE, holiday=HOSTILE)
@example(valid_from="31/12/9999", amount="540.000", holiday="01/01/0001")   # once: both kept
def test_dated_settings_keep_real_days_and_amounts_or_refuse(window, valid_from, amount, holiday):
    from commune_payout import base_levels, decisions

    page = window.show("settings")
    window.dialogs.__init__()
    dialog = page.open_dated_settings()
    try:
        dialog.level_program.set_code("btxh")
        dialog.level_vars["valid_from"].set(valid_from)
        dialog.level_vars["amount"].set(amount)
        dialog.set_level()
        dialog.holiday_var.set(holiday)
        dialog.add_holiday()
        no_internal_error(window)
        for row in base_levels.in_force(window.db):
            assert "1900" <= row["valid_from"][:4] <= "2099" and 0 < row["amount"] < 100_000_000
        assert all(1900 <= day.year <= 2099 for day in decisions.listed_holidays(window.db))
    finally:
        for row in base_levels.in_force(window.db):
            if row["source"] == "local":
                base_levels.remove_local(window.ctx, row["program"], decisions.parse_day(row["valid_from"]))
        decisions.set_holidays(window.db, [])
        dialog.destroy()


@settings(max_examples=20)
@given(typed=HOSTILE)
@example(typed="\u200b")                  # once: an office with an empty name
def test_office_setup_names_the_office_cleanly_or_refuses_beside_the_field(window, tmp_path_factory, typed):
    import tkinter

    from commune_payout.db import open_db
    from commune_payout.gui.office import console
    from commune_payout.sync import keys, office

    path = tmp_path_factory.mktemp("office") / "so.sqlite"
    top = tkinter.Toplevel(window.root)
    try:
        setup = console.OfficeSetup(top, path, on_done=lambda: "opened", clock=gui.CLOCK)
        setup.pack()
        setup.program_vars["btxh"].set(True)
        gui.fill(setup.name, typed)
        shown = setup.name.get()
        setup.finish()
        no_internal_error(window)
        if setup.opened:
            db = open_db(path)
            name = keys.load(db, "office").card.name
            db.close()
            assert name == clean(shown) and 0 < len(name) <= 200
        else:
            assert setup.fields.errors["name"].cget("text").startswith("⚠")
            if path.exists():
                db = open_db(path)
                assert not office.is_office(db)
                db.close()
    finally:
        top.destroy()


GRIEVANCE_TEXT = ("full_name", "village", "phone", "complainant", "received_on", "description")


@settings(max_examples=30)
@given(field=st.sampled_from(GRIEVANCE_TEXT), typed=HOSTILE)
@example(field="phone", typed="０９１ ２３４ ５６７９")     # once: stored in fullwidth digits
def test_grievance_form_records_a_clean_ticket_or_refuses_beside_the_field(window, field, typed):
    from commune_payout import grievances

    view = window.show("grievances")
    window.dialogs.__init__()
    form = view.new_ticket()
    try:
        form.outside.set(True)
        form.update()
        form.vars["full_name"].set("Lường Văn Sót")
        form.description.set("Không có tên trong danh sách")
        form.kind.set_code("left_out")
        form.program.set_code("btxh")
        if field == "description":
            form.description.set(typed)
        else:
            form.vars[field].set(typed)
        today = window.ctx.clock.today()
        before = {t["id"] for t in grievances.list_grievances(window.db, today)}
        form.save()
        no_internal_error(window)
        after = {t["id"]: t for t in grievances.list_grievances(window.db, today)}
        added = added_or_refused(form, before, after)
        if added is not None:
            assert added["phone"] == "" or re.fullmatch("[0-9]{8,12}", added["phone"])
            assert "1900-01-01" <= added["received_on"] <= today.isoformat()
    finally:
        if form.winfo_exists():
            form.destroy()


@settings(max_examples=30)
@given(typed=HOSTILE)
@example(typed="dang " * 1500)
def test_register_search_box_follows_any_paste_without_failing(window, typed):
    view = window.show("register")
    window.dialogs.__init__()
    gui.fill(view.search, typed)
    window.root.update_idletasks()
    no_internal_error(window)
    assert view.shown_text == view.search.get()
    gui.fill(view.search, "")
    window.root.update_idletasks()


@pytest.fixture(scope="module")
def drawn(window, desk):
    """Ten transfer lines of the desk's session paid, and five people drawn to be asked."""
    from commune_payout import verification

    for line in payouts.session_lines(window.db, desk.sid, status="pending", channel="account")[:10]:
        payouts.pay_line(window.ctx, line["id"])
    verification.draw(window.ctx, desk.sid, verification.DrawSpec("count", count=5), seed=1)
    return window.run_command("open_verification", desk.sid)


@settings(max_examples=30)
@given(field=st.sampled_from(["amount_received", "asked_by", "asked_on", "note"]), typed=HOSTILE)
@example(field="amount_received", typed="1" + "0" * 15)     # once: taken as the amount received
def test_verification_answer_records_a_real_amount_or_refuses_beside_the_field(window, drawn, field, typed):
    from commune_payout import verification

    window.dialogs.__init__()
    window.dialogs.answer = False                # no complaint opened for each "different amount"
    item = next(iter(drawn.items.values()))
    drawn.tree.selection_set(item["id"])
    form = drawn.answer_selected("different_amount")
    try:
        form.vars["asked_by"].set("Trưởng thôn Đông")
        form.vars["amount_received"].set("100.000")
        form.vars["asked_on"].set("15/01/2026")
        form.vars[field].set(typed)
        before = verification.answers_of(window.db, item["id"])
        form.save()
        no_internal_error(window)
        after = verification.answers_of(window.db, item["id"])
        if not form.winfo_exists():
            added = after[-1]
            assert len(after) == len(before) + 1 and 0 < added["amount_received"] <= payouts.MAX_LINE
            for value in added.values():
                assert not isinstance(value, str) or unicodedata.is_normalized("NFC", value)
        else:
            assert after == before
            shown = [label.cget("text") for label in form.grid_.errors.values() if label.cget("text").startswith("⚠")]
            assert shown and all(len(text) < 300 for text in shown)
    finally:
        if form.winfo_exists():
            form.destroy()
