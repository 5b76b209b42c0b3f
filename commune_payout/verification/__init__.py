"""Payment verification: did the money reach the people a session says it paid?

The model
---------
* A session's **draw** picks whom to ask among its paid lines: everyone, a number of people, a
  share, or (the default) the sample size of the usual formula at 95 % confidence and ±10 %
  (:mod:`.sampling`). It is stratified by village and channel, every village getting at least one
  person when the sample allows, and seeded; the seed, the size and a digest of the population
  are recorded, so the draw repeats (:func:`repeat`). A draw nobody was asked about yet may be
  replaced.
* The printed **sheet** (``documents/verification_sheet.py``) is a phone list for the village
  heads: number, name, village, phone, amount, channel, masked ID and an answer box.
* Each **answer** is recorded with who asked, on which day and how: received, not received,
  received a different amount (how much), could not reach. Answers are append-only; the latest
  counts. A negative answer opens a grievance in one action (:func:`commune_payout.grievances.open_from_answer`).
* The session's **verification rate** (answered / drawn) and its **problems** (:func:`summary`).

Modules: :mod:`.sampling` (sample size, allocation, the draw; no database), :mod:`.draws`
(recording a draw), :mod:`.answers` (answers, the rate and the problems). Writes take a
:class:`~commune_payout.context.Context`; reads take the database.
"""

from commune_payout.verification.answers import (
    ANSWERED, ANSWERS, ASKED_HOW, NEGATIVE, PENDING, answer_text, answers_of, find_item, get_answer, get_item, items,
    line_counts, record_answer, summary,
)
from commune_payout.verification.draws import (
    describe_draw, draw, drawn_lines, get_verification, population, repeat,
)
from commune_payout.verification.sampling import (
    CONFIDENCE, DRAW_METHODS, MARGIN, DrawSpec, allocate, apportion, parse_count, parse_percent,
    parse_seed, percent_text, sample_size,
)

__all__ = [
    "ANSWERED", "ANSWERS", "ASKED_HOW", "CONFIDENCE", "DRAW_METHODS", "DrawSpec", "MARGIN", "NEGATIVE", "PENDING",
    "allocate", "answer_text", "answers_of", "apportion", "describe_draw", "draw", "drawn_lines", "find_item", "get_answer", "get_item",
    "get_verification", "items", "line_counts", "parse_count", "parse_percent", "parse_seed", "percent_text", "population", "record_answer", "repeat",
    "sample_size", "summary",
]
