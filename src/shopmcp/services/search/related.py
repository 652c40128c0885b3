"""Whether the words a relaxed search kept still say what the person asked for.

Relaxing drops words nothing matches and corrects typos, so a request for something the store does
not sell can end up as one word it does: "car tires" as "tiles", "flight tickets to paris" as
"flight", "aquarium fish tank filter" as "tank". Those products are not what was asked for, and an
agent shown them may offer them. Two signals together set them aside:

- the words that found the products cover less than half of what the query said
  (`MIN_COVERAGE`, stop words aside): a word read as the catalog spells it (split, joined, an
  option value) counts whole, a typo correction half (it is a guess, "tires" -> "tiles"), a dropped
  word nothing; and
- meaning does not vouch for them: none of the first page of those products is among the query's
  nearest products by meaning (the neighbours search fuses with the words).

Coverage alone would also set aside "vegan cooking book" (only "cooking" matches, but cookbooks
are what the model finds too) or "gift for a coffee lover"; meaning alone cannot tell "not in
this store" from "said differently". When the model cannot read the query (a part number, a
misspelling) or search by meaning is off, the words are kept, as before. What is set aside
leaves the products clearly close in meaning, or an empty answer with a hint.
"""

import re

from shopmcp.services.search.relax import Plan, Unit

MIN_COVERAGE = 0.5
"""The share of the query's words (corrections counting half) the products found must hold."""

CHECKED = 10
"""Word matches (a page) of which one at least must be among the neighbours by meaning."""

GUESS_WEIGHT = 0.5
"""What a typo-corrected word counts for: the correction may be a different word ("tires" -> "tiles")."""


def _letters(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _guessed(plan: Plan) -> set[str]:
    """Labels of units that a typo correction changed (a split or joined word keeps its letters)."""
    return {fixed for said, fixed in plan.corrections if _letters(said) != _letters(fixed.split(" or ")[0])}


def coverage(plan: Plan, labels: list[str] | None = None) -> float:
    """How much of the query the units with `labels` (default: every unit kept) stand for, 0 to 1."""
    said = len(plan.units) + len(plan.missing)
    if not said:
        return 1.0
    guessed = _guessed(plan)
    units: list[Unit] = plan.units if labels is None else [unit for unit in plan.units if unit.label in labels]
    weight = sum(GUESS_WEIGHT if unit.label in guessed else 1.0 for unit in units)
    return weight / said


def unrelated(plan: Plan, labels: list[str] | None, found: list[int], meaning: list[tuple[int, float]]) -> bool:
    """Whether the products `found` by the units with `labels` are not what the query asks for.

    They cover too little of the query, and meaning does not vouch for them: none of the first
    page is among the query's nearest products by meaning (`meaning`, the neighbours fused with
    the words). The caller asks only when the model reads the query (`meaning.understood`).
    """
    if not plan.units or coverage(plan, labels) >= MIN_COVERAGE:
        return False
    close = {pid for pid, _ in meaning}
    return not any(pid in close for pid in found[:CHECKED])


def too_little(kept: list[str]) -> str:
    """The message for a query whose only matching words (`kept`, as searched) were set aside."""
    words = ", ".join(f"'{word}'" for word in kept)
    return f"Only {words} of the query matches products: too little of the request to show them."


def as_corrected(query: str, corrections: list[tuple[str, str]]) -> str:
    """`query` with each corrected word as searched ("labtop" -> "laptop"; a joined word's first form)."""
    for said, fixed in corrections:
        query = re.sub(rf"(?<!\w){re.escape(said)}(?!\w)", fixed.split(" or ")[0], query, flags=re.IGNORECASE)
    return query
