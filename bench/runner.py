"""The runner: data set, working copy, every figure in turn, the table and results.json."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import data
from .measure import ORDER, TARGETS, Figure

DEFAULT_OUT = data.ROOT / "bench" / "results.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="the same code on the small demo data with few repetitions (for the tests)")
    parser.add_argument("--runs", type=int, default=None,
                        help="runs per figure and per baseline (default 5; 2 with --quick)")
    parser.add_argument("--only", nargs="+", choices=ORDER, metavar="NAME", help=f"only these: {', '.join(ORDER)}")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write results.json")
    parser.add_argument("--cache", type=Path, default=data.DEFAULT_CACHE,
                        help="where generated data sets are kept between runs (default bench/.data)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (working copies, PDFs)")
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 2 if args.quick else 5
    if not args.quick and args.runs < 5:
        parser.error("a full run takes the median of at least 5 runs")
    return args


@dataclass
class Run:
    """What every figure needs: the working data folder, a scratch folder, the repetitions."""

    quick: bool
    runs: int
    data_dir: Path
    scratch: Path
    counts: dict

    @property
    def visits(self) -> int:
        return self.counts["督导记录"]

    @property
    def units(self) -> int:
        return self.counts["单位"]

    @property
    def listing_runs(self) -> int:
        return self.runs if self.quick else max(self.runs, 21)  # milliseconds each: take many


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def module_missing(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is None
    except ModuleNotFoundError:
        return True


# --- the figures, in the order they run -------------------------------------------------------------


def _in_data(run: Run, fn: Callable[[], Figure]) -> Figure:
    from supervisor_app import store

    store.open_data_dir(run.data_dir)
    try:
        return fn()
    finally:
        store.close()


def filter_100k(run: Run) -> Figure:
    from . import listing

    return _in_data(run, lambda: listing.filter_figure(run.data_dir, run.listing_runs))


def search_100k(run: Run) -> Figure:
    from . import listing

    return _in_data(run, lambda: listing.search_figure(run.data_dir, run.listing_runs))


def pdf_visit(run: Run) -> Figure:
    from . import pdf

    return _in_data(run, lambda: pdf.visit_figure(run.scratch / "pdf", run.runs))


def pdf_summary_500(run: Run) -> Figure:
    from . import pdf

    return _in_data(run, lambda: pdf.summary_figure(run.scratch / "pdf", run.runs, run.units))


def startup_100k(run: Run) -> Figure:
    from . import window

    return window.startup(run.data_dir, run.runs, run.visits, warmup=0 if run.quick else 1)


def rss_100k(run: Run) -> Figure:
    from . import window

    return window.peak_memory(run.data_dir, run.runs, run.visits)


_bundle: dict[str, Path] = {}


def _pair(run: Run):
    from . import sync

    if "pair" not in _bundle:
        _bundle["pair"] = sync.make_pair(run.data_dir, run.scratch / "sync")
    return _bundle["pair"]


def export_100k(run: Run) -> Figure:
    from . import sync

    figure, bundle = sync.export_figure(_pair(run), run.runs, run.scratch)
    _bundle["file"] = bundle
    return figure


def import_100k(run: Run) -> Figure:
    from . import sync

    # Without export_100k before it (--only import_100k), import_figure exports the field
    # copy's bundle itself, untimed.
    return sync.import_figure(_pair(run), _bundle.get("file"), run.runs, run.scratch / "sync")


FIGURES: dict[str, tuple[Callable[[Run], Figure], str | None]] = {
    # name: (how to measure it, the module it needs — measured only once that module exists)
    "filter_100k": (filter_100k, None),
    "search_100k": (search_100k, None),
    "pdf_visit": (pdf_visit, "supervisor_app.reports"),
    "pdf_summary_500": (pdf_summary_500, "supervisor_app.reports"),
    "startup_100k": (startup_100k, None),
    "rss_100k": (rss_100k, None),
    "export_100k": (export_100k, "supervisor_app.sync.service"),
    "import_100k": (import_100k, "supervisor_app.sync.service"),
}
assert set(FIGURES) == set(ORDER)


# --- output ------------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10_000 else f"{value:.4g}"


def table(figures: dict[str, Figure | str], quick: bool) -> str:
    """The results as a plain-text table, in the issue's order, with notes under it."""
    head = ("figure", "value", "baseline", "ratio", "target", "met")
    lines = []
    for name in ORDER:
        if name not in figures:
            continue
        figure = figures[name]
        if isinstance(figure, str):
            lines.append((name, figure, "", "", "", ""))
            continue
        met = "(quick)" if quick else ("yes" if figure.met() else "NO")
        lines.append((name, f"{_number(figure.value)} {figure.unit}", f"{_number(figure.baseline)} {figure.unit}",
                      f"{figure.ratio:.2f}×", figure.target.text(figure.unit), met))
    widths = [max(len(row[i]) for row in [head, *lines]) for i in range(len(head))]
    out = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in [head, *lines]]
    out.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {name}: {f.what} — median of {f.runs} runs" for name, f in figures.items() if isinstance(f, Figure)]
    return "\n".join(out + ["", *notes])


def write_results(figures: dict[str, Figure | str], path: Path) -> None:
    results = [figures[n].as_json() for n in ORDER if isinstance(figures.get(n), Figure)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"results": results}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


# --- main ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    size = "small" if args.quick else "large"
    started = time.perf_counter()
    cached = data.cached_data(size, args.cache, log)
    log(f"data set ready after {time.perf_counter() - started:.0f} s")
    args.cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=args.cache))  # beside the cache: copying stays cheap
    run = Run(args.quick, args.runs, data.working_copy(cached, scratch / "data"), scratch, data.counts(cached))
    _bundle.clear()
    from supervisor_app.reports import fonts

    fonts.prepare()  # the faces resolved before timing, as the window does at its start
    log(f"{'quick' if args.quick else 'full'} run on {run.visits} visits, {run.units} units; {args.runs} runs each; "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs")

    figures: dict[str, Figure | str] = {}
    failed = False
    try:
        for name in args.only or FIGURES:
            measure, needs = FIGURES[name]
            if needs and module_missing(needs):
                figures[name] = f"not measured: module missing ({needs})"
                continue
            log(f"measuring {name} …")
            begun = time.perf_counter()
            try:
                figures[name] = measure(run)
            except Exception as exc:  # one broken figure must not hide the others
                failed = True
                traceback.print_exc()
                figures[name] = f"FAILED: {type(exc).__name__}: {exc}".splitlines()[0][:160]
            log(f"  … {time.perf_counter() - begun:.0f} s")
    finally:
        if args.keep:
            log(f"scratch kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    print(table(figures, args.quick))
    write_results(figures, args.out)
    log(f"wrote {args.out} in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


__all__ = ["main", "TARGETS"]
