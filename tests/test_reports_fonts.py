"""Font resolution for the PDFs (setting → machine's faces → bundled Noto) and Chinese line breaking."""

from __future__ import annotations

from pathlib import Path

import pytest
import reportlab
from reportlab.lib.styles import ParagraphStyle

from supervisor_app import installation
from supervisor_app.reports import fonts
from supervisor_app.reports.cjk import CANNOT_END, CANNOT_START, UNIT_AFTER_DIGIT, CJKParagraph


@pytest.fixture(scope="session", autouse=True)
def report_fonts(tmp_path_factory):
    """The same session folder as test_reports.py: the faces are made once per run."""
    fonts.configure(cache_dir=tmp_path_factory.getbasetemp() / "report-fonts", use_system=False)
    yield
    fonts.configure(cache_dir=None, use_system=True)


@pytest.fixture
def bundled() -> fonts.FontSet:
    fonts.reset()
    return fonts.font_set()


def test_bundled_faces_are_static_instances_made_once(bundled):
    from fontTools.ttLib import TTFont

    assert bundled.origin == "bundled"
    regular, bold = bundled.faces["body"].path, bundled.faces["heading"].path
    assert TTFont(regular)["OS/2"].usWeightClass == 400 and "fvar" not in TTFont(regular)
    assert TTFont(bold)["OS/2"].usWeightClass == 700
    stamps = [p.stat().st_mtime_ns for p in (regular, bold)]
    fonts.reset()
    again = fonts.font_set()
    assert [again.faces["body"].path, again.faces["heading"].path] == [regular, bold]
    assert [p.stat().st_mtime_ns for p in (regular, bold)] == stamps
    assert not list(regular.parent.glob(".*.tmp"))


def test_the_setting_comes_first_and_a_bad_one_falls_back(data_dir, bundled):
    chosen = bundled.faces["body"].path
    installation.set_setting(fonts.SETTING_KEY, str(chosen))
    from_setting = fonts.font_set()
    assert from_setting.origin == "setting"
    assert {face.path for face in from_setting.faces.values()} == {chosen}
    installation.set_setting(fonts.SETTING_KEY, str(data_dir / "missing.ttf"))
    fallback = fonts.font_set()
    assert fallback.origin == "bundled" and fallback.warnings
    latin = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    installation.set_setting(fonts.SETTING_KEY, str(latin))
    assert fonts.font_set().origin == "bundled"  # a face without Chinese is not taken
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


def test_machine_faces_are_matched_to_roles(bundled):
    regular, bold = bundled.faces["body"].path, bundled.faces["heading"].path
    latin = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
    candidates = [
        fonts.Candidate(latin, 0, "Bitstream Vera Sans"),  # claims Chinese, has none: skipped
        fonts.Candidate(regular, 0, "AR PL UKai CN"),
        fonts.Candidate(bold, 0, "WenQuanYi Zen Hei"),
    ]
    faces = fonts._fontconfig_faces(candidates)
    assert faces["kai"].path == regular and faces["heading"].path == bold
    assert faces["body"].path == regular  # no 仿宋 or 宋体: the 楷体 face is the closest
    assert all(face.origin == "system" for face in faces.values())
    assert fonts._fontconfig_faces([fonts.Candidate(latin, 0, "DejaVu Sans")]) == {}


def test_characters_outside_the_faces_get_a_fallback_face(bundled):
    plain = bundled.markup("督导组<到>临江县", "body")
    assert plain == "督导组&lt;到&gt;临江县"
    rare = bundled.markup("王堃同志", "body")
    assert rare.startswith("王<font name=") and rare.endswith(">堃</font>同志")
    assert bundled.markup("王堃同志", "title") != rare  # the bold fallback for headings


def test_chinese_line_breaking_rules():
    fonts.reset()
    face = fonts.font_set().faces["body"].name
    style = ParagraphStyle("t", fontName=face, fontSize=10, leading=12, wordWrap="CJK")

    def lines(text, width_chars):
        para = CJKParagraph(text, style)
        para.wrap(width_chars * 10 + 0.01, 1000)
        return ["".join(w.text for w in line.words) for line in para.blPara.lines]

    text = "一二三四五六七八九，十一二三四五。“引号”（括号）2014年6月17日完成"
    for width in range(4, 12):
        got = lines(text, width)
        assert "".join(got) == text
        assert all(line[0] not in CANNOT_START for line in got[1:]), got
        assert all(line[-1] not in CANNOT_END for line in got[:-1]), got
        assert not any(a[-1].isdigit() and (b[0].isdigit() or b[0] in UNIT_AFTER_DIGIT)
                       for a, b in zip(got, got[1:], strict=False)), got
    assert lines("一" * 9 + "，二", 9) == ["一" * 8, "一，二"]  # the comma pulls a character down
    assert lines("x" * 30, 10)  # a word longer than the line is still cut
