"""The chip ID card read by a scanner in the real window under Xvfb: the scan is fed as key
events (as a USB scanner types it, ending with Enter; letters beyond ASCII come composed, as
from the Vietnamese input method) at the payout desk, in the register and in data cleaning.
Screenshots go to tests/artifacts/card_*.png."""

import datetime as dt

import pytest

import test_gui_app as gui
from commune_payout import payouts, register
from commune_payout.context import Context
from commune_payout.payouts import SessionSpec

KEYSYMS = {"|": "bar", " ": "space", ",": "comma", ".": "period", "-": "minus", "/": "slash"}


def scan_into(entry, text: str) -> None:
    """Type ``text`` into ``entry`` key by key, then Enter, as a scanner in keyboard mode does."""
    entry.focus_force()
    entry.update()
    for char in text:
        if char.isascii():
            entry.event_generate("<KeyPress>", keysym=KEYSYMS.get(char, char))
        else:                                   # the input method sends the composed letter
            entry.insert("insert", char)
        entry.update_idletasks()
    entry.event_generate("<KeyPress>", keysym="Return")
    entry.update()


def card_text(person: dict, **changes) -> str:
    born = dt.date.fromisoformat(person["birth_date"]) if person.get("birth_date") else dt.date(
        person["birth_year"], 1, 1)
    fields = {"id": person["id_number"], "old": "", "name": person["full_name"].upper(),
              "born": born.strftime("%d%m%Y"), "gender": {"M": "Nam", "F": "Nữ"}[person["gender"]],
              "address": f"{person['village']}, Xã An Bình, Tỉnh Phú Thọ", "issued": "15042021", **changes}
    return "|".join(fields.values())


STRANGER = "079300000001||LÊ THỊ BƯỞI|02021950|Nữ|Thôn Hạ, Xã An Bình|01012023"


@pytest.fixture(scope="module")
def window(tmp_path_factory):
    shell = gui.open_window(tmp_path_factory.mktemp("gui_card"), people=120)
    yield shell
    gui.close_window(shell)


@pytest.fixture
def shell(window):
    yield window
    for form in gui.open_forms(window.root):
        form.destroy()
    window.dialogs.__init__()


def a_person(db, **where) -> dict:
    for row in register.list_beneficiaries(db, status="active"):
        person = register.get(db, row["id"])
        if person["id_number"] and person["gender"] and all(person[k] == v for k, v in where.items()):
            return person
    raise AssertionError("no such person in the demo register")


def test_register_scan_opens_the_holder_and_keeps_only_the_id(shell):
    view = shell.show("register")
    person = a_person(shell.db)
    scan_into(view.search, card_text(person))
    forms = gui.open_forms(shell.root)
    assert [f.bid for f in forms] == [person["id"]]
    assert view.search.get() == person["id_number"]            # the raw scan is not kept
    assert view.tree.selection() == (person["id"],)


def test_register_scan_of_a_stranger_offers_a_new_person_from_the_card(shell):
    view = shell.show("register")
    scan_into(view.search, STRANGER)
    assert "079300000001 (Lê Thị Bưởi)" in shell.dialogs.questions[-1]
    form = gui.open_forms(shell.root)[-1]
    assert form.bid is None
    values = form.values()
    assert (values["full_name"], values["id_number"], values["birth_date"], values["gender"]) == (
        "Lê Thị Bưởi", "079300000001", "02/02/1950", "F")      # capitals of the card in the register's case
    assert values["address"] == "Thôn Hạ, Xã An Bình"
    gui.screenshot(shell.root, "card_new_person")
    shell.dialogs.answer = False
    form.destroy()
    scan_into(view.search, STRANGER)
    assert gui.open_forms(shell.root) == []


def test_a_broken_scan_is_refused_plainly(shell):
    view = shell.show("register")
    scan_into(view.search, "079300000001|x|y")
    assert "chỉ có 3 trường" in shell.dialogs.errors[-1]
    assert view.search.get() == ""


def test_cleaning_checks_the_register_against_the_card(shell):
    view = shell.show("cleaning")
    person = a_person(shell.db)
    register.update(Context(shell.db, clock=gui.CLOCK, user="test"), person["id"],
                    {"birth_date": None, "birth_year": 1951, "police_verified_on": None})
    right_birth = "03041950"
    scan_into(view.card_check.entry, card_text(person, born=right_birth))
    panel = view.card_check
    assert panel.scan_var.get() == ""                            # the scan is not kept
    assert set(panel.fix_buttons) == {"birth_date"}
    assert "1 thông tin khác với thẻ" in panel.result.cget("text")
    gui.screenshot(shell.root, "card_cleaning")
    panel.fix_buttons["birth_date"].invoke()
    fixed = register.get(shell.db, person["id"])
    assert (fixed["birth_date"], fixed["birth_year"]) == ("1950-04-03", 1950)
    assert fixed["police_verified_on"] == gui.CLOCK.today().isoformat()
    assert "khớp với thẻ căn cước" in panel.result.cget("text") and panel.fix_buttons == {}
    sources = {h["field"]: h["source"] for h in reversed(register.history(shell.db, person["id"]))}  # newest wins
    assert sources["birth_date"] == sources["police_verified_on"] == "đối chiếu thẻ căn cước"
    scan_into(panel.entry, STRANGER)
    assert "Không ai trong sổ mang thẻ căn cước số 079300000001" in panel.result.cget("text")


def test_desk_scan_selects_the_holder_and_enter_pays(shell):
    ctx = Context(shell.db, clock=gui.CLOCK, user="test")
    sid = payouts.create_session(ctx, SessionSpec(name="Quà Tết", kind="tet_gift", period="2026-01",
                                                  session_date=dt.date(2026, 1, 20), fixed={"btxh": 400_000}))
    payouts.lock_session(ctx, sid)
    view = shell.show("payouts")
    view.reload_sessions(keep=sid)
    line = next(line for line in payouts.session_lines(shell.db, sid, status="pending", channel="cash_commune")
                if line["id_number"] and not line["receiver_name"])
    person = register.get(shell.db, line["beneficiary_id"])
    scan_into(view.search, card_text(person))
    assert view.selected_line()["id"] == line["id"]
    assert view.search.get() == person["id_number"]
    assert payouts.get_line(shell.db, line["id"])["status"] == "pending"    # the scanner's Enter pays nobody
    gui.screenshot(shell.root, "card_desk")
    view.search.event_generate("<KeyPress>", keysym="Return")
    gui.pump(shell.root, lambda: payouts.get_line(shell.db, line["id"])["status"] == "paid")
    scan_into(view.search, STRANGER)
    assert "079300000001 (Lê Thị Bưởi) không có trong danh sách đợt chi này" in view.desk_message.cget("text")
    assert view.selected_line() is None
