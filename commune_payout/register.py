"""The beneficiary register: validation, add and edit with history, status, account data,
listing, matching and search.

Rows travel as plain dicts with the column names of the ``beneficiaries`` table.
Writes take a :class:`~commune_payout.context.Context`; reads take the database.
"""

import datetime as dt
import re

from commune_payout import settings
from commune_payout.banks import BY_BIN
from commune_payout.context import Context
from commune_payout.db import bulk_insert, new_id, triggers_suspended, write_transaction
from commune_payout.errors import NotFound, ValidationError
from commune_payout.money import MAX_MONTHLY, parse_monthly
from commune_payout.programs import (BY_CODE, Entitlement, coefficient_text, entitlement, load_base_levels,
                                     membership_text, parse_coefficient)
from commune_payout.text import ascii_digits, clean, excerpt, fold, name_sort_key, search_words

STATUSES = {
    "active": "Đang hưởng",
    "suspended": "Tạm dừng",
    "ended": "Thôi hưởng",
    "deceased": "Đã chết",
}
ACCOUNT_STATUSES = {
    "has_account": "Đã có tài khoản",
    "needs_account": "Chưa có tài khoản",
    "opening": "Đang mở tài khoản",
    "cannot_open": "Không mở được",
    "refuses": "Từ chối",
}
# "has_account" with no number on file: the number was lost (Excel rounded it) and must be typed again.
NUMBER_MISSING = "Đã có tài khoản, cần ghi lại số"
CHANNELS = {
    "vneid": "TK an sinh xã hội (VNeID)",
    "account": "Chuyển khoản",
    "cash_commune": "Tiền mặt tại xã",
    "cash_home": "Tiền mặt tại nhà (bưu điện)",
}
# Channels paid by transfer to the person's bank or wallet account (bank BIN and number on record):
# the account linked to VNeID as the social-security account (paid first since NQ 418/NQ-CP,
# docs/domain.md), or another account.
TRANSFER_CHANNELS = ("vneid", "account")
GENDERS = {"M": "Nam", "F": "Nữ"}

# Editable fields and their labels (history, forms, reports).
FIELD_LABELS = {
    "full_name": "Họ và tên",
    "birth_date": "Ngày sinh",
    "birth_year": "Năm sinh",
    "gender": "Giới tính",
    "id_number": "Số định danh",
    "old_id_number": "Số CMND cũ",
    "village": "Thôn/xóm",
    "address": "Địa chỉ",
    "phone": "Điện thoại",
    "status": "Trạng thái",
    "status_date": "Ngày trạng thái",
    "status_reason": "Lý do trạng thái",
    "monthly_amount": "Mức hưởng riêng",
    "receiver_name": "Người nhận thay",
    "receiver_id_number": "Số định danh người nhận thay",
    "receiver_relation": "Quan hệ",
    "channel": "Hình thức nhận",
    "bank_bin": "Ngân hàng",
    "account_number": "Số tài khoản",
    "account_holder": "Chủ tài khoản",
    "account_status": "Tình trạng tài khoản",
    "account_status_reason": "Lý do (tài khoản)",
    "police_verified_on": "Ngày công an xác minh",
    "notes": "Ghi chú",
    "memberships": "Diện hưởng",
    "decision": "Quyết định",
    "category": "Diện đối tượng",
    "coefficient": "Hệ số",
    "amount": "Mức hưởng",
}
EDITABLE = tuple(f for f in FIELD_LABELS if f not in ("memberships", "decision", "category", "coefficient", "amount"))
_NULLABLE = {"birth_date", "birth_year", "gender", "id_number", "old_id_number", "status_date",
             "monthly_amount", "bank_bin", "account_number", "police_verified_on"}
# The longest text each field keeps; a longer one is a paste gone wrong, not a name or an address.
MAX_CHARS = {"full_name": 100, "receiver_name": 100, "account_holder": 100, "receiver_relation": 50,
             "village": 100, "notes": 2000}
