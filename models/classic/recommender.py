"""``ClassicRecommender``: the six RecBole sequential baselines behind the benchmark's interface."""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.data.types import PreparedDataset, SampleSet
from bench.errors import ConfigError, DataError
from bench.metrics import first_match_ranks, ndcg_at
from bench.recommender import FitReport, Ranking, Recommender
from models.classic.adapter import DatasetView, ItemText, SampleTensors, build_config, to_sample_tensors
from models.classic.ranking import tie_order, top_items
from models.classic.recbole_compat import load_state, save_json, save_state
from models.classic.settings import canonical_model_name, load_settings
from models.classic.training import train_with_early_stopping

logger = logging.getLogger(__name__)

CHECKPOINT_FILE = "best.pt"
# Caser convolves over exactly max_seq_length positions, so its batches keep their padding.
FIXED_WIDTH_MODELS = frozenset({"Caser"})
FINISHED_FILE = "finished.json"


def model_class(model_name: str) -> type:
    """Return the RecBole ``SequentialRecommender`` subclass registered under ``model_name``."""
    name = canonical_model_name(model_name)
    if name in {"GRU4Rec", "Caser", "SASRec"}:
        from recbole.model import sequential_recommender

        return getattr(sequential_recommender, name)
    if name == "LinRec":
        from models.classic.linrec import LinRec

        return LinRec
    if name == "Mamba4Rec":
        from models.classic.mamba4rec import Mamba4Rec

        return Mamba4Rec
    from models.classic.morec import MoRec

    return MoRec


