"""Key pairs, public key cards and short fingerprints.

Each end holds two keys: an Ed25519 key that signs what it sends, and an age (X25519)
identity that opens what is sent to it. The public halves travel as a *card*: a few text lines
(or one typed string) with a name, the age recipient, the signing key and a fingerprint of
both, short enough to read over the phone ("ABCD-EFGH-JKMN"). Private keys are kept in the
``sync_keys`` table (see migration m003 for why) and never printed.
"""

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519

from commune_payout import atomic
from commune_payout.db import write_transaction
from commune_payout.errors import NotInitialised, UserError
from commune_payout.text import clean, excerpt

# Crockford's base32: no I, L, O, U, so a fingerprint survives being read aloud.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})
ROLES = {"commune": "xã", "office": "đơn vị cấp trên"}
MAX_CARD = 16 * 1024     # a card file is about 300 bytes
MAX_NAME = 200


def crockford(data: bytes, chars: int) -> str:
    number = int.from_bytes(data, "big")
    bits = len(data) * 8
    return "".join(_CROCKFORD[(number >> (bits - 5 * (i + 1))) & 31] for i in range(chars))


def fingerprint(signing_public: str, age_recipient: str) -> str:
    """Twelve characters of SHA-256 over both public keys, grouped by four: ``ABCD-EFGH-JKMN``."""
    digest = hashlib.sha256(b"commune-payout-key\0" + decode_signing_key(signing_public)
                            + b"\0" + age_recipient.encode("ascii")).digest()
    text = crockford(digest[:8], 12)
    return "-".join(text[i:i + 4] for i in range(0, 12, 4))


def normalise_fingerprint(text: str) -> str:
    """A typed fingerprint in canonical form (case, spaces, dashes and O/0 I/1 confusions forgiven)."""
    raw = re.sub(r"[\s\-]", "", str(text).upper()).translate(_READ_ALIKE)
    if not re.fullmatch(f"[{_CROCKFORD}]{{12}}", raw):
        raise UserError(f"Dấu vân tay “{excerpt(text, 40)}” không hợp lệ: cần 12 ký tự dạng ABCD-EFGH-JKMN.")
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def encode_signing_key(public: Ed25519PublicKey) -> str:
    return base64.b32encode(public.public_bytes_raw()).decode("ascii").rstrip("=")


def decode_signing_key(text: str) -> bytes:
    raw = re.sub(r"[\s\-]", "", str(text)).upper()
    try:
        data = base64.b32decode(raw + "=" * (-len(raw) % 8))
    except ValueError:
        data = b""
    if len(data) != 32:
        raise UserError("Khóa ký không hợp lệ (cần 52 ký tự chữ và số).")
    return data


def verify(signing_public: str, signature: bytes, message: bytes) -> bool:
    """Whether ``signature`` is the holder of ``signing_public`` signing ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(decode_signing_key(signing_public)).verify(signature, message)
    except InvalidSignature:
        return False
    return True


def group(text: str, size: int = 4) -> str:
    """``text`` in groups of ``size`` characters, for reading and typing."""
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


@dataclass(frozen=True)
class PublicCard:
    """The public half of one end: what the other end needs to encrypt to it and check its signature."""

    name: str
    signing_public: str
    age_recipient: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public, self.age_recipient)

    def to_text(self) -> str:
        """The card as a small text file (also fine to read out or copy by hand)."""
        return (f"# Khóa công khai — commune-payout\n"
                f"name: {self.name}\n"
                f"age: {self.age_recipient[:4]} {group(self.age_recipient[4:])}\n"
                f"sign: {group(self.signing_public)}\n"
                f"fingerprint: {self.fingerprint}\n")

    def as_dict(self) -> dict:
        return {"name": self.name, "signing_public": self.signing_public, "age_recipient": self.age_recipient,
                "fingerprint": self.fingerprint}


def card_from_parts(name: str, age_recipient: str, signing_public: str) -> PublicCard:
    """A card from typed parts; raises UserError naming the part that is wrong."""
    shown_name = clean(name)
    if not shown_name or len(shown_name) > MAX_NAME:
        raise UserError(f"Tên trên khóa công khai phải có từ 1 đến {MAX_NAME} ký tự.")
    recipient = re.sub(r"\s", "", str(age_recipient)).lower()
    try:
        if len(recipient) > 100:
            raise ValueError(recipient)
        x25519.Recipient.from_str(recipient)
    except Exception as exc:  # pyrage raises its own error types for every malformed recipient
        raise UserError(f"Khóa mã hóa “{excerpt(age_recipient, 80)}” không hợp lệ (phải bắt đầu bằng age1…).") from exc
    signing = base64.b32encode(decode_signing_key(signing_public)).decode("ascii").rstrip("=")
    return PublicCard(shown_name, signing, recipient)


def parse_card(text: str | bytes) -> PublicCard:
    """Read a card written by :meth:`PublicCard.to_text` (text, or a file's bytes in UTF-8); a
    fingerprint line, if present, must match."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", errors="replace")
    fields = {}
    for line in str(text).splitlines():
        if ":" in line and not line.lstrip().startswith("#"):
            key, value = line.split(":", 1)
            fields[key.strip().lower()] = value.strip()
    if not {"name", "age", "sign"} <= set(fields):
        raise UserError("Tệp khóa công khai thiếu dòng name:, age: hoặc sign:.")
    card = card_from_parts(fields["name"], fields["age"], fields["sign"])
    if "fingerprint" in fields and normalise_fingerprint(fields["fingerprint"]) != card.fingerprint:
        raise UserError("Tệp khóa công khai bị sai: dấu vân tay không khớp với khóa.")
    return card


