"""The decoding memory model, the K search and the long-user plan on MovieLens-1M."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.cli import main
from bench.errors import ConfigError
from bench.longusers.plan import largest_fitting
from bench.memory import (
    LLAMA_32_1B,
    SMOLLM2_135M,
    BackboneArchitecture,
    architecture_from_config,
    estimate_decoding_memory,
    load_architecture,
    parse_memory_size,
)

TINY = BackboneArchitecture(
    name="tiny", hidden_size=4, num_layers=2, num_heads=2, num_kv_heads=1, head_dim=2,
    intermediate_size=8, vocab_size=10, tied_embeddings=True,
)


def test_llama_parameter_count():
    # Embeddings 128256 x 2048 = 262,668,288. Per layer: attention 2048 x 64 x (2 x 32 + 2 x 8)
    # = 10,485,760, MLP 3 x 2048 x 8192 = 50,331,648, norms 4,096; 16 layers = 973,144,064.
    # Final norm 2,048. Total 1,235,814,400, Llama-3.2-1B's published size (1.23B).
    assert LLAMA_32_1B.parameter_count() == 1_235_814_400


def test_llama_kv_bytes_per_position():
    # keys and values x 16 layers x 8 KV heads x 64 dims x 2 bytes (bf16)
    assert LLAMA_32_1B.kv_bytes_per_position(2) == 2 * 16 * 8 * 64 * 2


def test_smollm2_matches_converted_backbone():
    from safetensors import safe_open

    from models.llm.backbone import resolve_backbone

    folder = resolve_backbone("smollm2")
    folder_path = Path(folder) / "config.json"
    config = json.loads(folder_path.read_text())
    read = architecture_from_config(config, "smollm2")
    assert read == SMOLLM2_135M

    total = 0
    with safe_open(str(folder_path.parent / "model.safetensors"), framework="np") as weights:
        for name in weights.keys():
            total += int(np.prod(weights.get_slice(name).get_shape()))
    assert SMOLLM2_135M.parameter_count() == total


def test_estimate_by_hand():
    # Tiny decoder, fp32, batch 2, prompts 5 wide, answers 3 tokens, 3 beams, 3 added tokens (vocab 13).
    # Parameters: 13 x 4 + 2 x (4 x 2 x (4 + 2) + 3 x 4 x 8 + 8) + 4 = 360 -> 1,440 bytes.
    # Key/value per position: 2 x 2 layers x 1 head x 2 dims x 4 bytes = 32 bytes.
    # Decoding: cache 6 beams x 8 positions x 32 = 1,536; prompt logits 10 x 13 x 4 = 520;
    # one step 6 x (4 x 4 + 3 x 8) x 4 = 960; scores 6 x 13 x 4 bytes x 4 copies = 1,248.
    memory = estimate_decoding_memory(TINY, prompt_tokens=5, answer_tokens=3, batch_size=2, num_beams=3, dtype="fp32")
    assert memory.phase == "decoding"
    assert memory.parameters == 1440
    assert memory.kv_cache == 1536
    assert memory.prompt_logits == 520
    assert memory.activations == 960 + 1248
    assert memory.total == 5704


def test_estimate_prompt_phase_by_hand():
    # One beam: decoding takes 2 x 8 x 32 = 512 cache bytes and 2 x 40 x 4 + 2 x 13 x 16 = 736 of
    # activations, while the prompt pass takes 320 cache bytes, 520 of logits and
    # 10 x 40 x 4 + 2 x 25 = 1,650 of activations (one layer and the padding mask).
    memory = estimate_decoding_memory(TINY, prompt_tokens=5, answer_tokens=3, batch_size=2, num_beams=1, dtype="fp32")
    assert memory.phase == "prompt"
    assert memory.total == 1440 + 320 + 520 + 1650


def test_estimate_grows_with_prompt():
    totals = [estimate_decoding_memory(LLAMA_32_1B, tokens, 20).total for tokens in (100, 1000, 2000)]
    assert totals[0] < totals[1] < totals[2]


def test_parse_memory_size():
    assert parse_memory_size("40GB") == 40 * 10**9
    assert parse_memory_size("40GiB") == 40 * 2**30
    assert parse_memory_size("512MB") == 512 * 10**6
    assert parse_memory_size("1.5 gb") == 1_500_000_000
    with pytest.raises(ConfigError, match="invalid memory size"):
        parse_memory_size("forty")


def test_load_architecture_from_folder(tmp_path):
    config = {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 128, "vocab_size": 100}
    (tmp_path / "config.json").write_text(json.dumps(config))
    arch = load_architecture(str(tmp_path))
    assert arch.num_kv_heads == 4  # defaults to the attention heads
    assert arch.head_dim == 16
    assert not arch.tied_embeddings
    with pytest.raises(ConfigError, match="unknown backbone"):
        load_architecture("no-such-backbone")


def test_largest_fitting():
    assert largest_fitting(100, lambda k: k <= 37) == 37
    assert largest_fitting(100, lambda k: True) == 100
    assert largest_fitting(100, lambda k: False) == 0
    assert largest_fitting(1, lambda k: k <= 1) == 1


def test_prompt_length_by_hand(processed_root):
    from bench.data import load_dataset
    from bench.longusers.prompts import PromptCounter, load_backbone_tokenizer, long_user_samples, method_format

    dataset = load_dataset("ml-1m", processed_root)
    samples, longest = long_user_samples(dataset, 500)
    counter = PromptCounter.build(load_backbone_tokenizer("llama-3.2-1b"), dataset)
    history = samples.history(0)[-30:]
    fixed = len(counter.parts.prefix) + len(counter.parts.suffix) + 2  # and the history start and end markers

    text = counter.prompt_lengths(samples.subset(np.array([0])), 30, method_format("TALLRec", 20, 20))[0]
    assert text == fixed + counter.titles.lengths[history].sum() + 29  # 29 separators between 30 items

    patched = counter.prompt_lengths(samples.subset(np.array([0])), 30, method_format("PatchRec-I", 20, 20))[0]
    assert patched == fixed + counter.titles.lengths[history[-20:]].sum() + 10 + 29

    # L = 20 over 30 items: the latest 20 as text, the 10 before as item patches, no session.
    sessions = counter.prompt_lengths(samples.subset(np.array([0])), 30, method_format("PatchRec-S", 20, 20))[0]
    assert sessions == patched


def test_long_users_plan_llama_40gb(processed_root, capsys):
    code = main([
        "long-users", "--gpu-mem", "40GB", "--dataset", "ml-1m", "--data-root", str(processed_root),
        "--min-interactions", "500", "--backbone", "llama-3.2-1b", "--plan", "--json",
    ])
    assert code == 0
    plan = json.loads(capsys.readouterr().out)
    k = {method["method"]: method["history_len"] for method in plan["methods"]}
    assert plan["mode"] == "estimate"
    assert plan["longest_sequence"] == 1435
    assert 0 < k["TALLRec"] < k["PatchRec-I"] < k["PatchRec-S"]
    assert k["PatchRec-S"] == 1435
    assert [method["holds_all"] for method in plan["methods"]] == [False, False, True]
    for method in plan["methods"]:
        assert method["peak_bytes"] <= 40 * 10**9


def test_long_users_plan_text(processed_root, capsys):
    code = main([
        "long-users", "--gpu-mem", "40GB", "--data-root", str(processed_root), "--backbone", "llama-3.2-1b", "--plan",
    ])
    assert code == 0
    output = capsys.readouterr().out
    assert "ESTIMATE" in output
    assert "PatchRec-S  1435" in output


def test_long_users_rejects_scoring_without_weights(processed_root, capsys):
    code = main(["long-users", "--gpu-mem", "40GB", "--data-root", str(processed_root), "--backbone", "llama-3.2-1b"])
    assert code == 2
    assert "without weights" in capsys.readouterr().err
