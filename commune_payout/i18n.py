"""One translation function for every string the window shows.

The app is written in Vietnamese, so a source string *is* the Vietnamese text and ``_()``
returns it unchanged; another language is a JSON catalogue ``locale/<lang>.json`` that maps
Vietnamese source strings to their translation (``en.json`` for English). A string missing
from a catalogue falls back to Vietnamese rather than failing.

ttkbootstrap's own dialogs (Messagebox, Querybox, the date picker) translate their buttons
through Tk's msgcat in English source form; it ships no Vietnamese, so
``locale/tk_vi.json`` supplies it and :func:`install_tk_catalogue` registers it on a root.

The language comes from ``COMMUNE_PAYOUT_LANG`` ("vi" by default).
"""

import json
import os
from functools import lru_cache
from pathlib import Path

LANG_ENV = "COMMUNE_PAYOUT_LANG"
DEFAULT_LANG = "vi"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_lang = os.environ.get(LANG_ENV, DEFAULT_LANG)


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """The app catalogue for ``lang`` (empty for Vietnamese, the source language)."""
    if lang == DEFAULT_LANG:
        return {}
    path = LOCALE_DIR / f"{lang}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def language() -> str:
    return _lang


def set_language(lang: str) -> None:
    """Switch the language for strings translated from now on (windows built later)."""
    global _lang
    _lang = lang


def _(text: str) -> str:
    """``text`` (Vietnamese source) in the current language."""
    return catalogue(_lang).get(text, text)


def tk_catalogue() -> dict[str, str]:
    """ttkbootstrap's English dialog strings → Vietnamese."""
    return json.loads((LOCALE_DIR / "tk_vi.json").read_text(encoding="utf-8"))


def install_tk_catalogue(root) -> None:
    """Make ttkbootstrap's dialogs on ``root`` speak the app's language."""
    from ttkbootstrap.localization import MessageCatalog

    if _lang != DEFAULT_LANG:
        MessageCatalog.locale(_lang)
        return
    pairs = [s for item in tk_catalogue().items() for s in item]
    MessageCatalog.set_many("vi", *pairs)
    MessageCatalog.locale("vi")
