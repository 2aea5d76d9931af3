import json

import pytest

from supervisor_app import cli, evaluations, store
from supervisor_app.demo import DEMO_PASSPHRASE


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo_dir(capsys, isolated_data, tmp_path):
    run(capsys, "init", "--group", "市委第一督导组", "--member", "张三")
    run(capsys, "demo")
    return isolated_data


def _draft_of_my_group(demo_dir):
    """A ready-to-sign draft evaluation of the current group (张三's)."""
    from supervisor_app import units

    store.open_data_dir(demo_dir)
    leader = units.list_leaders(top_only=True)[0]
    record = evaluations.create_evaluation("leader", "2014-01-01", "2099-12-31", leader=leader)
    evaluations.add_fact(record, "2014-04-08", "带头讲专题党课。")
    evaluations.update_evaluation(record, overall_rating="较好", narrative="示范作用较好。")
    store.close()
    return record.id


def test_evaluation_list_json(capsys, demo_dir):
    code, out, _ = run(capsys, "evaluation", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and {"id", "subject", "status"} <= set(rows[0])
    assert {r["status"] for r in rows} == {"draft", "signed", "amended"}


def test_suggest_sign_and_amend(capsys, demo_dir, tmp_path):
    record_id = _draft_of_my_group(demo_dir)
    code, out, _ = run(capsys, "evaluation", "suggest", "--id", record_id)
    assert code == 0 and "建议" in out
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n", encoding="utf-8")
    code, _, err = run(capsys, "evaluation", "sign", "--id", record_id, "--passphrase-file", str(wrong))
    assert code == 2 and "口令不正确" in err
    right = tmp_path / "right.txt"
    right.write_text(DEMO_PASSPHRASE + "\n", encoding="utf-8")
    code, out, err = run(capsys, "evaluation", "sign", "--id", record_id, "--passphrase-file", str(right))
    assert code == 0, err
    code, _, err = run(capsys, "evaluation", "sign", "--id", record_id, "--passphrase-file", str(right))
    assert code == 2 and "已由组长签署" in err
    code, _, err = run(capsys, "evaluation", "amend", "--id", record_id, "--reason", "复核", "--item", "L2")
    assert code == 2 and "--item" in err
    code, _, err = run(capsys, "evaluation", "amend", "--id", record_id, "--reason", "复核", "--overall", "优秀",
                       "--passphrase-file", str(right))
    assert code == 2 and "更正后的评价必须是以下之一" in err  # the rule the window and an import pass
    refused = next(r for r in json.loads(run(capsys, "evaluation", "list", "--json")[1]) if r["id"] == record_id)
    assert (refused["status"], refused["amended"]) == ("signed", [])  # nothing was written
    code, out, _ = run(capsys, "evaluation", "amend", "--id", record_id, "--reason", "复核后调整", "--overall", "好",
                          "--passphrase-file", str(right))
    assert code == 0 and "总体评价现为“好”" in out
    code, out, _ = run(capsys, "evaluation", "list", "--json")
    row = next(r for r in json.loads(out) if r["id"] == record_id)
    assert (row["status"], row["overall_rating"], row["amended"]) == ("amended", "好", ["总体评价"])
    code, out, _ = run(capsys, "evaluation", "list")
    assert "好（已更正：总体评价）" in out
    assert run(capsys, "check")[0] == 0


def test_non_leader_cannot_sign(capsys, demo_dir, tmp_path):
    record_id = _draft_of_my_group(demo_dir)
    run(capsys, "init", "--group", "市委第一督导组", "--member", "李四")  # another member at the same laptop
    right = tmp_path / "right.txt"
    right.write_text(DEMO_PASSPHRASE, encoding="utf-8")
    code, _, err = run(capsys, "evaluation", "sign", "--id", record_id, "--passphrase-file", str(right))
    assert code == 2 and "不是组长" in err


def test_similarity_warning(data_dir):
    from supervisor_app import units

    unit = units.create_unit("临江县", "县市区")
    a = units.create_leader("王建国", "县委书记", unit, is_top_leader=True)
    b = units.create_leader("李明", "县长", unit)
    text = "该同志认真履行第一责任人职责，带头学习、带头征求意见、带头查摆问题，示范作用较好。"
    first = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=a)
    evaluations.update_evaluation(first, narrative=text)
    second = evaluations.create_evaluation("leader", "2014-04-01", "2014-06-30", leader=b)
    assert evaluations.similarity_warning(second, text.replace("较好", "很好")) is not None
    assert "王建国" in evaluations.similarity_warning(second, text)
    assert evaluations.similarity_warning(second, "该同志联系点工作扎实，多次到社区报到，听取群众意见并及时整改。") is None
