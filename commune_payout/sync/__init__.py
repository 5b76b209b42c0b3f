"""File-based sync between a commune and the offices above it (docs/sync.md).

* :mod:`.tables`: which tables travel, their key and how a row names its commune.
* :mod:`.keys`: key pairs, public key cards and the short fingerprints read over the phone.
* :mod:`.package`: the signed, encrypted package format and its column codec (both ends).
* :mod:`.reader`: the defensive reader: any file gives an opened package or a refusal with its class.
* :mod:`.commune`: the commune side (export, acknowledgement, removable drives, down packages).
* :mod:`.scope`: which programmes an office receives.
* :mod:`.office`: the office side (communes, import, quarantine, status, receipts, down packages).
* :mod:`.consolidate`: applying a commune's package to the office's consolidated copies.
* :mod:`.reports`: the office's consolidated views and exports.
"""
