"""Which programmes an office receives (docs/sync.md, "Offices and their programmes").

Since 7/2025 a commune reports to the Sở Y tế for social assistance (``btxh``) and the social
pension (``htxh``), and to the Sở Nội vụ for người có công (``ncc``); a province may still have one
office for everything. Both ends keep each office's programmes as a list of programme codes.
"""

from commune_payout.errors import UserError
from commune_payout.programs import PROGRAM_LABELS
from commune_payout.text import fold

PROGRAMS = ("btxh", "htxh", "ncc", "other")
# The office that owns each programme since 7/2025, for the names the setup offers (docs/domain.md).
OWNERS = {"btxh": "Sở Y tế", "htxh": "Sở Y tế", "ncc": "Sở Nội vụ"}


def parse(text) -> tuple[str, ...]:
    """``"btxh, htxh"`` → ``("btxh", "htxh")``, in the usual order; UserError names what is unknown."""
    given = [p.strip().lower() for p in str(text or "").replace(";", ",").split(",") if p.strip()]
    unknown = [p for p in given if p not in PROGRAMS]
    if unknown or not given:
        raise UserError(f"Chương trình “{', '.join(unknown) or text}” không có; chọn trong: "
                        + ", ".join(f"{p} ({PROGRAM_LABELS[p]})" for p in PROGRAMS) + ".")
    return tuple(p for p in PROGRAMS if p in given)


def describe(programs) -> str:
    """``("btxh", "htxh")`` → ``"Bảo trợ xã hội, Hưu trí xã hội"``."""
    return ", ".join(PROGRAM_LABELS[p] for p in PROGRAMS if p in programs)


def receives_all(programs) -> bool:
    """Whether an office receives every programme: then it is sent everything, as before 7/2025."""
    return set(PROGRAMS) <= set(programs)


def office_names(province_name: str) -> dict[str, tuple[str, ...]]:
    """The offices a commune of ``province_name`` reports to since 7/2025: name → programmes."""
    names: dict[str, tuple[str, ...]] = {}
    for program in PROGRAMS:
        if program in OWNERS:
            name = f"{OWNERS[program]} {province_name}".strip()
            names[name] = (*names.get(name, ()), program)
    return names


def programs_of_office(name: str) -> tuple[str, ...]:
    """The programmes an office's name says it owns ("Sở Y tế tỉnh …" → btxh, htxh), or ``()``."""
    folded = fold(name)
    return tuple(p for p in PROGRAMS if p in OWNERS and folded.startswith(fold(OWNERS[p])))
