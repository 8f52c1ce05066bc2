"""LLM recommenders: TALLRec, Pure-Item, Pure-Session, PatchRec-I and PatchRec-S.

Importing this package does not import torch; the recommender classes load it on first use.
"""

from __future__ import annotations

LLM_METHOD_NAMES = ("TALLRec", "Pure-Item", "Pure-Session", "PatchRec-I", "PatchRec-S")


def llm_recommenders() -> dict:
    """Return the recommender class of every LLM method, keyed by its name."""
    from models.llm.recommender import LLM_RECOMMENDERS

    return dict(LLM_RECOMMENDERS)
