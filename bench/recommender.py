"""The interface every registered model implements, classic and LLM alike."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.data.types import Catalog, PreparedDataset, SampleSet


@dataclass
class Ranking:
    """Top-k recommendations for a set of samples, in rank order.

    Classic models return item codes and their titles; LLM methods return generated titles, and
    ``items`` stays ``None`` because a title can belong to several items. Metrics compare titles.
    ``invalid`` counts returned sequences that are not a title of the catalog.
    """

    titles: list[list[str]]
    items: np.ndarray | None = None  # int32 item codes, (n_samples, k)
    invalid: int = 0

    @classmethod
    def from_items(cls, catalog: Catalog, items: np.ndarray) -> Ranking:
        titles = [[catalog.titles[code] for code in row] for row in items.tolist()]
        return cls(titles=titles, items=items)


@dataclass
class FitReport:
    """Cost of fitting: seconds per stage, plus model-specific figures in ``extra``.

    Peak memory is not reported here: the runner measures it around fit and rank for every model.
    """

    stage_seconds: dict[str, float] = field(default_factory=dict)
    extra: dict[str, float] = field(default_factory=dict)


class Recommender(ABC):
    """A model that learns from training samples and ranks items for test samples.

    ``workdir`` is the model's folder inside the run folder: checkpoints and finished stages live
    there, so a second ``fit`` with the same folder resumes instead of retraining.
    """

    name: str = ""

    @abstractmethod
    def fit(self, dataset: PreparedDataset, train: SampleSet, valid: SampleSet, workdir: Path) -> FitReport:
        """Train on ``train``, using ``valid`` for early stopping or model selection."""

    @abstractmethod
    def rank(self, dataset: PreparedDataset, samples: SampleSet, top_k: int = 20) -> Ranking:
        """Return the top ``top_k`` recommendations for every sample, best first."""

    def history_tokens(self, dataset: PreparedDataset, samples: SampleSet) -> tuple[int, int] | None:
        """Return (history tokens as text, history tokens as the model receives them), or None.

        Only LLM methods have a compression ratio; classic models return None.
        """
        return None
