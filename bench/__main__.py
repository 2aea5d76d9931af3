"""``python -m bench [--quick] [--only NAME ...]``: run the benchmarks, print the table."""

import sys

from bench.runner import main

if __name__ == "__main__":  # importing this module (a tool, a spawned process) runs nothing
    sys.exit(main())
