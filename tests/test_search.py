from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supervisor_app import findings, search, visits
from tests import factories


def ids(query):
    return {r.id for r in visits.visit_rows(visits.VisitFilter(search=query), limit=1000)}


def test_tokens_are_overlapping_bigrams():
    assert search.tokens("四风问题，整改") == "四风 风问 问题 整改"
    assert search.tokens("党") == "党"
    assert search.match_expression("四风") == '"四风"'
    assert search.match_expression("四风 整改") == '"四风" AND "整改"'
    assert search.match_expression("党") is None
    assert search.match_expression("党 四风") == '"四风"'


def test_two_character_words_are_found(data_dir):
    unit = factories.county()
    a = factories.visit(unit, notes="群众反映四风问题突出，要求整改。")
    b = factories.visit(unit, notes="书记讲了专题党课。", people_met="王建国（党委书记）")
    assert ids("四风") == {a.id}
    assert ids("整改") == {a.id}
    assert ids("党课") == {b.id}
    assert ids("四风问题") == {a.id}
    assert ids("风问") == {a.id}
    assert ids("王建国") == {b.id}  # people met are searched too
    assert ids("问题党课") == set()
    assert ids("党") == {b.id}  # one character falls back to a scan
    assert ids("四风 整改") == {a.id}


def test_index_follows_every_write(data_dir):
    unit = factories.county()
    visit = factories.visit(unit, notes="学习笔记雷同")
    assert ids("雷同") == {visit.id}
    visits.update_visit(visit, notes="征求意见不充分")
    assert ids("雷同") == set()
    assert ids("征求意见") == {visit.id}
    finding = findings.create_finding(description="赶进度、一哄而上", category="有形式主义趋向", visit=visit)
    assert ids("一哄而上") == {visit.id}  # findings of the visit are searched
    findings.update_finding(finding, description="表面热、实际冷")
    assert ids("一哄而上") == set() and ids("实际冷") == {visit.id}
    findings.delete_finding(finding)
    assert ids("实际冷") == set()


def test_special_characters_do_not_break_the_query(data_dir):
    unit = factories.county()
    visit = factories.visit(unit, notes='引号"与 AND OR NOT * 100% 学习')
    other = factories.visit(unit, notes="普通记录")
    assert ids('"') == {visit.id}  # no letters: a plain substring scan
    assert ids("100%") == {visit.id}
    assert ids("%") == {visit.id}  # LIKE wildcards are escaped
    assert ids("_") == set()
    assert ids("AND") == {visit.id}
    assert ids("NOT *") == {visit.id}
    assert ids("普通") == {other.id}


alphabet = st.sampled_from(list("四风整改党课学习问题，。 a1"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(alphabet, min_size=0, max_size=12), min_size=1, max_size=5),
       query=st.text(alphabet, min_size=2, max_size=4))
def test_search_equals_substring_scan(data_dir, texts, query):
    """Search finds exactly the visits containing every run of letters of the query."""
    import re

    from supervisor_app.models import Visit, database

    with database.atomic() as txn:
        unit = factories.county("测试县")
        made = {factories.visit(unit, notes=text).id: text for text in texts}
        runs = re.findall(r"[^\W_]+", query.lower())
        if not query.strip():
            expected = set(made)  # a blank query filters nothing
        elif runs:
            expected = {vid for vid, text in made.items() if all(run in text.lower() for run in runs)}
        else:
            expected = {vid for vid, text in made.items() if query.strip() in text}
        assert ids(query) == expected
        txn.rollback()
    assert Visit.select().count() == 0


def test_snippet_shows_the_passage_around_the_word():
    from supervisor_app.search import snippet

    text = "第一行与此无关。\n" + "甲" * 40 + "发现四风问题突出，" + "乙" * 40 + "\n末行"
    before, hit, after = snippet(text, "四风", width=5)
    assert (before, hit, after) == ("…甲甲甲发现", "四风", "问题突出，…")  # … where text is left out
    assert snippet("开头就是整改", "整改") == ("开头就是", "整改", "")
    assert snippet("ABC de", "bc")[1] == "BC"  # found whatever the case, shown as written
    assert snippet("没有这个词", "四风") is None


def test_search_hits_carry_their_own_snippet(data_dir):
    from supervisor_app import search

    unit = factories.county()
    first = factories.visit(unit, notes="听取汇报。\n学习笔记照抄照搬现象普遍")
    second = factories.visit(unit, notes="座谈会上有人提出：干部照抄文件，缺少调研")
    cuts = search.snippets([first.id, second.id], "照抄")
    assert cuts[first.id] == ("…学习笔记", "照抄", "照搬现象普遍…")  # its own line, not the first
    assert cuts[second.id][1] == "照抄" and cuts[second.id][0].endswith("干部")
    assert cuts[first.id] != cuts[second.id]  # not the same opening line for every hit


def _fts_config():
    from supervisor_app.models import database

    return database.execute_sql("SELECT k, v FROM visit_fts_config ORDER BY k").fetchall()


def test_bulk_index_holds_more_in_memory_and_puts_the_stored_setting_back(data_dir):
    from supervisor_app.models import database

    unit = factories.county()
    before = _fts_config()
    with database.atomic():
        with search.bulk_index():
            assert dict(_fts_config())["hashsize"] == search.BULK_HASH_BYTES
            a = factories.visit(unit, notes="群众反映四风问题突出")
        assert _fts_config() == before  # the stored configuration is as it was, before the commit
    assert ids("四风") == {a.id}
    database.execute_sql("INSERT INTO visit_fts(visit_fts, rank) VALUES ('hashsize', 2097152)")  # set by hand
    with database.atomic(), search.bulk_index():
        pass
    assert dict(_fts_config())["hashsize"] == 2097152


def test_bulk_index_puts_the_setting_back_when_the_block_fails(data_dir):
    from supervisor_app.models import database

    before = _fts_config()
    try:
        with database.atomic(), search.bulk_index():
            raise KeyError("x")
    except KeyError:
        pass
    assert _fts_config() == before
    with database.atomic(), search.bulk_index():  # and no leftover: it sets and puts back again
        pass
    assert _fts_config() == before


def test_bulk_index_without_the_setting_indexes_as_usual(data_dir, monkeypatch):
    """An SQLite whose FTS5 does not know "hashsize" refuses to set it: the block runs as usual."""
    import peewee

    from supervisor_app.models import database

    unit = factories.county()
    real = database.obj.execute_sql

    def older(sql, *args, **kwargs):
        if sql.startswith("INSERT") and "'hashsize'" in sql:
            raise peewee.OperationalError("SQL logic error")
        return real(sql, *args, **kwargs)

    before = _fts_config()
    monkeypatch.setattr(database.obj, "execute_sql", older)
    with database.atomic(), search.bulk_index():
        a = factories.visit(unit, notes="查阅了党课记录")
    monkeypatch.undo()
    assert ids("党课") == {a.id} and _fts_config() == before
