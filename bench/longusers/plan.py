"""Choose each method's history length K under a GPU-memory budget.

Without CUDA the choice uses the memory model in ``bench.memory`` (an estimate); with CUDA,
``bench.longusers.measure`` replaces the predicate with a measured decoding run. Either way the
search is a bisection over K, because a longer history never shortens a prompt.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from typing import Callable

import numpy as np

from bench.data.types import SampleSet
from bench.memory import BackboneArchitecture, estimate_decoding_memory
from bench.longusers.prompts import METHODS, PromptCounter, method_format

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanSettings:
    """Settings the search keeps fixed: the budget, the decoding shape and the methods' layouts."""

    budget_bytes: int
    batch_size: int = 16
    num_beams: int = 20
    dtype: str = "bf16"
    item_text: int = 20  # PatchRec-I: latest items kept as text
    session_size: int = 20  # PatchRec-S: L
    methods: tuple[str, ...] = METHODS


@dataclass
class MethodPlan:
    """The K chosen for one method and what its prompts cost at that K."""

    method: str
    history_len: int  # K; 0 when even one item does not fit
    holds_all: bool  # K reaches the longest sequence, so every history is shown whole
    max_prompt_tokens: int
    mean_prompt_tokens: float
    peak_bytes: int  # estimated or measured at K
    memory: dict = field(default_factory=dict)  # the estimate's parts at K

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class LongUserPlan:
    """The K of every method for one dataset, backbone and budget."""

    mode: str  # "estimate" (memory model) or "measured" (CUDA peak memory)
    backbone: str
    settings: PlanSettings
    samples: int
    users: int
    longest_sequence: int
    longest_history: int
    answer_tokens: int
    methods: list[MethodPlan]

    def as_dict(self) -> dict:
        content = asdict(self)
        content["methods"] = [plan.as_dict() for plan in self.methods]
        return content

    def history_len(self, method: str) -> int:
        return next(plan.history_len for plan in self.methods if plan.method == method)


def largest_fitting(upper: int, fits: Callable[[int], bool]) -> int:
    """Return the largest K in [1, upper] with ``fits(K)``, or 0; ``fits`` must be monotone."""
    if fits(upper):
        return upper
    low, high = 0, upper  # fits(low) is true (or low == 0), fits(high) is false
    while high - low > 1:
        middle = (low + high) // 2
        if fits(middle):
            low = middle
        else:
            high = middle
    return low


def estimate_plan(
    arch: BackboneArchitecture,
    counter: PromptCounter,
    samples: SampleSet,
    longest_sequence: int,
    settings: PlanSettings,
) -> LongUserPlan:
    """Pick each method's K with the memory model: the widest batch at K must fit the budget."""
    batch_size = min(settings.batch_size, len(samples))

    def memory_at(history_len: int, fmt) -> tuple[np.ndarray, object]:
        # Every batch is padded to its longest prompt, so the worst batch is as wide as the longest prompt.
        lengths = counter.prompt_lengths(samples, history_len, fmt)
        estimate = estimate_decoding_memory(
            arch, int(lengths.max()), counter.answer_tokens, batch_size, settings.num_beams, settings.dtype
        )
        return lengths, estimate

    plans = []
    for method in settings.methods:
        fmt = method_format(method, settings.item_text, settings.session_size)
        chosen = largest_fitting(longest_sequence, lambda k: memory_at(k, fmt)[1].total <= settings.budget_bytes)
        lengths, estimate = memory_at(max(chosen, 1), fmt)
        plans.append(
            MethodPlan(
                method=method,
                history_len=chosen,
                holds_all=chosen == longest_sequence,
                max_prompt_tokens=int(lengths.max()),
                mean_prompt_tokens=float(lengths.mean()),
                peak_bytes=estimate.total,
                memory=estimate.as_dict(),
            )
        )
        log.info("%s: K = %d (%d prompt tokens at most)", method, chosen, int(lengths.max()))

    return LongUserPlan(
        mode="estimate",
        backbone=arch.name,
        settings=settings,
        samples=len(samples),
        users=int(np.unique(samples.users).size),
        longest_sequence=longest_sequence,
        longest_history=int(samples.history_lengths.max()),
        answer_tokens=counter.answer_tokens,
        methods=plans,
    )
