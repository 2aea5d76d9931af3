"""Faces of the official documents, by role (GB/T 9704): resolved once per process.

| role      | what it sets                 | official face | shipped substitute        |
| --------- | ---------------------------- | ------------- | ------------------------- |
| title     | the document's title         | 方正小标宋     | FandolSong-Bold (宋体 bold) |
| body      | body text, tables            | 仿宋           | FandolFang-Regular        |
| heading   | 一、 headings, table headers   | 黑体           | FandolHei-Regular         |
| kai       | （一） headings, subtitles     | 楷体           | FandolKai-Regular         |
| number    | page numbers                 | 宋体           | FandolSong-Regular        |

Order: the font file chosen in settings (``report_font``: every role); the machine's own face
for the role (Windows simfang/simsun/simhei/simkai and 方正 faces; elsewhere — UOS, Kylin —
fontconfig's CJK TrueType faces whose family names the role's style, such as 方正仿宋_GBK);
then the faces shipped in ``resources/fonts/`` (made once, when the package is built, by
``packaging/fonts/make_fonts.py``; nothing is made at run time). Where the title has only a
regular 宋体 on the machine, it is drawn bold (stroked).

The shipped Fandol faces cover GB 2312; a character that a role's face lacks (a rare name) is
set in the shipped Noto Sans SC Regular, which covers some 30 000. ``FontSet.notice`` is the
one line the window and the CLI show when a document was set in substitutes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

ROLES = ("body", "title", "heading", "kai", "number")
ROLE_LABELS = {
    "body": "正文（仿宋）", "title": "标题（小标宋）", "heading": "一级标题（黑体）", "kai": "二级标题（楷体）",
    "number": "页码（宋体）",
}
ROLE_FACE_NAMES = {"body": "仿宋", "title": "小标宋", "heading": "黑体", "kai": "楷体", "number": "宋体"}
SHIPPED = {
    "body": "FandolFang-Regular.ttf",
    "title": "FandolSong-Bold.ttf",
    "heading": "FandolHei-Regular.ttf",
    "kai": "FandolKai-Regular.ttf",
    "number": "FandolSong-Regular.ttf",
}
FALLBACK = "NotoSansSC-Regular.ttf"  # for characters a role's face lacks
WINDOW_FACES = {"Regular": "NotoSansSC-Regular.ttf", "Bold": "NotoSansSC-Bold.ttf"}

SETTING_KEY = "report_font"
SAMPLE = "督导纪实整改"  # a CJK face must cover these to be taken for Chinese text

WINDOWS_FACES = {
    "body": ("simfang.ttf", "FZFSK.TTF", "FZFSJW.TTF", "STFANGSO.TTF"),
    "title": ("FZXBSJW.TTF", "FZXBSK.TTF", "方正小标宋简体.ttf", "方正小标宋_GBK.ttf"),
    "heading": ("simhei.ttf", "FZHTK.TTF", "FZHTJW.TTF"),
    "kai": ("simkai.ttf", "FZKTK.TTF", "FZKTJW.TTF", "STKAITI.TTF"),
    "number": ("simsun.ttc", "FZSSK.TTF", "FZSSJW.TTF", "STSONG.TTF"),
}
WINDOWS_TITLE_BOLD_SONG = ("simsun.ttc", "FZSSK.TTF", "STSONG.TTF")  # 宋体, to be drawn bold
# Family-name hints per style for faces found through fontconfig.
STYLE_HINTS = {
    "xiaobiaosong": ("小标宋", "xiaobiaosong", "xbsong"),
    "fangsong": ("仿宋", "fangsong", "fang song", "fzfs"),
    "kai": ("楷", "kai"),
    "hei": ("黑", "hei"),
    "song": ("宋", "song", "ming", "明"),
}
ROLE_STYLE = {"body": "fangsong", "title": "xiaobiaosong", "heading": "hei", "kai": "kai", "number": "song"}


class FontError(Exception):
    """A font could not be used (the caller falls back to the next source)."""


@dataclass(frozen=True)
class Face:
    """One registered reportlab font."""

    name: str  # the reportlab font name
    path: Path
    origin: str  # setting | system | shipped
    index: int = 0  # sub-font of a .ttc
    fake_bold: bool = False  # a regular 宋体 standing in for the bold title: drawn stroked

    def covers(self, char: str) -> bool:
        return ord(char) in _cmap(self.name)


@lru_cache(maxsize=64)
def _cmap(font_name: str) -> dict[int, int]:
    """The character map of a registered font (looked up once: every character asks)."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(font_name).face.charToGlyph