def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class ClassicRecommender(Recommender):
    """A RecBole sequential model trained on the pipeline's samples and ranked over all items.

    Args:
        model_name: one of GRU4Rec, Caser, SASRec, LinRec, Mamba4Rec, MoRec (any case).
        overrides: settings that replace the YAML defaults (see ``models.classic.settings``).
        seed: seeds weight initialisation, batch order and the tie order of ``ranking``.
        exclude_history: rank only items that are not in the sample's history.
        device: defaults to CUDA when available, else the CPU.
    """

    def __init__(
        self,
        model_name: str,
        overrides: dict[str, Any] | None = None,
        seed: int = 2025,
        exclude_history: bool = False,
        device: torch.device | str | None = None,
    ):
        self.name = canonical_model_name(model_name)
        self.settings = load_settings(self.name, overrides)
        self.seed = seed
        self.exclude_history = exclude_history
        self.device = torch.device(device) if device is not None else default_device()
        self.model: torch.nn.Module | None = None
        self.order: torch.Tensor | None = None

    def fit(self, dataset: PreparedDataset, train: SampleSet, valid: SampleSet, workdir: Path) -> FitReport:
        """Train with early stopping on validation NDCG@10, or load a finished checkpoint from ``workdir``."""
        workdir = Path(workdir)
        fingerprint = self._fingerprint(dataset, train, valid)
        self._seed_everything()
        self.model = self._build_model(dataset, workdir)
        self.order = tie_order(len(dataset.catalog), self.seed)

        finished = self._read_finished(workdir, fingerprint)
        if finished is not None:
            self.model.load_state_dict(load_state(workdir / CHECKPOINT_FILE, self.device))
            logger.info("%s: loaded the finished checkpoint in %s (best epoch %d)", self.name, workdir, finished["best_epoch"])
            return self._report(finished, resumed=True)

        return self._train(dataset, train, valid, workdir, fingerprint)

    def rank(self, dataset: PreparedDataset, samples: SampleSet, top_k: int = 20) -> Ranking:
        """Return the ``top_k`` items for every sample, ties broken by the seeded item permutation."""
        if self.model is None or self.order is None:
            raise ConfigError(f"{self.name} is not fitted; call fit() before rank()")
        tensors = self._tensors(samples)
        items = self._top_items(tensors, top_k)
        return Ranking.from_items(dataset.catalog, items)

    def _train(self, dataset: PreparedDataset, train: SampleSet, valid: SampleSet, workdir: Path, fingerprint: str) -> FitReport:
        if len(train) == 0 or len(valid) == 0:
            raise DataError(
                f"{self.name} needs training and validation samples, got {len(train)} and {len(valid)}; "
                "check the dataset's split or the history length"
            )
        train_tensors = self._tensors(train)
        valid_tensors = self._tensors(valid)
        valid_titles = [dataset.catalog.titles[code] for code in valid.targets.tolist()]
        logger.info(
            "%s: training on %d samples, validating on %d, %d items, device %s",
            self.name, len(train_tensors), len(valid_tensors), len(dataset.catalog), self.device,
        )

        def validate(model: torch.nn.Module) -> float:
            items = self._top_items(valid_tensors, 10)
            ranked_titles = [[dataset.catalog.titles[code] for code in row] for row in items.tolist()]
            return float(ndcg_at(first_match_ranks(ranked_titles, valid_titles), 10).mean())

        result = train_with_early_stopping(self.model, train_tensors, validate, self.settings, self.seed, self.device)
        save_state(self.model.state_dict(), workdir / CHECKPOINT_FILE)
        finished = {
            "fingerprint": fingerprint,
            "model": self.name,
            "best_epoch": result.best_epoch,
            "epochs_run": result.epochs_run,
            "best_valid_ndcg10": result.best_valid_ndcg,
            "train_seconds": result.seconds,
            "losses": result.losses,
            "valid_ndcg10": result.valid_ndcgs,
            "settings": self.settings,
        }
        save_json(finished, workdir / FINISHED_FILE)
        return self._report(finished, resumed=False)

    def _tensors(self, samples: SampleSet) -> SampleTensors:
        return to_sample_tensors(samples, self.settings["max_seq_length"], self.name not in FIXED_WIDTH_MODELS)

    def _top_items(self, tensors: SampleTensors, top_k: int) -> np.ndarray:
        return top_items(
            self.model, tensors, top_k, self.order, self.exclude_history, self.settings["eval_batch_size"], self.device
        )

    def _build_model(self, dataset: PreparedDataset, workdir: Path) -> torch.nn.Module:
        cls = model_class(self.name)
        config = build_config(cls, self.settings, self.device)
        item_text = self._item_text(dataset, workdir) if self.name == "MoRec" else None
        view = DatasetView(len(dataset.catalog), dataset.sequences.n_users, item_text)
        return cls(config, view).to(self.device)

    def _item_text(self, dataset: PreparedDataset, workdir: Path) -> ItemText:
        from models.classic.title_embeddings import cached_title_embeddings, resolve_encoder_path

        encoder_path = resolve_encoder_path(self.settings["text_encoder"])
        titles = list(dataset.catalog.titles)
        batch_size = self.settings["text_batch_size"]
        embeddings = None
        if not self.settings["finetune_encoder"]:
            embeddings = cached_title_embeddings(titles, encoder_path, workdir, batch_size, self.device)
        return ItemText(titles=titles, embeddings=embeddings, encoder_path=str(encoder_path), text_batch_size=batch_size)

    def _seed_everything(self) -> None:
        random.seed(self.seed)
        np.random.seed(self.seed)
        torch.manual_seed(self.seed)
        if torch.cuda.is_available():
            torch.cuda.manual_seed_all(self.seed)

    def _fingerprint(self, dataset: PreparedDataset, train: SampleSet, valid: SampleSet) -> str:
        identity = {
            "model": self.name,
            "settings": self.settings,
            "seed": self.seed,
            "exclude_history": self.exclude_history,
            "dataset": [dataset.name, dataset.cache_key, len(dataset.catalog), dataset.sequences.n_users],
            "samples": [train.fingerprint(), valid.fingerprint()],
        }
        return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]

    def _read_finished(self, workdir: Path, fingerprint: str) -> dict | None:
        marker, checkpoint = workdir / FINISHED_FILE, workdir / CHECKPOINT_FILE
        if not (marker.is_file() and checkpoint.is_file()):
            return None
        finished = json.loads(marker.read_text())
        if finished.get("fingerprint") != fingerprint:
            logger.warning(
                "%s: the checkpoint in %s was trained with other settings or samples; retraining and replacing it",
                self.name, workdir,
            )
            return None
        return finished

    def _report(self, finished: dict, resumed: bool) -> FitReport:
        return FitReport(
            stage_seconds={"train": 0.0 if resumed else finished["train_seconds"]},
            extra={
                "best_epoch": float(finished["best_epoch"]),
                "epochs_run": float(finished["epochs_run"]),
                "valid_NDCG@10": float(finished["best_valid_ndcg10"]),
                "resumed": float(resumed),
            },
        )
