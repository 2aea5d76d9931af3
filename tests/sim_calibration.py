"""Simulated supervision data for the calibration tests: units with a hidden quality that drives
both the evidence (quiz, survey, overdue rectifications, findings) and the ratings, groups that
rate as the evidence says — except those given a planted leniency."""

from __future__ import annotations

import math
import random

from supervisor_app.calibration import Observation, UnitEvidence

KINDS = ("县市区", "市直单位", "二级机构", "乡镇")
KIND_EFFECT = {"县市区": -0.3, "市直单位": 0.2, "二级机构": 0.4, "乡镇": 0.0}
ITEMS = 9  # five tendencies and four focus items


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate(seed: int, *, groups: int = 5, units_per_group: int = 8, visits_per_unit: int = 4,
             lenient: dict[str, float] | None = None, small_group: tuple[str, int, float] | None = None,
             lenient_members: dict[str, float] | None = None, overlap: float = 0.25):
    """(observations, evidence, group names, member → group).

    ``lenient`` adds log-odds of the mildest rating to named groups; ``small_group`` adds a group
    (name, visits, leniency) with few visits; ``lenient_members`` adds log-odds to visits a
    member is present at.
    """
    rng = random.Random(seed)
    lenient = lenient or {}
    lenient_members = lenient_members or {}
    names = [f"第{i + 1}组" for i in range(groups)]
    plan = [(g, units_per_group, visits_per_unit) for g in names]
    if small_group:
        plan.append((small_group[0], max(1, small_group[1] // 2), 2))
        lenient = {**lenient, small_group[0]: small_group[2]}
    evidence, quality, obs, members_of, owned = {}, {}, [], {}, {}
    for g, n_units, _ in plan:
        members = [f"{g}成员{j}" for j in range(1, 4)]
        for m in members:
            members_of[m] = g
        owned[g] = members
        for u in range(n_units):
            uid = f"{g}-单位{u}"
            kind = rng.choice(KINDS)
            q = rng.gauss(0, 1)
            quality[uid] = (q, kind)
            evidence[uid] = UnitEvidence(
                kind=kind, leaders=rng.randint(3, 12),
                quiz_accuracy=_sigmoid(0.4 + 0.8 * q + rng.gauss(0, 0.3)),
                satisfaction=_sigmoid(1.2 + 0.7 * q + rng.gauss(0, 0.3)),
                overdue=_poisson(rng, math.exp(0.2 - 0.6 * q)), found_by={})
    unit_ids = list(evidence)
    found: dict[str, dict[str, list[int]]] = {u: {} for u in unit_ids}
    visit_no = 0
    for g, _, visits in plan:
        own = [u for u in unit_ids if u.startswith(g + "-")]
        targets = [(u, visits) for u in own]
        if g != small_group[0] if small_group else True:
            others = [u for u in unit_ids if not u.startswith(g + "-") and not (small_group and u.startswith(small_group[0]))]
            targets += [(u, 1) for u in rng.sample(others, min(len(others), int(len(own) * overlap)))]
        for uid, count in targets:
            q, kind = quality[uid]
            unit_noise = rng.gauss(0, 0.3)
            for _ in range(count):
                visit_no += 1
                present = [owned[g][0]] + [m for m in owned[g][1:] if rng.random() < 0.5]
                n_found = _poisson(rng, math.exp(0.1 - 0.5 * q))
                eta = (-0.6 + 0.9 * q + KIND_EFFECT[kind] + unit_noise + rng.gauss(0, 0.3) + lenient.get(g, 0.0)
                       - 0.3 * n_found + sum(lenient_members.get(m, 0.0) for m in present))
                p = _sigmoid(eta)
                mild = sum(rng.random() < p for _ in range(ITEMS))
                obs.append(Observation(f"v{visit_no}", uid, g, tuple(sorted(present)), ITEMS, mild, n_found))
                f, v = found[uid].get(g, [0, 0])
                found[uid][g] = [f + n_found, v + 1]
    for uid in unit_ids:
        ev = evidence[uid]
        evidence[uid] = UnitEvidence(ev.kind, ev.leaders, ev.quiz_accuracy, ev.satisfaction, ev.overdue,
                                     {g: tuple(fv) for g, fv in found[uid].items()})
    return obs, evidence, [g for g, _, _ in plan], members_of
