"""Tables, significance marks and the same-samples rule."""

from __future__ import annotations

import json

import pytest

from bench.errors import ConfigError
from bench.runner.evaluate import ModelRecord
from bench.runner.significance import annotate_significance, paired_p_value
from bench.runner.tables import table_rows, write_tables


def record(model, family, ranks, fingerprint="abc", cr=None):
    from bench.metrics import summarize
    import numpy as np

    return ModelRecord(
        model=model,
        family=family,
        metrics=summarize(np.asarray(ranks)),
        test_samples=len(ranks),
        fingerprint=fingerprint,
        compression_ratio=cr,
        history_tokens_text=None,
        history_tokens_model=None,
        train_seconds=1.0,
        stage_seconds={},
        inference_seconds_per_sample=0.5,
        peak_memory_mb=100.0,
        invalid_share=0.0 if family == "llm" else None,
        ranks=list(ranks),
    )


def test_different_fingerprints_rejected():
    records = [record("SASRec", "classic", [0, 1]), record("TALLRec", "llm", [0, 1], fingerprint="other")]

    with pytest.raises(ConfigError, match="different test samples"):
        table_rows(records, {})


def test_identical_ranks_have_p_value_one():
    assert paired_p_value([0, 5, -1], [0, 5, -1]) == 1.0


def test_clear_difference_is_significant():
    strong = [0] * 40 + [1] * 10
    weak = [-1] * 45 + [15] * 5

    assert paired_p_value(strong, weak) < 1e-6


def test_marks_against_tallrec_and_best_classic():
    records = [
        record("SASRec", "classic", [-1] * 46 + [3, 4, 5, 6]),
        record("GRU4Rec", "classic", [-1] * 46 + [10] * 4),
        record("TALLRec", "llm", [-1] * 45 + [10] * 5),
        record("PatchRec-I", "llm", [0] * 40 + [-1] * 10, cr=3.0),
    ]

    annotate_significance(records)
    rows = {row["Model"]: row for row in table_rows(records, {"PatchRec-I": {"HR@20": 0.1738, "CR": 3.38}})}

    assert records[3].significance["vs_best_classic"]["model"] == "SASRec"
    assert rows["PatchRec-I"]["Sig."] == "*†"
    assert rows["GRU4Rec"]["Sig."] == ""
    assert rows["PatchRec-I"]["Paper HR@20"] == 0.1738
    assert rows["PatchRec-I"]["HR@20"] == pytest.approx(0.8)


def test_tables_written_in_four_formats(tmp_path):
    records = [record("SASRec", "classic", [0, -1]), record("TALLRec", "llm", [1, 2], cr=1.0)]
    annotate_significance(records)

    paths = write_tables(tmp_path, "table2", table_rows(records, {}), "Caption text")

    assert sorted(path.suffix for path in paths.values()) == [".csv", ".json", ".md", ".tex"]
    assert "| SASRec" in paths["md"].read_text()
    assert paths["csv"].read_text().splitlines()[0].startswith("Model,Sig.,HR@10")
    assert "\\toprule" in paths["tex"].read_text()
    assert json.loads(paths["json"].read_text())["rows"][1]["CR"] == 1.0