@dataclass
class FontSet:
    """The faces of the roles, and the face for characters they lack."""

    faces: dict[str, Face]
    fallback: Face
    warnings: list[str] = field(default_factory=list)

    def font(self, role: str) -> str:
        return self.faces[role].name

    @property
    def origin(self) -> str:
        """Where the body face came from: setting | system | shipped."""
        return self.faces["body"].origin

    def describe(self) -> list[str]:
        """One line per role: which file serves it (for the window's settings page)."""
        return [f"{ROLE_LABELS[r]}：{self.faces[r].path.name}（{self.faces[r].origin}）" for r in ROLES]

    def substitutes(self) -> list[str]:
        """The roles (by their official face's name) served by a shipped substitute."""
        return [ROLE_FACE_NAMES[r] for r in ROLES if self.faces[r].origin == "shipped"]

    def notice(self, fell_back: Iterable[str] = ()) -> str | None:
        """One line for the user when a document was set in substitutes, else None."""
        parts = []
        missing = self.substitutes()
        if missing:
            parts.append(f"本机未安装公文字体（{'、'.join(missing)}），文书中改用随程序提供的替代字体（Fandol）")
        rare = "".join(sorted(set(fell_back)))
        if rare:
            shown = rare if len(rare) <= 8 else rare[:8] + "…"
            parts.append(f"字体中没有的字（{shown}）以思源黑体（Noto Sans SC）印出")
        return "；".join(parts) + "。" if parts else None

    def covers_all(self, text: str, role: str = "body") -> bool:
        """Whether the role's own face has every character of ``text``."""
        cmap = _cmap(self.faces[role].name)
        return all(ord(c) in cmap or c.isspace() for c in text)

    def runs(self, text: str, role: str = "body") -> list[tuple[str, Face]]:
        """``text`` cut into runs of one face each: the role's face, and the fallback face for
        characters it lacks."""
        text = "" if text is None else str(text)
        primary = self.faces[role]
        out: list[tuple[str, Face]] = []
        run, run_face = "", primary
        for char in text:
            if char.isspace() or primary.covers(char):
                face = primary if not char.isspace() else run_face
            else:
                face = self.fallback
            if face is not run_face and run:
                out.append((run, run_face))
                run = ""
            run_face = face
            run += char
        if run:
            out.append((run, run_face))
        return out

    def markup(self, text: str, role: str = "body") -> str:
        """reportlab Paragraph markup for plain ``text`` (escaped; fallback runs in <font>)."""
        primary = self.faces[role].name
        return "".join(
            escape(run) if face.name == primary else f'<font name="{face.name}">{escape(run)}</font>'
            for run, face in self.runs(text, role)
        )


# --- process-wide state ----------------------------------------------------------------------------

_lock = threading.RLock()
_use_system = True
_resolved: dict[tuple, FontSet] = {}
_registered: dict[str, Face] = {}


def configure(*, use_system: bool | None = None) -> None:
    """Skip the machine's faces (tests: the documents as on a machine with no Chinese fonts)."""
    global _use_system
    with _lock:
        if use_system is not None:
            _use_system = use_system
        _resolved.clear()


def reset() -> None:
    """Forget what was resolved (after the font setting changes); registered fonts stay."""
    with _lock:
        _resolved.clear()


def shipped_dir() -> Path:
    """The folder of the fonts that ship with the program (``resources/fonts``)."""
    from importlib import resources

    # One part per joinpath: a frozen build's MultiplexedPath takes a single argument.
    return Path(str(resources.files("resources").joinpath("fonts")))


def shipped_path(filename: str) -> Path:
    path = shipped_dir() / filename
    if not path.is_file():
        raise FontError(f"找不到随程序提供的字体 {path}；请重新安装本程序")
    return path


def _setting_value() -> str | None:
    try:
        from ..installation import get_setting

        value = get_setting(SETTING_KEY)
    except Exception:  # no database open (a benchmark, a bare render): no setting then
        return None
    return value.strip() if value and value.strip() else None


def font_set() -> FontSet:
    """The faces to print with, resolved once per process (again when the setting changes)."""
    setting = _setting_value()
    key = (setting, _use_system)
    with _lock:
        found = _resolved.get(key)
        if found is None:
            found = _resolve(setting)
            _resolved[key] = found
        return found


def prepare() -> FontSet:
    """Resolve now, so that the first document is quick."""
    return font_set()


def _resolve(setting: str | None) -> FontSet:
    warnings: list[str] = []
    faces: dict[str, Face] = {}
    if setting:
        try:
            face = _register(Path(setting).expanduser(), "setting")
            faces = dict.fromkeys(ROLES, face)
        except FontError as exc:
            warnings.append(f"设置的报表字体不可用，已改用其他字体：{exc}")
    if not faces and _use_system:
        faces = _system_faces()
    for role in ROLES:
        if role not in faces:
            faces[role] = _register(shipped_path(SHIPPED[role]), "shipped")
    fallback = _register(shipped_path(FALLBACK), "shipped")
    return FontSet(faces, fallback, warnings)


