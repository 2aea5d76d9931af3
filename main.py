"""督导纪实 — entry point: no arguments open the window; a sub-command runs the CLI (ui/launcher.py)."""

import multiprocessing
import sys

from ui.launcher import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the frozen program's child processes (sync/decoding.py) start here
    sys.exit(main())
