"""The chip ID card (căn cước công dân, căn cước) read by a 2D barcode scanner, and the check of
a register row against it.

The card's QR code holds ``ID|old CMND|name|ddMMyyyy|Nam/Nữ|address|issue date ddMMyyyy``, for
example ``001090123456|012345678|NGUYEN VAN A|01011990|Nam|Thôn Đông, Xã An Bình|15042021``.
The old-ID field is often empty, and newer cards add fields at the end, so fields are read by
position and extra ones ignored. A USB scanner types the text as keystrokes ending in Enter:
a scan is recognised by its shape (``|`` separators and a 12-digit first field,
:func:`looks_like_scan`), never by typing speed. The raw text is never stored: callers keep
only the :class:`Card` fields they use.

Like every reader of outside input, :func:`parse` gives a card or a clear refusal
(:class:`CardUnreadable`); a field that cannot be read (a bad date, an unknown gender) is
left empty and named in :attr:`Card.problems`, so the card still finds its holder by ID.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from commune_payout import register
from commune_payout.context import Context
from commune_payout.errors import UserError
from commune_payout.text import clean, fold

FIELDS = 7
SOURCE = "đối chiếu thẻ căn cước"
_GENDERS = {"nam": "M", "nu": "F"}


class CardUnreadable(UserError):
    """A scan that is not the QR text of a chip ID card."""


@dataclass(frozen=True)
class Card:
    """What a card's QR code says; fields that could not be read are None (see ``problems``)."""

    id_number: str
    old_id_number: str | None
    full_name: str
    birth_date: dt.date | None
    gender: str | None              # "M" or "F", as in the register
    address: str
    issued_on: dt.date | None
    problems: tuple[str, ...] = ()

    def register_fields(self) -> dict:
        """The card's values under the register's field names (for a new person's form)."""
        out = {"id_number": self.id_number, "full_name": self.full_name, "address": self.address}
        if self.old_id_number:
            out["old_id_number"] = self.old_id_number
        if self.birth_date:
            out["birth_date"] = self.birth_date.isoformat()
            out["birth_year"] = self.birth_date.year
        if self.gender:
            out["gender"] = self.gender
        return out


def _without_controls(text: str) -> str:
    """NFC, with control and format characters (a scanner's CR, NUL, zero-width marks) gone."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def _fields(text) -> list[str]:
    return [field.strip() for field in _without_controls(str(text or "")).strip().split("|")]


def looks_like_scan(text) -> bool:
    """Whether ``text`` has the shape of a card's QR text: ``|`` separators, 12 digits first."""
    fields = _fields(text)
    return len(fields) > 1 and re.fullmatch(r"\d{12}", fields[0]) is not None


def scan_in_box(text) -> str | None:
    """The card scan a search box ends with, or None. A scanner types after whatever the box
    held (the last person's ID, a few digits), so the scan starts at the 12 digits before the
    first ``|``."""
    head, bar, rest = str(text or "").partition("|")
    found = re.search(r"\d{12}$", _without_controls(head).strip())
    return found.group() + bar + rest if bar and found else None


def search_text(text) -> str:
    """What to search for while a box holds ``text``: the ID alone when it ends with (the start
    of) a scan, so the table follows a scanner's keystrokes; ``text`` itself otherwise."""
    scan = scan_in_box(text)
    return _fields(scan)[0] if scan else text


def _date(value: str, what: str, problems: list[str]) -> dt.date | None:
    if not value:
        return None
    if re.fullmatch(r"\d{8}", value):
        try:
            return dt.date(int(value[4:]), int(value[2:4]), int(value[:2]))
        except ValueError:
            pass
    problems.append(f"{what} “{value}” không phải ngày dạng ngàythángnăm (8 chữ số)")
    return None


