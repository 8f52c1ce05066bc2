"""Compression ratios of the LLM methods' history formats, counted without training anything.

A method's compression ratio (CR) is the total number of history tokens with every item as title
text, divided by the total in the method's format, over the given samples (a ratio of sums).
Text items count their title tokens and each patch counts one; separators and the template are
not counted, so TALLRec's CR is 1.00 by definition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from bench.data.types import PreparedDataset, SampleSet
from bench.tokenizers import count_title_tokens
from models.llm import layout
from models.llm.stages import latest_items

DEFAULT_ITEM_TEXT = 5


def method_formats(item_text: int, session_size: int) -> dict[str, layout.HistoryFormat]:
    """Return the inference history format of every LLM method."""
    return {
        "TALLRec": layout.tallrec_format(),
        "Pure-Item": layout.pure_item_format(),
        "Pure-Session": layout.pure_session_format(session_size),
        "PatchRec-I": layout.pft_i_format(item_text),
        "PatchRec-S": layout.pft_s_format(session_size),
    }


@dataclass
class CompressionRow:
    """One method's history token totals and their ratio."""

    method: str
    text_tokens: int
    method_tokens: int
    compression_ratio: float

    def as_dict(self) -> dict:
        return asdict(self)


def compression_ratios(
    dataset: PreparedDataset, samples: SampleSet, tokenizer, item_text: int, session_size: int
) -> list[CompressionRow]:
    """Count every method's history tokens on ``samples`` with ``tokenizer``'s title lengths."""
    title_lengths = np.asarray(count_title_tokens(tokenizer, dataset.catalog.titles), dtype=np.int64)
    histories, lengths = latest_items(samples, samples.history_len)

    rows = []
    for method, fmt in method_formats(item_text, session_size).items():
        text_tokens, method_tokens = layout.count_history_tokens(histories, lengths, title_lengths, fmt)
        rows.append(CompressionRow(method, text_tokens, method_tokens, text_tokens / max(method_tokens, 1)))
    return rows
