"""Benchmarks read the reference data beside the project and use a private cache."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "patchrec-processed"


@pytest.fixture(scope="session")
def processed_root() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"reference data missing at {SHARED_DATA}")
    return SHARED_DATA
