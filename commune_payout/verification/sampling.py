"""How many people to ask, and which: the sample size and a stratified, seeded draw (pure functions).

Sample size (docs/domain.md, "Verification"): for an unknown share of problems (``p`` = 0.5, the
largest sample), ``n₀ = z²·p(1−p)/e²`` with ``z`` the normal quantile of the confidence and ``e``
the margin; corrected for a finite population of ``N`` paid people, ``n = n₀·N/(n₀+N−1)``,
rounded up. At 95 % and ±10 %: 34 of 50, 66 of 200, 95 of 5,000.

The draw is stratified by village and channel. A village is a stratum of its own first: when the
sample has room for one person per village every village gets one, and the rest is shared out in
proportion to the villages' sizes (largest remainders); within a village its number is shared
between its channels the same way. Within each stratum the people are drawn with
``random.Random(seed)`` from the lines in list order, strata in a fixed order, so the same seed
on the same population draws the same people on any machine.
"""

import math
import random
import re
from dataclasses import dataclass
from statistics import NormalDist

from commune_payout.errors import ValidationError
from commune_payout.text import ascii_digits, sort_key

CONFIDENCE = 0.95
MARGIN = 0.10
P = 0.5
SEED_DIGITS = 12            # a seed an officer can read out over the phone
DRAW_METHODS = {"formula": "Cỡ mẫu theo công thức", "count": "Số người cố định", "share": "Tỷ lệ cố định",
           "all": "Toàn bộ"}


def sample_size(population: int, confidence: float = CONFIDENCE, margin: float = MARGIN, p: float = P) -> int:
    """People to ask out of ``population`` for ``confidence`` and ``margin`` (both fractions)."""
    if population <= 0:
        return 0
    z = NormalDist().inv_cdf((1 + confidence) / 2)
    n0 = z * z * p * (1 - p) / (margin * margin)
    n = n0 * population / (n0 + population - 1)
    # A float just above a whole number (33.000000000004) is that number, not the next one.
    return min(population, math.ceil(round(n, 9)))


@dataclass(frozen=True)
class DrawSpec:
    """How big the sample is: ``formula`` (``confidence``, ``margin``), ``count`` people, a
    ``share`` of the paid people (a fraction, 0.1 for 10 %), or ``all`` of them."""

    method: str = "formula"
    count: int | None = None
    share: float | None = None
    confidence: float = CONFIDENCE
    margin: float = MARGIN

    def size(self, population: int) -> int:
        """The sample size for ``population`` paid people (never more than there are)."""
        if self.method == "all":
            return population
        if self.method == "count":
            return min(self.count, population)
        if self.method == "share":
            return min(population, max(1, math.ceil(round(self.share * population, 9))))
        return sample_size(population, self.confidence, self.margin)

    def validate(self) -> "DrawSpec":
        problems = {}
        if self.method not in DRAW_METHODS:
            problems["method"] = "Chọn cách lấy mẫu: theo công thức, số người, tỷ lệ hoặc toàn bộ"
        if self.method == "count" and not (isinstance(self.count, int) and self.count >= 1):
            problems["count"] = "Số người cần hỏi là số nguyên dương"
        if self.method == "share" and not (isinstance(self.share, float) and 0 < self.share <= 1):
            problems["share"] = "Tỷ lệ từ trên 0 % đến 100 %"
        if self.method == "formula":
            if not 0.5 <= self.confidence <= 0.999:
                problems["confidence"] = "Độ tin cậy từ 50 % đến 99,9 %"
            if not 0.01 <= self.margin <= 0.5:
                problems["margin"] = "Sai số từ 1 % đến 50 %"
        if problems:
            raise ValidationError("Cách lấy mẫu chưa hợp lệ", problems)
        return self


def _number(text, what: str, field: str) -> float:
    """A number typed with a comma or a dot as the decimal mark, and an optional ``%``."""
    found = re.fullmatch(r"([0-9]{1,4}(?:[.,][0-9]{1,4})?)\s*%?", ascii_digits(str(text)).strip())
    if not found:
        raise ValidationError(f"{what} không hợp lệ", {field: f"“{str(text)[:30]}” không phải một số"})
    return float(found[1].replace(",", "."))


def parse_percent(text, field: str = "share", what: str = "Tỷ lệ") -> float:
    """``"10"``, ``"10 %"``, ``"2,5"`` → 0.1, 0.1, 0.025 (a share typed in per cent)."""
    value = _number(text, what, field) / 100
    if not 0 < value <= 1:
        raise ValidationError(f"{what} không hợp lệ", {field: f"{what} từ trên 0 % đến 100 %"})
    return value


