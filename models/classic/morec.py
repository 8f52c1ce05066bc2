"""MoRec: SASRec over item representations from a text encoder (Yuan et al., SIGIR 2023).

MoRec drops the item ID embedding: an item is the embedding of its title from a pre-trained text
encoder (the paper used BERT; the default here is all-MiniLM-L6-v2), mapped to the model's
hidden size by a trainable linear projection. The encoder is frozen by default and its title
embeddings are computed once (see ``title_embeddings``). With ``finetune_encoder`` the encoder is
trained end to end and every item representation is recomputed from the titles at each step.
"""

from __future__ import annotations

import torch
from recbole.model.sequential_recommender.sasrec import SASRec
from torch import nn

from models.classic.title_embeddings import load_encoder, mean_pool_titles


class TextItemEmbedding(nn.Module):
    """An ``nn.Embedding`` look-alike whose table is the projected title embeddings.

    Row 0 (RecBole's padding id) is all zeros. ``weight`` is (n_items + 1, hidden_size).
    """

    def __init__(self, hidden_size: int, frozen_features: torch.Tensor | None = None, encoder_path=None,
                 titles: list[str] | None = None, text_batch_size: int = 128):
        super().__init__()
        self.text_batch_size = text_batch_size
        if frozen_features is not None:
            padded = torch.cat([torch.zeros(1, frozen_features.shape[1]), frozen_features.float()])
            self.register_buffer("features", padded, persistent=False)
            self.encoder = None
            text_dim = padded.shape[1]
        else:
            self.tokenizer, self.encoder = load_encoder(encoder_path)
            self.titles = list(titles)
            self.features = None
            text_dim = self.encoder.config.hidden_size
        self.projection = nn.Linear(text_dim, hidden_size)

    @property
    def weight(self) -> torch.Tensor:
        features = self.features if self.encoder is None else self._encode_titles()
        table = self.projection(features)
        # Zero the padding row so padded positions carry no item signal, as padding_idx does.
        keep = torch.ones(table.shape[0], 1, device=table.device, dtype=table.dtype)
        keep[0] = 0.0
        return table * keep

    def forward(self, item_ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding(item_ids, self.weight)

    def _encode_titles(self) -> torch.Tensor:
        device = self.projection.weight.device
        parts = [
            mean_pool_titles(self.tokenizer, self.encoder, self.titles[start : start + self.text_batch_size], device)
            for start in range(0, len(self.titles), self.text_batch_size)
        ]
        encoded = torch.cat(parts)  # (n_items, text_dim)
        return torch.cat([torch.zeros(1, encoded.shape[1], device=device, dtype=encoded.dtype), encoded])


class MoRec(SASRec):
    """SASRec with ``TextItemEmbedding`` in place of the ID embedding; reads ``dataset.item_text``."""

    def __init__(self, config, dataset):
        super().__init__(config, dataset)
        item_text = dataset.item_text
        if item_text is None:
            raise ValueError("MoRec needs item titles; build its DatasetView with item_text")

        if config["finetune_encoder"]:
            self.item_embedding = TextItemEmbedding(
                self.hidden_size, encoder_path=item_text.encoder_path, titles=item_text.titles,
                text_batch_size=item_text.text_batch_size,
            )
        else:
            self.item_embedding = TextItemEmbedding(self.hidden_size, frozen_features=item_text.embeddings)
        self._init_weights(self.item_embedding.projection)
