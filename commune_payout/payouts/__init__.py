"""Payout sessions (đợt chi trả): who is paid what and how, and what happened to each payment.

The model
---------
* A **session** has a name, a kind (``tet_gift``, ``monthly``, ``one_off``, ``arrears``), a period
  (``YYYY-MM``), a funding source, an eligibility date (``session_date``), payment dates, and
  its amount **rules** (stored as JSON: fixed amounts per category or programme, the Tết gift
  levels, or coefficient × the dated base level; months, overrides, one gift per person,
  carry-forward, funeral support, the decisions its lists name). Its status moves forward only:
  ``draft`` → ``locked`` → ``closed``.
* Creating a session takes a **snapshot**: one **line** per eligible person with name, ID,
  village, group, the amount broken down (base × months + arrears + amounts carried from earlier
  sessions, or an override with its reason that replaces all of it), the channel, the account and
  the explanation of the amount. Every amount is worked out for the session's eligibility date
  from the register as it stands then (groups in force that month, age reached that month, base
  level, status; :func:`commune_payout.programs.entitlement`), never from an amount frozen when
  the person was entered. Later edits to the register never change a line. People in scope who
  earn nothing on that date are stored in the session's ``excluded`` list with the reason.
* A line pays the month's allowance (``purpose`` ``allowance``), back pay alone (``arrears``) or
  funeral support to whoever arranged the funeral (``funeral``). Back pay (:mod:`.arrears`) is
  worked out month by month (``payout_arrears``): what a decision that took effect before the
  session's month, or a base level set with a past date, makes owed for months already paid or
  not; an ``arrears`` session pays the difference for months already paid at an old level.
* The officer reviews totals by group, village and channel, may override an amount (with a
  reason) while the session is a draft, then **locks** it. Only a locked session takes payments.
* What happens to a line is an **append-only ledger** of entries: ``paid`` (with a receipt
  number sequential per session, who received the money and through which channel),
  ``returned`` (a transfer the bank sent back), ``cancelled``, ``channel`` (switch to another
  channel, e.g. a returned transfer falling back to cash) and ``reversal`` (undoes one earlier
  entry). A line's ``status`` (pending, paid, returned, cancelled) and current ``channel`` are
  derived from its entries by a database trigger. The database refuses a second payment of a
  line (``active_payments`` is keyed by line) and any UPDATE or DELETE of an entry.
* **Closing** needs a balanced cash book (:mod:`commune_payout.cashbook`); afterwards nothing in
  the session changes. Every unpaid line of a closed monthly session is carried once into the
  next monthly session created after it closed (``payout_carries``); someone unpaid in three
  consecutive months is a suspension candidate (docs/domain.md, TT 02/2021).

Writes take a :class:`~commune_payout.context.Context`; reads take the database. Every write is
one :func:`~commune_payout.db.write_transaction` (``BEGIN IMMEDIATE``), so two processes paying
at the same moment queue, and the second one is told who already paid.

Modules: :mod:`.model` (names, statuses, derived ids), :mod:`.rules` (the spec and the amount
rules), :mod:`.lifecycle` (preview, snapshot, overrides, lock), :mod:`.ledger` (payments and
their corrections), :mod:`.queries` (reads and totals), :mod:`.closing` (close, carry-forward,
suspensions), :mod:`.arrears` (back pay), :mod:`.funeral` (funeral support to pay),
:mod:`.explain` (a line's arithmetic in words).

API (names are stable; documents, sync and the window call them through this package)
--------------------------------------------------------------------------------------
Sessions: :class:`SessionSpec`, :func:`validate_spec`, :func:`preview_session` → :class:`Preview`,
:func:`create_session`, :func:`set_override`, :func:`delete_draft`, :func:`lock_session`,
:func:`close_session`, :func:`list_sessions`, :func:`get_session`, :func:`resolve_session`.
Lines: :func:`session_lines`, :func:`find_line`, :func:`get_line`, :func:`line_entries`, :func:`line_carries`,
:func:`session_totals`, :func:`totals_of`, :func:`counters`, :func:`payments` (receipt data),
:func:`payment_by_receipt`, :func:`default_receiver`, :func:`explain_line` (the arithmetic in words).
Ledger: :func:`pay_line`, :func:`reverse_entry`, :func:`mark_returned`, :func:`cancel_line`,
:func:`change_channel`, :func:`fallback_to_cash`.
Monthly follow-up: :func:`suspension_candidates`, :func:`suspend`.
Back pay: :func:`line_arrears`, :func:`session_arrears` (the months a line pays back), :func:`runs`,
:func:`months_text`, :func:`run_text` (months in words), :func:`covered`; :func:`session_decisions`
(the decisions a session's lists name).
Transfer files and the bank result: :mod:`commune_payout.transfers`; cash: :mod:`commune_payout.cashbook`.
"""

from commune_payout.payouts.arrears import CAUSES, covered, line_arrears, months_text, run_text, runs, session_arrears
from commune_payout.payouts.closing import SUSPEND_AFTER, close_session, suspend, suspension_candidates
from commune_payout.payouts.explain import explain_line
from commune_payout.payouts.ledger import (
    cancel_line, change_channel, default_receiver, fallback_to_cash, mark_returned, pay_line, reverse_entry,
)
from commune_payout.payouts.lifecycle import (
    Preview, create_session, delete_draft, lock_session, preview_dict, preview_session, set_override,
)
from commune_payout.payouts.model import (
    CASH_CHANNELS, CHANNELS, ENTRY_ID_FIELDS, KINDS, LINE_STATUSES, PURPOSES, RECEIVED_BY, SESSION_STATUSES,
    TRANSFER_CHANNELS, entry_id_for, line_id_for, vn_date,
)
from commune_payout.payouts.queries import (
    counters, find_line, get_line, get_session, line_carries, line_entries, list_sessions, payment_by_receipt,
    month_lines, payments, resolve_session, session_decisions, session_lines, session_totals, totals_of,
)
from commune_payout.payouts.rules import MAX_LINE, MAX_MONTHS, SessionSpec, validate_spec

__all__ = [
    "CASH_CHANNELS", "CAUSES", "CHANNELS", "ENTRY_ID_FIELDS", "KINDS", "LINE_STATUSES", "MAX_LINE", "MAX_MONTHS",
    "PURPOSES", "RECEIVED_BY",
    "SESSION_STATUSES",
    "SUSPEND_AFTER", "TRANSFER_CHANNELS", "Preview", "SessionSpec", "cancel_line", "change_channel", "close_session", "counters", "covered",
    "create_session", "default_receiver", "delete_draft", "entry_id_for", "explain_line", "fallback_to_cash",
    "find_line", "get_line", "get_session", "line_arrears", "line_carries", "line_entries", "line_id_for",
    "list_sessions", "lock_session", "mark_returned", "month_lines", "months_text", "pay_line", "payment_by_receipt", "payments", "preview_dict", "preview_session",
    "resolve_session", "reverse_entry", "run_text", "runs", "session_arrears", "session_decisions", "session_lines",
    "session_totals", "set_override", "suspend",
    "suspension_candidates", "totals_of", "validate_spec", "vn_date",
]
