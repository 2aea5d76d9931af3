"""Benchmarks at 100 000 visits, each measured against the raw cost of the library underneath.

``python -m bench`` makes (once, then from a cache) the large demo data set, measures every
figure of issue 7 as the median of several runs beside a baseline measured in the same run, prints
a table and writes ``bench/results.json``. ``python -m bench --quick`` runs the same code on the
small demo data with few repetitions; ``tests/test_bench.py`` runs it so that the benchmarks keep
working. See ``docs/performance.md`` for the figures and how to reproduce each one.
"""
