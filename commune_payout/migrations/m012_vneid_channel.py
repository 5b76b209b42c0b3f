"""The VNeID social-security account as a payment channel (docs/domain.md, "Channels").

A beneficiary links one account in their own name, at one of 18 banks and wallets, to VNeID as
their "tài khoản an sinh xã hội"; NQ 418/NQ-CP (the Tết 2026 gift) ordered payment to it first.
The channel ``vneid`` carries its bank (NAPAS BIN) and account number like ``account``, and is
paid by transfer like it.

The channel columns of ``beneficiaries``, ``payout_lines`` and ``payout_entries`` only accept the
channels their CHECK lists, and SQLite cannot alter a CHECK. A wider CHECK accepts every row the
narrower one did, so the tables' definitions are rewritten in place (SQLite's documented way for
changes that leave the stored rows as they are: ``writable_schema``, then a new schema version
so every connection reads the definitions again) instead of copying every table with its
triggers and search index. Rewriting is guarded: run again, it finds nothing to widen.
"""

VERSION = 12

OLD_CHANNELS = "IN ('account', 'cash_commune', 'cash_home')"
NEW_CHANNELS = "IN ('account', 'vneid', 'cash_commune', 'cash_home')"
# A line paid by transfer needs the account it is paid to, whichever transfer channel.
OLD_LINE_ACCOUNT = "CHECK (channel != 'account' OR (bank_bin IS NOT NULL AND account_number IS NOT NULL))"
NEW_LINE_ACCOUNT = ("CHECK (channel NOT IN ('account', 'vneid') OR "
                    "(bank_bin IS NOT NULL AND account_number IS NOT NULL))")
TABLES = ("beneficiaries", "payout_lines", "payout_entries")


def apply(db):
    rows = db.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN {TABLES}").fetchall()
    changed = {name: sql.replace(OLD_CHANNELS, NEW_CHANNELS).replace(OLD_LINE_ACCOUNT, NEW_LINE_ACCOUNT)
               for name, sql in rows}
    changed = {name: sql for name, sql in changed.items() if sql != dict(rows)[name]}
    if not changed:
        return
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        for name, sql in changed.items():
            db.execute("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", [sql, name])
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    problems = db.execute("PRAGMA quick_check").fetchall()
    if problems != [("ok",)]:
        raise RuntimeError(f"check after widening the channels: {problems}")
