"""Subcommands of `python -m core.cli`: one module per part of the course, each with `register(sub)`."""
