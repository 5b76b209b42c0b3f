"""Receipts (acknowledgements) from the office to a commune (docs/sync.md rule 6).

A receipt names the last package and change version the office applied for one commune. As a
file it is a small signed JSON document: it holds no personal data, so it is not encrypted. As
a phone code it reads ``SỐGÓI-PHIÊNBẢN-MÃKIỂM`` (``7-48213-K3QF``); the check characters are
derived from the package's manifest hash, which only someone who decrypted the package knows,
so a mistyped or invented code is refused by the commune.
"""

import base64
import binascii
import hashlib
import json
import re

from commune_payout.errors import UserError
from commune_payout.sync import keys as keymod
from commune_payout.sync import reader
from commune_payout.sync.package import canonical_json
from commune_payout.text import ascii_digits, excerpt

ACK_FORMAT = "commune-payout-ack/1"
MAX_ACK = 16 * 1024      # a receipt file is about 600 bytes
_ACK = reader.record({"commune_code": reader.text(5, r"[0-9]{5}"), "package_id": reader.UUID,
                      "seq": reader.integer(1, reader.MAX_SEQ), "version": reader.integer(0, reader.MAX_VERSION),
                      "manifest_sha256": reader.SHA256, "issued_at": reader.text(40)})
_CODE = re.compile(r"([0-9]{1,10})-([0-9]{1,16})-([0-9A-Z]{4})")
_READ_ALIKE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def ack_check(manifest_sha256: str, seq: int, version: int) -> str:
    digest = hashlib.sha256(f"ack\0{manifest_sha256}\0{seq}\0{version}".encode("ascii")).digest()
    return keymod.crockford(digest[:4], 4)


def ack_code(manifest_sha256: str, seq: int, version: int) -> str:
    """The receipt as a short code to read over the phone."""
    return f"{seq}-{version}-{ack_check(manifest_sha256, seq, version)}"


def make_ack_file(ack: dict, signer: keymod.KeyPair) -> bytes:
    """A signed receipt file for ``ack`` (commune_code, package_id, seq, version, manifest_sha256, issued_at)."""
    body = {**ack, "format": ACK_FORMAT, "office": signer.card.name}
    signature = base64.b64encode(signer.sign(canonical_json(body))).decode("ascii")
    return json.dumps({"ack": body, "signer": signer.card.fingerprint, "signature": signature},
                      ensure_ascii=False, indent=1).encode("utf-8")


def read_ack_file(data: bytes, signing_keys: dict[str, str]) -> tuple[dict, str]:
    """The receipt in ``data`` and the fingerprint of the office that signed it, once its signature
    is checked against that office's key (``signing_keys``: fingerprint → signing key).

    The file is hostile until then: at most :data:`MAX_ACK` bytes, bounded JSON (depth, sizes, no
    NaN), and a body of the expected fields and types, or one plain refusal.
    """
    not_a_receipt = UserError("Tệp này không phải biên nhận của đơn vị cấp trên (hoặc đã bị hỏng).")
    if len(data) > MAX_ACK:
        raise not_a_receipt
    try:
        doc = reader.parse_json(data, "biên nhận")
        body, signer = doc["ack"], keymod.normalise_fingerprint(doc["signer"])
        signature = base64.b64decode(doc["signature"], validate=True)
        reader.check(body, _ACK, "ack")
    except (UserError, KeyError, TypeError, binascii.Error) as exc:     # a PackageRejected from the reader too
        raise not_a_receipt from exc
    if body.get("format") != ACK_FORMAT:
        raise not_a_receipt
    if signer not in signing_keys or not keymod.verify(signing_keys[signer], signature, canonical_json(body)):
        raise UserError("Biên nhận không có chữ ký hợp lệ của đơn vị cấp trên nào của xã: không ghi nhận.")
    return body, signer


def read_ack_code(text: str) -> tuple[int, int, str]:
    """(package number, version, check characters) of a receipt read over the phone, as typed:
    spaces, lower case and the read-alike letters O, I, L forgiven; anything else refused."""
    typed = ascii_digits(re.sub(r"\s", "", str(text))).upper()
    found = _CODE.fullmatch(typed)
    if not found or int(found[1]) < 1:
        raise UserError(f"Mã biên nhận “{excerpt(text, 40)}” không đúng dạng SỐGÓI-PHIÊNBẢN-MÃKIỂM "
                        "(ví dụ 7-48213-K3QF).")
    return int(found[1]), int(found[2]), found[3].translate(_READ_ALIKE)
