"""Constrained beam search over the title prefix tree, from ``inputs_embeds``.

``constrained_beam_search`` runs the prompt once per sample, copies its key/value cache to the
beams and then decodes one token per beam per step, so a sample costs one prompt pass plus the
beams' answer tokens. It follows the scoring of transformers 5.25's beam search: it keeps the
top 2 x beams candidates per step, a finished title scores its summed log-probabilities divided
by length ** length_penalty, and the early-stop heuristic is the same. Its lists therefore match
``stock_generate``, which calls ``model.generate`` with the tree as ``prefix_allowed_tokens_fn``.

Generation from embeddings returns only new tokens, so both paths walk the tree from the
answer's first token. A beam whose node allows nothing scores -inf and drops out.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np
import torch

from models.llm.trie import DEAD, ROOT, TitleTrie

NEG = -1.0e9


@dataclass
class BeamResult:
    """Titles per sample in score order (indices into ``TitleTrie.titles``) and their scores."""

    title_indices: list[list[int]]
    scores: list[list[float]]
    decode_steps: int
    beam_tokens: int  # tokens fed to the model after the prompt, summed over beams and steps


def excluded_titles(trie: TitleTrie, histories: np.ndarray, history_lengths: np.ndarray) -> np.ndarray:
    """Return ``(B, n_titles)``: True where every item carrying that title is in the sample's history."""
    item_title = np.empty(sum(len(items) for items in trie.title_items), dtype=np.int64)
    for index, items in enumerate(trie.title_items):
        item_title[items] = index
    items_per_title = np.bincount(item_title, minlength=len(trie.titles))

    positions = np.arange(histories.shape[1])[None, :] < history_lengths[:, None]
    sample, column = np.nonzero(positions)
    pairs = np.unique(np.stack([sample, histories[sample, column]], axis=1), axis=0)  # distinct (sample, item)
    seen = np.zeros((histories.shape[0], len(trie.titles)), dtype=np.int64)
    np.add.at(seen, (pairs[:, 0], item_title[pairs[:, 1]]), 1)
    return seen == items_per_title[None, :]


def _allowed_scores(trie: TitleTrie, nodes: np.ndarray, log_probs: torch.Tensor, excluded: np.ndarray | None, beams: int) -> torch.Tensor:
    """Mask ``log_probs`` (B * beams, V) to the tokens the tree allows after each beam's node."""
    mask = trie.allowed_mask(nodes, device=log_probs.device)
    if excluded is not None:
        sample = np.arange(nodes.size) // beams
        ends = np.where(nodes >= 0, trie.end_title[np.maximum(nodes, 0)], -1)
        blocked = (ends >= 0) & excluded[sample, np.maximum(ends, 0)]
        mask[torch.from_numpy(np.flatnonzero(blocked)).to(mask.device), trie.eos_id] = False
    return log_probs.masked_fill(~mask, float("-inf"))


@torch.no_grad()
def constrained_beam_search(
    model: torch.nn.Module,
    inputs_embeds: torch.Tensor,
    attention_mask: torch.Tensor,
    trie: TitleTrie,
    num_beams: int = 20,
    length_penalty: float = 1.0,
    excluded: np.ndarray | None = None,
) -> BeamResult:
    """Decode ``num_beams`` titles per left-padded prompt, best first."""
    batch, device = inputs_embeds.shape[0], inputs_embeds.device
    prompt_positions = (attention_mask.cumsum(dim=1) - 1).clamp(min=0)
    output = model(
        inputs_embeds=inputs_embeds, attention_mask=attention_mask, position_ids=prompt_positions, use_cache=True, logits_to_keep=1
    )
    if output.logits.shape[-1] != trie.vocab_size:
        raise ValueError(f"the model has {output.logits.shape[-1]} logits but the title tree was built for {trie.vocab_size}; build the tree with this model's vocabulary size")
    cache = _returned_cache(output)
    cache.batch_repeat_interleave(num_beams)
    logits = output.logits[:, -1, :].float().repeat_interleave(num_beams, dim=0)  # (B * beams, V)
    mask = attention_mask.repeat_interleave(num_beams, dim=0)
    next_position = prompt_positions[:, -1].repeat_interleave(num_beams) + 1

    running_scores = torch.full((batch, num_beams), NEG, device=device)
    running_scores[:, 0] = 0.0  # all beams start identical; only one may expand at the first step
    nodes = np.full(batch * num_beams, ROOT, dtype=np.int64)
    state = _FinishedPool(batch, num_beams, device)
    steps = beam_tokens = 0

    for step in range(trie.depth):
        log_probs = _allowed_scores(trie, nodes, torch.log_softmax(logits, dim=-1), excluded, num_beams)
        candidates = (log_probs + running_scores.reshape(-1, 1)).reshape(batch, -1)  # (B, beams * V)
        top_scores, top_index = torch.topk(candidates, k=2 * num_beams, dim=1)
        top_beam = top_index // trie.vocab_size
        top_token = top_index % trie.vocab_size
        source = (torch.arange(batch, device=device)[:, None] * num_beams + top_beam).cpu().numpy()
        top_nodes = trie.step(nodes[source], top_token.cpu().numpy())  # (B, 2 * beams)
        is_end = top_token == trie.eos_id

        state.add(top_scores, top_nodes, is_end, step, length_penalty, trie)
        running_scores, keep = torch.topk(top_scores.masked_fill(is_end, NEG), k=num_beams, dim=1)
        keep_np = keep.cpu().numpy()
        nodes = np.take_along_axis(top_nodes, keep_np, axis=1).reshape(-1)
        nodes[~(running_scores.cpu().numpy().reshape(-1) > NEG / 2)] = DEAD  # -inf, or a copy of the start beam
        steps += 1
        if not state.should_continue(running_scores, step, length_penalty) or bool(is_end.all()):
            break

        parents = torch.from_numpy(np.take_along_axis(source, keep_np, axis=1).reshape(-1)).to(device)
        tokens = torch.gather(top_token, 1, keep).reshape(-1, 1)
        cache.reorder_cache(parents)
        mask = torch.cat([mask, mask.new_ones((mask.shape[0], 1))], dim=1)
        output = model(
            input_ids=tokens, attention_mask=mask, position_ids=next_position[:, None] + step, use_cache=True,
            **{_cache_argument(model): cache},
        )
        logits = output.logits[:, -1, :].float()
        beam_tokens += tokens.shape[0]

    return state.result(steps, beam_tokens)


