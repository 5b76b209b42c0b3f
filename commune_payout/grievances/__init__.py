"""Grievances (khiếu nại, phản ánh): complaints about payments and the register, followed until
they are closed.

The model
---------
* A **ticket** records the person (in the register, or a name for someone it lacks), the
  programme (which decides the office that receives it), the session and payout line when there
  is one, its **kind** (not received, wrong amount, wrong person, left out of the list, data wrong,
  other), how it came in, who complained, the description, the day it was received and its
  **due date**: a number of working days per kind (a setting, default 10; :mod:`.deadlines`, on
  the working-day calendar of :mod:`commune_payout.decisions.workdays`). An open ticket past its
  due date is **overdue**. Tickets are numbered per year ("3/2026").
* **States** go new → being handled → resolved (with the resolution) → closed; a resolved or
  closed ticket may be reopened (being handled again, with a new due date). Any other move is
  refused (:data:`NEXT_STATES`). Every change of state and every note is kept with who and when.
* A resolution links to its **fix** (:mod:`.fixes`): a ledger entry (a payment reversed, the
  money paid again), an account change in the person's history, or the person's line in a later
  session.
* A negative verification answer opens a ticket in one action (:func:`open_from_answer`).

Modules: :mod:`.model` (names and transitions), :mod:`.deadlines`, :mod:`.tickets` (writes and
reads), :mod:`.fixes`. Writes take a :class:`~commune_payout.context.Context`; reads the database.
"""

from commune_payout.grievances.deadlines import DEFAULT_DAYS, days_by_kind, due_date, set_days
from commune_payout.grievances.fixes import candidates as fix_candidates, describe as describe_fix
from commune_payout.grievances.model import (
    ACTIONS, FIXES, KINDS, NEXT_STATES, OPEN_STATES, RECEIVED_VIA, STATES, number_text,
)
from commune_payout.grievances.tickets import (
    add_grievance, add_note, events, for_items, get_grievance, link_fix, list_grievances, month_counts, move,
    open_from_answer, resolve_grievance, state_on,
)

__all__ = [
    "ACTIONS", "DEFAULT_DAYS", "FIXES", "KINDS", "NEXT_STATES", "OPEN_STATES", "RECEIVED_VIA", "STATES",
    "add_grievance", "add_note", "days_by_kind", "describe_fix", "due_date", "events", "fix_candidates", "for_items",
    "get_grievance", "link_fix", "list_grievances", "month_counts", "move", "number_text", "open_from_answer", "resolve_grievance",
    "set_days", "state_on",
]
