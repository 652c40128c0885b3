"""What a person's words mean before they reach the index: stop words, and price phrases as price bounds.

Agents pass on what a person said ("comfortable running shoes for flat
feet under $100"). Stop words carry no product meaning and are dropped when
a search relaxes; a price phrase becomes `min_price` / `max_price` when the
agent passed none, and leaves the text.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

STOP_WORDS = frozenset(
    """
    a an the and or but nor of for to in on at by with without from into onto about as than then is are
    was were be been being am do does did have has had i me my mine we us our you your yours he him his
    she her it its they them their this that these those there here what which who whom whose where
    when why how some any something anything someone all each every no not very so too just also only
    more most much many few lot lots please want wants wanted need needs needed looking look find buy
    get show give good nice best great new one ones thing things stuff can could would should will
    shall may might must like
    """.split()  # noqa: SIM905  (a word list reads better as text)
)
"""General English function words and shopping filler: dropped when a search relaxes.

Deliberately general (articles, prepositions, pronouns, "looking for", "something"), not tuned to
any query set; a word that names a product never belongs here."""


def is_stop_word(word: str) -> bool:
    return word in STOP_WORDS


@dataclass(frozen=True)
class PriceWords:
    """A price phrase found in the query: its bounds (major units) and the text without it."""

    min_price: Decimal | None
    max_price: Decimal | None
    phrase: str
    rest: str

    def describe(self) -> str:
        if self.min_price is not None and self.max_price is not None:
            return f"between {self.min_price} and {self.max_price}"
        if self.max_price is not None:
            return f"at most {self.max_price}"
        return f"at least {self.min_price}"


_AMOUNT = r"\$?\s*(\d{1,9}(?:[.,]\d{1,2})?)"
_CURRENCY_WORD = r"(?:\s*(?:dollars?|bucks|usd|\$|eur|euros?|€|£))?"
# A number followed by one of these is a size or a spec, not a price ("under 2 kg").
_UNIT = (
    r"(?!\s*(?:%|percent|lbs?|pounds?|kg|g\b|oz|ounces?|inch(?:es)?|in\b|ft|feet|cm|mm|m\b|gb|tb|mb|w\b|watts?"
    r"|v\b|volts?|mah|hz|years?|yrs?|months?|days?|pieces?|pcs|pack|people|person|players?))"
)
_BELOW = r"(?:under|below|less\s+than|cheaper\s+than|up\s+to|no\s+more\s+than|at\s+most|max(?:imum)?|within|<=?)"
_ABOVE = r"(?:over|above|more\s+than|at\s+least|min(?:imum)?|starting\s+at|>=?)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "between",
        re.compile(
            rf"\b(?:between|from)\s+{_AMOUNT}{_CURRENCY_WORD}\s*(?:and|to|-)\s*{_AMOUNT}{_CURRENCY_WORD}{_UNIT}", re.I
        ),
    ),
    (
        "range",
        re.compile(
            rf"(?<![\w.])\$\s*(\d{{1,9}}(?:\.\d{{1,2}})?)\s*(?:-|to)\s*\$?\s*(\d{{1,9}}(?:\.\d{{1,2}})?){_UNIT}", re.I
        ),
    ),
    ("below", re.compile(rf"(?:\b|(?<=\s)|^){_BELOW}\s*{_AMOUNT}{_CURRENCY_WORD}{_UNIT}", re.I)),
    ("above", re.compile(rf"(?:\b|(?<=\s)|^){_ABOVE}\s*{_AMOUNT}{_CURRENCY_WORD}{_UNIT}", re.I)),
]


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def find_price_words(text: str) -> PriceWords | None:
    """The first price phrase in `text` ("under $100", "between 20 and 40 dollars"), or None.

    A number with a unit after it ("under 2 kg", "over 50%") is not a price.
    """
    for kind, pattern in _PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        numbers = [_decimal(group) for group in match.groups() if group is not None]
        if any(number is None for number in numbers):
            continue
        values = [number for number in numbers if number is not None]
        low: Decimal | None
        high: Decimal | None
        if kind in ("between", "range"):
            low, high = sorted(values[:2])
        elif kind == "below":
            low, high = None, values[0]
        else:
            low, high = values[0], None
        rest = " ".join((text[: match.start()] + " " + text[match.end() :]).split())
        return PriceWords(min_price=low, max_price=high, phrase=" ".join(match.group(0).split()), rest=rest)
    return None
