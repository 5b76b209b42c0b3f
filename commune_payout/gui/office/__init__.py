"""The office console: the same app run by the office above the communes (a Sở Y tế, a Sở Nội
vụ), on its own database.

* :mod:`.console`: choosing the console for a database, its window (:class:`~.console.OfficeShell`)
  and its first-run page (the office's name and programmes, its keys).
* one module per section: :mod:`.communes_view` (register communes, confirm a key by phone,
  status of each), :mod:`.import_view` (many packages at once, dry run, outcome of each),
  :mod:`.reports_view` (consolidated reports per programme), :mod:`.acks_view` (receipts),
  :mod:`.send_down_view` (base levels and gift lists sent down), :mod:`.key_view` (the office's
  public key card).

Every button calls :mod:`commune_payout.sync.office` or :mod:`commune_payout.sync.reports`; the
same actions are the ``office …`` commands. Views tell each other through the shell's events
``"communes_changed"`` and ``"packages_imported"``.
"""
