"""People are added to a recorded decision after it is applied (docs/domain.md, "Decisions").

A recorded decision is an earlier one entered so that people are traced to it; it changes
nothing. Each register imported "kèm theo" it, and each group of people the officer traces to it
from data cleaning, adds its people to it (``decisions/recording.py``). A decision drafted and
issued in the app still takes people only while it is a draft.
"""

VERSION = 14


def apply(db):
    db.execute("DROP TRIGGER IF EXISTS decision_items_no_insert")
    db.execute("""
CREATE TRIGGER decision_items_no_insert BEFORE INSERT ON decision_items
WHEN (SELECT status = 'draft' OR recorded = 1 FROM decisions WHERE id = NEW.decision_id) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'people are added to a decision only while it is a draft, or to a recorded one');
END""")
