"""Calibration across groups: which group (and which member) rates units milder than the
evidence it does not control would lead one to expect — the 好好先生 the speech warns about.

One model, a penalised binomial GLM (logit link) fitted with numpy (docs/calibration.md says
why not statsmodels): for each assessment, the share of its rated items at the mildest step of
their scale (未发现 for a tendency, 好 for a focus item) against the unit's kind and size, the
quiz accuracy of its people, its 民意调查 satisfaction, its overdue rectifications, the findings
written at that visit, and what other groups found at the same unit. Each group's effect (coded
to sum to zero, so 0 is "as the groups on average") is its leniency; its interval is
simultaneous over the groups (Bonferroni) and its standard error the larger of the quasi-
binomial and the unit-clustered one. A group is flagged only when the interval's lower end
clears ``MARGIN`` and the group has at least ``MIN_VISITS`` assessed visits at ``MIN_UNITS``
units. Members: one offset each, over the visits they were present at, against the evidence
model without group effects.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import NormalDist

from peewee import fn

from . import campaigns, clock, display, findings, quiz
from . import validate as check
from .errors import ValidationError
from .models import (
    UNIT_KINDS,
    Assessment,
    Finding,
    Group,
    Leader,
    Member,
    SurveyResult,
    Unit,
    Visit,
    alive,
)

MIN_VISITS = 10  # assessed visits a group (or member) needs before it can be flagged
MIN_UNITS = 3  # distinct units among them: one unit's peculiarity is not a group's habit
MARGIN = 0.2  # the interval's lower end must clear this (log-odds; about 5 points of share)
LEVEL = 0.95  # simultaneous confidence over the groups (or members) estimated
PRIOR_SD = 2.0  # a weak normal prior on every group/member effect (keeps all-未发现 groups finite)


@dataclass(frozen=True)
class Observation:
    """One assessed visit: how many rated items, how many at the mildest step, and the evidence."""

    visit_id: str
    unit_id: str
    group: str  # group name ("" when the visit names none)
    members: tuple[str, ...]  # names of the members present
    rated: int
    mildest: int
    findings: int  # written at this visit


@dataclass(frozen=True)
class UnitEvidence:
    """What is known of a unit independently of any single group's ratings."""

    kind: str
    leaders: int = 0
    quiz_accuracy: float | None = None  # 0..1
    satisfaction: float | None = None  # 0..1 (满意 + 基本满意 of the sample)
    overdue: int = 0
    # findings per visit by each group that visited: {group name: (findings, visits)}
    found_by: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Estimate:
    """One group's (or member's) leniency: larger is milder than the evidence suggests."""

    name: str
    group: str  # for a member, their group; for a group, its own name
    visits: int
    units: int
    leniency: float | None  # log-odds of an item at the mildest step, against the average
    low: float | None
    high: float | None
    flagged: bool
    mildest_share: float | None  # what the group actually rated, for the reader

    @property
    def enough_data(self) -> bool:
        return self.visits >= MIN_VISITS and self.units >= MIN_UNITS

    def as_dict(self) -> dict:
        def r(x):
            return None if x is None else round(x, 3)

        return {"group": self.name, "visits": self.visits, "units": self.units, "leniency": r(self.leniency),
                "low": r(self.low), "high": r(self.high), "flagged": self.flagged}


@dataclass(frozen=True)
class Calibration:
    groups: list[Estimate]
    members: list[Estimate]
    observations: int
    items: int

    def member_rows(self, group: str) -> list[Estimate]:
        return [m for m in self.members if m.group == group]


# --- the model (numpy only; imported lazily) ----------------------------------------------------


