"""Modules imported on first use, so that starting the program does not pay for what it may never do.

``commune-payout --version`` or ``import --help`` builds the whole argument parser, whose command
modules name the services they call (openpyxl through the transfer lists, the province list through
``geo``, the sync keys' cryptography …). Imported at the top, those would cost half a second before
anything is printed; named with :class:`LazyModule`, a module is imported the first time one of its
attributes is read, and costs nothing until then.
"""

import importlib


class LazyModule:
    """Stands for the module ``name`` until an attribute is read, then imports it and gives that
    attribute (the module itself lives in ``sys.modules`` as after an ordinary import)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported on first use>"
