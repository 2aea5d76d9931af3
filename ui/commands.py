"""CLI commands that need Qt (registered by main.py); Qt is imported only when they run."""

from __future__ import annotations


def register(subparsers) -> None:
    """Add the window's commands to the CLI."""