def _features(obs: list[Observation], evidence: dict[str, UnitEvidence]):
    """The evidence columns (centred), one row per observation, and their names."""
    import numpy as np

    kinds = [k for k in UNIT_KINDS if any(evidence[o.unit_id].kind == k for o in obs)]
    kinds += sorted({evidence[o.unit_id].kind for o in obs} - set(kinds))
    rows = []
    for o in obs:
        ev = evidence[o.unit_id]
        others = [(f, v) for g, (f, v) in ev.found_by.items() if g != o.group and v]
        other_rate = sum(f for f, _ in others) / sum(v for _, v in others) if others else 0.0
        rows.append([
            *(1.0 if ev.kind == k else 0.0 for k in kinds[1:]),
            math.log1p(ev.leaders),
            ev.quiz_accuracy if ev.quiz_accuracy is not None else math.nan,
            1.0 if ev.quiz_accuracy is None else 0.0,
            ev.satisfaction if ev.satisfaction is not None else math.nan,
            1.0 if ev.satisfaction is None else 0.0,
            math.log1p(ev.overdue),
            math.log1p(o.findings),
            math.log1p(other_rate),
            1.0 if others else 0.0,
        ])
    x = np.array(rows, dtype=float).reshape(len(obs), -1)
    for j in range(x.shape[1]):  # a missing value is the mean of the known ones (with its indicator)
        col = x[:, j]
        known = ~np.isnan(col)
        mean = col[known].mean() if known.any() else 0.0
        col[~known] = mean
        x[:, j] = col - mean
    keep = x.std(axis=0) > 1e-12  # a column with one value says nothing and would be singular
    return x[:, keep]


def _fit(x, y, n, penalty, offset=None, iterations: int = 50):
    """Penalised IRLS for a binomial logit; returns (beta, eta, bread = inverse penalised Hessian)."""
    import numpy as np

    beta = np.zeros(x.shape[1])
    off = np.zeros(len(y)) if offset is None else offset
    pen = np.diag(penalty)
    for _ in range(iterations):
        eta = off + x @ beta
        p = 1.0 / (1.0 + np.exp(-eta))
        w = n * p * (1 - p) + 1e-9
        hess = x.T @ (x * w[:, None]) + pen
        grad = x.T @ (y - n * p) - pen @ beta
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-8:
            break
    eta = off + x @ beta
    p = 1.0 / (1.0 + np.exp(-eta))
    hess = x.T @ (x * (n * p * (1 - p) + 1e-9)[:, None]) + pen
    return beta, eta, np.linalg.inv(hess)


def _covariance(x, y, n, eta, bread, clusters: list[str], fixed: int):
    """The larger (per contrast, taken by the caller) of two covariances: the quasi-binomial one and
    the one clustered by unit (CR1), so that neither extra-binomial spread nor units visited many
    times make a group look surer than it is."""
    import numpy as np

    p = 1.0 / (1.0 + np.exp(-eta))
    resid = y - n * p
    var = n * p * (1 - p) + 1e-9
    dof = max(len(y) - fixed, 1)
    dispersion = max(1.0, float(np.sum(resid ** 2 / var)) / dof)
    model = bread * dispersion
    index: dict[str, int] = {}
    ids = np.array([index.setdefault(c, len(index)) for c in clusters])
    g = len(index)
    scores = np.zeros((g, x.shape[1]))
    np.add.at(scores, ids, x * resid[:, None])
    meat = scores.T @ scores
    factor = g / (g - 1) * (len(y) - 1) / dof if g > 1 else 1.0
    clustered = bread @ meat @ bread * factor
    return model, clustered


def _z(count: int) -> float:
    return NormalDist().inv_cdf(1 - (1 - LEVEL) / (2 * max(count, 1)))


