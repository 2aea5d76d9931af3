"""The visit editor lives in ``ui.editors.visit`` (one module per tab); this name stays for
the pages that open it."""

from .visit import VisitEditor

__all__ = ["VisitEditor"]
