"""The chairman's decisions behind every entitlement (NĐ 147/2025: the commune chairman decides
the grant, change and stop of monthly allowances within 10 working days of a complete file,
after checking the national population database), and funeral support.

The model
---------
* An **application** (hồ sơ) asks for a grant, a change of group or coefficient, a stop, or
  funeral support, for a person in the register or a new one. It records the day the file was
  complete, the check against the population data (date, by whom, result) and the **due date**,
  10 working days later (weekends and the public holidays of :mod:`.workdays` skipped). Open
  applications are listed by due date; those past it are overdue.
* A **decision** (quyết định) has its number per year ("12/QĐ-UBND"), date, signer and effective
  month, and covers one person or a list, each **item** saying what changes for that person.
  It is a draft until **applied**: applying makes every change in one transaction, each named in
  the person's history by the decision. An applied decision never changes; a later one reverses
  it. A decision **recorded** for the record (an earlier one) links its people to it. A register
  whose title names its decision ("Kèm theo Quyết định số …", :mod:`.reference`) traces its
  people to it as a recorded decision when imported (:mod:`.recording`).
* Changes made by hand stay possible; they are marked "không theo quyết định", and the
  data-cleaning checks list active people no decision backs (:func:`without_decision`); the
  people of an import that named none are one entry, traced at once to the decision the
  officer types (:func:`record_for_import`).
* **Funeral support**: a death proposes it (:func:`funeral.proposals`); the family's application
  names the receiver; a decision grants the dated amount (:mod:`.funeral`).

Modules: :mod:`.model` (names), :mod:`.workdays` (working days, holidays, due dates),
:mod:`.applications`, :mod:`.issuing` (drafting and applying), :mod:`.reference` (a decision as
a file or the officer writes it), :mod:`.recording` (recorded decisions for many people),
:mod:`.queries` (reads and the check), :mod:`.funeral`. Writes take a :class:`~commune_payout.context.Context`; reads the database.
"""

from commune_payout.decisions import funeral, model
from commune_payout.decisions.applications import (
    add_application,
    get_application,
    list_applications,
    record_check,
    resolve_application,
    withdraw,
)
from commune_payout.decisions.issuing import (
    PROGRAM_NOUNS,
    DecisionSpec,
    after_change,
    apply_decision,
    create_decision,
    default_subject,
    delete_draft,
    describe,
    item_from_application,
    source_text,
)
from commune_payout.decisions.model import (
    ACTIONS,
    APPLICATION_STATUSES,
    CHECK_RESULTS,
    DECISION_STATUSES,
    NO_DECISION,
    REQUESTS,
    SHORT_REQUESTS,
    SYMBOL,
    grounds,
    history_basis,
    month_text,
    number_text,
    set_grounds,
)
from commune_payout.decisions.queries import (
    ImportBatch,
    decisions_of,
    import_batch,
    get_decision,
    list_decisions,
    named,
    next_number,
    resolve_decision,
    without_decision,
)
from commune_payout.decisions.recording import Recorded, record_decision, record_for_import
from commune_payout.decisions.reference import Reference, find_references, typed_reference
from commune_payout.decisions.workdays import DUE_AFTER, Calendar, listed_holidays, parse_day, set_holidays

__all__ = [
    "ACTIONS", "APPLICATION_STATUSES", "CHECK_RESULTS", "DECISION_STATUSES", "DUE_AFTER", "NO_DECISION",
    "PROGRAM_NOUNS", "REQUESTS", "ImportBatch", "Recorded", "Reference", "find_references", "import_batch", "record_decision",
    "record_for_import",
    "typed_reference", "SHORT_REQUESTS", "SYMBOL", "Calendar", "DecisionSpec", "add_application", "after_change", "apply_decision", "create_decision",
    "decisions_of", "default_subject", "delete_draft", "describe", "funeral", "get_application", "get_decision",
    "grounds", "history_basis", "item_from_application", "list_applications", "list_decisions", "listed_holidays", "model", "month_text", "named", "next_number", "parse_day",
    "number_text", "record_check", "resolve_application", "resolve_decision", "set_grounds", "set_holidays", "source_text",
    "withdraw", "without_decision",
]
