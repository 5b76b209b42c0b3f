"""Funeral support in payout sessions: what an applied decision grants and no line pays yet.

A funeral line names the person who died (the line's person) and pays whoever arranged the
funeral (the line's authorised receiver, from the decision). It is added to the next monthly
session, unless the person already has a line there (the allowance of the month of death), or
paid in a one-off session of its own. A line paid, on its way (its session not closed) or
carried into a later line holds the support; one left unpaid in a closed one-off session, or
cancelled, does not, and the support is offered again.
"""


def payable(db) -> dict[str, dict]:
    """Per person who died, the funeral support granted and not held by a line: the decision
    item's fields with ``decision_id``, ``decision_number`` and ``died_on``."""
    return {r["beneficiary_id"]: dict(r) for r in db.query(
        "SELECT i.beneficiary_id, i.amount, i.receiver_name, i.receiver_id_number, i.receiver_relation, "
        "d.id AS decision_id, d.number AS decision_number, d.symbol AS decision_symbol, d.signed_on, "
        "b.status_date AS died_on FROM decision_items i JOIN decisions d ON d.id = i.decision_id "
        "JOIN beneficiaries b ON b.id = i.beneficiary_id "
        "WHERE d.status = 'applied' AND i.action = 'funeral' AND NOT EXISTS ("
        "  SELECT 1 FROM payout_lines l JOIN payout_sessions s ON s.id = l.session_id "
        "  WHERE l.beneficiary_id = i.beneficiary_id AND l.purpose = 'funeral' AND l.status != 'cancelled' "
        "  AND (l.status = 'paid' OR s.status != 'closed' "
        "       OR EXISTS (SELECT 1 FROM payout_carries c WHERE c.from_line_id = l.id)))")}
