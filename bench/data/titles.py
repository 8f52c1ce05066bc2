"""Title normalisation for MovieLens: the form the PatchRec authors' processed files use."""

from __future__ import annotations

import re

_TRAILING_YEAR = re.compile(r"\s*\(\d{4}\)\s*$")
# A trailing parenthesised group contains an alternative or original-language title.
_TRAILING_ALTERNATIVE = re.compile(r"\s*\([^()]*\)\s*$")
# Anchored at the end, so ", An" is never read as ", A" followed by "n".
_TRAILING_ARTICLE = re.compile(r"^(?P<rest>.+), (?P<article>The|An|A)$")


def normalise_movielens_title(raw: str) -> str:
    """Return the title without its year or alternative title, with a trailing article moved.

    "Usual Suspects, The (1995)" -> "The Usual Suspects"; "Seven (Se7en)" -> "Seven";
    "unknown" stays "unknown". Only a trailing English article moves, so
    "Good, The Bad and The Ugly, The" keeps its inner "The", and "Vie est belle, La" is kept.
    """
    title = _TRAILING_YEAR.sub("", raw.strip())
    without_alternative = _TRAILING_ALTERNATIVE.sub("", title)
    if without_alternative:
        title = without_alternative

    match = _TRAILING_ARTICLE.match(title)
    if match:
        title = f"{match['article']} {match['rest']}"
    return title.strip()


def normalise_titles(titles: list[str], rule: str) -> list[str]:
    if rule == "movielens":
        return [normalise_movielens_title(title) for title in titles]
    return list(titles)
