import copy
import json

import pytest

from supervisor_app import template
from supervisor_app.errors import ValidationError


def test_default_template_matches_domain():
    tpl = template.load_default()
    assert len(tpl.focus_items) == 4
    assert [t["name"] for t in tpl.tendencies][0] == "防止盲目自满情绪"
    assert len(tpl.tendencies) == 5
    assert tpl.category("思想认识存在偏差")["sub_kinds"] == ["盲目自满", "担心顾虑", "过关应付", "等待观望"]
    assert tpl.quiz_questions == 30
    assert tpl.scale("tendency") == ["未发现", "轻微", "较明显", "突出"]
    assert {i["name"] for i in tpl.evaluation_items("leader")} >= {"带头讲党课", "到社区报到"}
    assert "暗访督查" in tpl.methods


def _broken(mutate):
    content = copy.deepcopy(template.load_default().content)
    mutate(content)
    return content


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda c: c.pop("tendencies"), "tendencies"),
        (lambda c: c.__setitem__("version", "1"), "version"),
        (lambda c: c.__setitem__("version", 0), "version"),
        (lambda c: c["focus_items"][2].pop("name"), "focus_items[2].name"),
        (lambda c: c["focus_items"][0]["points"].__setitem__(1, ""), "focus_items[0].points[1]"),
        (lambda c: c["tendencies"][4].__setitem__("id", "T1"), "tendencies[4].id"),
        (lambda c: c["problem_categories"][3].__setitem__("sub_kinds", "x"), "problem_categories[3].sub_kinds"),
        (lambda c: c["scales"].__setitem__("focus", ["好", "好"]), "scales.focus"),
        (lambda c: c["evaluation_items"].pop("team"), "evaluation_items.team"),
        (lambda c: c["quiz"].__setitem__("default_questions", -3), "quiz.default_questions"),
    ],
)
def test_broken_template_names_the_field(mutate, field):
    with pytest.raises(ValidationError) as info:
        template.validate(_broken(mutate))
    assert info.value.field == field
    assert field in info.value.message


def test_load_file_reports_bad_json(tmp_path):
    path = tmp_path / "t.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ValidationError, match="不是有效的 JSON"):
        template.load_file(path)


def test_load_file_round_trip(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template.load_default().content, ensure_ascii=False), encoding="utf-8")
    assert template.load_file(path).id == template.load_default().id


def test_old_template_version_stays_readable(data_dir):
    from supervisor_app import assessments, campaigns
    from tests import factories

    unit = factories.county()
    visit = factories.visit(unit)
    first = assessments.save_assessment(visit, {"F1": {"rating": "好", "evidence": "笔记齐全"}}, {})
    old_version = first.template_version
    new_content = _broken(lambda c: (c.__setitem__("version", old_version + 1),
                                     c["scales"].__setitem__("focus", ["优", "良", "差"])))
    campaigns.create_campaign("第二阶段", "2099-01-01", template.validate(new_content))
    assert campaigns.active_template().version == old_version + 1
    tpl = campaigns.get_template(first.template_id, first.template_version)
    assert tpl.version == old_version and "好" in tpl.scale("focus")
    # re-scoring the old assessment still uses the version it was scored against
    again = assessments.save_assessment(visit, {"F1": {"rating": "较好", "evidence": "补充"}}, {})
    assert again.template_version == old_version
