"""Every table model of the window under Qt's model tester (pytest-qt's ``qtmodeltester``):
empty, filled with the demo data set, and refreshed while the tester watches.

Qt's C++ QAbstractItemModelTester stays attached to the model and reports every broken rule as
a Qt warning, which fails the test (qt_log_level_fail = WARNING); pytest-qt's Python tester is
run on a second instance for its own checks (data types of each role, among others).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

import ui
from supervisor_app import campaigns, evaluations, findings, visit_form, visits
from ui.editors.evaluation.facts_model import FactTableModel, fact_rows
from ui.members_panel import MembersModel
from ui.models.ledger_table import LedgerTableModel
from ui.models.visit_findings import COLUMN_OF, FindingsModel
from ui.models.visit_table import VisitTableModel
from ui.pages.evaluations import EvaluationTableModel, load_rows


@dataclass
class Case:
    """How the window builds a model, fills it and refreshes it."""

    build: Callable[[object], QAbstractItemModel]
    refresh: Callable[[QAbstractItemModel], None]


def _findings_model(_data_dir) -> FindingsModel:
    """The visit editor's findings, as they are when the demo's first visit with findings is opened."""
    model = FindingsModel(campaigns.active_template())
    with_findings = [v for v in visits.list_visits() if findings.list_findings(visit=v)]
    if with_findings:
        form, _notes = visit_form.form_of(with_findings[0].id)
        model.set_findings(form.findings)
    return model


def _findings_refresh(model: FindingsModel) -> None:
    row = model.add()  # 添加问题, a category chosen, then the form read back as after a draft restore
    model.setData(model.index(row, COLUMN_OF["category"]), model.template.problem_categories[0]["name"])
    model.set_findings(model.findings())
    if model.rowCount():
        model.remove(model.rowCount() - 1)


def _fact_model(_data_dir) -> FactTableModel:
    model = FactTableModel()
    records = evaluations.list_evaluations(None, None)
    if records:
        model.set_rows(fact_rows(evaluations.facts(records[0])))
    return model


def _fact_refresh(model: FactTableModel) -> None:
    records = evaluations.list_evaluations(None, None)
    model.set_rows(fact_rows(evaluations.facts(records[-1])) if records else [])


def _searched_visits(_data_dir) -> VisitTableModel:
    model = VisitTableModel(load=False)
    model.set_filter(visits.VisitFilter(search="整改"))
    return model


def _members(data_dir) -> MembersModel:
    model = MembersModel(data_dir)
    model.reload()
    return model


def _evaluation_model(_data_dir) -> EvaluationTableModel:
    model = EvaluationTableModel()
    model.set_rows(load_rows(None, None))
    return model


def _fetch_all_then_reload(model: VisitTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    model.sort(1, Qt.SortOrder.AscendingOrder)
    model.reload()


def _ledger_refresh(model: LedgerTableModel) -> None:
    model.open_only = False
    model.reload()
    model.overdue_only = True
    model.reload()


CASES = {
    "visits": Case(lambda _d: VisitTableModel(), _fetch_all_then_reload),
    "visits-searched": Case(_searched_visits, _fetch_all_then_reload),
    "ledger": Case(lambda _d: LedgerTableModel(), _ledger_refresh),
    "findings": Case(_findings_model, _findings_refresh),
    "members": Case(_members, lambda m: m.reload()),
    "evaluations": Case(_evaluation_model, lambda m: m.set_rows(load_rows(None, "signed"))),
    "facts": Case(_fact_model, _fact_refresh),
}
COVERED = {VisitTableModel, LedgerTableModel, FindingsModel, MembersModel, EvaluationTableModel, FactTableModel}


def _check(qtmodeltester, case: Case, data_dir) -> QAbstractItemModel:
    model = case.build(data_dir)
    qtmodeltester.check(model)  # Qt's tester, attached from now on
    case.refresh(model)  # … and watching while the model refreshes
    other = case.build(data_dir)
    qtmodeltester.check(other, force_py=True)
    case.refresh(other)
    return model


@pytest.mark.parametrize("name", list(CASES))
def test_model_with_demo_data(qtmodeltester, demo_data, name):
    model = _check(qtmodeltester, CASES[name], demo_data)
    if name != "findings":  # the demo's findings are shown on the editor's rows, refreshed above
        assert model.columnCount() > 0
    assert model.rowCount() > 0 or name == "evaluations"  # refreshed to the signed ones: may be none


@pytest.mark.parametrize("name", list(CASES))
def test_model_empty(qtmodeltester, data_dir, name):
    model = CASES[name].build(data_dir)
    assert model.rowCount() == (1 if name == "members" else 0)  # a fresh group has its first member
    _check(qtmodeltester, CASES[name], data_dir)


def test_every_table_model_of_the_window_is_checked():
    """A model added to ui/ without a case here fails this test."""
    found = set()
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QAbstractItemModel) and cls.__module__ == module.__name__:
                found.add(cls)
    assert found == COVERED
