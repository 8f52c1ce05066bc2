"""The runner's peak memory is measured per model, not over the life of the process.

Each test compares two blocks measured the same way: freeing memory at a block's start lowers the
process's RSS, so a reading taken before the block is no baseline.
"""

import time

import torch

from bench.runner.evaluate import PeakMemory

MEGABYTE = 2**20
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def hold_300_megabytes() -> None:
    block = torch.ones(300 * MEGABYTE // 4, device=DEVICE)
    time.sleep(0.2)  # longer than the sampling interval, so the CPU sampler records the block
    del block


def free_many_small_tensors() -> None:
    """Leave about 600 MB freed but resident, as an earlier model in the same process would."""
    chunks = [torch.ones(16 * 1024) for _ in range(600 * MEGABYTE // (64 * 1024))]
    del chunks


def test_peak_memory_records_reused_freed_memory():
    free_many_small_tensors()

    with PeakMemory(interval=0.01) as idle:
        time.sleep(0.2)
    with PeakMemory(interval=0.01) as busy:
        hold_300_megabytes()

    assert busy.peak_bytes - idle.peak_bytes > 250 * MEGABYTE


def test_peak_memory_forgets_earlier_blocks():
    with PeakMemory(interval=0.01) as large:
        hold_300_megabytes()

    with PeakMemory(interval=0.01) as small:
        time.sleep(0.2)

    assert large.peak_bytes - small.peak_bytes > 250 * MEGABYTE
