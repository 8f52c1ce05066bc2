"""``bench long-users`` without --plan: each method trained and scored at its planned K."""

from __future__ import annotations

import json

from bench.cli import main

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_long_users_scores_each_method(tmp_path, capsys):
    # SmolLM2 in bf16 at batch 1 and 20 beams: 340 MB leaves room for prompts of about 80 tokens,
    # so the K search ends at 4 (TALLRec), 10 (PatchRec-I, M = 2) and 12 (PatchRec-S, L = 2, the cap).
    code = main([
        "long-users", "--gpu-mem", "340MB", "--dataset", "ml-100k", "--min-interactions", "300",
        "--backbone", "smollm2", "--batch-size", "1", "--item-text", "2", "--session-size", "2", "--max-history", "12",
        "--profile", "smoke", "--test-samples", "2", "--out", str(tmp_path),
        "--set", "llm.max_train_samples=4", "--set", "llm.batch_size=2", "--set", "llm.micro_batch_size=2",
        "--set", "llm.max_valid_samples=2",
    ])
    assert code == 0
    assert "ESTIMATE" in capsys.readouterr().out

    rows = json.loads((tmp_path / "long-users.json").read_text())["rows"]
    assert [(row["method"], row["K"]) for row in rows] == [("TALLRec", 4), ("PatchRec-I", 10), ("PatchRec-S", 12)]
    for row in rows:
        assert row["test_samples"] == 2
        assert 0 <= row["HR@20"] <= 1
        assert row["seconds_per_sample"] > 0
    assert rows[0]["compression_ratio"] == 1.0
    assert rows[1]["compression_ratio"] > 1.0

    assert (tmp_path / "long-users.png").read_bytes()[:8] == PNG_SIGNATURE
    figure = json.loads((tmp_path / "long-users.plot.json").read_text())
    assert [panel["ylabel"] for panel in figure["panels"]] == ["HR@20", "inference time per sample (s)"]
    assert [series["label"] for series in figure["panels"][0]["series"]] == ["TALLRec", "PatchRec-I", "PatchRec-S"]
    assert json.loads((tmp_path / "plan.json").read_text())["mode"] == "estimate"
