"""One Mamba4Rec training step's block cost: mambapy's scan over every position against the
last-position computation Mamba4Rec uses on the CPU.

Shapes are Mamba4Rec's defaults on ML-100K: a batch of 256 histories of K = 100 items, hidden
size 64, d_state 32, expand 2. Each round runs forward and backward of the block's output at the
last position. Both paths are timed in the same run and compared as a ratio, because absolute
times on a shared machine vary. Target: the last-position path at least 3 times faster.
Run: pytest benchmarks/test_mamba_speed.py --benchmark-only
"""

from __future__ import annotations

import time

import torch

from models.classic.mamba4rec import build_mamba_block
from models.classic.mamba_last_position import mamba_last_position

BATCH, POSITIONS, HIDDEN = 256, 100, 64
ROUNDS = 3


def block_step(block, states, lengths, last_position: bool) -> None:
    """Run forward and backward of the block's output at each sequence's last position."""
    block.zero_grad()
    if last_position:
        output = mamba_last_position(block, states, lengths)
    else:
        output = block(states)[torch.arange(states.shape[0]), lengths - 1]
    output.square().sum().backward()


def best_seconds(block, states, lengths, last_position: bool) -> float:
    """Return the best time of a few rounds, after one warm-up round."""
    block_step(block, states, lengths, last_position)
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        block_step(block, states, lengths, last_position)
        times.append(time.perf_counter() - started)
    return min(times)


def test_mamba_last_position_speedup(benchmark):
    torch.manual_seed(0)
    block = build_mamba_block(d_model=HIDDEN, d_state=32, d_conv=4, expand=2)
    states = torch.randn(BATCH, POSITIONS, HIDDEN)
    lengths = torch.randint(1, POSITIONS + 1, (BATCH,))
    lengths[0] = POSITIONS

    every_position = best_seconds(block, states, lengths, last_position=False)
    last_position = benchmark.pedantic(
        best_seconds, args=(block, states, lengths, True), rounds=1, iterations=1
    )

    benchmark.extra_info.update(
        scan_seconds=every_position, last_position_seconds=last_position, speedup=every_position / last_position
    )
    print(f"\nscan {every_position:.3f} s, last position {last_position:.3f} s per step of {BATCH}: "
          f"{every_position / last_position:.1f}x")
    assert every_position / last_position >= 3.0
