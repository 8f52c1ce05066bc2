"""LinRec: SASRec with L2-normalised linear attention (Liu et al., SIGIR 2023).

LinRec replaces the softmax in dot-product attention with normalisation, so attention costs
O(N d^2) instead of O(N^2 d) for a history of N items. Per head, with an ELU feature map:

    Q' = ELU(Q) with each row (one position's query) divided by its L2 norm
    K' = ELU(K) with each column (one feature over all positions) divided by its L2 norm
    Attention(Q, K, V) = Q' (K'^T V) / sqrt(d)

so the (N, N) attention matrix is never formed. The backbone is RecBole's SASRec (item and
position embeddings, point-wise feed-forward layers, prediction from the last history position).

NOTE: padded positions are zeroed in K' and V before the products, so padding never contributes
to the keys' column norms or to the output. Attention is bidirectional over the history, which
is safe because the target is never part of the history and only the last position is read.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from recbole.model.layers import FeedForward
from recbole.model.sequential_recommender.sasrec import SASRec
from torch import nn

NORM_EPSILON = 1e-12


def linrec_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Compute LinRec attention for (batch, heads, positions, head_dim) inputs.

    ``mask`` is (batch, positions) and True at real history positions.
    """
    keep = mask[:, None, :, None].to(query.dtype)  # (batch, 1, positions, 1)
    query = F.elu(query)
    key = F.elu(key) * keep
    value = value * keep

    query = query / query.norm(dim=-1, keepdim=True).clamp_min(NORM_EPSILON)
    key = key / key.norm(dim=-2, keepdim=True).clamp_min(NORM_EPSILON)
    context = key.transpose(-2, -1) @ value  # (batch, heads, head_dim, head_dim)
    return query @ context / math.sqrt(query.shape[-1])


class LinRecAttention(nn.Module):
    """Multi-head LinRec attention with a residual connection and layer normalisation."""

    def __init__(self, n_heads: int, hidden_size: int, dropout_prob: float, layer_norm_eps: float):
        super().__init__()
        if hidden_size % n_heads:
            raise ValueError(f"hidden_size={hidden_size} is not a multiple of n_heads={n_heads}")
        self.n_heads = n_heads
        self.query = nn.Linear(hidden_size, hidden_size)
        self.key = nn.Linear(hidden_size, hidden_size)
        self.value = nn.Linear(hidden_size, hidden_size)
        self.dense = nn.Linear(hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout_prob)
        self.LayerNorm = nn.LayerNorm(hidden_size, eps=layer_norm_eps)

    def split_heads(self, states: torch.Tensor) -> torch.Tensor:
        batch, positions, hidden = states.shape
        # (batch, positions, hidden) -> (batch, heads, positions, head_dim)
        return states.view(batch, positions, self.n_heads, hidden // self.n_heads).transpose(1, 2)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        context = linrec_attention(
            self.split_heads(self.query(states)),
            self.split_heads(self.key(states)),
            self.split_heads(self.value(states)),
            mask,
        )
        context = context.transpose(1, 2).reshape(states.shape)  # back to (batch, positions, hidden)
        return self.LayerNorm(self.dropout(self.dense(context)) + states)


class LinRec(SASRec):
    """SASRec whose self-attention layers use LinRec attention; same config keys as SASRec."""

    def __init__(self, config, dataset):
        super().__init__(config, dataset)

        # SASRec's softmax encoder is replaced, so its parameters are not kept.
        del self.trm_encoder
        self.attention_layers = nn.ModuleList(
            LinRecAttention(self.n_heads, self.hidden_size, self.attn_dropout_prob, self.layer_norm_eps)
            for _ in range(self.n_layers)
        )
        self.feed_forward_layers = nn.ModuleList(
            FeedForward(self.hidden_size, self.inner_size, self.hidden_dropout_prob, self.hidden_act, self.layer_norm_eps)
            for _ in range(self.n_layers)
        )
        self.apply(self._init_weights)

    def forward(self, item_seq: torch.Tensor, item_seq_len: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(item_seq.size(1), device=item_seq.device).unsqueeze(0).expand_as(item_seq)
        states = self.item_embedding(item_seq) + self.position_embedding(positions)
        states = self.dropout(self.LayerNorm(states))
        mask = item_seq != 0

        for attention, feed_forward in zip(self.attention_layers, self.feed_forward_layers):
            states = feed_forward(attention(states, mask))

        return self.gather_indexes(states, item_seq_len - 1)  # (batch, hidden)