def estimate(obs: list[Observation], evidence: dict[str, UnitEvidence], groups: list[str] | None = None,
             members_of: dict[str, str] | None = None) -> Calibration:
    """Leniency per group and per member from the observations (pure: tests feed simulated data).

    ``groups`` lists every group to report (those with no assessment get no estimate);
    ``members_of`` maps a member's name to their group's name.
    """
    import numpy as np

    obs = [o for o in obs if o.rated > 0 and o.unit_id in evidence]
    names = sorted({o.group for o in obs if o.group})
    groups = list(groups) if groups is not None else names
    members_of = members_of or {}
    visits_of = defaultdict(set)
    units_of = defaultdict(set)
    mild = defaultdict(lambda: [0, 0])
    for o in obs:
        for key in (("g", o.group), *(("m", m) for m in o.members)):
            visits_of[key].add(o.visit_id)
            units_of[key].add(o.unit_id)
            mild[key][0] += o.mildest
            mild[key][1] += o.rated

    def empty(name, group, key):
        share = mild[key][0] / mild[key][1] if mild[key][1] else None
        return Estimate(name, group, len(visits_of[key]), len(units_of[key]), None, None, None, False, share)

    if len(names) < 2:  # leniency is relative: one group has nothing to be compared with
        return Calibration([empty(g, g, ("g", g)) for g in groups],
                           [empty(m, members_of.get(m, ""), ("m", m)) for m in sorted(members_of)],
                           len(obs), sum(o.rated for o in obs))

    y = np.array([o.mildest for o in obs], dtype=float)
    n = np.array([o.rated for o in obs], dtype=float)
    ev = _features(obs, evidence)
    k = len(names)
    position = {g: i for i, g in enumerate(names)}
    effects = np.zeros((len(obs), k))  # one column per group; the prior makes them identifiable
    for r, o in enumerate(obs):
        if o.group in position:
            effects[r, position[o.group]] = 1.0
    x = np.hstack([np.ones((len(obs), 1)), ev, effects])
    fixed = 1 + ev.shape[1]
    penalty = np.array([1e-6] * fixed + [1 / PRIOR_SD ** 2] * k)
    beta, eta, bread = _fit(x, y, n, penalty)
    model, clustered = _covariance(x, y, n, eta, bread, [o.unit_id for o in obs], x.shape[1] - k + 1)
    # the reference is the average visit, not the average group: a group with three visits
    # must not move every other group's estimate
    weights = np.array([len(visits_of[("g", g)]) for g in names], dtype=float)
    weights /= weights.sum()
    eligible = [g for g in names if len(visits_of[("g", g)]) >= MIN_VISITS and len(units_of[("g", g)]) >= MIN_UNITS]
    z = _z(len(eligible) or len(names))
    out = []
    for g in groups:
        if g not in position:
            out.append(empty(g, g, ("g", g)))
            continue
        c = np.zeros(x.shape[1])
        c[fixed:] = -weights
        c[fixed + position[g]] += 1.0
        value = float(c @ beta)
        se = math.sqrt(max(float(c @ model @ c), float(c @ clustered @ c)))
        low, high = value - z * se, value + z * se
        share = mild[("g", g)][0] / mild[("g", g)][1]
        est = Estimate(g, g, len(visits_of[("g", g)]), len(units_of[("g", g)]), value, low, high, False, share)
        out.append(_flag(est))

    # members: an offset each against the evidence model alone (no group effects)
    base_beta, base_eta, _ = _fit(x[:, :fixed], y, n, penalty[:fixed])
    member_names = sorted(set(members_of) | {m for o in obs for m in o.members})
    present: dict[str, list[int]] = {m: [] for m in member_names}
    for r, o in enumerate(obs):
        for m in o.members:
            present[m].append(r)
    eligible_members = [m for m in member_names
                        if len(visits_of[("m", m)]) >= MIN_VISITS and len(units_of[("m", m)]) >= MIN_UNITS]
    zm = _z(len(eligible_members) or len(member_names))
    people = []
    for m in member_names:
        rows = present[m]
        group = members_of.get(m, "")
        if not rows:
            people.append(empty(m, group, ("m", m)))
            continue
        one = np.ones((len(rows), 1))
        theta, eta_m, bread_m = _fit(one, y[rows], n[rows], np.array([1 / PRIOR_SD ** 2]), offset=base_eta[rows])
        model_m, clustered_m = _covariance(one, y[rows], n[rows], eta_m, bread_m, [obs[r].unit_id for r in rows], 1)
        se = math.sqrt(max(float(model_m[0, 0]), float(clustered_m[0, 0])))
        value = float(theta[0])
        share = mild[("m", m)][0] / mild[("m", m)][1]
        est = Estimate(m, group, len(visits_of[("m", m)]), len(units_of[("m", m)]), value, value - zm * se,
                       value + zm * se, False, share)
        people.append(_flag(est))
    return Calibration(out, people, len(obs), int(n.sum()))


