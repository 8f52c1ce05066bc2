"""Disk hygiene for fixtures that train LLM stages: each stage writes a 540 MB checkpoint."""

from __future__ import annotations

from pathlib import Path


def remove_weights(folder: Path) -> None:
    """Delete the model weights under FOLDER, keeping results and logs for debugging a failed run."""
    for weights in folder.rglob("*.safetensors"):
        weights.unlink()
