"""The 纪实评价 editor and its dialogs (new record, fact, signing, amendment)."""

from .dialogs import AmendDialog, FactDialog, NewEvaluationDialog, SignDialog
from .editor import EvaluationEditor

__all__ = ["AmendDialog", "EvaluationEditor", "FactDialog", "NewEvaluationDialog", "SignDialog"]