def parse(text, today: dt.date) -> Card:
    """Read a scan (``today`` bounds the birth date); CardUnreadable when it is not a card's QR
    text at all."""
    fields = _fields(text)
    if not looks_like_scan(text):
        raise CardUnreadable("Đây không phải nội dung mã QR của thẻ căn cước (cần các trường cách nhau "
                             "bằng dấu | và số định danh 12 chữ số đứng đầu).")
    if len(fields) < FIELDS:
        raise CardUnreadable(f"Mã QR của thẻ căn cước số {fields[0]} chỉ có {len(fields)} trường, cần ít nhất "
                             f"{FIELDS}; hãy quét lại thẻ.")
    problems: list[str] = []
    old_id = re.sub(r"\s", "", fields[1])
    if old_id and not re.fullmatch(r"\d{9}|\d{12}", old_id):
        problems.append(f"Số CMND cũ “{old_id}” không phải 9 hoặc 12 chữ số")
        old_id = ""
    name = clean(fields[2])
    if name.isupper():          # cards print names in capitals; registers write "Nguyễn Văn An"
        name = " ".join(word[:1] + word[1:].lower() for word in name.split())
    if not name or any(ch.isdigit() for ch in name):
        problems.append(f"Họ tên “{name}” không đọc được")
        name = ""
    birth = _date(fields[3], "Ngày sinh", problems)
    if birth and not (1880 <= birth.year and birth <= today):
        problems.append(f"Ngày sinh {birth:%d/%m/%Y} không hợp lý")
        birth = None
    gender = _GENDERS.get(fold(fields[4]))
    if fields[4] and gender is None:
        problems.append(f"Giới tính “{fields[4]}” không phải Nam hoặc Nữ")
    return Card(id_number=fields[0], old_id_number=old_id or None, full_name=name, birth_date=birth,
                gender=gender, address=clean(fields[5]), issued_on=_date(fields[6], "Ngày cấp", problems),
                problems=tuple(problems))


def find_holder(db, card: Card) -> str | None:
    """The register's person this card belongs to: by its ID, else by the old CMND number."""
    found = register.find_by_id_number(db, card.id_number)
    if found or not card.old_id_number:
        return found
    return register.find_by_old_id_number(db, card.old_id_number)


@dataclass(frozen=True)
class Difference:
    """One field where the register and the card disagree; ``fix`` is the change that makes the
    register say what the card says."""

    field: str
    label: str
    in_register: str
    on_card: str
    fix: dict


def _shown_date(iso) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def differences(person: dict, card: Card) -> list[Difference]:
    """Where ``person`` (a :func:`register.get` row) differs from ``card``: name (after folding),
    birth date, gender and ID. Fields the card could not give are not compared."""
    out = []
    if card.full_name and fold(person["full_name"]) != fold(card.full_name):
        out.append(Difference("full_name", register.FIELD_LABELS["full_name"], person["full_name"],
                              card.full_name, {"full_name": card.full_name}))
    if card.birth_date and person.get("birth_date") != card.birth_date.isoformat():
        shown = _shown_date(person.get("birth_date")) or str(person.get("birth_year") or "")
        out.append(Difference("birth_date", register.FIELD_LABELS["birth_date"], shown,
                              card.birth_date.strftime("%d/%m/%Y"),
                              {"birth_date": card.birth_date.isoformat(), "birth_year": card.birth_date.year}))
    if card.gender and person.get("gender") != card.gender:
        out.append(Difference("gender", register.FIELD_LABELS["gender"],
                              register.GENDERS.get(person.get("gender"), ""), register.GENDERS[card.gender],
                              {"gender": card.gender}))
    if person.get("id_number") != card.id_number:
        out.append(Difference("id_number", register.FIELD_LABELS["id_number"], person.get("id_number") or "",
                              card.id_number, {"id_number": card.id_number}))
    return out


def apply_fix(ctx: Context, bid: str, difference: Difference) -> list[str]:
    """Make the register say what the card says for one field (history keeps the old value)."""
    return register.update(ctx, bid, difference.fix, source=SOURCE)


def mark_verified(ctx: Context, bid: str, card: Card) -> bool:
    """Record today as the police-verification date when the register matches the card in full;
    False (nothing written) while any difference remains."""
    if differences(register.get(ctx.db, bid), card):
        return False
    register.update(ctx, bid, {"police_verified_on": ctx.clock.today()}, source=SOURCE)
    return True
