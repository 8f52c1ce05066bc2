"""All five analysis suites under the smoke profile, written to one folder so that they share stages.

The LLM settings are cut further than the smoke profile's (2 test samples, 4 training samples,
K = 8) because every suite trains several points on the real SmolLM2 backbone on a CPU.
"""

from __future__ import annotations

import json

import pytest

from bench.analysis.suites import load_analysis_suite
from bench.cli import main
from tests.checkpoints import remove_weights

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TINY = [
    "--profile", "smoke", "--history", "8", "--test-samples", "2",
    "--set", "llm.max_train_samples=4", "--set", "llm.batch_size=2", "--set", "llm.micro_batch_size=2",
    "--set", "llm.max_valid_samples=2",
]
EXPECTED_ROWS = {"same-items": 4, "same-tokens": 4, "tradeoff": 6, "ablation-ppt": 4, "dropout": 3}


@pytest.fixture(scope="module")
def analysis_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("analysis")
    assert main(["analyze", "all", "--out", str(root), *TINY]) == 0
    yield root
    remove_weights(root)


def read_table(root, suite: str) -> list[dict]:
    return json.loads((root / suite / f"{suite}.json").read_text())["rows"]


def read_figure(root, suite: str) -> dict:
    return json.loads((root / suite / f"{suite}.plot.json").read_text())


@pytest.mark.parametrize("suite", sorted(EXPECTED_ROWS))
def test_suite_table_and_figure(analysis_root, suite):
    rows = read_table(analysis_root, suite)
    assert len(rows) == EXPECTED_ROWS[suite]
    assert all(row["test_samples"] == 2 for row in rows)
    assert (analysis_root / suite / f"{suite}.png").read_bytes()[:8] == PNG_SIGNATURE
    assert (analysis_root / suite / f"{suite}.md").is_file()

    figure = read_figure(analysis_root, suite)
    labels = [series["label"] for series in figure["panels"][0]["series"]]
    assert labels == [series.label for series in load_analysis_suite(suite).series]
    assert figure["panels"][0]["xlabel"] and figure["panels"][0]["ylabel"]


def test_figure_values_are_table_values(analysis_root):
    rows = read_table(analysis_root, "same-items")
    figure = read_figure(analysis_root, "same-items")
    for series in figure["panels"][0]["series"]:
        table = [(row["K"], row["HR@20"]) for row in rows if row["series"] == series["label"]]
        assert list(zip(series["x"], series["y"])) == table


def test_tradeoff_compression_order(analysis_root):
    ratio = {(row["model"], row["M"], row["L"]): row["compression_ratio"] for row in read_table(analysis_root, "tradeoff")}
    assert ratio[("TALLRec", None, None)] == 1.0
    # Fewer text items compress more; all patches more still; sessions of two halve the patches again.
    assert ratio[("PatchRec-I", 4, None)] < ratio[("PatchRec-I", 2, None)] < ratio[("Pure-Item", None, None)]
    assert ratio[("Pure-Session", None, 2)] == pytest.approx(2 * ratio[("Pure-Item", None, None)])
    scatter = read_figure(analysis_root, "tradeoff")["panels"][0]
    assert scatter["kind"] == "scatter"
    assert scatter["series"][0]["x"] == [1.0]


def test_same_tokens_matches_token_counts(analysis_root):
    rows = read_table(analysis_root, "same-tokens")
    patchrec = [row for row in rows if row["model"] == "PatchRec-I"]
    tallrec = [row for row in rows if row["model"] == "TALLRec"]
    assert [row["M"] for row in patchrec] == [2, 4]
    for compressed, text in zip(patchrec, tallrec):
        assert text["K"] < compressed["K"]
        # One more or one fewer title moves TALLRec's count by a title's tokens (18 at most on ML-100K).
        assert abs(text["history_tokens"] - compressed["history_tokens"]) <= 18 / 2


def test_stages_shared_between_suites(analysis_root):
    stages = sorted(path.name.rsplit("-", 1)[0] for path in (analysis_root / "models" / "_stages").iterdir())
    # Patch pre-training runs once per K (4 and 8) although five suites use it; its dropout variant once.
    assert stages.count("ppt") == 2
    assert stages.count("ppt-dropout") == 1
    points = [path.name.rsplit("-", 1)[0] for path in (analysis_root / "models").iterdir() if path.name != "_stages"]
    same_tokens_k = {row["K"] for row in read_table(analysis_root, "same-tokens") if row["model"] == "TALLRec"}
    # TALLRec at K = 8 serves same-items, tradeoff and dropout from one folder.
    assert points.count("TALLRec") == len({4, 8} | same_tokens_k)


def test_rerun_reuses_every_point(analysis_root, capsys):
    before = sorted(path.name for path in (analysis_root / "models").iterdir())
    assert main(["analyze", "dropout", "--out", str(analysis_root), *TINY]) == 0
    assert sorted(path.name for path in (analysis_root / "models").iterdir()) == before
