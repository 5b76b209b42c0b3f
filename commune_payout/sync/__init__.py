"""File-based sync between a commune and its upstream office (docs/sync.md).

* :mod:`.tables`: which tables travel, their key and how a row names its commune.
* :mod:`.keys`: key pairs, public key cards and the short fingerprints read over the phone.
* :mod:`.package`: the signed, encrypted package format and its defensive reader.
* :mod:`.commune`: the commune side (export, acknowledgement, removable drives, down packages).
* :mod:`.upstream`: the office side (communes, import, status, receipts, reports, down packages).
"""
