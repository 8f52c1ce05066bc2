"""Errors a user can fix: each carries one line naming the file, line or value and what to do.

The ``bench`` CLI prints that line and exits with status 2; ``--verbose`` adds the traceback.
"""


class BenchError(Exception):
    """A problem with the user's input, configuration or machine, described in one line."""


class DataError(BenchError):
    """A dataset file is missing, malformed or filters to nothing."""


class ConfigError(BenchError):
    """A flag, recipe, suite or model configuration is invalid."""


class ResourceError(BenchError):
    """A model, tokenizer or device the run needs is not available."""