def _flag(est: Estimate) -> Estimate:
    """Flagged only on enough data and an interval whose lower end clears the margin."""
    flagged = est.enough_data and est.low is not None and est.low > MARGIN
    return Estimate(est.name, est.group, est.visits, est.units, est.leniency, est.low, est.high, flagged,
                    est.mildest_share)


# --- reading the database ------------------------------------------------------------------------


def _mildest(entries: dict, key: str, scale: list[str]) -> tuple[int, int]:
    rated = mildest = 0
    for entry in (entries or {}).values():
        value = entry.get(key) if isinstance(entry, dict) else None
        if value in scale:
            rated += 1
            mildest += value == scale[0]
    return rated, mildest


def observations(date_from: str | None = None, date_to: str | None = None
                 ) -> tuple[list[Observation], dict[str, UnitEvidence], list[str], dict[str, str]]:
    """The assessed visits of the period, each unit's evidence, every group's and member's name."""
    tpl = campaigns.active_template()
    tendency_scale, focus_scale = tpl.scale("tendency"), tpl.scale("focus")
    group_name = {_key(gid): display.text(name) for gid, name in Group.select(Group.id, Group.name)
                  .where(alive(Group)).order_by(Group.created_at, Group.name).tuples()}
    member_rows = [(_key(mid), display.text(name), _key(gid)) for mid, name, gid in
                   Member.select(Member.id, Member.name, Member.group).where(alive(Member)).tuples()]
    member_name = {mid: name for mid, name, _ in member_rows}
    members_of = {name: group_name.get(gid, "") for _, name, gid in member_rows}
    query = (Assessment.select(Assessment.focus_ratings, Assessment.tendency_levels, Visit.id, Visit.unit,
                               Visit.group, Visit.members_present)
             .join(Visit, on=(Assessment.visit == Visit.id))
             .where(alive(Assessment) & alive(Visit)))
    if date_from:
        query = query.where(Visit.started_at >= date_from)
    if date_to:
        query = query.where(Visit.started_at < date_to + "T99")
    found_at = defaultdict(int)
    for visit_id, count in (Finding.select(Finding.visit, fn.COUNT(Finding.id))
                            .where(alive(Finding) & Finding.visit.is_null(False)).group_by(Finding.visit).tuples()):
        found_at[_key(visit_id)] += display.count(count) or 0
    obs = []
    for a in query:
        v = a.visit
        r1, m1 = _mildest(display.entries(a.tendency_levels, "level"), "level", tendency_scale)
        r2, m2 = _mildest(display.entries(a.focus_ratings, "rating"), "rating", focus_scale)
        present = [_key(m) for m in display.loads(v.members_present)] \
            if isinstance(display.loads(v.members_present), list) else []
        obs.append(Observation(_key(v.id), _key(v.unit_id), group_name.get(_key(v.group_id), ""),
                               tuple(sorted({member_name[m] for m in present if m in member_name})),
                               r1 + r2, m1 + m2, found_at.get(_key(v.id), 0)))
    return obs, _evidence({o.unit_id for o in obs}, date_from, date_to, group_name), \
        list(dict.fromkeys(group_name.values())), members_of  # in the order the groups were made


def _key(value) -> str:
    """An id as stored, as text (a database edited by another program may hold anything there)."""
    return value if isinstance(value, str) else display.text(value)