MAX_CHARS_OTHER = 500
# No date on a record comes before this (a year typed as 0001 or 1026 is a slip).
EARLIEST_DATE = "1880-01-01"
_NUMBER_FIELDS = ("id_number", "old_id_number", "receiver_id_number", "account_number", "phone")
PUBLIC_KEYS = ("id", "full_name", "birth_date", "birth_year", "gender", "id_number", "village",
               "account_status", "bank_bin", "account_number")


def _iso_date(value, field: str, problems: dict) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = clean(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
        if day < EARLIEST_DATE:
            problems[field] = f"Ngày “{excerpt(text)}” quá xa trong quá khứ"
            return None
        return day
    problems[field] = f"Ngày “{excerpt(text)}” không đúng dạng ngày/tháng/năm"
    return None


def normalise(data: dict) -> tuple[dict, dict]:
    """Clean the fields of ``data`` (NFC, spaces, dates, digits) and return (values, problems).

    Only keys present in ``data`` are returned, so this serves both add and edit.
    """
    problems: dict[str, str] = {}
    out: dict = {}
    for key, value in data.items():
        if key not in EDITABLE:
            continue
        if key in ("birth_date", "status_date", "police_verified_on"):
            out[key] = _iso_date(value, key, problems)
        elif key == "birth_year":
            if value in (None, ""):
                out[key] = None
            else:
                text = ascii_digits(clean(value))
                if re.fullmatch(r"[0-9]{1,4}", text):
                    out[key] = int(text)
                else:
                    problems[key] = "Năm sinh phải là số"
        elif key == "monthly_amount":
            try:
                out[key] = parse_monthly(clean(value) if isinstance(value, str) else value)
            except ValueError:
                problems[key] = (f"Mức hưởng phải là số đồng, từ 0 đến {MAX_MONTHLY:,} đ".replace(",", ".")
                                 + " một tháng")
        elif key in _NUMBER_FIELDS:
            text = ascii_digits(re.sub(r"[\s.\-]", "", clean(value)))
            if key == "phone" and re.fullmatch(r"\+84[0-9]+", text):
                text = "0" + text[3:]
            out[key] = text or (None if key in _NULLABLE else "")
        elif key in _NULLABLE:
            text = clean(value)
            out[key] = text or None
        else:
            out[key] = clean(value)
    if out.get("birth_date") and "birth_year" not in data:
        out["birth_year"] = int(out["birth_date"][:4])
    return out, problems


def validate(row: dict, today: dt.date | None = None) -> dict[str, str]:
    """Every problem with a complete beneficiary row, as {field: message} (empty when valid)."""
    problems: dict[str, str] = {}
    if not row.get("full_name"):
        problems["full_name"] = "Chưa có họ và tên"
    year = row.get("birth_year")
    if year is not None and not (1880 <= int(year) <= (today or dt.date.today()).year):
        problems["birth_year"] = f"Năm sinh {year} không hợp lý"
    if row.get("birth_date") and year and int(row["birth_date"][:4]) != int(year):
        problems["birth_date"] = "Ngày sinh và năm sinh không khớp nhau"
    if row.get("gender") not in (None, "M", "F"):
        problems["gender"] = "Giới tính là Nam hoặc Nữ"
    if row.get("birth_date") and row["birth_date"] > (today or dt.date.today()).isoformat():
        problems["birth_date"] = "Ngày sinh không được sau hôm nay"
    if row.get("police_verified_on") and row["police_verified_on"] > (today or dt.date.today()).isoformat():
        problems["police_verified_on"] = "Ngày công an xác minh không được sau hôm nay"
    if row.get("id_number") and not re.fullmatch(r"[0-9]{12}", row["id_number"]):
        problems["id_number"] = "Số định danh phải có đúng 12 chữ số"
    if row.get("old_id_number") and not re.fullmatch(r"[0-9]{9}", row["old_id_number"]):
        problems["old_id_number"] = "Số CMND cũ phải có 9 chữ số"
    if row.get("phone") and not re.fullmatch(r"[0-9]{8,12}", row["phone"]):
        problems["phone"] = "Số điện thoại gồm 8 đến 12 chữ số"
    if row.get("receiver_id_number") and not re.fullmatch(r"[0-9]{9}|[0-9]{12}", row["receiver_id_number"]):
        problems["receiver_id_number"] = "Số định danh người nhận thay phải có 12 (hoặc 9) chữ số"
    if row.get("status", "active") not in STATUSES:
        problems["status"] = "Trạng thái không hợp lệ"
    if row.get("status") in ("suspended", "ended", "deceased") and not row.get("status_date"):
        problems["status_date"] = "Cần ghi ngày của trạng thái này"
    if row.get("account_status", "needs_account") not in ACCOUNT_STATUSES:
        problems["account_status"] = "Tình trạng tài khoản không hợp lệ"
    if row.get("channel", "cash_commune") not in CHANNELS:
        problems["channel"] = "Hình thức nhận không hợp lệ"
    if row.get("bank_bin") and row["bank_bin"] not in BY_BIN:
        problems["bank_bin"] = "Ngân hàng không có trong danh sách NAPAS"
    if row.get("account_number") and not re.fullmatch(r"[0-9]{6,19}", row["account_number"]):
        problems["account_number"] = "Số tài khoản gồm 6 đến 19 chữ số"
    if row.get("channel") in TRANSFER_CHANNELS and not (row.get("bank_bin") and row.get("account_number")):
        problems["account_number"] = "Nhận qua tài khoản thì cần ngân hàng và số tài khoản"
    if row.get("account_status") == "cannot_open" and not row.get("account_status_reason"):
        problems["account_status_reason"] = "Ghi lý do không mở được tài khoản"
    if row.get("monthly_amount") is not None and int(row["monthly_amount"]) < 0:
        problems["monthly_amount"] = "Mức hưởng không được âm"
    for key in EDITABLE:
        limit = MAX_CHARS.get(key, MAX_CHARS_OTHER)
        if isinstance(row.get(key), str) and len(row[key]) > limit:
            problems[key] = f"Dài quá {limit} ký tự: hãy xem lại (có thể đã dán nhầm)"
    return problems


def _derived(row: dict) -> dict:
    numbers = [x for x in (row.get("id_number"), row.get("old_id_number"), row.get("phone")) if x]
    return {
        "name_fold": fold(row.get("full_name")),
        "name_sort": name_sort_key(row.get("full_name")),
        "village_fold": fold(row.get("village")),
        "search_numbers": " ".join(numbers),
        # backwards, so "ends in 025150" is a prefix query the search index answers at once
        "search_suffixes": " ".join(n[::-1] for n in numbers),
    }


def _optional_int(value, low: int, high: int, label: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ValidationError("Diện hưởng không hợp lệ", {"memberships": f"{label} phải từ {low} đến {high}"})
    return number


def clean_membership(m: dict) -> dict:
    """One membership as stored: its group known, a coefficient above 0 and at most 10, an
    amount of whole đồng from 0 to the largest monthly amount (as typed or as numbers).
    Raises ValidationError (field ``memberships``) for anything else."""
    cat = BY_CODE.get(m.get("category"))
    if cat is None:
        raise ValidationError("Diện hưởng không hợp lệ", {"memberships": f"Không có diện “{m.get('category')}”"})
    try:
        coefficient = parse_coefficient(m.get("coefficient"))
    except ValueError:
        raise ValidationError("Diện hưởng không hợp lệ", {"memberships": "Hệ số phải là số lớn hơn 0 và không quá "
                                                                            "10, ví dụ 1,5"}) from None
    try:
        amount = parse_monthly(m.get("amount"))
    except ValueError:
        raise ValidationError("Diện hưởng không hợp lệ", {"memberships": (
            f"Số tiền phải là số đồng, từ 0 đến {MAX_MONTHLY:,} đ, ví dụ 1.500.000").replace(",", ".")}) from None
    return {
        "program": m.get("program") or cat.program,
        "category": cat.code,
        "coefficient": coefficient,
        "amount": amount,
        "injury_rate": _optional_int(m.get("injury_rate"), 1, 100, "Tỷ lệ suy giảm khả năng lao động (%)"),
        "children": _optional_int(m.get("children"), 1, 30, "Số con"),
        "wording": clean(m.get("wording")),
        "start_date": m.get("start_date"),
        "end_date": m.get("end_date"),
    }


def _clean_memberships(memberships) -> list[dict]:
    return [clean_membership(m) for m in memberships or []]


def _membership_text(ms) -> str:
    parts = []
    for m in ms:
        label = membership_text(m)
        if m.get("coefficient"):
            label += f" (hệ số {coefficient_text(m['coefficient'])})"
        if m.get("amount") is not None and m.get("program", BY_CODE[m["category"]].program) in ("btxh", "htxh"):
            label += f" (ghi {m['amount']:,} đ)".replace(",", ".")
        for key, word in (("start_date", "từ"), ("end_date", "đến")):
            if m.get(key):
                label += f" ({word} {dt.date.fromisoformat(m[key]):%d/%m/%Y})"
        parts.append(label)
    return "; ".join(sorted(parts))


def prepare_new(data: dict, today: dt.date) -> tuple[dict, dict[str, str]]:
    """A new beneficiary's row made from ``data`` and every problem with it: fields cleaned
    (:func:`normalise`), defaults filled in, and an account on file with its bank makes the
    person "has an account, paid by transfer" unless ``data`` says otherwise."""
    values, problems = normalise(data)
    row = {"status": "active", "channel": "cash_commune", "account_status": "needs_account", **values}
    if row.get("bank_bin") and row.get("account_number"):
        if "account_status" not in data:
            row["account_status"] = "has_account"
        if "channel" not in data and row["account_status"] == "has_account":
            row["channel"] = "account"
    problems.update(validate(row, today))
    return row, problems


def create(ctx: Context, data: dict, memberships=(), source: str = "", decision_id: str | None = None) -> str:
    """Add a beneficiary; returns the new id. Raises ValidationError listing every problem.

    ``decision_id`` names the decision that grants the person (see :func:`update`)."""
    row, problems = prepare_new(data, ctx.clock.today())
    if problems:
        raise ValidationError("Thông tin người hưởng chưa hợp lệ", problems)
    ms = _clean_memberships(memberships)
    now = ctx.clock.now().isoformat(sep=" ")
    bid = new_id()
    row.update(_derived(row))
    row.update(id=bid, commune_code=settings.commune(ctx.db)["code"], created_at=now, updated_at=now)
    for key in EDITABLE:
        row.setdefault(key, None if key in _NULLABLE else "")
    with write_transaction(ctx.db):
        cols = ", ".join(row)
        ctx.db.execute(f"INSERT INTO beneficiaries ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values()))
        _insert_memberships(ctx.db, bid, ms)
        _history(ctx, bid, "created", None, row["full_name"], source, now, decision_id)
    return bid


_MEMBERSHIP_COLUMNS = ("program", "category", "coefficient", "amount", "injury_rate", "children", "wording",
                       "start_date", "end_date")
_INSERT_MEMBERSHIP = (f"INSERT INTO memberships (id, beneficiary_id, {', '.join(_MEMBERSHIP_COLUMNS)}) "
                      f"VALUES ({', '.join('?' * (len(_MEMBERSHIP_COLUMNS) + 2))})")


def _membership_row(bid: str, m: dict) -> list:
    return [new_id(), bid, *(m[c] for c in _MEMBERSHIP_COLUMNS)]


def _insert_memberships(db, bid: str, ms: list[dict]) -> None:
    db.conn.executemany(_INSERT_MEMBERSHIP, [_membership_row(bid, m) for m in ms])


def _history(ctx: Context, bid: str, field: str, old, new, source: str, when: str,
             decision_id: str | None = None) -> None:
    ctx.db.execute(
        "INSERT INTO beneficiary_history (id, beneficiary_id, changed_at, changed_by, field, old_value, new_value, "
        "source, decision_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [new_id(), bid, when, ctx.user, field, None if old is None else str(old),
         None if new is None else str(new), source, decision_id],
    )


def note(ctx: Context, bid: str, field: str, text: str, source: str = "", decision_id: str | None = None) -> None:
    """Add a line to a person's history that is not a field change (a decision naming them)."""
    _history(ctx, bid, field, None, text, source, ctx.clock.now().isoformat(sep=" "), decision_id)


def update(ctx: Context, bid: str, changes: dict, memberships=None, source: str = "",
           decision_id: str | None = None) -> list[str]:
    """Apply ``changes`` (and, if given, replace the memberships); returns the changed field names.

    Every changed field is written to the history as old → new, in the same transaction, with
    ``decision_id`` when the change is made under a decision (a change to memberships, status or
    own amount without one is a change "không theo quyết định").
    """
    current = get(ctx.db, bid)
    values, problems = normalise(changes)
    merged = {**current, **values}
    problems.update(validate(merged, ctx.clock.today()))
    if problems:
        raise ValidationError("Thông tin người hưởng chưa hợp lệ", problems)
    changed = [k for k, v in values.items() if current.get(k) != v]
    new_ms = None if memberships is None else _clean_memberships(memberships)
    old_ms_text = _membership_text(current["memberships"])
    ms_changed = new_ms is not None and _membership_text(new_ms) != old_ms_text
    if not changed and not ms_changed:
        return []
    now = ctx.clock.now().isoformat(sep=" ")
    with write_transaction(ctx.db):
        if changed:
            row = {k: values[k] for k in changed}
            row.update(_derived(merged))
            row["updated_at"] = now
            sets = ", ".join(f"{k} = ?" for k in row)
            ctx.db.execute(f"UPDATE beneficiaries SET {sets} WHERE id = ?", [*row.values(), bid])
            for k in changed:
                _history(ctx, bid, k, current.get(k), values[k], source, now, decision_id)
        if ms_changed:
            ctx.db.execute("DELETE FROM memberships WHERE beneficiary_id = ?", [bid])
            _insert_memberships(ctx.db, bid, new_ms)
            if not changed:
                ctx.db.execute("UPDATE beneficiaries SET updated_at = ? WHERE id = ?", [now, bid])
            _history(ctx, bid, "memberships", old_ms_text, _membership_text(new_ms), source, now, decision_id)
    return changed + (["memberships"] if ms_changed else [])


def set_status(ctx: Context, bid: str, status: str, on: dt.date, reason: str = "") -> list[str]:
    """Change a person's status (active, suspended, ended, deceased) with its date."""
    return update(ctx, bid, {"status": status, "status_date": on, "status_reason": reason})


def set_account(ctx: Context, bid: str, *, account_status: str, bank_bin=None, account_number=None,
                account_holder="", reason: str = "", channel: str | None = None) -> list[str]:
    """Record a person's account situation; an account on file switches the channel to transfer."""
    changes = {"account_status": account_status, "bank_bin": bank_bin, "account_number": account_number,
               "account_holder": account_holder, "account_status_reason": reason}
    if channel:
        changes["channel"] = channel
    elif account_status == "has_account" and bank_bin and account_number \
            and get(ctx.db, bid)["channel"] not in TRANSFER_CHANNELS:
        changes["channel"] = "account"
    return update(ctx, bid, changes)


def get(db, bid: str) -> dict:
    """One beneficiary with its memberships and monthly amount; NotFound if there is none."""
    row = db.execute("SELECT * FROM beneficiaries WHERE id = ?", [bid]).fetchone()
    if row is None:
        raise NotFound(f"Không tìm thấy người hưởng có mã {bid}")
    cols = [d[0] for d in db.execute("SELECT * FROM beneficiaries LIMIT 0").description]
    out = dict(zip(cols, row))
    out["memberships"] = memberships_of(db, bid)
    return out


def memberships_of(db, bid: str) -> list[dict]:
    return [dict(r) for r in db.query(
        f"SELECT {', '.join(_MEMBERSHIP_COLUMNS)} FROM memberships "
        "WHERE beneficiary_id = ? ORDER BY program, category", [bid])]


def entitlement_of(db, person: dict, on: dt.date) -> Entitlement:
    """What ``person`` (a :func:`get` result, or the same with edited memberships) is entitled to
    in ``on``'s month, with the explanation (:func:`commune_payout.programs.entitlement`)."""
    return entitlement(person["memberships"], person.get("birth_date"), person.get("birth_year"), on,
                       load_base_levels(db), person.get("monthly_amount"))


def amount_of(db, person: dict, on: dt.date) -> int:
    """Monthly entitlement of ``person`` (a :func:`get` result) in ``on``'s month."""
    return entitlement_of(db, person, on).amount


def find_by_id_number(db, id_number: str) -> str | None:
    row = db.execute("SELECT id FROM beneficiaries WHERE id_number = ? LIMIT 1", [id_number]).fetchone()
    return row[0] if row else None


def find_by_old_id_number(db, old_id_number: str) -> str | None:
    """The person whose old CMND number this is (a chip card names it beside the new ID)."""
    row = db.execute("SELECT id FROM beneficiaries WHERE old_id_number = ? LIMIT 1", [old_id_number]).fetchone()
    return row[0] if row else None


def match_candidates(db, id_number: str | None, full_name: str, birth_year: int | None, village: str) -> list[str]:
    """The existing people an imported row may be: the one with its ID, else
    :func:`pick_namesakes` among those with the same folded name and village. One candidate is a
    match; several mean the row cannot tell who it is."""
    if id_number:
        found = find_by_id_number(db, id_number)
        if found:
            return [found]
    rows = db.execute("SELECT id, id_number, birth_year FROM beneficiaries WHERE name_fold = ? AND village_fold = ?",
                      [fold(full_name), fold(village)]).fetchall()
    return pick_namesakes(rows, id_number, birth_year)


def pick_namesakes(namesakes, id_number: str | None, birth_year: int | None) -> list:
    """Which of ``namesakes`` ((key, ID, birth year) of people with one name and village) a person
    with ``id_number`` and ``birth_year`` may be: a namesake with another ID is somebody else;
    with a year, those of that year, else the one of unknown year; without, the one of unknown
    year, else any of them."""
    rows = [(key, year) for key, other_id, year in namesakes if not (id_number and other_id and other_id != id_number)]
    unknown = [key for key, year in rows if year is None]
    if birth_year:
        return [key for key, year in rows if year == birth_year] or unknown
    return unknown if len(unknown) == 1 else [key for key, _ in rows]


def history(db, bid: str) -> list[dict]:
    """Every recorded change of one person, newest first."""
    return [dict(r) for r in db.query(
        "SELECT changed_at, changed_by, field, old_value, new_value, source, decision_id FROM beneficiary_history "
        "WHERE beneficiary_id = ? ORDER BY changed_at DESC, rowid DESC", [bid])]


def villages(db) -> list[str]:
    """Villages in use, in Vietnamese order."""
    from commune_payout.text import sort_key

    rows = [r[0] for r in db.execute("SELECT DISTINCT village FROM beneficiaries WHERE village != ''")]
    return sorted(rows, key=sort_key)


_LIST_COLUMNS = ("id, full_name, birth_date, birth_year, gender, id_number, old_id_number, village, phone, "
                 "status, account_status, channel, bank_bin, account_number, account_holder, monthly_amount, "
                 "receiver_name")
_ORDERS = {
    "name": "name_sort, id",
    "village": "village_fold, name_sort, id",
    "birth": "coalesce(birth_year, 9999), name_sort, id",
    "id_number": "id_number, id",
}


def _filters(village=None, category=None, account_status=None, status=None, programs=None) -> tuple[str, list]:
    where, params = [], []
    if programs:
        where.append("EXISTS (SELECT 1 FROM memberships m WHERE m.beneficiary_id = b.id AND m.program IN "
                     f"({', '.join('?' * len(programs))}))")
        params += list(programs)
    if village:
        where.append("b.village_fold = ?")
        params.append(fold(village))
    if category:
        where.append("EXISTS (SELECT 1 FROM memberships m WHERE m.beneficiary_id = b.id AND m.category = ?)")
        params.append(category)
    if account_status:
        where.append("b.account_status = ?")
        params.append(account_status)
    if status:
        where.append("b.status = ?")
        params.append(status)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def list_beneficiaries(db, *, village=None, category=None, account_status=None, status=None,
                       order: str = "name", descending: bool = False, limit: int | None = None,
                       offset: int = 0) -> list[dict]:
    """A page of the register as dicts, sorted the Vietnamese way."""
    where, params = _filters(village, category, account_status, status)
    order_sql = _ORDERS[order]
    if descending:
        order_sql = ", ".join(part + " DESC" for part in order_sql.split(", "))
    sql = f"SELECT {_LIST_COLUMNS} FROM beneficiaries b{where} ORDER BY {order_sql}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return [dict(r) for r in db.query(sql, params)]


def count(db, **filters) -> int:
    where, params = _filters(**filters)
    return db.execute(f"SELECT count(*) FROM beneficiaries b{where}", params).fetchone()[0]


def account_tally(db, status: str | None = "active") -> dict[str, dict[str, int]]:
    """People per village and account status, ``{village: {account_status: n}}``, in one query
    (the readiness dashboard); only people with ``status`` unless it is None."""
    where, params = _filters(status=status)
    out: dict[str, dict[str, int]] = {}
    for village, account_status, n in db.execute(
            f"SELECT village, account_status, count(*) FROM beneficiaries b{where} "
            "GROUP BY village, account_status", params):
        out.setdefault(village, {})[account_status] = n
    return out


# Names, villages and whole numbers; the backwards numbers are only for digit queries.
_WORD_COLUMNS = "{name_fold village_fold search_numbers}"


def _fts_words(words: list[str], prefix: bool) -> str:
    star = "*" if prefix else ""
    return f"{_WORD_COLUMNS} : (" + " ".join(f'"{w}"{star}' for w in words) + ")"


# Broad queries ("d") match most of the register; rank only this many FTS hits.
_SEARCH_CANDIDATES = 2000


def search(db, text: str, *, limit: int = 50, village=None, category=None, account_status=None,
           status=None) -> list[dict]:
    """Accent- and đ-insensitive search over name, ID digits, village and phone.

    Each word of the query must prefix-match a word of the person (so "dang dat" finds
    "Đặng Văn Đạt"); a run of digits also matches the end of an ID or phone number.
    Names that start with the query come first (exact ones before longer ones), then the
    other hits by relevance: names weigh more than villages, villages more than numbers.
    Every phase is answered from an index, so a search costs the same at 100,000 people
    as at 1,000 (the window asks for up to 1,000 hits at each keystroke).
    """
    words = search_words(text)
    if not words:
        return []
    where, params = _filters(village, category, account_status, status)
    extra = where.replace(" WHERE ", " AND ", 1)
    folded = " ".join(words)
    upper = folded[:-1] + chr(ord(folded[-1]) + 1)
    fts = ("WITH hits AS (SELECT b.rowid AS rid, bm25(beneficiary_fts, 10.0, 3.0, 1.0, 0.0) AS score "
           "FROM beneficiary_fts JOIN beneficiaries b ON b.rowid = beneficiary_fts.rowid "
           f"WHERE beneficiary_fts MATCH ?{extra} LIMIT {_SEARCH_CANDIDATES}) "
           f"SELECT {_LIST_COLUMNS} FROM hits JOIN beneficiaries b ON b.rowid = hits.rid "
           "ORDER BY hits.score, b.name_sort LIMIT ?")
    phases = [
        # whole words first ("hoa" finds Hoa before Hoàng), then names that start with the query
        (fts, [_fts_words(words, prefix=False), *params, limit]),
        (f"SELECT {_LIST_COLUMNS} FROM beneficiaries b WHERE b.name_fold >= ? AND b.name_fold < ?{extra} "
         "ORDER BY b.name_fold LIMIT ?", [folded, upper, *params, limit]),
        (fts, [_fts_words(words, prefix=True), *params, limit * 2]),
    ]
    if len(words) == 1 and words[0].isdigit() and len(words[0]) >= 3:
        phases.append((f"SELECT {_LIST_COLUMNS} FROM beneficiary_fts JOIN beneficiaries b "
                       f"ON b.rowid = beneficiary_fts.rowid WHERE beneficiary_fts MATCH ?{extra} "
                       "ORDER BY b.name_sort LIMIT ?",
                       [f'search_suffixes : "{words[0][::-1]}"*', *params, limit]))
    rows: list[dict] = []
    seen: set[str] = set()
    for sql, args in phases:
        for r in db.query(sql, args):
            if r["id"] not in seen:
                seen.add(r["id"])
                rows.append(dict(r))
        if len(rows) >= limit:
            break
    return rows[:limit]


def account_status_label(row: dict) -> str:
    """A person's account situation in words; an account whose number is not on file says so."""
    if row["account_status"] == "has_account" and not row.get("account_number"):
        return NUMBER_MISSING
    return ACCOUNT_STATUSES[row["account_status"]]


def public(row: dict) -> dict:
    """The stable machine-readable shape of a person (CLI ``--json``)."""
    return {k: row.get(k) for k in PUBLIC_KEYS}


def insert_many(ctx: Context, people, source: str = "") -> list[str]:
    """Add many beneficiaries in one transaction (demo data, large imports).

    ``people`` yields ``(data, memberships)`` pairs; each is cleaned and validated as in
    :func:`create`, and the first invalid one aborts the whole batch with its problems.
    """
    today = ctx.clock.today()
    prepared = []
    for index, (data, memberships) in enumerate(people, start=1):
        row, problems = prepare_new(data, today)
        if problems:
            raise ValidationError(f"Người thứ {index} chưa hợp lệ", problems)
        prepared.append((row, memberships))
    return insert_prepared(ctx, prepared, source)


def insert_prepared(ctx: Context, people: list[tuple[dict, list]], source: str = "") -> list[str]:
    """Add people whose rows :func:`prepare_new` made and found valid, in one transaction,
    without cleaning or validating them again; returns their new ids in order."""
    commune_code = settings.commune(ctx.db)["code"]
    now = ctx.clock.now().isoformat(sep=" ")
    rows, ms_rows, hist_rows, ids = [], [], [], []
    for prepared, memberships in people:
        bid = new_id()
        row = dict(prepared)
        for key in EDITABLE:
            row.setdefault(key, None if key in _NULLABLE else "")
        row.update(_derived(row))
        row.update(id=bid, commune_code=commune_code, created_at=now, updated_at=now)
        rows.append(row)
        ids.append(bid)
        ms_rows += [_membership_row(bid, m) for m in _clean_memberships(memberships)]
        hist_rows.append([new_id(), bid, now, ctx.user, "created", None, row["full_name"], source])
    if not rows:
        return []
    cols = list(rows[0])
    with write_transaction(ctx.db):
        # The search index is filled once for all new rows, not by its trigger row by row.
        last = ctx.db.execute("SELECT coalesce(max(rowid), 0) FROM beneficiaries").fetchone()[0]
        with triggers_suspended(ctx.db, "beneficiary_fts_ai"):
            bulk_insert(ctx.db, "beneficiaries", cols, [[r[c] for c in cols] for r in rows])
            indexed = ", ".join(c for (c,) in ctx.db.execute("SELECT name FROM pragma_table_info('beneficiary_fts')"))
            ctx.db.execute(f"INSERT INTO beneficiary_fts (rowid, {indexed}) "
                           f"SELECT rowid, {indexed} FROM beneficiaries WHERE rowid > ?", [last])
        bulk_insert(ctx.db, "memberships", ["id", "beneficiary_id", *_MEMBERSHIP_COLUMNS], ms_rows)
        bulk_insert(ctx.db, "beneficiary_history",
                    ["id", "beneficiary_id", "changed_at", "changed_by", "field", "old_value", "new_value", "source"],
                    hist_rows)
    return ids
