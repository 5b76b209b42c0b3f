"""The beneficiary register: people, programme memberships, change history, settings."""

from commune_payout.db import run_script, version_trigger_sql

VERSION = 1

SCHEMA = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT
);

CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO change_counter (id, value) VALUES (1, 0);

CREATE TABLE base_levels (
    program TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    note TEXT,
    PRIMARY KEY (program, valid_from)
);
INSERT INTO base_levels VALUES ('btxh', '2021-07-01', 360000, 'NĐ 20/2021/NĐ-CP');
INSERT INTO base_levels VALUES ('btxh', '2024-07-01', 500000, 'NĐ 76/2024/NĐ-CP');
INSERT INTO base_levels VALUES ('ncc', '2024-07-01', 2789000, 'NĐ 77/2024/NĐ-CP');
INSERT INTO base_levels VALUES ('htxh', '2025-07-01', 500000, 'NĐ 176/2025/NĐ-CP');

CREATE TABLE beneficiaries (
    id TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL,
    full_name TEXT NOT NULL CHECK (length(full_name) > 0),
    birth_date TEXT,
    birth_year INTEGER,
    gender TEXT CHECK (gender IN ('M', 'F')),
    id_number TEXT,
    old_id_number TEXT,
    village TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'suspended', 'ended', 'deceased')),
    status_date TEXT,
    status_reason TEXT NOT NULL DEFAULT '',
    monthly_amount INTEGER CHECK (monthly_amount IS NULL OR monthly_amount >= 0),
    receiver_name TEXT NOT NULL DEFAULT '',
    receiver_id_number TEXT NOT NULL DEFAULT '',
    receiver_relation TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL DEFAULT 'cash_commune'
        CHECK (channel IN ('account', 'cash_commune', 'cash_home')),
    bank_bin TEXT,
    account_number TEXT,
    account_holder TEXT NOT NULL DEFAULT '',
    account_status TEXT NOT NULL DEFAULT 'needs_account'
        CHECK (account_status IN ('has_account', 'needs_account', 'opening', 'cannot_open', 'refuses')),
    account_status_reason TEXT NOT NULL DEFAULT '',
    police_verified_on TEXT,
    notes TEXT NOT NULL DEFAULT '',
    name_fold TEXT NOT NULL DEFAULT '',
    name_sort TEXT NOT NULL DEFAULT '',
    village_fold TEXT NOT NULL DEFAULT '',
    search_numbers TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_beneficiaries_id_number ON beneficiaries(id_number);
CREATE INDEX ix_beneficiaries_name_sort ON beneficiaries(name_sort);
CREATE INDEX ix_beneficiaries_village ON beneficiaries(village_fold, name_sort);
CREATE INDEX ix_beneficiaries_match ON beneficiaries(name_fold, birth_year, village_fold);
CREATE INDEX ix_beneficiaries_account ON beneficiaries(account_status);
CREATE INDEX ix_beneficiaries_version ON beneficiaries(version);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries(id) ON DELETE CASCADE,
    program TEXT NOT NULL CHECK (program IN ('btxh', 'ncc', 'htxh', 'other')),
    category TEXT NOT NULL,
    coefficient REAL,
    amount INTEGER CHECK (amount IS NULL OR amount >= 0),
    start_date TEXT,
    end_date TEXT,
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_memberships_beneficiary ON memberships(beneficiary_id);
CREATE INDEX ix_memberships_version ON memberships(version);

CREATE TABLE beneficiary_history (
    id TEXT PRIMARY KEY,
    beneficiary_id TEXT NOT NULL REFERENCES beneficiaries(id) ON DELETE CASCADE,
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    source TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_history_beneficiary ON beneficiary_history(beneficiary_id, changed_at);
CREATE INDEX ix_history_version ON beneficiary_history(version);

CREATE VIRTUAL TABLE beneficiary_fts USING fts5(
    name_fold, village_fold, search_numbers,
    content='beneficiaries', content_rowid='rowid',
    tokenize='unicode61 remove_diacritics 2', prefix='1 2 3'
);
CREATE TRIGGER beneficiary_fts_ai AFTER INSERT ON beneficiaries BEGIN
    INSERT INTO beneficiary_fts(rowid, name_fold, village_fold, search_numbers)
    VALUES (NEW.rowid, NEW.name_fold, NEW.village_fold, NEW.search_numbers);
END;
CREATE TRIGGER beneficiary_fts_ad AFTER DELETE ON beneficiaries BEGIN
    INSERT INTO beneficiary_fts(beneficiary_fts, rowid, name_fold, village_fold, search_numbers)
    VALUES ('delete', OLD.rowid, OLD.name_fold, OLD.village_fold, OLD.search_numbers);
END;
CREATE TRIGGER beneficiary_fts_au AFTER UPDATE OF name_fold, village_fold, search_numbers ON beneficiaries BEGIN
    INSERT INTO beneficiary_fts(beneficiary_fts, rowid, name_fold, village_fold, search_numbers)
    VALUES ('delete', OLD.rowid, OLD.name_fold, OLD.village_fold, OLD.search_numbers);
    INSERT INTO beneficiary_fts(rowid, name_fold, village_fold, search_numbers)
    VALUES (NEW.rowid, NEW.name_fold, NEW.village_fold, NEW.search_numbers);
END;
"""


def apply(db):
    run_script(db, SCHEMA)
    for table in ("beneficiaries", "memberships", "beneficiary_history"):
        run_script(db, version_trigger_sql(table))