@dataclass(frozen=True)
class KeyPair:
    """This database's own keys. ``signer`` signs; ``identity`` decrypts what was sent to us."""

    role: str
    card: PublicCard
    signer: Ed25519PrivateKey
    identity: x25519.Identity

    def sign(self, message: bytes) -> bytes:
        return self.signer.sign(message)


def generate(db, role: str, name: str, now) -> KeyPair:
    """Create and store the key pair for ``role``; refuses if one exists (the other end trusts it)."""
    if load(db, role, missing_ok=True):
        raise UserError(f"Cơ sở dữ liệu này đã có khóa của {ROLES[role]}; không tạo lại.")
    signer = Ed25519PrivateKey.generate()
    identity = x25519.Identity.generate()
    card = PublicCard(clean(name), encode_signing_key(signer.public_key()), str(identity.to_public()))
    with write_transaction(db):
        db.execute(
            "INSERT INTO sync_keys (role, name, signing_private, signing_public, age_identity, age_recipient, "
            "fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [role, card.name, signer.private_bytes_raw(), card.signing_public, str(identity),
             card.age_recipient, card.fingerprint, now.isoformat(sep=" ")])
    return KeyPair(role, card, signer, identity)


def load(db, role: str, missing_ok: bool = False) -> KeyPair | None:
    """The stored key pair for ``role``; NotInitialised (or None with ``missing_ok``) if there is none."""
    row = db.execute("SELECT name, signing_private, signing_public, age_identity, age_recipient FROM sync_keys "
                     "WHERE role = ?", [role]).fetchone()
    if row is None:
        if missing_ok:
            return None
        raise NotInitialised(f"Chưa có khóa của {ROLES[role]}. Hãy tạo khóa trước.")
    name, private, public, identity, recipient = row
    return KeyPair(role, PublicCard(name, public, recipient), Ed25519PrivateKey.from_private_bytes(private),
                   x25519.Identity.from_str(identity))


def other_role_present(db, role: str) -> bool:
    """Whether ``db`` already holds the keys of the *other* end (a database is one end only)."""
    other = "office" if role == "commune" else "commune"
    return db.execute("SELECT 1 FROM sync_keys WHERE role = ?", [other]).fetchone() is not None


def write_identity_file(keys: KeyPair, path) -> Path:
    """Write the age identity to ``path`` so the independent ``age`` tool can open packages.

    For recovery and audit only; the app itself reads the key from the database. The file is
    written atomically and, like every temporary file, readable by its owner only (0600).
    """
    return atomic.write_text(path, f"# {keys.card.name} — {keys.card.fingerprint}\n"
                                   f"# public key: {keys.card.age_recipient}\n{keys.identity}\n")
