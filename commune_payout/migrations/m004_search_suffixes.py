"""Search by the last digits of an ID or phone number without reading the whole register.

The search index gets a fourth column, ``search_suffixes``: each number of a person written
backwards, so "the number ends in 025150" becomes the prefix query "051520"*, which the index
answers at once (a ``LIKE '%025150'`` scan took over 100 ms at 100,000 people). The column is
derived on each machine, like the other search columns (``register._derived``).
"""

from commune_payout.db import run_script, version_trigger_sql

VERSION = 4

DROP_INDEX = """
ALTER TABLE beneficiaries ADD COLUMN search_suffixes TEXT NOT NULL DEFAULT '';
DROP TRIGGER beneficiary_fts_ai;
DROP TRIGGER beneficiary_fts_ad;
DROP TRIGGER beneficiary_fts_au;
DROP TABLE beneficiary_fts;
"""

NEW_INDEX = """
CREATE VIRTUAL TABLE beneficiary_fts USING fts5(
    name_fold, village_fold, search_numbers, search_suffixes,
    content='beneficiaries', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER beneficiary_fts_ai AFTER INSERT ON beneficiaries BEGIN
    INSERT INTO beneficiary_fts(rowid, name_fold, village_fold, search_numbers, search_suffixes)
    VALUES (NEW.rowid, NEW.name_fold, NEW.village_fold, NEW.search_numbers, NEW.search_suffixes);
END;
CREATE TRIGGER beneficiary_fts_ad AFTER DELETE ON beneficiaries BEGIN
    INSERT INTO beneficiary_fts(beneficiary_fts, rowid, name_fold, village_fold, search_numbers, search_suffixes)
    VALUES ('delete', OLD.rowid, OLD.name_fold, OLD.village_fold, OLD.search_numbers, OLD.search_suffixes);
END;
CREATE TRIGGER beneficiary_fts_au AFTER UPDATE OF name_fold, village_fold, search_numbers, search_suffixes
ON beneficiaries BEGIN
    INSERT INTO beneficiary_fts(beneficiary_fts, rowid, name_fold, village_fold, search_numbers, search_suffixes)
    VALUES ('delete', OLD.rowid, OLD.name_fold, OLD.village_fold, OLD.search_numbers, OLD.search_suffixes);
    INSERT INTO beneficiary_fts(rowid, name_fold, village_fold, search_numbers, search_suffixes)
    VALUES (NEW.rowid, NEW.name_fold, NEW.village_fold, NEW.search_numbers, NEW.search_suffixes);
END;
"""


def apply(db):
    run_script(db, DROP_INDEX)
    # A derived column is not a change to sync: fill it with the version stamp switched off,
    # and before the new index exists (it is built from the filled table in one go).
    db.execute("DROP TRIGGER beneficiaries_version_upd")
    rows = db.execute("SELECT rowid, search_numbers FROM beneficiaries").fetchall()
    db.conn.executemany("UPDATE beneficiaries SET search_suffixes = ? WHERE rowid = ?",
                        [(" ".join(n[::-1] for n in numbers.split()), rowid) for rowid, numbers in rows])
    run_script(db, version_trigger_sql("beneficiaries"))
    run_script(db, NEW_INDEX)
    db.execute("INSERT INTO beneficiary_fts(beneficiary_fts) VALUES ('rebuild')")
