import pytest

from bench.data.titles import normalise_movielens_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Toy Story (1995)", "Toy Story"),
        ("Usual Suspects, The (1995)", "The Usual Suspects"),
        ("Seven (Se7en) (1995)", "Seven"),
        ("Seven (Se7en)", "Seven"),
        ("Affair to Remember, An (1957)", "An Affair to Remember"),
        ("Fish Called Wanda, A (1988)", "A Fish Called Wanda"),
        ("Good, The Bad and The Ugly, The (1966)", "The Good, The Bad and The Ugly"),
        ("Blue Angel, The (Blaue Engel, Der) (1930)", "The Blue Angel"),
        ("Double vie de Véronique, La (Double Life of Veronique, The) (1991)", "Double vie de Véronique, La"),
        ("Godfather: Part II, The (1974)", "The Godfather: Part II"),
        ("unknown", "unknown"),
        ("Jaws 2 (1978)", "Jaws 2"),
    ],
)
def test_movielens_title_normalised(raw, expected):
    assert normalise_movielens_title(raw) == expected


def test_title_only_parenthesised_kept():
    assert normalise_movielens_title("(Untitled)") == "(Untitled)"
