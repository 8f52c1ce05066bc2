"""Stage checkpoints: written once into a staging folder and renamed, then reused by any model.

A stage's folder name is ``<stage>-<hash of everything that shaped it>``, including the hash of
the stage it started from, so PatchRec-I and PatchRec-S find the same patch pre-training
checkpoint, and a second ``fit`` resumes after the last finished stage.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
import tempfile
from pathlib import Path

import torch

from models.llm.backbone import add_lora, load_backbone
from models.llm.prompt import SPECIAL_TOKENS
from models.llm.training import StageStats

log = logging.getLogger(__name__)

STATS_FILE = "stage.json"


def stage_folder(workdir: Path, stage_name: str, key: str) -> Path:
    return Path(workdir).parent / "_stages" / f"{stage_name}-{key}"


def is_finished(folder: Path) -> bool:
    return (folder / STATS_FILE).is_file()


def save_stage(folder: Path, model, tokenizer, stats: StageStats) -> None:
    """Write the model (or its LoRA adapter), tokenizer and stats, then rename into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    (staging / STATS_FILE).write_text(json.dumps(dataclasses.asdict(stats), indent=2))
    if folder.exists():
        shutil.rmtree(folder)
    staging.rename(folder)
    log.info("saved stage checkpoint %s", folder)


def load_stage(folder: Path, backbone: str, lora: bool, dtype: torch.dtype):
    """Load a finished stage: the full model, or the backbone with the stage's LoRA adapter."""
    if not lora:
        model, tokenizer = load_backbone(str(folder), dtype=dtype)
    else:
        from peft import PeftModel

        model, tokenizer = load_backbone(backbone, dtype=dtype)
        model = PeftModel.from_pretrained(model, folder, is_trainable=True)
    stats = read_stage_stats(folder)
    log.info("reusing stage checkpoint %s (validation loss %.4f)", folder, stats.valid_loss_after)
    return model, tokenizer, stats


def read_stage_stats(folder: Path) -> StageStats:
    return StageStats(**json.loads((folder / STATS_FILE).read_text()))


def start_model(backbone: str, lora: bool, rank: int, alpha: int, dtype: torch.dtype):
    """Load the backbone for a first stage, wrapped with LoRA when asked."""
    model, tokenizer = load_backbone(backbone, dtype=dtype)
    if lora:
        new_ids = tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKENS))
        model = add_lora(model, rank, alpha, new_ids)
    return model, tokenizer
