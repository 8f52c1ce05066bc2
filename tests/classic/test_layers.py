"""LinRec attention and the Mamba block against direct, loop-based computations."""

import math

import pytest
import torch
import torch.nn.functional as F
from mambapy.mamba import MambaBlock

from models.classic.linrec import linrec_attention
from models.classic.mamba4rec import MambaLayer, build_mamba_block
from models.classic.mamba_last_position import mamba_last_position


def direct_linrec_attention(query, key, value, mask):
    """Quadratic form: out_i = sum_j (q'_i . k'_j) v_j / sqrt(d) over real positions j."""
    batch, heads, positions, dim = query.shape
    out = torch.zeros_like(query)
    for b in range(batch):
        real = [j for j in range(positions) if mask[b, j]]
        for h in range(heads):
            keys = F.elu(key[b, h])
            column_norms = [math.sqrt(sum(float(keys[j, c]) ** 2 for j in real)) for c in range(dim)]
            for i in range(positions):
                q = F.elu(query[b, h, i])
                q = q / q.norm()
                for j in real:
                    k = torch.stack([keys[j, c] / column_norms[c] for c in range(dim)])
                    out[b, h, i] += float(q @ k) * value[b, h, j] / math.sqrt(dim)
    return out


def test_linrec_attention_matches_direct():
    torch.manual_seed(0)
    query, key, value = (torch.randn(2, 2, 5, 4, dtype=torch.float64) for _ in range(3))
    mask = torch.tensor([[True] * 5, [True, True, True, False, False]])

    fast = linrec_attention(query, key, value, mask)

    torch.testing.assert_close(fast, direct_linrec_attention(query, key, value, mask))


def test_linrec_attention_ignores_padding_values():
    torch.manual_seed(1)
    query, key, value = (torch.randn(1, 1, 4, 4) for _ in range(3))
    mask = torch.tensor([[True, True, False, False]])
    changed_key, changed_value = key.clone(), value.clone()
    changed_key[..., 2:, :] = 50.0
    changed_value[..., 2:, :] = -50.0

    torch.testing.assert_close(
        linrec_attention(query, key, value, mask), linrec_attention(query, changed_key, changed_value, mask)
    )


def direct_mamba_block(block: MambaBlock, inputs: torch.Tensor) -> torch.Tensor:
    """Mamba's selective SSM step by step: causal convolution, then h_t = exp(dt A) h + dt B x."""
    batch, length, _ = inputs.shape
    x_branch, z_branch = block.in_proj(inputs).chunk(2, dim=-1)  # (batch, length, d_inner) each
    width = block.conv1d.kernel_size[0]
    conv_weight = block.conv1d.weight[:, 0, :]  # (d_inner, width)

    outputs = []
    state = torch.zeros(batch, x_branch.shape[-1], block.A_log.shape[1], dtype=inputs.dtype)
    A = -torch.exp(block.A_log)
    for t in range(length):
        # The causal depthwise convolution reads positions t - width + 1 .. t (zeros before 0).
        conv = block.conv1d.bias.clone().expand(batch, -1).clone()
        for offset in range(width):
            source = t - (width - 1) + offset
            if source >= 0:
                conv = conv + conv_weight[:, offset] * x_branch[:, source]
        x_t = F.silu(conv)

        rank = block.dt_proj.in_features
        delta_low, B_t, C_t = torch.split(block.x_proj(x_t), [rank, A.shape[1], A.shape[1]], dim=-1)
        delta = F.softplus(block.dt_proj(delta_low))  # (batch, d_inner)
        state = torch.exp(delta[:, :, None] * A) * state + (delta * x_t)[:, :, None] * B_t[:, None, :]
        y_t = (state * C_t[:, None, :]).sum(-1) + block.D * x_t
        outputs.append(block.out_proj(y_t * F.silu(z_branch[:, t])))
    return torch.stack(outputs, dim=1)


def test_mamba_block_matches_direct():
    torch.manual_seed(0)
    block = build_mamba_block(d_model=8, d_state=4, d_conv=4, expand=2).double()
    inputs = torch.randn(2, 9, 8, dtype=torch.float64)

    with torch.no_grad():
        fast = block(inputs)
        direct = direct_mamba_block(block, inputs)

    assert isinstance(block, MambaBlock)
    torch.testing.assert_close(fast, direct)


def test_mamba_block_is_causal():
    torch.manual_seed(2)
    block = build_mamba_block(d_model=8, d_state=4, d_conv=4, expand=2)
    inputs = torch.randn(1, 6, 8)
    changed = inputs.clone()
    changed[:, 4:] = 9.0

    with torch.no_grad():
        torch.testing.assert_close(block(inputs)[:, :4], block(changed)[:, :4])


def test_mamba_last_position_matches_block_output():
    torch.manual_seed(3)
    block = build_mamba_block(d_model=8, d_state=4, d_conv=4, expand=2).double()
    inputs = torch.randn(3, 7, 8, dtype=torch.float64)
    lengths = torch.tensor([7, 3, 1])

    with torch.no_grad():
        last = mamba_last_position(block, inputs, lengths)
        direct = direct_mamba_block(block, inputs)[torch.arange(3), lengths - 1]

    torch.testing.assert_close(last, direct)


def test_mamba_last_position_gradients_match_block():
    torch.manual_seed(4)
    block = build_mamba_block(d_model=8, d_state=4, d_conv=4, expand=2).double()
    inputs = torch.randn(3, 6, 8, dtype=torch.float64)
    lengths = torch.tensor([6, 4, 2])
    rows = torch.arange(3)

    (block(inputs)[rows, lengths - 1] ** 2).sum().backward()
    through_scan = {name: parameter.grad.clone() for name, parameter in block.named_parameters()}
    block.zero_grad()
    (mamba_last_position(block, inputs, lengths) ** 2).sum().backward()

    for name, parameter in block.named_parameters():
        torch.testing.assert_close(parameter.grad, through_scan[name], msg=name)


def test_mamba_last_position_ignores_padding():
    torch.manual_seed(5)
    block = build_mamba_block(d_model=8, d_state=4, d_conv=4, expand=2)
    inputs = torch.randn(2, 6, 8)
    changed = inputs.clone()
    changed[1, 3:] = 40.0
    lengths = torch.tensor([6, 3])

    with torch.no_grad():
        torch.testing.assert_close(
            mamba_last_position(block, inputs, lengths), mamba_last_position(block, changed, lengths)
        )


@pytest.mark.parametrize("residual", [False, True])
def test_mamba_layer_last_matches_full(residual):
    torch.manual_seed(6)
    layer = MambaLayer(hidden_size=8, d_state=4, d_conv=4, expand=2, dropout_prob=0.2, residual=residual).eval()
    states = torch.randn(3, 5, 8)
    lengths = torch.tensor([5, 2, 4])

    with torch.no_grad():
        every_position = layer(states)[torch.arange(3), lengths - 1]
        torch.testing.assert_close(layer.forward_last(states, lengths), every_position, rtol=1e-5, atol=1e-5)
