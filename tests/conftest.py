"""Shared fixtures: an isolated dataset cache for every test session."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "patchrec-processed"


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Point BENCH_CACHE at a fresh folder so tests never read a user's stale cache."""
    folder = tmp_path_factory.mktemp("bench-cache")
    patcher = pytest.MonkeyPatch()
    patcher.setenv("BENCH_CACHE", str(folder))
    yield folder
    patcher.undo()


@pytest.fixture(scope="session")
def processed_root() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"reference data missing at {SHARED_DATA}; the project expects ../shared beside it")
    return SHARED_DATA
