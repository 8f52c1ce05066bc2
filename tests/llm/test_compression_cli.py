"""``bench compression`` on ML-100K, checked against counts made independently here."""

from __future__ import annotations

import json

import numpy as np

from bench.cli import main
from bench.tokenizers import count_title_tokens, load_tokenizer


def test_compression_json_on_ml100k(capsys, ml100k):
    code = main(["compression", "ml-100k", "--history", "20", "--tokenizer", "llama-3.2", "--session-size", "4", "--json"])

    assert code == 0
    output = json.loads(capsys.readouterr().out)
    methods = {row["method"]: row for row in output["methods"]}
    assert list(methods) == ["TALLRec", "Pure-Item", "Pure-Session", "PatchRec-I", "PatchRec-S"]

    test = ml100k.samples("test", 20)
    lengths = np.asarray(count_title_tokens(load_tokenizer("llama-3.2"), ml100k.catalog.titles))
    real = np.arange(20)[None, :] < test.history_lengths[:, None]
    text_tokens = int(lengths[test.histories[real]].sum())
    n_items = int(test.history_lengths.sum())
    sessions = int(np.ceil(test.history_lengths / 4).sum())

    assert output["test_samples"] == len(test)
    assert methods["TALLRec"]["compression_ratio"] == 1.0
    assert methods["Pure-Item"]["text_tokens"] == text_tokens
    assert methods["Pure-Item"]["method_tokens"] == n_items
    assert methods["Pure-Session"]["method_tokens"] == sessions
    assert methods["PatchRec-I"]["compression_ratio"] > 1.0
    assert methods["PatchRec-I"]["compression_ratio"] < methods["Pure-Item"]["compression_ratio"]
