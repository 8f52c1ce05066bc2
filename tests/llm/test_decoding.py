"""The title prefix tree and constrained beam search on the real backbone."""

from __future__ import annotations

import numpy as np
import pytest

from bench.data.types import PromptTemplate
from bench.metrics import first_match_ranks
from models.llm import layout
from models.llm.batch import compose_prompts
from models.llm.beam import constrained_beam_search, excluded_titles, stock_generate
from models.llm.patches import PatchEmbedder, TensorBatch
from models.llm.prompt import TitleTable, build_prompt_parts
from models.llm.trie import DEAD, ROOT, TitleTrie

TITLES = ["Jaws", "Jaws 2", "Heat", "Alien", "Aliens", "Toy Story", "Heat", "Casino", "Fargo", "Se7en", "Clerks", "Babe"]
TEMPLATE = PromptTemplate("You recommend movies.", "A user has watched [HISTORY_SEQUENCE]. Recommend one movie.")


@pytest.fixture(scope="module")
def setup(smollm2):
    model, tokenizer = smollm2
    table = TitleTable.build(tokenizer, TITLES)
    trie = TitleTrie.build(table, TITLES, tokenizer.eos_token_id, len(tokenizer))
    return model, tokenizer, table, trie


def prompts(setup, histories, lengths, fmt):
    model, tokenizer, table, _ = setup
    batch = compose_prompts(build_prompt_parts(tokenizer, TEMPLATE), table, histories, lengths, fmt=fmt, padding_side="left")
    tensors = TensorBatch.from_numpy(batch)
    return PatchEmbedder(table).inputs_embeds(model.get_input_embeddings(), tensors), tensors.attention_mask


def test_trie_keeps_duplicate_titles_once_with_all_items(setup):
    _, _, _, trie = setup

    assert len(trie.titles) == 11
    assert trie.title_items[trie.titles.index("Heat")] == [2, 6]


def test_trie_lets_a_title_prefix_another(setup):
    _, tokenizer, _, trie = setup
    jaws = tokenizer("Jaws", add_special_tokens=False)["input_ids"]

    node = trie.walk(jaws)
    _, allowed = trie.allowed(np.array([node]))
    assert tokenizer.eos_token_id in allowed.tolist()
    assert len(allowed) >= 2  # the end of "Jaws" and the way on to "Jaws 2"
    assert trie.title_index_of(jaws + [tokenizer.eos_token_id]) == trie.titles.index("Jaws")


def test_trie_step_leaves_tree_on_unknown_token(setup):
    _, _, _, trie = setup

    assert trie.step(np.array([ROOT]), np.array([trie.eos_id])).tolist() == [DEAD]
    assert trie.allowed(np.array([DEAD]))[1].size == 0
    assert trie.title_index_of([trie.eos_id]) == -1


def test_every_decoded_sequence_is_a_real_title(setup):
    histories = np.array([[5, 2, 7, 8], [3, 4, -1, -1]])
    lengths = np.array([4, 2])
    embeds, mask = prompts(setup, histories, lengths, layout.pft_i_format(1))

    # More beams than titles: the search runs out of titles and returns each one at most once.
    result = constrained_beam_search(setup[0], embeds, mask, setup[3], num_beams=16)

    for indices in result.title_indices:
        assert 1 <= len(indices) <= 11
        assert len(set(indices)) == len(indices)
        assert all(0 <= index < 11 for index in indices)
    for scores in result.scores:
        assert scores == sorted(scores, reverse=True)


def test_cached_search_matches_stock_generate(setup):
    histories = np.array([[5, 2, 7], [3, 4, 9]])
    lengths = np.array([3, 3])
    embeds, mask = prompts(setup, histories, lengths, layout.tallrec_format())

    custom = constrained_beam_search(setup[0], embeds, mask, setup[3], num_beams=5)
    stock = stock_generate(setup[0], embeds, mask, setup[3], num_beams=5)

    assert custom.title_indices == stock


def test_excluded_history_titles_are_not_returned(setup):
    _, _, _, trie = setup
    histories = np.array([[2, 0, 3], [2, 6, -1]])
    lengths = np.array([3, 2])

    excluded = excluded_titles(trie, histories, lengths)
    heat = trie.titles.index("Heat")
    # Sample 0 saw only one of the two "Heat" items, so the title stays allowed.
    assert not excluded[0, heat]
    assert excluded[1, heat]
    assert excluded[0, trie.titles.index("Jaws")]
    assert excluded[0, trie.titles.index("Alien")]

    embeds, mask = prompts(setup, histories, lengths, layout.tallrec_format())
    result = constrained_beam_search(setup[0], embeds, mask, trie, num_beams=12, excluded=excluded)
    assert not {trie.titles.index("Jaws"), trie.titles.index("Alien")} & set(result.title_indices[0])
    assert heat not in result.title_indices[1]
    assert len(result.title_indices[1]) == 10


def test_decoded_titles_rank_by_first_match(setup):
    _, _, _, trie = setup
    histories = np.array([[5, 2, 7, 8]])
    embeds, mask = prompts(setup, histories, np.array([4]), layout.tallrec_format())
    titles = [trie.titles[index] for index in constrained_beam_search(setup[0], embeds, mask, trie, num_beams=11).title_indices[0]]

    # The target item 6 shares its title with item 2, so its rank is where "Heat" appears.
    ranks = first_match_ranks([titles], [TITLES[6]])
    assert ranks.tolist() == [titles.index("Heat")]
