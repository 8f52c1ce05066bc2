"""The one rich console (on stderr) that logging and progress bars share."""

from rich.console import Console

# Progress bars and log lines must share a console, or rich redraws the bars over the logs.
console = Console(stderr=True)