def _register(path: Path, origin: str, index: int = 0, *, fake_bold: bool = False) -> Face:
    """Register a TrueType file with reportlab (once) after checking it can serve Chinese."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = path.resolve() if path.exists() else path
    digest = hashlib.sha1(f"{path}#{index}".encode()).hexdigest()[:10]
    name = f"Supv-{path.stem[:24]}-{digest}"
    with _lock:
        known = _registered.get(name)
        if known is not None:
            return replace(known, origin=origin, fake_bold=fake_bold)
        if not path.is_file():
            raise FontError(f"找不到字体文件 {path}")
        try:
            font = TTFont(name, str(path), subfontIndex=index)
        except (TTFError, OSError, ValueError, KeyError, IndexError) as exc:
            raise FontError(f"{path.name} 不是可嵌入的 TrueType 字体（{exc}）") from exc
        if not all(ord(c) in font.face.charToGlyph for c in SAMPLE):
            raise FontError(f"{path.name} 不含中文字形")
        pdfmetrics.registerFont(font)
        face = Face(name, path, origin, index)
        _registered[name] = face
        return replace(face, fake_bold=fake_bold)


@lru_cache(maxsize=32)
def glyph_ink(path: Path, index: int, char: str) -> tuple[float, float] | None:
    """The ink's bottom and top of ``char`` in ``path``, in em (None when not found)."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
        name = font.getBestCmap().get(ord(char))
        glyph = font["glyf"][name] if name and "glyf" in font else None
        if glyph is None or not hasattr(glyph, "yMin"):
            return None
        em = font["head"].unitsPerEm
        return glyph.yMin / em, glyph.yMax / em
    except Exception:  # any odd font: the caller uses a typical value
        return None


# --- the machine's faces ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    path: Path
    index: int
    family: str


def _windows_faces() -> dict[str, Face]:
    folders = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
    if os.environ.get("LOCALAPPDATA"):  # fonts installed for one user only (e.g. 方正小标宋)
        folders.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")

    def first(files, **kwargs) -> Face | None:
        for filename in files:
            for folder in folders:
                try:
                    return _register(folder / filename, "system", **kwargs)
                except FontError:
                    continue
        return None

    faces: dict[str, Face] = {}
    for role, files in WINDOWS_FACES.items():
        face = first(files)
        if face is None and role == "title":
            face = first(WINDOWS_TITLE_BOLD_SONG, fake_bold=True)
        if face is not None:
            faces[role] = face
    return faces


def fontconfig_candidates() -> list[Candidate]:
    """CJK fonts with TrueType outlines that fontconfig knows (empty when fc-list is absent)."""
    try:
        out = subprocess.run(
            ["fc-list", "-f", "%{file}\\t%{index}\\t%{family}\\t%{fontformat}\\t%{variable}\\n", ":lang=zh-cn"],
            capture_output=True, text=True, timeout=20, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_fc_list(out)


def parse_fc_list(output: str) -> list[Candidate]:
    """Keep the TrueType, non-variable entries of ``fc-list`` output (file, index, family, format, variable)."""
    found = []
    for line in output.splitlines():
        parts = line.split("\t")
        if len(parts) < 4:
            continue
        path, index, family, fmt = parts[:4]
        variable = parts[4] if len(parts) > 4 else ""
        if fmt.strip() != "TrueType" or variable.strip().lower() == "true":
            continue
        try:
            idx = int(index or 0)
        except ValueError:
            continue
        found.append(Candidate(Path(path), idx, family))
    found.sort(key=lambda c: (str(c.path), c.index))
    return found


def _style_of(family: str) -> str | None:
    """The style a family name says (小标宋 before 宋, since 小标宋 holds 宋)."""
    lowered = family.lower()
    for style, hints in STYLE_HINTS.items():
        if any(h in lowered for h in hints):
            return style
    return None


def _fontconfig_faces(candidates: Iterable[Candidate]) -> dict[str, Face]:
    """Each role's face among ``candidates``: only a face of the role's own style (a 黑体 is
    no 仿宋); the title takes a 宋体, drawn bold, when there is no 小标宋."""
    by_style: dict[str | None, list[Candidate]] = {}
    for cand in candidates:
        by_style.setdefault(_style_of(cand.family), []).append(cand)

    def first(style: str, **kwargs) -> Face | None:
        for cand in by_style.get(style, []):
            try:
                return _register(cand.path, "system", cand.index, **kwargs)
            except FontError:
                continue
        return None

    faces: dict[str, Face] = {}
    for role in ROLES:
        face = first(ROLE_STYLE[role])
        if face is None and role == "title":
            face = first("song", fake_bold=True)
        if face is not None:
            faces[role] = face
    return faces


def _system_faces() -> dict[str, Face]:
    if sys.platform.startswith("win"):
        return _windows_faces()
    return _fontconfig_faces(fontconfig_candidates())
