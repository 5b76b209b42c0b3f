"""Local settings kept in the database (``settings`` table, JSON values).

The commune's identity, the officer's name and the names of the offices it reports to are
settings, not code (docs/domain.md: since 7/2025 the Sở Y tế for social assistance and the social
pension, the Sở Nội vụ for người có công).
"""

import json
import re

from commune_payout.db import write_transaction
from commune_payout.errors import NotInitialised
from commune_payout.text import fold, province_phrase

# The office databases set up before 2026 were given when the officer named none: a district-era
# body (since 7/2025 a commune-level one), so it names no office a report goes to.
_DISTRICT_ERA = "Phòng Văn hóa - Xã hội"


def get(db, key: str, default=None, kind: type | None = None):
    """The setting ``key``, or ``default`` when there is none.

    A stored value that is not JSON (or not of ``kind``) is set aside under ``<key>.hỏng.<n>``,
    kept for whoever supports the app and named in the log, and ``default`` is given: a damaged
    setting never stops the app.
    """
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    if row is None or row[0] is None:
        return default
    try:
        value = json.loads(row[0])
        if kind is not None and not isinstance(value, kind):
            raise ValueError(type(value).__name__)
    except (ValueError, TypeError, RecursionError):
        _set_aside(db, key)
        return default
    return value


def _set_aside(db, key: str) -> None:
    import sqlite3

    from commune_payout import applog

    taken = {r[0] for r in db.execute("SELECT key FROM settings WHERE key LIKE ? || '.hỏng.%'", [key])}
    aside = next(f"{key}.hỏng.{n}" for n in range(1, len(taken) + 2) if f"{key}.hỏng.{n}" not in taken)
    try:
        with write_transaction(db):
            db.execute("UPDATE settings SET key = ? WHERE key = ?", [aside, key])
    except sqlite3.OperationalError:    # a read-only or busy database: the value is passed over this time
        aside = key
    applog.logger().warning("Cài đặt “%s” bị hỏng (không đọc được); đã để riêng thành “%s”", key, aside)


def put(db, key: str, value) -> None:
    with write_transaction(db):
        db.execute(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, json.dumps(value, ensure_ascii=False)],
        )


def put_many(db, values: dict) -> None:
    with write_transaction(db):
        for key, value in values.items():
            put(db, key, value)


def commune(db) -> dict:
    """The commune this database belongs to: code, name, province_code, province_name, officer, and
    ``offices`` (see :func:`offices`)."""
    info = _commune(db)
    if not info:
        raise NotInitialised("Chưa khai báo xã. Hãy chạy: commune-payout init --commune MÃ_XÃ")
    return info


def _commune(db) -> dict | None:
    info = get(db, "commune", kind=dict)
    if info is not None and not is_commune_info(info):
        _set_aside(db, "commune")
        return None
    return info


def is_commune_info(info) -> bool:
    """Whether a stored ``commune`` setting has what the app reads from it."""
    return isinstance(info, dict) and all(isinstance(info.get(key), str) for key in ("code", "name")) \
        and bool(re.fullmatch(r"[0-9]{5}", info["code"])) and isinstance(info.get("offices", {}), dict)


SIGNERS = {"accountant": "Họ tên kế toán", "treasurer": "Họ tên thủ quỹ", "chairman": "Họ tên Chủ tịch UBND xã"}


def signers(db) -> dict:
    """Who signs the printed documents with the officer (who prepares them): the names of the
    ``accountant``, the ``treasurer`` and the ``chairman``, and ``deputy``: True when a
    Vice-Chairman signs for the Chairman ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")."""
    stored = get(db, "signers", kind=dict) or {}
    return {**{key: stored.get(key, "") for key in SIGNERS}, "deputy": bool(stored.get("deputy"))}


# A person's name and an office's name as they are printed on every document.
NAME_LIMIT, OFFICE_NAME_LIMIT = 100, 200


