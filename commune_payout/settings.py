"""Local settings kept in the database (``settings`` table, JSON values).

The commune's identity, the officer's name and the names of the offices it reports to are
settings, not code (docs/domain.md: since 7/2025 the Sở Y tế for social assistance and the social
pension, the Sở Nội vụ for người có công).
"""

import json

from commune_payout.db import write_transaction
from commune_payout.errors import NotInitialised
from commune_payout.text import fold, province_phrase

# The office databases set up before 2026 were given when the officer named none: a district-era
# body (since 7/2025 a commune-level one), so it names no office a report goes to.
_DISTRICT_ERA = "Phòng Văn hóa - Xã hội"


def get(db, key: str, default=None):
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return default if row is None or row[0] is None else json.loads(row[0])


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
    info = get(db, "commune")
    if not info:
        raise NotInitialised("Chưa khai báo xã. Hãy chạy: commune-payout init --commune MÃ_XÃ")
    return info


SIGNERS = {"accountant": "Họ tên kế toán", "treasurer": "Họ tên thủ quỹ", "chairman": "Họ tên Chủ tịch UBND xã"}


def signers(db) -> dict:
    """Who signs the printed documents with the officer (who prepares them): the names of the
    ``accountant``, the ``treasurer`` and the ``chairman``, and ``deputy``: True when a
    Vice-Chairman signs for the Chairman ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH")."""
    stored = get(db, "signers") or {}
    return {**{key: stored.get(key, "") for key in SIGNERS}, "deputy": bool(stored.get("deputy"))}


def put_signers(db, values: dict) -> dict:
    """Store the signers (keys as in :func:`signers`; names are cleaned, missing ones kept)."""
    from commune_payout.text import clean

    current = signers(db)
    merged = {key: clean(values[key]) if key in values else current[key] for key in SIGNERS}
    merged["deputy"] = bool(values.get("deputy", current["deputy"]))
    put(db, "signers", merged)
    return merged


def is_initialised(db) -> bool:
    return get(db, "commune") is not None


def init_commune(db, code, officer: str = "", offices: dict[str, str] | None = None) -> dict:
    """Bind this database to one commune from the official list; the officer and the names of the
    offices it reports to (programme → name; by default the Sở Y tế and the Sở Nội vụ of its
    province) are editable later."""
    from commune_payout.geo import find_commune
    from commune_payout.text import clean

    found = find_commune(code)
    current = get(db, "commune")
    if current and current["code"] != found.code:
        has_rows = db.execute("SELECT 1 FROM beneficiaries LIMIT 1").fetchone()
        if has_rows:
            from commune_payout.errors import UserError

            # Every synced row carries its commune code; re-labelling them would corrupt the
            # upstream office's consolidated data. A wrong choice is fixed while the register is empty.
            raise UserError(
                f"Cơ sở dữ liệu này đã có danh sách của {current['name']} ({current['code']}); "
                "không thể chuyển sang xã khác. Hãy tạo cơ sở dữ liệu mới cho xã kia."
            )
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