def parse_count(text) -> int:
    """A number of people typed by the officer (``"34"``)."""
    raw = ascii_digits(str(text)).strip()
    if not re.fullmatch(r"[0-9]{1,7}", raw) or int(raw) < 1:
        raise ValidationError("Số người không hợp lệ", {"count": f"“{str(text)[:30]}”: cần một số nguyên dương"})
    return int(raw)


def parse_seed(text) -> int:
    """A seed typed by the officer: a whole number of at most :data:`SEED_DIGITS` digits."""
    raw = ascii_digits(str(text)).strip()
    if not re.fullmatch(rf"[0-9]{{1,{SEED_DIGITS}}}", raw):
        raise ValidationError("Số hạt giống không hợp lệ",
                              {"seed": f"“{str(text)[:30]}”: cần một số nguyên, tối đa {SEED_DIGITS} chữ số"})
    return int(raw)


def percent_text(value: float) -> str:
    """0.95 → "95%", 0.125 → "12,5%", 2/3 → "66,7%" (a decimal comma, one decimal at most)."""
    return f"{round(value * 100, 1):g}".replace(".", ",") + "%"


def new_seed() -> int:
    """A fresh seed for a draw whose officer gave none (recorded with the draw)."""
    return random.SystemRandom().randrange(10 ** (SEED_DIGITS - 6))


def apportion(total: int, sizes: dict, floor: int = 0) -> dict:
    """Share ``total`` among the groups of ``sizes`` ({key: size}) in proportion to their sizes,
    by largest remainders, never giving a group more than its size; first ``floor`` each (as far
    as ``total`` and the sizes allow). Ties go to the larger group, then the key's order."""
    keys = sorted(sizes, key=lambda k: (-sizes[k], k))
    total = min(total, sum(sizes.values()))
    out = {k: 0 for k in keys}
    if floor and total >= floor * len(keys):
        for k in keys:
            out[k] = min(floor, sizes[k])
    while (left := total - sum(out.values())) > 0:
        room = {k: sizes[k] - out[k] for k in keys if sizes[k] > out[k]}
        weight = sum(room.values())
        quotas = {k: left * room[k] / weight for k in room}
        whole = {k: min(room[k], math.floor(q)) for k, q in quotas.items()}
        # What the whole parts leave goes to the largest remainders, one each (a group a cap cut
        # short leaves more, shared out again on the next round).
        ranked = sorted((k for k in room if whole[k] < room[k]),
                        key=lambda k: (-(quotas[k] - whole[k]), -sizes[k], keys.index(k)))
        for k in ranked[:left - sum(whole.values())]:
            whole[k] += 1
        for k, n in whole.items():
            out[k] += n
    return out


@dataclass(frozen=True)
class Drawn:
    """One person drawn: their payout line, and the stratum (village, channel) it was drawn in."""

    line_id: str
    village: str
    channel: str


def allocate(strata: dict[tuple[str, str], int], size: int) -> dict[tuple[str, str], int]:
    """How many of ``size`` to draw from each (village, channel) stratum of ``strata`` (its count
    of paid people): one per village first when ``size`` allows, the rest in proportion."""
    villages: dict[str, int] = {}
    for (village, _channel), n in strata.items():
        villages[village] = villages.get(village, 0) + n
    per_village = apportion(size, {v: villages[v] for v in sorted(villages, key=sort_key)}, floor=1)
    out = {}
    for village, n in per_village.items():
        channels = {c: m for (v, c), m in strata.items() if v == village}
        for channel, k in apportion(n, channels).items():
            out[(village, channel)] = k
    return out


def draw(lines: list[dict], size: int, seed: int) -> list[Drawn]:
    """Draw ``size`` of ``lines`` (each with ``id``, ``seq``, ``village``, ``channel``) stratified
    by village and channel with the seed ``seed``; returned in village order, then list order."""
    strata: dict[tuple[str, str], list[dict]] = {}
    for line in sorted(lines, key=lambda r: r["seq"]):
        strata.setdefault((line["village"] or "", line["channel"]), []).append(line)
    counts = allocate({k: len(v) for k, v in strata.items()}, size)
    rng = random.Random(seed)
    out = []
    for key in sorted(strata, key=lambda k: (sort_key(k[0]), k[1])):
        chosen = rng.sample(strata[key], counts.get(key, 0))
        out += [Drawn(r["id"], key[0], key[1]) for r in chosen]
    order = {r["id"]: r["seq"] for r in lines}
    out.sort(key=lambda d: (sort_key(d.village), order[d.line_id]))
    return out
