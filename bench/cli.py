"""The ``bench`` command line: parses flags, configures logging and turns errors into one line."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from bench.errors import BenchError

# Each module exposes add_parser(subparsers), which registers its subcommand and sets `run`.
COMMAND_MODULES = (
    "bench.commands.datasets",
    "bench.commands.models",
    "bench.commands.run",
    "bench.commands.reference",
    "bench.commands.compression",
    "bench.commands.long_users",
    "bench.commands.analysis",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench",
        description="Benchmark LLM-based and classic sequential recommenders on shared splits.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail and show tracebacks")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def configure_logging(verbose: bool) -> None:
    from rich.logging import RichHandler

    from bench.console import console

    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        datefmt="[%X]",
        # Logs go to stderr so that --json output on stdout stays machine-readable.
        handlers=[RichHandler(console=console, show_path=False, markup=False)],
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose)

    try:
        return int(args.run(args) or 0)
    except BenchError as error:
        if args.verbose:
            logging.getLogger("bench").exception("failed")
        print(f"bench: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted; finished stages are kept, run the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
