"""The two office fields of the setup wizard and the settings: the office that receives the
reports of the social-protection programmes (btxh, htxh: the province's Sở Y tế since 7/2025) and
the one that receives those of the people with meritorious services (ncc: the Sở Nội vụ)."""

from commune_payout.i18n import _

OFFICE_FIELDS = (
    ("office_health", ("btxh", "htxh"), _("Cơ quan nhận báo cáo BTXH, hưu trí"), _("từ 7/2025: Sở Y tế của tỉnh")),
    ("office_home_affairs", ("ncc",), _("Cơ quan nhận báo cáo người có công"), _("từ 7/2025: Sở Nội vụ của tỉnh")),
)


def office_names(entries: dict) -> dict[str, str]:
    """Programme → office name from the office fields (``entries``: key → entry)."""
    return {program: entries[key].get() for key, programs, _label, _hint in OFFICE_FIELDS for program in programs}


def offer_offices(entries: dict, names: dict[str, str], replaceable=()) -> None:
    """Put ``names`` (programme → name) in the office fields that are empty or hold one of ``replaceable``."""
    for key, programs, _label, _hint in OFFICE_FIELDS:
        entry = entries[key]
        if entry.get().strip() in ("", *replaceable):
            entry.delete(0, "end")
            entry.insert(0, names[programs[0]])
