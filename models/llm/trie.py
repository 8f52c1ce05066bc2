"""A prefix tree over every catalog title's token ids followed by the end-of-sequence token.

Stored as flat arrays (children of node ``n`` are ``child_token[child_start[n]:child_start[n + 1]]``)
so that the allowed-token mask and the step to the next node are computed for all beams at once.
Ending every title with end-of-sequence lets a title that prefixes another ("Jaws", "Jaws 2") be
generated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from models.llm.batch import ragged_arange
from models.llm.prompt import TitleTable

ROOT = 0
DEAD = -1


@dataclass
class TitleTrie:
    """The prefix tree; ``titles`` lists each distinct title once, in catalog order of first use."""

    child_start: np.ndarray  # int64, (n_nodes + 1,)
    child_token: np.ndarray  # int64, (n_edges,)
    child_node: np.ndarray  # int64, (n_edges,)
    edge_keys: np.ndarray  # int64, (n_edges,) sorted node * vocab + token, for vectorised lookups
    edge_children: np.ndarray  # int64, (n_edges,) child node of each sorted key
    end_title: np.ndarray  # int64, (n_nodes,) title index whose end-of-sequence edge leaves this node, or -1
    leaf_title: np.ndarray  # int64, (n_nodes,) title index of an end-of-sequence leaf, or -1
    titles: list[str]
    title_items: list[list[int]]  # item codes carrying each title
    eos_id: int
    vocab_size: int
    depth: int  # longest path: title tokens plus end-of-sequence

    @classmethod
    def build(cls, table: TitleTable, catalog_titles: list[str], eos_id: int, vocab_size: int) -> TitleTrie:
        titles: list[str] = []
        title_items: list[list[int]] = []
        title_index: dict[str, int] = {}
        children: list[dict[int, int]] = [{}]
        end_title: list[int] = [-1]

        for code, title in enumerate(catalog_titles):
            if title in title_index:
                title_items[title_index[title]].append(code)
                continue
            title_index[title] = len(titles)
            titles.append(title)
            title_items.append([code])

            node = ROOT
            for token in table.ids[code, : table.lengths[code]].tolist():
                node = _child(children, end_title, node, token)
            end_title[node] = title_index[title]
            _child(children, end_title, node, eos_id)

        return cls._from_children(children, end_title, titles, title_items, eos_id, vocab_size, int(table.lengths.max()) + 1)

    @classmethod
    def _from_children(cls, children, end_title, titles, title_items, eos_id, vocab_size, depth) -> TitleTrie:
        counts = np.array([len(c) for c in children], dtype=np.int64)
        child_start = np.concatenate([[0], np.cumsum(counts)])
        child_token = np.array([t for c in children for t in c], dtype=np.int64)
        child_node = np.array([n for c in children for n in c.values()], dtype=np.int64)
        parents = np.repeat(np.arange(len(children)), counts)
        keys = parents * vocab_size + child_token
        order = np.argsort(keys)
        end_title = np.array(end_title, dtype=np.int64)
        leaf_title = np.full(len(children), -1, dtype=np.int64)
        is_end_edge = child_token == eos_id
        leaf_title[child_node[is_end_edge]] = end_title[parents[is_end_edge]]
        return cls(
            child_start=child_start,
            child_token=child_token,
            child_node=child_node,
            edge_keys=keys[order],
            edge_children=child_node[order],
            end_title=end_title,
            leaf_title=leaf_title,
            titles=titles,
            title_items=title_items,
            eos_id=eos_id,
            vocab_size=vocab_size,
            depth=depth,
        )

    def allowed(self, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (row, token) pairs of every token allowed after each node; dead nodes allow none."""
        alive = nodes >= 0
        safe = np.where(alive, nodes, ROOT)
        counts = np.where(alive, self.child_start[safe + 1] - self.child_start[safe], 0)
        row, offset = ragged_arange(counts)
        return row, self.child_token[self.child_start[safe[row]] + offset]

    def allowed_mask(self, nodes: np.ndarray, device: torch.device | str = "cpu") -> torch.Tensor:
        """Return a ``(len(nodes), vocab_size)`` boolean mask of allowed next tokens."""
        mask = torch.zeros((nodes.size, self.vocab_size), dtype=torch.bool)
        row, token = self.allowed(nodes)
        mask[torch.from_numpy(row), torch.from_numpy(token)] = True
        return mask.to(device)

    def step(self, nodes: np.ndarray, tokens: np.ndarray) -> np.ndarray:
        """Return the node reached from each node by each token, ``DEAD`` where the tree has no such edge."""
        keys = np.where(nodes >= 0, nodes, 0) * self.vocab_size + tokens
        where = np.minimum(np.searchsorted(self.edge_keys, keys), self.edge_keys.size - 1)
        found = (self.edge_keys[where] == keys) & (nodes >= 0)
        return np.where(found, self.edge_children[where], DEAD)

    def walk(self, tokens: list[int]) -> int:
        """Return the node reached from the root by ``tokens``, ``DEAD`` if they leave the tree."""
        node = np.array([ROOT])
        for token in tokens:
            node = self.step(node, np.array([token]))
        return int(node[0])

    def title_index_of(self, tokens: list[int]) -> int:
        """Return the index of the title spelled by ``tokens`` (a final end-of-sequence is optional), or -1."""
        if tokens and tokens[-1] == self.eos_id:
            tokens = tokens[:-1]
        node = self.walk(tokens)
        return -1 if node == DEAD else int(self.end_title[node])


def _child(children: list[dict[int, int]], end_title: list[int], node: int, token: int) -> int:
    """Return the child of ``node`` along ``token``, creating it if needed."""
    child = children[node].get(token)
    if child is None:
        child = len(children)
        children[node][token] = child
        children.append({})
        end_title.append(-1)
    return child
