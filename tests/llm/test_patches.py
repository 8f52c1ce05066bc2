"""Patch embeddings from the backbone's embedding table, and where they land in a prompt."""

from __future__ import annotations

import numpy as np
import torch

from bench.data.types import PromptTemplate
from models.llm import layout
from models.llm.batch import IGNORE_INDEX, compose_prompts
from models.llm.patches import PatchEmbedder, TensorBatch
from models.llm.prompt import SPECIAL_TOKENS, TitleTable, build_prompt_parts

TITLES = ["Toy Story", "Jaws", "Jaws 2", "The Usual Suspects", "Heat"]
TEMPLATE = PromptTemplate("You recommend movies.", "A user has watched [HISTORY_SEQUENCE]. Recommend one movie.")


def title_ids(tokenizer, title: str) -> list[int]:
    return tokenizer(title, add_special_tokens=False)["input_ids"]


def test_item_patch_is_mean_of_title_embeddings(smollm2):
    model, tokenizer = smollm2
    embedding = model.get_input_embeddings()
    embedder = PatchEmbedder(TitleTable.build(tokenizer, TITLES))

    patches = embedder.item_patches(embedding, torch.arange(len(TITLES)))

    for code, title in enumerate(TITLES):
        expected = embedding.weight[title_ids(tokenizer, title)].mean(dim=0)
        torch.testing.assert_close(patches[code], expected, rtol=0, atol=1e-7)


def test_session_patch_is_mean_of_item_patches(smollm2):
    model, tokenizer = smollm2
    embedding = model.get_input_embeddings()
    embedder = PatchEmbedder(TitleTable.build(tokenizer, TITLES))
    items = embedder.item_patches(embedding, torch.arange(len(TITLES)))

    # Patch 0 is items {0, 3}; patch 1 is items {1, 2, 4}; patch 2 is item 2 alone.
    members = torch.tensor([0, 3, 1, 2, 4, 2])
    owners = torch.tensor([0, 0, 1, 1, 1, 2])
    patches = embedder.patches(embedding, members, owners, 3)

    torch.testing.assert_close(patches[0], (items[0] + items[3]) / 2, rtol=0, atol=1e-7)
    torch.testing.assert_close(patches[1], (items[1] + items[2] + items[4]) / 3, rtol=0, atol=1e-7)
    torch.testing.assert_close(patches[2], items[2], rtol=0, atol=1e-7)


def test_backbone_has_three_history_tokens(smollm2):
    model, tokenizer = smollm2

    ids = tokenizer.convert_tokens_to_ids(list(SPECIAL_TOKENS))
    assert len(set(ids)) == 3
    assert model.get_input_embeddings().weight.shape[0] == len(tokenizer)
    assert min(ids) >= 49152  # appended after SmolLM2's 49,152 tokens


def test_prompt_places_patches_and_labels_only_the_answer(smollm2):
    model, tokenizer = smollm2
    parts = build_prompt_parts(tokenizer, TEMPLATE)
    titles = TitleTable.build(tokenizer, TITLES)
    histories = np.array([[0, 1, 2, 3], [4, 0, -1, -1]])
    lengths = np.array([4, 2])

    batch = compose_prompts(parts, titles, histories, lengths, fmt=layout.pft_i_format(1), targets=np.array([4, 2]), padding_side="left")

    # Sample 0: three item patches then "The Usual Suspects"; sample 1: one patch then "Toy Story".
    assert (batch.patch_at[0] >= 0).sum() == 3
    assert (batch.patch_at[1] >= 0).sum() == 1
    for row, target in enumerate(["Heat", "Jaws 2"]):
        answer = batch.labels[row][batch.labels[row] != IGNORE_INDEX].tolist()
        assert answer == title_ids(tokenizer, target) + [tokenizer.eos_token_id]
        # Left padding: the answer ends the row and the mask covers exactly the real positions.
        assert batch.labels[row, -1] == tokenizer.eos_token_id
        assert batch.attention_mask[row].sum() == batch.attention_mask[row, -batch.attention_mask[row].sum():].sum()

    text = tokenizer.decode(batch.token_ids[1][batch.attention_mask[1] == 1])
    assert "<|history_start|>" in text
    assert "<|item_sep|>Toy Story<|history_end|>" in text
    assert "<|im_start|>assistant\nJaws 2<|im_end|>" in text


def test_patch_gradients_reach_title_token_rows():
    embedding = torch.nn.Embedding(10, 4)
    titles = TitleTable(ids=np.array([[1, 2], [3, 0]]), lengths=np.array([2, 1]))
    embedder = PatchEmbedder(titles)
    batch = TensorBatch(
        token_ids=torch.tensor([[5, 0, 6]]),
        patch_at=torch.tensor([[-1, 0, -1]]),
        attention_mask=torch.ones(1, 3, dtype=torch.long),
        labels=torch.full((1, 3), IGNORE_INDEX),
        member_item=torch.tensor([0, 1]),
        member_patch=torch.tensor([0, 0]),
        n_patches=1,
    )

    embeds = embedder.inputs_embeds(embedding, batch)
    embeds[0, 1].sum().backward()

    expected_patch = ((embedding.weight[1] + embedding.weight[2]) / 2 + embedding.weight[3]) / 2
    torch.testing.assert_close(embeds[0, 1], expected_patch)
    touched = embedding.weight.grad.abs().sum(dim=1).nonzero().flatten().tolist()
    assert touched == [1, 2, 3]
