"""Money on screen and on paper: 1.500.000 đ, and the amount in words (accounting convention).

Amounts are whole đồng in ``int`` everywhere; there are no decimals in VND.
"""

import re

from commune_payout.text import ascii_digits

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
MAX_IN_WORDS = 10**15
# No monthly benefit comes near this; a bigger number is a typing slip or a total.
MAX_MONTHLY = 100_000_000


def format_vnd(amount, unit: bool = True) -> str:
    """``1500000`` → ``"1.500.000 đ"`` (dot as thousands separator, no decimals)."""
    if amount is None:
        return ""
    n = int(amount)
    text = f"{abs(n):,}".replace(",", ".")
    if n < 0:
        text = "-" + text
    return f"{text} đ" if unit else text


def parse_vnd(text) -> int | None:
    """Read an amount typed as ``1.080.000``, ``1,080,000``, ``1080000 đ`` or a number.

    Returns ``None`` for an empty value; raises ``ValueError`` for anything that is not an amount
    (a decimal amount of đồng is an error, not something to round; zero decimals as banks and
    tools write them, ``1.500.000,00`` or ``600000.0``, are whole đồng). An amount beyond :data:`MAX_IN_WORDS` is not one an
    officer types or a bank pays, whatever its digits say.
    """
    if text is None:
        return None
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int):
        return _bounded(text)
    if isinstance(text, float):
        if not text.is_integer():     # also NaN and infinities
            raise ValueError(text)
        return _bounded(int(text))
    s = ascii_digits(str(text)).strip().lower()
    if len(s) > 40:
        raise ValueError(s[:40])
    for suffix in ("đồng", "vnđ", "vnd", "đ", "d"):  # longest first: "vnđ" also ends in "đ"
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
            break
    if not s:
        return None
    s = s.replace(" ", "").replace("\u00a0", "")
    zero_decimals = _ZERO_DECIMALS.fullmatch(s)
    if zero_decimals and zero_decimals[2] not in zero_decimals[1]:
        s = zero_decimals[1]
    if s.count(".") >= 1 and all(len(p) == 3 for p in s.split(".")[1:]):
        s = s.replace(".", "")
    elif s.count(",") >= 1 and all(len(p) == 3 for p in s.split(",")[1:]):
        s = s.replace(",", "")
    if not re.fullmatch(r"-?[0-9]+", s):
        raise ValueError(text)
    return _bounded(int(s))


def parse_monthly(value) -> int | None:
    """A person's monthly amount as typed (:func:`parse_vnd`): ``None`` when blank, else whole
    đồng from 0 to :data:`MAX_MONTHLY`; ``ValueError`` for anything else."""
    amount = parse_vnd(value)
    if amount is not None and not 0 <= amount <= MAX_MONTHLY:
        raise ValueError(value)
    return amount


_ZERO_DECIMALS = re.compile(r"(-?[0-9][0-9.,]*)([.,])00?")


def _bounded(amount: int) -> int:
    if abs(amount) > MAX_IN_WORDS:
        raise ValueError(amount)
    return amount


def _group_words(n: int, full: bool) -> list[str]:
    """Words for one group of three digits; ``full`` reads zero hundreds as "không trăm"."""
    hundreds, tens, units = n // 100, (n // 10) % 10, n % 10
    words: list[str] = []
    if full or hundreds:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens >= 2:
        words.append("mốt")
    elif units == 4 and tens >= 2:
        words.append("tư")
    elif units == 5 and tens >= 1:
        words.append("lăm")
    elif units:
        words.append(_DIGITS[units])
    return words


def amount_in_words(n: int) -> str:
    """Read a whole number of đồng aloud, the way Vietnamese accounting documents write it.

    >>> amount_in_words(1_021_000)
    'một triệu không trăm hai mươi mốt nghìn'
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("amount_in_words takes an int")
    if n < 0 or n > MAX_IN_WORDS:
        raise ValueError(f"amount out of range 0..10^15: {n}")
    if n == 0:
        return _DIGITS[0]
    return " ".join(_words(n, leading=True))


def _words(n: int, leading: bool) -> list[str]:
    """Words for ``n`` > 0 below 10^18; ``leading`` is false when higher words come before it."""
    billions, rest = divmod(n, 10**9)
    words: list[str] = []
    if billions:
        # Above a tỷ the count of tỷ is read as a number of its own: 1.500 tỷ = một nghìn năm trăm tỷ.
        words += _words(billions, leading) + ["tỷ"]
    groups = [(rest // 10**6) % 1000, (rest // 1000) % 1000, rest % 1000]
    for group, scale in zip(groups, ("triệu", "nghìn", "")):
        if group == 0:
            continue
        words += _group_words(group, full=bool(words) or not leading)
        if scale:
            words.append(scale)
    return words


def amount_in_words_sentence(n: int) -> str:
    """The "Bằng chữ" line of a document: capitalised, with the currency. ``"Hai mươi mốt đồng."``"""
    words = amount_in_words(n)
    return words[0].upper() + words[1:] + " đồng."
