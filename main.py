"""督导纪实 — entry point: no arguments open the window; a sub-command runs the CLI."""

import sys

from supervisor_app.cli import main


def _gui(args) -> int:
    from ui.app import run

    return run(args.data_dir)


def _ui_commands(subparsers) -> None:
    from ui.commands import register

    register(subparsers)


if __name__ == "__main__":
    sys.exit(main(gui=_gui, extra=[_ui_commands]))
