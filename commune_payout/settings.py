"""Local settings kept in the database (``settings`` table, JSON values).

The commune's identity, the officer's name and the upstream office are settings, not code
(docs/domain.md: since 2025 the office above a commune may be a provincial department).
"""

import json

from commune_payout.db import write_transaction
from commune_payout.errors import NotInitialised
from commune_payout.text import fold


# What databases set up before 2026-12 were given when the officer named no office: a district
# office, which no longer exists.
_DISTRICT_ERA_DEFAULT = "Phòng Văn hóa - Xã hội"


def default_upstream(province_name: str) -> str:
    """The office a commune reports to unless told otherwise: since 7/2025 (no more districts) the
    province's Department of Health (Sở Y tế) for social assistance (docs/domain.md)."""
    if province_name.startswith("Thành phố "):
        return "Sở Y tế thành phố " + province_name[len("Thành phố "):]
    return "Sở Y tế tỉnh " + province_name


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
    """The commune this database belongs to: code, name, province_code, province_name, officer, upstream."""
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


def upstream_is_default(info: dict) -> bool:
    """Whether the commune's upstream office (``commune(db)``) is only the default, not one the
    officer named: reports then go to each programme's own provincial department."""
    upstream = fold(info.get("upstream") or "")
    return upstream in ("", fold(_DISTRICT_ERA_DEFAULT), fold(default_upstream(info.get("province_name", ""))))


def is_initialised(db) -> bool:
    return get(db, "commune") is not None


def init_commune(db, code, officer: str = "", upstream: str = "") -> dict:
    """Bind this database to one commune from the official list; officer and upstream are editable later."""
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
        "upstream": clean(upstream) or (current or {}).get("upstream") or default_upstream(found.province_name),
    }
    put(db, "commune", info)
    return info
