"""``python -m bench [--quick] [--only NAME ...]``: run the benchmarks, print the table."""

import sys

from bench.runner import main

sys.exit(main())
