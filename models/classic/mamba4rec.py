"""Mamba4Rec: selective state-space (Mamba) blocks for sequential recommendation (Liu et al., 2024).

Architecture as the paper describes it: item embeddings (no position embeddings, because the
recurrence is order-aware), dropout and layer normalisation, then ``num_layers`` Mamba layers.
Each layer runs a Mamba block, adds the layer input as a residual only when layers are stacked,
normalises, and applies a position-wise feed-forward network (inner size 4 x hidden, GELU,
residual, layer normalisation). The hidden state at the last history position scores all items.

The Mamba block comes from ``mamba-ssm`` when CUDA is available and that package is installed,
and from the pure-PyTorch ``mambapy`` otherwise. Both modules hold the same parameters
(``in_proj``, ``conv1d``, ``x_proj``, ``dt_proj``, ``A_log``, ``D``, ``out_proj``) for the same
settings, so a checkpoint written by one loads into the other.

Only the last history position is scored, so with mambapy the last layer computes its block's
output at that position alone (``mamba_last_position``): the same values and gradients as running
the parallel scan over every position and picking the last, in fewer passes over memory. Earlier
layers, when ``num_layers`` > 1, and mamba-ssm's CUDA kernel run over every position.

NOTE: on the CPU, the decay tensor (batch, positions, 2 * hidden, d_state) still dominates the
cost, so Mamba4Rec remains the slowest classic model per training step there.
"""

from __future__ import annotations

import importlib.util
import logging

import torch
from recbole.model.abstract_recommender import SequentialRecommender
from mambapy.mamba import MambaBlock, MambaConfig
from recbole.model.layers import FeedForward
from torch import nn

from models.classic.mamba_last_position import mamba_last_position

logger = logging.getLogger(__name__)


def build_mamba_block(d_model: int, d_state: int, d_conv: int, expand: int) -> nn.Module:
    """Return one Mamba block mapping (batch, positions, d_model) to the same shape."""
    if torch.cuda.is_available() and importlib.util.find_spec("mamba_ssm") is not None:
        from mamba_ssm import Mamba

        return Mamba(d_model=d_model, d_state=d_state, d_conv=d_conv, expand=expand)

    config = MambaConfig(d_model=d_model, n_layers=1, d_state=d_state, d_conv=d_conv, expand_factor=expand)
    return MambaBlock(config)


class MambaLayer(nn.Module):
    """A Mamba block, dropout, layer normalisation and a position-wise feed-forward network."""

    def __init__(self, hidden_size: int, d_state: int, d_conv: int, expand: int, dropout_prob: float, residual: bool):
        super().__init__()
        self.mamba = build_mamba_block(hidden_size, d_state, d_conv, expand)
        self.dropout = nn.Dropout(dropout_prob)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=1e-12)
        self.feed_forward = FeedForward(hidden_size, 4 * hidden_size, dropout_prob, "gelu", 1e-12)
        self.residual = residual

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        """Return the layer output at every position: (batch, positions, hidden)."""
        mixed = self.dropout(self.mamba(states))
        if self.residual:
            mixed = mixed + states
        return self.feed_forward(self.LayerNorm(mixed))

    def forward_last(self, states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Return the layer output at position ``lengths - 1`` only: (batch, hidden)."""
        rows = torch.arange(states.shape[0], device=states.device)
        if isinstance(self.mamba, MambaBlock):
            mixed = mamba_last_position(self.mamba, states, lengths)
        else:
            mixed = self.mamba(states)[rows, lengths - 1]
        mixed = self.dropout(mixed)
        if self.residual:
            mixed = mixed + states[rows, lengths - 1]
        return self.feed_forward(self.LayerNorm(mixed))


class Mamba4Rec(SequentialRecommender):
    """Mamba4Rec as a RecBole sequential model, trained with cross-entropy over all items."""

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        self.hidden_size = config["hidden_size"]
        self.num_layers = config["num_layers"]
        self.dropout_prob = config["dropout_prob"]
        if config["loss_type"] != "CE":
            raise NotImplementedError(f"Mamba4Rec supports loss_type 'CE' only, not {config['loss_type']!r}")

        self.item_embedding = nn.Embedding(self.n_items, self.hidden_size, padding_idx=0)
        self.LayerNorm = nn.LayerNorm(self.hidden_size, eps=1e-12)
        self.dropout = nn.Dropout(self.dropout_prob)
        self.layers = nn.ModuleList(
            MambaLayer(
                self.hidden_size, config["d_state"], config["d_conv"], config["expand"],
                self.dropout_prob, residual=self.num_layers > 1,
            )
            for _ in range(self.num_layers)
        )
        self.loss_fct = nn.CrossEntropyLoss()
        self.apply(self._init_weights)

    def _init_weights(self, module: nn.Module) -> None:
        # Only embeddings, layer norms and the feed-forward layers get the transformer-style init;
        # the Mamba block keeps its own initialisation of dt_proj, A_log and D.
        if isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=0.02)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)
        elif isinstance(module, FeedForward):
            for linear in (module.dense_1, module.dense_2):
                linear.weight.data.normal_(mean=0.0, std=0.02)
                linear.bias.data.zero_()

    def forward(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        states = self.LayerNorm(self.dropout(self.item_embedding(item_seq)))
        for layer in self.layers[:-1]:
            states = layer(states)
        # The blocks are causal, so right padding after the last item does not change this position.
        return self.layers[-1].forward_last(states, item_seq_len)  # (batch, hidden)

    def calculate_loss(self, interaction) -> torch.Tensor:
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        logits = seq_output @ self.item_embedding.weight.T
        return self.loss_fct(logits, interaction[self.POS_ITEM_ID])

    def predict(self, interaction) -> torch.Tensor:
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return (seq_output * self.item_embedding(interaction[self.ITEM_ID])).sum(dim=-1)

    def full_sort_predict(self, interaction) -> torch.Tensor:
        seq_output = self.forward(interaction[self.ITEM_SEQ], interaction[self.ITEM_SEQ_LEN])
        return seq_output @ self.item_embedding.weight.T  # (batch, n_items)
