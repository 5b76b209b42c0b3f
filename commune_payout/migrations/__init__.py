"""Numbered schema migrations: ``mNNN_name.py`` with ``VERSION = NNN`` and ``apply(db)``.

Never edit a migration that has shipped; add the next number instead.
"""