def _cache_argument(model: torch.nn.Module) -> str:
    # transformers 5.25 renamed ``past_key_values`` to ``cache``; earlier 5.x releases only know the old name.
    base = model.get_base_model() if hasattr(model, "get_base_model") else model  # a peft wrapper takes **kwargs
    return "cache" if "cache" in inspect.signature(base.forward).parameters else "past_key_values"


def _returned_cache(output):
    cache = getattr(output, "cache", None)
    return cache if cache is not None else output.past_key_values


class _FinishedPool:
    """The best ``num_beams`` finished titles per sample, as transformers' beam search keeps them."""

    def __init__(self, batch: int, num_beams: int, device: torch.device) -> None:
        self.scores = torch.full((batch, num_beams), NEG, device=device)
        self.titles = np.full((batch, num_beams), -1, dtype=np.int64)
        self.full = torch.zeros(batch, dtype=torch.bool, device=device)
        self.improvable = torch.ones(batch, dtype=torch.bool, device=device)
        self.num_beams = num_beams

    def add(self, top_scores, top_nodes, is_end, step, length_penalty, trie) -> None:
        # Only candidates ranked within the first num_beams may finish; the rest are spares.
        in_top = torch.arange(top_scores.shape[1], device=top_scores.device)[None, :] < self.num_beams
        finished = is_end & in_top & (top_scores > NEG / 2) & self.improvable[:, None]
        scores = torch.where(finished, top_scores / float(step + 1) ** length_penalty, torch.full_like(top_scores, NEG))

        # top_nodes of an end-of-sequence candidate is the leaf; its title sits on the leaf's parent.
        parents_title = self._end_titles(top_nodes, is_end, trie)
        merged_scores = torch.cat([self.scores, scores], dim=1)
        merged_titles = np.concatenate([self.titles, parents_title], axis=1)
        self.scores, order = torch.topk(merged_scores, k=self.num_beams, dim=1)
        self.titles = np.take_along_axis(merged_titles, order.cpu().numpy(), axis=1)
        self.full = (self.scores > NEG / 2).all(dim=1)

    def _end_titles(self, top_nodes, is_end, trie: TitleTrie) -> np.ndarray:
        return np.where(is_end.cpu().numpy() & (top_nodes >= 0), trie.leaf_title[np.maximum(top_nodes, 0)], -1)

    def should_continue(self, running_scores: torch.Tensor, step: int, length_penalty: float) -> bool:
        # transformers' default (early_stopping=False) heuristic: stop a sample once its best
        # running beam, scored at the current length, cannot beat its worst finished title.
        best_running = running_scores[:, 0] / float(step + 1) ** length_penalty
        worst_finished = torch.where(self.full, self.scores.min(dim=1).values, torch.full_like(best_running, NEG))
        self.improvable &= best_running > worst_finished
        return bool(self.improvable.any())

    def result(self, steps: int, beam_tokens: int) -> BeamResult:
        scores = self.scores.cpu().numpy()
        keep = (self.titles >= 0) & (scores > NEG / 2)
        return BeamResult(
            title_indices=[row[ok].tolist() for row, ok in zip(self.titles, keep)],
            scores=[row[ok].tolist() for row, ok in zip(scores, keep)],
            decode_steps=steps,
            beam_tokens=beam_tokens,
        )


@torch.no_grad()
def stock_generate(
    model: torch.nn.Module,
    inputs_embeds: torch.Tensor,
    attention_mask: torch.Tensor,
    trie: TitleTrie,
    num_beams: int = 20,
    length_penalty: float = 1.0,
    use_cache: bool = True,
) -> list[list[int]]:
    """Decode with ``model.generate`` and the tree as ``prefix_allowed_tokens_fn``; return title indices.

    This path runs the prompt once per beam; it stays as the reference that the cached search is
    compared with in the speed benchmarks.
    """
    def allowed_tokens(batch_id: int, generated: torch.Tensor) -> list[int]:
        node = trie.walk(generated.tolist())
        row, token = trie.allowed(np.array([node]))
        # An empty list would make generate fail; a beam with nowhere to go just ends.
        return token.tolist() if token.size else [trie.eos_id]

    sequences = model.generate(
        inputs_embeds=inputs_embeds,
        attention_mask=attention_mask,
        num_beams=num_beams,
        num_return_sequences=num_beams,
        max_new_tokens=trie.depth,
        prefix_allowed_tokens_fn=allowed_tokens,
        length_penalty=length_penalty,
        early_stopping=False,
        do_sample=False,
        use_cache=use_cache,
        eos_token_id=trie.eos_id,
        pad_token_id=trie.eos_id,
        top_k=None,
        top_p=None,
        temperature=None,
    )
    rows = sequences.reshape(inputs_embeds.shape[0], num_beams, -1).tolist()
    result = []
    for beams in rows:
        result.append([trie.title_index_of(_until_end(tokens, trie.eos_id)) for tokens in beams])
    return result


def _until_end(tokens: list[int], eos_id: int) -> list[int]:
    return tokens[: tokens.index(eos_id) + 1] if eos_id in tokens else tokens
