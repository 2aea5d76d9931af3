"""Python code that Qt calls back must not raise.

An exception escaping a Qt virtual override (a model's ``data()``, ``fetchMore()`` …) is not
an ordinary Python error: PySide 6.11 keeps it to raise later and, when the next override is
called meanwhile (the next cell painted), crashes the whole process in
``Shiboken::Errors::storePythonOverrideErrorOrPrint``. Overrides are wrapped here: a failure
is reported (``sys.excepthook``: stderr, and a failed test under pytest-qt) and the override
answers a harmless value instead.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable


def never_raises(fallback=None) -> Callable:
    """Wrap a Qt override so that an exception is reported and ``fallback`` returned."""

    def wrap(method: Callable) -> Callable:
        @functools.wraps(method)
        def guarded(*args, **kwargs):
            try:
                return method(*args, **kwargs)
            except Exception:  # noqa: BLE001 — reported, never let through to Qt
                sys.excepthook(*sys.exc_info())
                return fallback

        return guarded

    return wrap
