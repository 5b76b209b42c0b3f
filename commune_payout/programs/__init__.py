"""Benefit programmes, their groups, how a list names them, and what a person is entitled to on a
date (docs/domain.md: NĐ 20/2021 as amended by NĐ 76/2024, NĐ 176/2025, Ordinance 02/2020).

Programmes: ``btxh`` social assistance (coefficient × base level), ``ncc`` người có công
(amount by decision), ``htxh`` social pension (its own level), ``other``.

Modules: :mod:`.categories` (the groups and their coefficients, ages and gift levels),
:mod:`.wording` (recognising a group from a register's words), :mod:`.entitlement` (ages, dated
base levels, the amount on a date and its explanation).
"""

from commune_payout.programs.categories import (
    BY_CODE, CATEGORIES, PROGRAM_LABELS, UNRECOGNISED, gift_level, label_of, membership_text, public_label,
)
from commune_payout.programs.entitlement import (
    BaseLevels, Entitlement, Part, age_in_month, age_on, base_level, coefficient_text, entitlement, load_base_levels,
    MAX_COEFFICIENT, parse_coefficient, standing,
)
from commune_payout.programs.wording import Recognised, recognise, recognise_all

__all__ = [
    "BY_CODE", "CATEGORIES", "MAX_COEFFICIENT", "PROGRAM_LABELS", "UNRECOGNISED", "BaseLevels",
    "Entitlement", "Part", "Recognised", "age_in_month", "age_on", "base_level", "coefficient_text", "entitlement",
    "gift_level", "label_of", "load_base_levels", "membership_text", "parse_coefficient", "public_label", "recognise",
    "recognise_all",
    "standing",
]
