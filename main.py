"""督导纪实 — entry point: no arguments open the window; a sub-command runs the CLI (ui/launcher.py)."""

import sys

from ui.launcher import main

if __name__ == "__main__":
    sys.exit(main())
