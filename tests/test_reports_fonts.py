"""Faces for the PDFs (setting → the machine's faces by role → the shipped faces), the shipped
font files themselves, and Chinese line breaking tested against its rules."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import reportlab
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_app import installation
from supervisor_app.reports import fonts
from supervisor_app.reports.cjk import CANNOT_END, CANNOT_START, break_lines

SHIPPED = fonts.shipped_dir()


@pytest.fixture(scope="module", autouse=True)
def shipped_faces_only():
    fonts.configure(use_system=False)
    yield
    fonts.configure(use_system=True)


@pytest.fixture
def shipped() -> fonts.FontSet:
    fonts.reset()
    return fonts.font_set()


# --- the shipped files ---------------------------------------------------------------------------


def test_shipped_faces_are_static_truetype_made_at_build_time():
    from fontTools.ttLib import TTFont

    manifest = json.loads((SHIPPED / "FONTS.json").read_text(encoding="utf-8"))
    expected = {*fonts.SHIPPED.values(), fonts.FALLBACK, *fonts.WINDOW_FACES.values()}
    assert set(manifest["outputs"]) == expected
    total = 0
    for name, digest in manifest["outputs"].items():
        data = (SHIPPED / name).read_bytes()
        total += len(data)
        assert hashlib.sha256(data).hexdigest() == digest, name  # the files are what the script made
        font = TTFont(SHIPPED / name)
        assert "glyf" in font and "fvar" not in font and "CFF " not in font, name
    assert total < 40 * 1024 * 1024
    assert TTFont(SHIPPED / "NotoSansSC-Regular.ttf")["OS/2"].usWeightClass == 400
    assert TTFont(SHIPPED / "NotoSansSC-Bold.ttf")["OS/2"].usWeightClass == 700
    assert (SHIPPED / "LICENSE-Fandol-GPL-3.0.txt").is_file() and (SHIPPED / "LICENSE-NotoSansSC-OFL-1.1.txt").is_file()


def test_the_document_faces_cover_gb2312_and_the_fallback_covers_rare_names():
    from fontTools.ttLib import TTFont

    gb2312 = set()
    for high in range(0xB0, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                gb2312.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) == 6763
    for name in fonts.SHIPPED.values():
        assert gb2312 <= set(TTFont(SHIPPED / name).getBestCmap()), name
    fallback = set(TTFont(SHIPPED / fonts.FALLBACK).getBestCmap())
    assert {ord(c) for c in "堃喆赟昉䶮犇"} <= fallback and len(fallback) > 25000


# --- resolution ------------------------------------------------------------------------------------


def test_faces_by_role_without_system_fonts(shipped):
    assert {role: face.path.name for role, face in shipped.faces.items()} == fonts.SHIPPED
    assert all(face.origin == "shipped" for face in shipped.faces.values())
    notice = shipped.notice()
    assert notice and "仿宋、小标宋、黑体、楷体、宋体" in notice


def test_no_runtime_instancing_or_cache(shipped, data_dir):
    assert not (data_dir / "fonts").exists()
    assert not hasattr(fonts, "make_faces")


def test_the_setting_comes_first_and_a_bad_one_falls_back(data_dir, shipped):
    chosen = shipped.faces["kai"].path
    installation.set_setting(fonts.SETTING_KEY, str(chosen))
    from_setting = fonts.font_set()
    assert from_setting.origin == "setting"
    assert {face.path for face in from_setting.faces.values()} == {chosen}
    assert from_setting.notice() is None
    installation.set_setting(fonts.SETTING_KEY, str(data_dir / "missing.ttf"))
    fallback = fonts.font_set()
    assert fallback.origin == "shipped" and fallback.warnings
    latin = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    installation.set_setting(fonts.SETTING_KEY, str(latin))
    assert fonts.font_set().origin == "shipped"  # a face without Chinese is not taken
    installation.set_setting(fonts.SETTING_KEY, None)


FC_LIST = """\
/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc\t0\tNoto Serif CJK SC\tCFF\tFalse
/usr/share/fonts/truetype/arphic/ukai.ttc\t0\tAR PL UKai CN\tTrueType\tFalse
/usr/share/fonts/truetype/wqy/wqy-microhei.ttc\t1\tWenQuanYi Micro Hei Mono\tTrueType\tFalse
/usr/share/fonts/truetype/noto/NotoSansSC[wght].ttf\t0\tNoto Sans SC\tTrueType\tTrue
broken line
"""


def test_fc_list_keeps_truetype_outlines_only():
    found = fonts.parse_fc_list(FC_LIST)
    assert [(c.path.name, c.index) for c in found] == [("ukai.ttc", 0), ("wqy-microhei.ttc", 1)]


def test_machine_faces_serve_only_their_own_role(shipped):
    kai, hei, song = (SHIPPED / fonts.SHIPPED[r] for r in ("kai", "heading", "number"))
    latin = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    candidates = [
        fonts.Candidate(latin, 0, "Bitstream Vera Sans"),  # claims Chinese, has none: skipped
        fonts.Candidate(kai, 0, "AR PL UKai CN"),
        fonts.Candidate(hei, 0, "WenQuanYi Zen Hei"),
    ]
    faces = fonts._fontconfig_faces(candidates)
    assert faces["kai"].path == kai and faces["heading"].path == hei
    assert "body" not in faces and "title" not in faces  # a 楷体 is no 仿宋: the shipped 仿宋 serves
    assert all(face.origin == "system" for face in faces.values())
    # UOS/Kylin's 方正 faces by their family names; a 宋体 stands in for 小标宋, drawn bold
    faces = fonts._fontconfig_faces([fonts.Candidate(song, 0, "方正书宋_GBK"), fonts.Candidate(kai, 0, "方正楷体_GBK")])
    assert faces["number"].path == song and faces["title"].path == song and faces["title"].fake_bold
    assert not faces["number"].fake_bold and faces["kai"].path == kai
    faces = fonts._fontconfig_faces([fonts.Candidate(kai, 0, "方正小标宋_GBK"), fonts.Candidate(hei, 0, "FZFangSong-Z02")])
    assert faces["title"].path == kai and not faces["title"].fake_bold and faces["body"].path == hei


def test_characters_outside_the_faces_get_the_fallback_face(shipped):
    runs = shipped.runs("王堃同志", "body")
    assert [(text, face.path.name) for text, face in runs] == [
        ("王", "FandolFang-Regular.ttf"), ("堃", "NotoSansSC-Regular.ttf"), ("同志", "FandolFang-Regular.ttf")]
    assert shipped.markup("督导组<到>临江县", "body") == "督导组&lt;到&gt;临江县"
    assert "（堃）" in shipped.notice("堃")


# --- line breaking, against the rules ------------------------------------------------------------

UNITS = "个分年月日人次项%"
CJK = "督导组发现问题整改落实已核实销号轻微群众意见"
ALPHABET = CJK * 3 + "，。、；：？！（）《》“”" + "0123456789" * 2 + UNITS + "PQTabc" + " " + "—…" + ".-"


def allowed(before: str, after: str) -> bool:
    """The rules, stated here on their own: where a line may end between two characters."""
    if before == " " or after == " ":
        return True
    if after in CANNOT_START or before in CANNOT_END:
        return False
    latin = set("abcPQT0123456789.-%")
    if before in latin and after in latin:
        return False  # a Latin word, a number (3.5, 12%)
    if before.isdigit() and after in UNITS:
        return False  # a number with its unit
    if before in "年月" and after.isdigit():
        return False  # a date
    return not (before == after and before in "—…")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=120), st.integers(min_value=4, max_value=24))
def test_line_breaking_keeps_every_rule(text, width):
    advances = [0.5 if c.isascii() else 1.0 for c in text]
    lines = break_lines(text, advances, [width])
    assert "".join(text[a:b] for a, b in lines).replace(" ", "") == text.replace(" ", "")
    for (start, end), following in zip(lines, [*lines[1:], None], strict=True):
        assert sum(advances[start:end]) <= width + 1e-6 or end - start == 1
        if following is None:
            continue
        position = following[0]
        before, after = text[position - 1], text[position]
        if allowed(before, after):
            continue
        # a rule may give way only where the line holds no allowed place at all (a word longer than a line)
        assert not any(allowed(text[i - 1], text[i]) for i in range(start + 1, position)), (text, width, lines)


@pytest.mark.parametrize("text", ["已核实销号0个", "轻微1分", "问题5个", "（如 PPT、QQ群）", "2014年6月17日"])
def test_the_breaks_of_the_issue_do_not_happen(text):
    prefix = "督" * 7
    whole = prefix + text
    for width in range(8, len(whole) + 1):
        lines = break_lines(whole, [0.5 if c.isascii() else 1.0 for c in whole], [width])
        for start, _end in lines[1:]:
            assert allowed(whole[start - 1], whole[start]), (whole, width, lines)


# --- words kept whole ---------------------------------------------------------------------------

WORDS = ["趋向", "红星村", "新港镇", "临江县", "形式主义", "整改台账", "王建国", "征求意见", "两张皮", "督导组",
         "教育实践活动", "落实"]
GLUE = ["", "", "", "，", "。", "、", "的", "和"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GLUE)), min_size=1, max_size=30),
       st.integers(min_value=2, max_value=16))
def test_no_line_breaks_inside_a_word_shorter_than_the_line(pieces, width):
    from supervisor_app.reports.words import Lexicon

    text = "".join(word + glue for word, glue in pieces)
    lexicon = Lexicon(WORDS)
    spans = lexicon.spans(text)
    advances = [1.0] * len(text)
    lines = break_lines(text, advances, [width], inside=lexicon.inside(text))
    assert "".join(text[a:b] for a, b in lines) == text
    for _, following in zip(lines, lines[1:], strict=False):
        position = following[0]
        for start, end in spans:
            if start < position < end:
                # a break inside this word only when it is longer than a line — with the marks
                # that may not be parted from it (a ， after it cannot start the next line)
                while end < len(text) and text[end] in CANNOT_START:
                    end += 1
                assert end - start > width, (text, width, [text[a:b] for a, b in lines])


def test_names_and_terms_stay_whole_in_a_narrow_cell():
    from supervisor_app.reports.words import COMMON, Lexicon

    lexicon = Lexicon([*COMMON, "临江县", "新港镇", "红星村"])
    text = "临江县新港镇红星村有形式主义趋向，调研报告质量不高"
    for width in range(5, 12):
        lines = break_lines(text, [1.0] * len(text), [width], inside=lexicon.inside(text))
        parts = [text[a:b] for a, b in lines]
        for word in ("临江县", "新港镇", "红星村", "形式主义", "趋向", "调研报告"):
            assert any(word in part for part in parts), (width, parts)


def test_a_word_kept_whole_never_spreads_a_line_past_the_gap_limit():
    """With the grid's limit, a line is not left so short that its gaps would pass it: the word
    is broken instead (as the rules allow)."""
    from supervisor_app.reports.words import Lexicon

    text = "建立整改台账，每周报送进展"
    lexicon = Lexicon(["整改台账", "报送", "进展"])
    kept = break_lines(text, [1.0] * len(text), [6], inside=lexicon.inside(text))
    assert [text[a:b] for a, b in kept][0] == "建立"  # unlimited: the word whole, the line spread
    limited = break_lines(text, [1.0] * len(text), [6], inside=lexicon.inside(text), max_gap=0.25)
    for start, end in limited[:-1]:
        assert (6 - (end - start)) / max(end - start - 1, 1) <= 0.25, [text[a:b] for a, b in limited]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=CJK + "，。、", min_size=4, max_size=60), st.integers(min_value=4, max_value=12))
def test_a_paragraphs_last_line_holds_three_characters_where_the_rules_allow(text, width):
    lines = break_lines(text, [1.0] * len(text), [width], min_chars=3)
    assert "".join(text[a:b] for a, b in lines) == text
    assert all(b - a <= width for a, b in lines)
    if len(lines) > 1 and lines[-1][1] - lines[-1][0] < 3:
        start = lines[-2][0]
        # only where no allowed break leaves three characters on both lines
        assert not any(allowed(text[i - 1], text[i]) and i - start >= 3 and len(text) - i >= 3
                       and len(text) - i <= width for i in range(start + 1, len(text)))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=CJK * 2 + "，。、；）”", min_size=1, max_size=120), st.integers(min_value=6, max_value=28))
def test_closing_marks_squeezed_only_to_keep_a_mark_on_its_line(text, width):
    """With squeezing, a line may be wider than its width only by ending in a closing mark that
    may not start the next line, the room taken from the marks before it (half of each at most);
    the line's last character keeps its whole cell."""
    from supervisor_app.reports.cjk import SQUEEZABLE, squeezed

    advances = [1.0] * len(text)
    lines = break_lines(text, advances, [width], squeeze=0.5)
    assert "".join(text[a:b] for a, b in lines) == text
    for start, end in lines:
        over = (end - start) - width
        if over <= 0:
            continue
        assert over == 1 and text[end - 1] in SQUEEZABLE, (text, width, text[start:end])
        assert 0.5 * sum(1 for c in text[start:end - 1] if c in SQUEEZABLE) >= 1
        cut = squeezed(text, advances, start, end, width)
        assert sum(cut) == pytest.approx(width) and cut[-1] == 1.0 and min(cut) >= 0.5


def test_a_mark_ends_the_line_instead_of_pulling_a_character_down():
    text = "督导组到基层，听取意见，查阅资料，发现问题，督促整改。"  # a comma falls at the 28th cell + 1
    plain = break_lines(text, [1.0] * len(text), [21])
    squeezing = break_lines(text, [1.0] * len(text), [21], squeeze=0.5)
    assert text[slice(*plain[0])] == "督导组到基层，听取意见，查阅资料，发现问"  # 问 pulled down: 20
    assert text[slice(*squeezing[0])] == "督导组到基层，听取意见，查阅资料，发现问题，"  # 22 in 21 cells
