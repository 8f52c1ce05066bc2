"""The `bench datasets` commands, called through the CLI entry point."""

from __future__ import annotations

import json

import pytest

from bench.cli import main


def test_stats_json_for_ml100k(capsys):
    assert main(["datasets", "stats", "ml-100k", "--json"]) == 0

    stats = json.loads(capsys.readouterr().out)
    assert stats["users"] == 682
    assert stats["interactions"] == 51824
    assert stats["avg_title_tokens"] is None


def test_samples_written_as_jsonl(tmp_path, capsys):
    out = tmp_path / "test.jsonl"

    assert main(["datasets", "samples", "ml-100k", "--split", "test", "--history", "100", "--out", str(out)]) == 0

    lines = out.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert len(lines) == 1024
    assert set(first) == {"user", "history", "target"}
    assert all(isinstance(item, str) for item in first["history"])
    assert 3 <= len(first["history"]) <= 100
    assert "wrote 1024 test samples" in capsys.readouterr().out


def test_unknown_dataset_is_one_line(capsys):
    assert main(["datasets", "stats", "nosuch"]) == 2

    error = capsys.readouterr().err.strip().splitlines()
    assert error == [f"bench: error: unknown dataset 'nosuch'; choose one of: goodreads, ml-100k, ml-1m"]


def test_missing_data_root_is_one_line(tmp_path, capsys):
    assert main(["datasets", "stats", "ml-1m", "--data-root", str(tmp_path)]) == 2

    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1
    assert "ml-1m: folder not found" in error[0]


def test_nonsense_history_flag_rejected(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["datasets", "samples", "ml-100k", "--split", "test", "--history", "-5", "--out", "x.jsonl"])

    assert exit_info.value.code == 2
    assert "expected a positive integer, got -5" in capsys.readouterr().err
