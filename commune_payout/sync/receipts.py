"""Receipts (acknowledgements) from the office to a commune (docs/sync.md rule 6).

A receipt names the last package and change version the office applied for one commune. As a
file it is a small signed JSON document: it holds no personal data, so it is not encrypted. As
a phone code it reads ``SỐGÓI-PHIÊNBẢN-MÃKIỂM`` (``7-48213-K3QF``); the check characters are
derived from the package's manifest hash, which only someone who decrypted the package knows,
so a mistyped or invented code is refused by the commune.
"""

import base64
import hashlib
import json

from commune_payout.errors import UserError
from commune_payout.sync import keys as keymod
from commune_payout.sync.package import canonical_json

ACK_FORMAT = "commune-payout-ack/1"


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
    is checked against that office's key (``signing_keys``: fingerprint → signing key)."""
    try:
        doc = json.loads(data[:64 * 1024].decode("utf-8"))
        body, signer = doc["ack"], keymod.normalise_fingerprint(doc["signer"])
        signature = base64.b64decode(doc["signature"], validate=True)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, UserError) as exc:
        raise UserError("Tệp này không phải biên nhận của đơn vị cấp trên.") from exc
    if not isinstance(body, dict) or body.get("format") != ACK_FORMAT:
        raise UserError("Tệp này không phải biên nhận của đơn vị cấp trên.")
    if signer not in signing_keys or not keymod.verify(signing_keys[signer], signature, canonical_json(body)):
        raise UserError("Biên nhận không có chữ ký hợp lệ của đơn vị cấp trên nào của xã: không ghi nhận.")
    return body, signer
