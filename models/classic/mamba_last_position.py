"""A Mamba block's output at one position per sequence, computed without scanning every position.

Mamba4Rec scores items from the last history position only, so its last layer needs the SSM
state at that position, not at all of them. With the SSM written out,

    h_T = sum over t <= T of exp(A * (delta_{t+1} + ... + delta_T)) * delta_t * B_t * x_t,
    y_T = C_T . h_T + D * x_T,

the state at T is one weighted sum over positions: no scan, no (positions x state) history kept
for backward, and no padding of the length to a power of two as mambapy's parallel scan does.
The result equals mambapy's ``MambaBlock`` output at T (tested); the parameters are the block's own.

NOTE: this still materialises one (batch, positions, inner, d_state) tensor of decays, so its cost
grows with the batch and the history length as the scan's does. It is faster only because it
makes fewer passes over that tensor. Mamba4Rec uses it for mambapy's block only: with mamba-ssm on CUDA, the
fused scan kernel over all positions is faster.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


def mamba_last_position(block, states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Return ``block(states)`` at position ``lengths - 1`` of each sequence: (batch, d_model).

    ``block`` is a ``mambapy.mamba.MambaBlock``. ``states`` is (batch, positions, d_model), with
    each sequence's items first and its padding after them, and ``lengths`` is (batch,).
    """
    config = block.config
    positions = states.shape[1]
    rows = torch.arange(states.shape[0], device=states.device)
    last = (lengths - 1).clamp(min=0, max=positions - 1)

    inner, gate = block.in_proj(states).chunk(2, dim=-1)  # (batch, positions, inner) each
    inner = block.conv1d(inner.transpose(1, 2))[:, :, :positions].transpose(1, 2)
    inner = F.silu(inner)

    delta, b, c = torch.split(block.x_proj(inner), [config.dt_rank, config.d_state, config.d_state], dim=-1)
    delta, b, c = block._apply_layernorms(delta, b, c)
    delta = F.softplus(block.dt_proj(delta))  # (batch, positions, inner)

    # Positions after the last item must neither decay the state nor feed it.
    before_end = torch.arange(positions, device=states.device)[None, :] <= last[:, None]
    delta = delta * before_end.unsqueeze(-1).to(delta.dtype)
    decay_time = _time_after(delta)  # delta_{t+1} + ... + delta_T

    decay = torch.exp(decay_time.unsqueeze(-1) * -torch.exp(block.A_log))  # (batch, positions, inner, d_state)
    readout = b * c[rows, last].unsqueeze(1)  # B_t * C_T: (batch, positions, d_state)
    mixed = (decay @ readout.unsqueeze(-1)).squeeze(-1)  # (batch, positions, inner)
    output = (delta * inner * mixed).sum(dim=1) + block.D * inner[rows, last]

    return block.out_proj(output * F.silu(gate[rows, last]))


def _time_after(delta: torch.Tensor) -> torch.Tensor:
    """Sum of ``delta`` over the positions strictly after each position: (batch, positions, inner)."""
    suffix = delta.flip(1).cumsum(dim=1).flip(1)  # sum over positions >= t
    return torch.cat([suffix[:, 1:], torch.zeros_like(suffix[:, :1])], dim=1)
