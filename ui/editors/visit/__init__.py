"""The visit editor, one module per tab; ``editor.VisitEditor`` puts them together.

The editor's state is one ``supervisor_app.visit_form.VisitForm``: each tab fills its widgets
from the form (``fill``) and writes them back into it (``collect``); the draft saved as the
user types is that form.
"""

from .editor import VisitEditor

__all__ = ["VisitEditor"]
