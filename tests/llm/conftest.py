"""The real SmolLM2 backbone and ML-100K, loaded once per test session."""

from __future__ import annotations

import pytest
import torch

from bench.data import load_dataset
from models.llm.backbone import load_backbone


@pytest.fixture(scope="session")
def smollm2():
    """The bundled SmolLM2-135M-Instruct with the history tokens added; tests must not train it."""
    torch.manual_seed(0)
    model, tokenizer = load_backbone("smollm2")
    model.eval()
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    return model, tokenizer


@pytest.fixture(scope="session")
def ml100k():
    """ML-100K from the copy bundled with RecBole."""
    return load_dataset("ml-100k")