def _evidence(unit_ids: set[str], date_from, date_to, group_name) -> dict[str, UnitEvidence]:
    kinds = {_key(u): display.text(k) for u, k in Unit.select(Unit.id, Unit.kind).tuples()}
    leaders = defaultdict(int)
    for unit_id, count in (Leader.select(Leader.unit, fn.COUNT(Leader.id)).where(alive(Leader))
                           .group_by(Leader.unit).tuples()):
        leaders[_key(unit_id)] = display.count(count) or 0
    accuracy = quiz.accuracy_by_unit(date_from, date_to)
    survey = defaultdict(lambda: [0, 0])
    for unit_id, sample, sat, basic in (SurveyResult.select(SurveyResult.unit, SurveyResult.sample,
                                                            SurveyResult.satisfied, SurveyResult.basically_satisfied)
                                        .where(alive(SurveyResult)).tuples()):
        if all(type(v) is int and v >= 0 for v in (sample, sat, basic)) and sample and sat + basic <= sample:
            survey[_key(unit_id)][0] += sat + basic
            survey[_key(unit_id)][1] += sample
    overdue = defaultdict(int)
    for row in findings.ledger(overdue_only=True, on=clock.today()):
        overdue[_key(row.finding.unit_id)] += 1
    found_by: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    visit_query = Visit.select(Visit.id, Visit.unit, Visit.group).where(alive(Visit))
    if date_from:
        visit_query = visit_query.where(Visit.started_at >= date_from)
    if date_to:
        visit_query = visit_query.where(Visit.started_at < date_to + "T99")
    visit_group = {}
    for visit_id, unit_id, group_id in visit_query.tuples():
        visit_group[_key(visit_id)] = group_name.get(_key(group_id), "")
        found_by[_key(unit_id)][visit_group[_key(visit_id)]][1] += 1
    for unit_id, visit_id in Finding.select(Finding.unit, Finding.visit).where(alive(Finding)).tuples():
        if _key(visit_id) in visit_group:
            found_by[_key(unit_id)][visit_group[_key(visit_id)]][0] += 1
    return {
        u: UnitEvidence(
            kind=kinds.get(u, ""), leaders=leaders[u],
            quiz_accuracy=accuracy[u][1] if accuracy.get(u, (0, 0))[0] else None,
            satisfaction=survey[u][0] / survey[u][1] if survey[u][1] else None,
            overdue=overdue[u], found_by={g: (f, v) for g, (f, v) in found_by[u].items() if g},
        )
        for u in unit_ids
    }


def calibrate(date_from: str | None = None, date_to: str | None = None, order=None) -> Calibration:
    """The calibration of every group and member over the period (visit dates, inclusive);
    groups in the order the key ``order(name)`` gives (else in the order they were made)."""
    date_from = check.iso_date(date_from, "date_from", "起始日期", required=False)
    date_to = check.iso_date(date_to, "date_to", "截止日期", required=False)
    if date_from and date_to and date_to < date_from:
        raise ValidationError("截止日期不能早于起始日期。", field="date_to")
    obs, evidence, groups, members_of = observations(date_from, date_to)
    if order is not None:
        groups = sorted(groups, key=order)
    return estimate(obs, evidence, groups, members_of)


TABLE_HEADER = ("督导组", "成员", "评估次数", "单位数", "从宽程度", "区间下限", "区间上限", "“未发现/好”占比", "结论")


def verdict(est: Estimate) -> str:
    """The reading in words (never colour alone)."""
    if est.leniency is None:
        return "无评估记录" if not est.visits else "无从比较（至少需要两个督导组的评估）"
    if est.flagged:
        return "明显偏宽"
    if not est.enough_data:
        return f"数据不足（少于{MIN_VISITS}次评估或{MIN_UNITS}个单位）"
    if est.high is not None and est.high < -MARGIN:
        return "偏严"
    return "未见明显偏差"


def table_rows(result: Calibration | None = None) -> list[list]:
    """The calibration as plain rows (TABLE_HEADER), groups first each followed by its members —
    for a spreadsheet export."""
    result = result or calibrate()
    rows = []
    for g in result.groups:
        for est, member in ((g, "（全组）"), *((m, m.name) for m in result.member_rows(g.name))):
            rows.append([g.name, member, est.visits, est.units, est.leniency, est.low, est.high,
                         est.mildest_share, verdict(est)])
    return rows
