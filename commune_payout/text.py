"""Vietnamese text handling: NFC normalisation, the search fold and sort keys.

Every string that enters the app from a keyboard, a file or a package goes through
:func:`clean`; every search and sort goes through :func:`fold` or :func:`sort_key`.
"""

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# Characters that show as nothing but make two equal-looking texts differ: zero-width and bidi
# controls, the BOM and soft hyphen (text pasted from web pages and Zalo), and control codes.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]")
# Halves of a UTF-16 pair: Tk can hand a character beyond U+FFFF over as two of them (some IMEs do).
_SURROGATE = re.compile("[\ud800-\udfff]")
_CACHED_CHARS = 200
_ETH_TO_D = str.maketrans({"ð": "đ", "Ð": "Đ"})
_D_MAP = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})

# Combining marks that make a distinct Vietnamese letter (ă â ê ô ơ ư), as opposed to tones.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONE_ORDER = {"": 0, "\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Primary order of the Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_MAX_RANK = 0x10FFFF - 0x3000


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC (CP1258 files and some keyboards send NFD)."""
    return unicodedata.normalize("NFC", value)


def clean(value) -> str:
    """NFC, invisible characters removed, trimmed, inner runs of whitespace collapsed to one
    space. ``None`` gives ``""``."""
    if value is None:
        return ""
    text = str(value)
    # A register repeats its villages, groups and banks thousands of times; long texts are not kept.
    return _clean_cached(text) if len(text) <= _CACHED_CHARS else _clean(text)


def _clean(text: str) -> str:
    if _SURROGATE.search(text):
        text = _whole_characters(text)
    text = nfc(_INVISIBLE.sub("", text))
    if "ð" in text or "Ð" in text:
        text = text.translate(_ETH_TO_D)
    return _SPACES.sub(" ", text).strip()


def _whole_characters(text: str) -> str:
    """``text`` with each pair of surrogate halves joined into its character and a lone half,
    which is no character at all (nothing can store or draw it), dropped."""
    joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    return _SURROGATE.sub("", joined)


def excerpt(value, limit: int = 60) -> str:
    """``value`` as text short enough to quote in a message: at most ``limit`` characters."""
    text = str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def ascii_digits(text: str) -> str:
    """``text`` with every Unicode decimal digit (fullwidth ０-９, Arabic-Indic…) as ASCII 0-9."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if not ch.isascii() and unicodedata.decimal(ch, None) is not None
                   else ch for ch in text)


def fold(value) -> str:
    """The Vietnamese search fold: strip every mark, map đ to d, case-fold, collapse spaces.

    >>> fold("Đặng Văn Đạt")
    'dang van dat'
    """
    if not value:
        return ""
    text = str(value)
    return _fold_cached(text) if len(text) <= _CACHED_CHARS else _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _INVISIBLE.sub("", text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Ð/ð (U+00D0/U+00F0) stand in for Đ/đ in badly converted files.
    stripped = stripped.translate(_D_MAP)
    return _SPACES.sub(" ", stripped.casefold()).strip()


# A search box holds a few words of a name or an ID; the rest of a long paste is not searched.
SEARCH_WORDS, SEARCH_WORD_CHARS = 10, 40
_WORD = re.compile(r"[^\W_]+")


def search_words(text) -> list[str]:
    """The words a search for ``text`` looks for: folded, digits of any script as ASCII, at most
    :data:`SEARCH_WORDS` of them, each cut to :data:`SEARCH_WORD_CHARS` characters (a query of
    thousands of words or one 100.000-character word is more than SQLite will evaluate)."""
    words = _WORD.findall(ascii_digits(fold(text)))
    return [w[:SEARCH_WORD_CHARS] for w in words[:SEARCH_WORDS]]


_clean_cached = lru_cache(maxsize=65536)(_clean)
_fold_cached = lru_cache(maxsize=65536)(_fold)


@lru_cache(maxsize=None)
def _letter_key(ch: str) -> tuple[int, int]:
    decomposed = unicodedata.normalize("NFD", ch.casefold())
    base, marks = decomposed[0], decomposed[1:]
    letter_marks = "".join(m for m in marks if m in _LETTER_MARKS)
    tone = "".join(m for m in marks if m not in _LETTER_MARKS)
    letter = unicodedata.normalize("NFC", base + letter_marks)
    if letter in _RANK:
        return _RANK[letter] + 100, _TONE_ORDER.get(tone, 6)
    # Other characters sort by code point after the alphabet; the key must stay a valid character
    # (chr(0x3000 + rank)), so an emoji or a private-use character beyond that sorts last.
    return ord(letter) if ord(letter) < 100 else min(ord(letter) + 1000, _MAX_RANK), 0


def sort_key(value) -> str:
    """A string key that sorts Vietnamese text the way a Vietnamese reader expects.

    Letters first (a < ă < â … d < đ …), tones only break ties. The key is a plain
    string so it can be stored in a column and used in ``ORDER BY``.
    """
    return _sort_key(clean(value))


@lru_cache(maxsize=65536)
def _sort_key(text: str) -> str:
    keys = [_letter_key(ch) for ch in text]
    return "".join(chr(0x3000 + rank) for rank, _ in keys) + "\x01" + "".join(str(t) for _, t in keys)


def name_sort_key(full_name) -> str:
    """Sort key for a person's name: given name first, then the whole name (Vietnamese lists)."""
    text = clean(full_name)
    given = text.rsplit(" ", 1)[-1] if text else ""
    return sort_key(given) + "\x02" + sort_key(text)


def province_phrase(province_name: str) -> str:
    """"Phú Thọ" → "tỉnh Phú Thọ", "Thành phố Hà Nội" → "thành phố Hà Nội": a province as it
    follows an office's name ("Sở Y tế tỉnh Phú Thọ")."""
    name = clean(province_name)
    if not name:
        return ""
    if name.casefold().startswith("thành phố "):
        return "thành phố " + name[len("thành phố "):]
    return "tỉnh " + name
