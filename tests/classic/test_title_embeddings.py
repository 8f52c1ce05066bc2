import pytest
import torch

from bench.errors import ResourceError
from models.classic import title_embeddings
from models.classic.title_embeddings import cached_title_embeddings, encode_titles, resolve_encoder_path

TITLES = ["Toy Story", "The Usual Suspects", "Toy Story"]


def test_embeddings_cached_after_first_call(tmp_path, monkeypatch):
    encoder = resolve_encoder_path("minilm")
    first = cached_title_embeddings(TITLES, encoder, tmp_path, batch_size=2, device=torch.device("cpu"))
    files = list(tmp_path.glob("title-embeddings-*.npy"))

    def fail(*args, **kwargs):
        raise AssertionError("the encoder ran although a cached file exists")

    monkeypatch.setattr(title_embeddings, "encode_titles", fail)
    second = cached_title_embeddings(TITLES, encoder, tmp_path, batch_size=2, device=torch.device("cpu"))

    assert len(files) == 1
    assert first.shape == (3, 384)
    torch.testing.assert_close(first, second)
    torch.testing.assert_close(first[0], first[2])
    assert not torch.allclose(first[0], first[1])


def test_embeddings_independent_of_batch_size():
    encoder = resolve_encoder_path("minilm")

    one_by_one = encode_titles(TITLES, encoder, batch_size=1, device=torch.device("cpu"))
    together = encode_titles(TITLES, encoder, batch_size=3, device=torch.device("cpu"))

    torch.testing.assert_close(one_by_one, together, atol=1e-5, rtol=1e-4)


def test_missing_encoder_folder_rejected(tmp_path):
    with pytest.raises(ResourceError, match="has no config.json"):
        resolve_encoder_path(str(tmp_path / "nowhere"))
