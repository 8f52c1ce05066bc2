"""The dataset pipeline: raw files to filtered, split, cached sequences and samples."""

from bench.data.load import load_dataset
from bench.data.recipes import available_recipes, load_recipe
from bench.data.types import Catalog, PreparedDataset, PromptTemplate, SampleSet, SequenceTable

__all__ = [
    "Catalog",
    "PreparedDataset",
    "PromptTemplate",
    "SampleSet",
    "SequenceTable",
    "available_recipes",
    "load_dataset",
    "load_recipe",
]
