"""Subcommands of the ``bench`` CLI; each module exposes ``add_parser(subparsers)``."""
