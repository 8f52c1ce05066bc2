"""A benchmark runner for LLM-based and classic sequential recommenders."""

__version__ = "0.1.0"
