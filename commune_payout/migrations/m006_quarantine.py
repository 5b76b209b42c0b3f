"""The office's quarantine: packages from a commune whose key is not yet confirmed by phone.

Before, such a package waited in ``up_packages`` and took its sequence number there, so anyone
could make a key, sign packages 1–3 in a registered commune's name and lock the commune out
(its genuine package 1 was then a "duplicate"). ``up_quarantine`` holds them apart, keyed by
the file's SHA-256 and marked with the fingerprint of the key that signed them; nothing in it
takes a sequence number. Confirming a key applies the held packages signed with it, in order,
and discards the rest (docs/sync.md, "Quarantine").

Packages already waiting for a key move here; the fingerprint is read from their signature
with the office's own key. One that cannot be opened is dropped: it could never have applied.
"""

import hashlib
import io
import zipfile
import zlib

from commune_payout.db import run_script

VERSION = 6

SCHEMA = """
CREATE TABLE IF NOT EXISTS up_quarantine (
    sha256 TEXT PRIMARY KEY,
    commune_code TEXT NOT NULL REFERENCES up_communes(code),
    fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL DEFAULT '',
    package_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_up_quarantine_commune ON up_quarantine(commune_code, fingerprint, seq);
"""


def _signer(data: bytes, identity) -> str | None:
    import pyrage

    try:
        with zipfile.ZipFile(io.BytesIO(pyrage.decrypt(data, [identity]))) as zf:
            return zf.read("signature.txt").decode("ascii").split()[0]
    except (pyrage.DecryptError, zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError,
            IndexError):
        return None


def apply(db):
    run_script(db, SCHEMA)
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'up_packages'").fetchone():
        return  # run again after migration 8 renamed the office's tables: nothing waits here
    key = db.execute("SELECT age_identity FROM sync_keys WHERE role = 'upstream'").fetchone()
    waiting = db.execute("SELECT id, commune_code, seq, size, data, received_at FROM up_packages "
                         "WHERE status = 'waiting' AND wait_reason = 'key'").fetchall()
    if key and waiting:
        from pyrage import x25519

        identity = x25519.Identity.from_str(key[0])
        for pid, code, seq, size, data, received_at in waiting:
            signer = _signer(data, identity)
            if signer:
                db.execute("INSERT OR IGNORE INTO up_quarantine (sha256, commune_code, fingerprint, package_id, seq, "
                           "size, data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [hashlib.sha256(data).hexdigest(), code, signer, pid, seq, size, data, received_at])
    db.execute("DELETE FROM up_packages WHERE status = 'waiting' AND wait_reason = 'key'")