def _check_lengths(values: dict[str, str], limit: int) -> None:
    from commune_payout.errors import ValidationError

    message = f"Tên dài quá {limit} ký tự (tên này in trên mọi văn bản): hãy viết gọn"
    long = {key: message for key, text in values.items() if len(text) > limit}
    if long:
        raise ValidationError(message, long)


def put_signers(db, values: dict) -> dict:
    """Store the signers (keys as in :func:`signers`; names are cleaned, missing ones kept)."""
    from commune_payout.text import clean

    current = signers(db)
    merged = {key: clean(values[key]) if key in values else current[key] for key in SIGNERS}
    _check_lengths({key: merged[key] for key in SIGNERS}, NAME_LIMIT)
    merged["deputy"] = bool(values.get("deputy", current["deputy"]))
    put(db, "signers", merged)
    return merged


def is_initialised(db) -> bool:
    return _commune(db) is not None


def init_commune(db, code, officer: str = "", offices: dict[str, str] | None = None) -> dict:
    """Bind this database to one commune from the official list; the officer and the names of the
    offices it reports to (programme → name; by default the Sở Y tế and the Sở Nội vụ of its
    province) are editable later."""
    from commune_payout.geo import find_commune
    from commune_payout.text import clean

    found = find_commune(code)
    current = _commune(db)
    # Every synced row carries its commune code; re-labelling them would corrupt the upstream
    # office's consolidated data. A wrong choice is fixed while the register is empty (and a
    # damaged setting, set aside, is replaced only by the commune the register belongs to).
    row = db.execute("SELECT commune_code FROM beneficiaries LIMIT 1").fetchone()
    if row and row[0] != found.code:
        from commune_payout.errors import UserError

        owner = f"{current['name']} ({current['code']})" if current else f"xã mã {row[0]}"
        raise UserError(f"Cơ sở dữ liệu này đã có danh sách của {owner}; không thể chuyển sang xã khác. "
                        "Hãy tạo cơ sở dữ liệu mới cho xã kia.")
    info = {
        "code": found.code,
        "name": found.name,
        "province_code": found.province_code,
        "province_name": found.province_name,
        "officer": clean(officer) or (current or {}).get("officer", ""),
    }
    names = default_offices(found.province_name)
    if current and current["code"] == found.code:
        names.update(_stored_offices(current))
    names.update({program: clean(name) for program, name in (offices or {}).items() if clean(name)})
    _check_lengths({"officer": info["officer"]}, NAME_LIMIT)
    _check_lengths({f"office_{program}": name for program, name in names.items()}, OFFICE_NAME_LIMIT)
    info["offices"] = names
    put(db, "commune", info)
    return info


def default_offices(province_name: str) -> dict[str, str]:
    """The offices a commune of the province reports to since 7/2025: programme → name
    ("Sở Y tế tỉnh Phú Thọ" for btxh and htxh, "Sở Nội vụ tỉnh Phú Thọ" for ncc)."""
    from commune_payout.sync.scope import office_names

    return office_names(province_phrase(province_name))


def _stored_offices(info: dict) -> dict[str, str]:
    if info.get("offices"):
        return dict(info["offices"])
    # Set up before the offices were named per programme: one name, for every programme, unless
    # it was only the default of the time (the district-era office, or the province's Sở Y tế).
    defaults = default_offices(info.get("province_name", ""))
    upstream = (info.get("upstream") or "").strip()
    if upstream and fold(upstream) not in (fold(_DISTRICT_ERA), fold(defaults["btxh"])):
        return {program: upstream for program in defaults}
    return {}


def offices(db) -> dict[str, str]:
    """The name of the office each programme reports to (``btxh``, ``htxh``, ``ncc``), as the
    officer set it, or the Sở Y tế and the Sở Nội vụ of the commune's province."""
    info = commune(db)
    return {**default_offices(info.get("province_name", "")), **_stored_offices(info)}
