"""Programs the benchmarks start in a subprocess (run as scripts, so they load no bench code)."""
