"""Fonts for the official documents: resolved once per process, made once per data folder.

Order (issue 4): the font file chosen in settings (``report_font``); the machine's official
faces (Windows simfang/simsun/simhei/simkai; elsewhere CJK fonts with TrueType outlines
found through fontconfig); then Noto Sans SC from the pip package justmytype-intl-cjk.

reportlab embeds TrueType (glyf) outlines only, and Noto Sans SC ships as a variable font
whose default instance is Thin. So the fallback is cut down to the common characters
(GB 2312 and the usual punctuation) and instanced to static Regular and Bold faces with
fontTools, written to ``<data_dir>/fonts/``. Subsetting first is what makes this affordable:
instancing the whole font (31 000 glyphs) takes about 19 s of CPU per weight, the common set
(8 000 glyphs) about 10 s for both weights together, once per data folder. A character outside the set (a rare name) is instanced on demand into a small
extra face, cached beside the others, and ``FontSet.markup`` switches to it for just that
character; the same switch serves a system face that lacks a character.
"""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

ROLES = ("body", "title", "heading", "kai")
ROLE_LABELS = {"body": "正文（仿宋）", "title": "标题（小标宋）", "heading": "一级标题（黑体）", "kai": "二级标题（楷体）"}
# The weight of the bundled face that stands in for each role.
BUNDLED_WEIGHT = {"body": "Regular", "title": "Bold", "heading": "Bold", "kai": "Regular"}
WEIGHTS = {"Regular": 400, "Bold": 700}

# Bump when the common character set or the way faces are made changes: old caches are ignored.
CACHE_FORMAT = 2
SETTING_KEY = "report_font"
CACHE_ENV = "SUPERVISOR_FONT_CACHE"  # a shared cache folder (test runs, benchmarks, a lab of PCs)
SAMPLE = "督导纪实整改"  # a CJK face must cover these to be taken for Chinese text

WINDOWS_FACES = {
    "body": ("simfang.ttf", "STFANGSO.TTF"),
    "title": ("FZXBSJW.TTF", "simsun.ttc", "simhei.ttf"),
    "heading": ("simhei.ttf",),
    "kai": ("simkai.ttf", "STKAITI.TTF"),
}
# Family-name hints per role for faces found through fontconfig, best first.
STYLE_HINTS = {
    "fangsong": ("仿宋", "fangsong", "fang song"),
    "xiaobiaosong": ("小标宋", "xiaobiaosong"),
    "song": ("宋", "song", "ming", "明", "serif"),
    "hei": ("黑", "hei", "sans"),
    "kai": ("楷", "kai"),
}
ROLE_PREFERENCE = {
    "body": ("fangsong", "song", "kai", "hei"),
    "title": ("xiaobiaosong", "song", "hei", "fangsong"),
    "heading": ("hei", "song", "fangsong"),
    "kai": ("kai", "fangsong", "song", "hei"),
}


class FontError(Exception):
    """A font could not be made or used (the caller falls back to the next source)."""


@dataclass(frozen=True)
class Face:
    """One registered reportlab font."""

    name: str  # the reportlab font name
    path: Path
    origin: str  # setting | system | bundled | extra
    index: int = 0  # sub-font of a .ttc

    def covers(self, char: str) -> bool:
        return ord(char) in _cmap(self.name)


@lru_cache(maxsize=64)
def _cmap(font_name: str) -> dict[int, int]:
    """The character map of a registered font (looked up once: markup asks for every character)."""
    from reportlab.pdfbase import pdfmetrics

    return pdfmetrics.getFont(font_name).face.charToGlyph


@dataclass
class FontSet:
    """The faces of the four roles, and the fallback chain for characters they lack."""

    faces: dict[str, Face]
    cache_dir: Path
    warnings: list[str] = field(default_factory=list)

    def font(self, role: str) -> str:
        return self.faces[role].name

    @property
    def origin(self) -> str:
        """Where the body face came from: setting | system | bundled."""
        return self.faces["body"].origin

    def describe(self) -> list[str]:
        """One line per role: which file serves it (for the window's settings page)."""
        return [f"{ROLE_LABELS[r]}：{self.faces[r].path.name}（{self.faces[r].origin}）" for r in ROLES]

    def covers_all(self, text: str, role: str = "body") -> bool:
        """Whether the role's own face has every character of ``text``."""
        cmap = _cmap(self.faces[role].name)
        return all(ord(c) in cmap or c.isspace() for c in text)

    def markup(self, text: str, role: str = "body") -> str:
        """Paragraph markup for plain ``text``: escaped, and any character the role's face
        lacks set in a fallback face (the bundled face, then an extra face made on demand)."""
        text = "" if text is None else str(text)
        primary = self.faces[role]
        missing = {c for c in set(text) if not _is_space(c) and not primary.covers(c)}
        if not missing:
            return escape(text)
        weight = BUNDLED_WEIGHT[role]
        chosen: dict[str, str] = {}
        if primary.origin != "bundled":
            common = _bundled_face(self.cache_dir, weight)
            for char in list(missing):
                if common.covers(char):
                    chosen[char] = common.name
                    missing.discard(char)
        if missing:
            extra = _extra_face(self.cache_dir, weight, missing)
            if extra is not None:
                for char in missing:
                    if extra.covers(char):
                        chosen[char] = extra.name
        out: list[str] = []
        run, run_font = "", primary.name
        for char in text:
            font = chosen.get(char, primary.name) if not _is_space(char) else run_font
            if font != run_font and run:
                out.append(_wrap(run, run_font, primary.name))
                run = ""
            run_font = font
            run += char
        if run:
            out.append(_wrap(run, run_font, primary.name))
        return "".join(out)


def _is_space(char: str) -> bool:
    return char.isspace()


def _wrap(run: str, font: str, primary: str) -> str:
    return escape(run) if font == primary else f'<font name="{font}">{escape(run)}</font>'


# --- process-wide state ----------------------------------------------------------------------------

_lock = threading.RLock()
_cache_dir_override: Path | None = None
_use_system = True
_resolved: dict[tuple, FontSet] = {}
_registered: dict[str, Face] = {}
_extra: dict[str, Face] = {}
_absent: set[str] = set()  # characters not even the source font has


def configure(*, cache_dir: str | os.PathLike | None = None, use_system: bool | None = None) -> None:
    """Pin the cache folder (otherwise ``<data_dir>/fonts``) or skip the machine's faces.

    Tests and benchmarks use this to make the bundled faces once and reuse them.
    """
    global _cache_dir_override, _use_system
    with _lock:
        _cache_dir_override = Path(cache_dir) if cache_dir is not None else None
        if use_system is not None:
            _use_system = use_system
        _resolved.clear()


def reset() -> None:
    """Forget what was resolved (after the font setting changes); registered fonts stay."""
    with _lock:
        _resolved.clear()
        _extra.clear()


def cache_dir() -> Path:
    """Where made faces are kept: the configured folder, else $SUPERVISOR_FONT_CACHE, else
    ``<data_dir>/fonts``."""
    if _cache_dir_override is not None:
        return _cache_dir_override
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    from ..models import database

    db = database.obj
    name = getattr(db, "database", None)
    if isinstance(name, str) and name and name != ":memory:":
        return Path(name).resolve().parent / "fonts"
    from ..paths import resolve_data_dir

    return resolve_data_dir() / "fonts"


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
    folder = cache_dir()
    key = (setting, str(folder), _use_system)
    with _lock:
        found = _resolved.get(key)
        if found is None:
            found = _resolve(setting, folder)
            _resolved[key] = found
        return found


def prepare() -> FontSet:
    """Resolve now (making the bundled faces if needed) so that the first document is quick."""
    return font_set()


def _resolve(setting: str | None, folder: Path) -> FontSet:
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
    missing = [r for r in ROLES if r not in faces]
    if missing:
        for role in missing:
            faces[role] = _bundled_face(folder, BUNDLED_WEIGHT[role])
    return FontSet(faces, folder, warnings)


def _register(path: Path, origin: str, index: int = 0) -> Face:
    """Register a TrueType file with reportlab (once) after checking it can serve Chinese."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = path.resolve() if path.exists() else path
    digest = hashlib.sha1(f"{path}#{index}".encode()).hexdigest()[:10]
    name = f"Supv-{path.stem[:24]}-{digest}"
    with _lock:
        known = _registered.get(name)
        if known is not None:
            return known if known.origin == origin else replace(known, origin=origin)
        if not path.is_file():
            raise FontError(f"找不到字体文件 {path}")
        try:
            font = TTFont(name, str(path), subfontIndex=index)
        except (TTFError, OSError, ValueError, KeyError, IndexError) as exc:
            raise FontError(f"{path.name} 不是可嵌入的 TrueType 字体（{exc}）") from exc
        if origin != "extra" and not all(ord(c) in font.face.charToGlyph for c in SAMPLE):
            raise FontError(f"{path.name} 不含中文字形")
        pdfmetrics.registerFont(font)
        face = Face(name, path, origin, index)
        _registered[name] = face
        return face


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
    faces: dict[str, Face] = {}
    for role, files in WINDOWS_FACES.items():
        for filename in files:
            for folder in folders:
                try:
                    faces[role] = _register(folder / filename, "system")
                    break
                except FontError:
                    continue
            if role in faces:
                break
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
    lowered = family.lower()
    for style, hints in STYLE_HINTS.items():
        if any(h in lowered for h in hints):
            return style
    return None


def _fontconfig_faces(candidates: Iterable[Candidate]) -> dict[str, Face]:
    by_style: dict[str | None, list[Candidate]] = {}
    for cand in candidates:
        by_style.setdefault(_style_of(cand.family), []).append(cand)
    usable: dict[tuple[Path, int], Face | None] = {}

    def face_of(cand: Candidate) -> Face | None:
        key = (cand.path, cand.index)
        if key not in usable:
            try:
                usable[key] = _register(cand.path, "system", cand.index)
            except FontError:
                usable[key] = None
        return usable[key]

    faces: dict[str, Face] = {}
    for role in ROLES:
        for style in (*ROLE_PREFERENCE[role], None):
            face = next((f for c in by_style.get(style, []) if (f := face_of(c)) is not None), None)
            if face is not None:
                faces[role] = face
                break
    return faces


def _system_faces() -> dict[str, Face]:
    if sys.platform.startswith("win"):
        return _windows_faces()
    return _fontconfig_faces(fontconfig_candidates())


# --- the bundled fallback: Noto Sans SC, instanced and cached -----------------------------------------


def source_font() -> Path:
    """The variable Noto Sans SC that justmytype-intl-cjk installs."""
    import justmytype_intl_cjk

    path = Path(justmytype_intl_cjk.__file__).parent / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"
    if not path.is_file():
        raise FontError(f"找不到随程序安装的中文字体 {path}；请重新安装 justmytype-intl-cjk")
    return path


def common_codepoints() -> set[int]:
    """GB 2312 (every character of everyday official text) with Latin and the usual symbols."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    for first, last in (
        (0x2000, 0x206F),  # general punctuation: — … “ ” ‘ ’
        (0x2100, 0x218F),  # letterlike, number forms: ℃ № Ⅰ Ⅱ
        (0x2190, 0x21FF),  # arrows
        (0x2200, 0x22FF),  # mathematical operators
        (0x2460, 0x24FF),  # enclosed alphanumerics ① ⑴ ⒈
        (0x25A0, 0x25FF),  # geometric shapes ■ □ ● ○ ▲
        (0x2605, 0x2606),  # ★ ☆
        (0x2713, 0x2713),  # ✓
        (0x3000, 0x303F),  # CJK symbols and punctuation 、。《》【】
        (0xFF00, 0xFFEF),  # full-width forms （），：；
    ):
        points.update(range(first, last + 1))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return points


def _cache_key(source: Path, extra: str = "") -> str:
    stat = source.stat()
    return hashlib.sha1(f"{CACHE_FORMAT}:{source.name}:{stat.st_size}:{extra}".encode()).hexdigest()[:8]


def _subset_variable(source: Path, codepoints: Iterable[int]):
    """The variable font cut down to ``codepoints`` (layout tables and hinting dropped:
    reportlab uses neither)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    cmap = font.getBestCmap()
    wanted = [c for c in codepoints if c in cmap]
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["BASE", "GSUB", "GPOS", "GDEF", "JSTF"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    return font


def _instance_bytes(font, weight: str, tag: str = "") -> bytes:
    """A static instance of the (subset) variable ``font`` at ``weight``, as TrueType bytes."""
    from fontTools.varLib import instancer

    static = instancer.instantiateVariableFont(font, {"wght": WEIGHTS[weight]}, inplace=True, updateFontNames=True)
    if tag:
        # reportlab keeps one font per PostScript name: an extra face needs a name of its own.
        names = static["name"]
        ps_name = f"{names.getDebugName(6)}-{tag}"
        names.removeNames(nameID=6)
        names.setName(ps_name, 6, 3, 1, 0x409)
        names.setName(ps_name, 6, 1, 0, 0)
    static.recalcBBoxes = False  # the instancer has just computed every glyph's bounds
    out = io.BytesIO()
    static.save(out)
    return out.getvalue()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_faces(codepoints: Iterable[int], paths: dict[str, Path], tag: str = "") -> None:
    """Instance the source font, cut to ``codepoints``, at each weight of ``paths`` and write
    each face atomically (a concurrent maker writes the same bytes; the last rename wins).

    The font is cut once per weight: that costs less than keeping one cut variable font and
    copying or re-reading it, since the instancer reuses the outlines the cutting decoded.
    """
    source = source_font()
    codepoints = list(codepoints)
    for weight, path in paths.items():
        _write_atomic(path, _instance_bytes(_subset_variable(source, codepoints), weight, tag))


def bundled_paths(folder: Path) -> dict[str, Path]:
    key = _cache_key(source_font())
    return {w: folder / f"NotoSansSC-{w}-{key}.ttf" for w in WEIGHTS}


def _bundled_face(folder: Path, weight: str) -> Face:
    with _lock:
        paths = bundled_paths(folder)
        missing = {w: p for w, p in paths.items() if not p.is_file()}
        if missing:
            make_faces(common_codepoints(), missing)
        try:
            return _register(paths[weight], "bundled")
        except FontError:
            # A damaged cache file (a disk error, a half-copied folder): make it again once.
            paths[weight].unlink(missing_ok=True)
            make_faces(common_codepoints(), {weight: paths[weight]})
            return _register(paths[weight], "bundled")


def _extra_face(folder: Path, weight: str, chars: set[str]) -> Face | None:
    """A small face for characters outside the common set; it grows as new ones appear."""
    with _lock:
        current = _extra.get(weight)
        chars = chars - _absent
        if not chars or current is not None and all(current.covers(c) for c in chars):
            return current
        from fontTools.ttLib import TTFont

        source = source_font()
        cmap = TTFont(str(source), lazy=True).getBestCmap()
        _absent.update(c for c in chars if ord(c) not in cmap)
        wanted = {ord(c) for c in chars if ord(c) in cmap}
        if not wanted:
            return current
        known = {cp for cp in _face_codepoints(current)} if current else set()
        for existing in sorted(folder.glob(f"NotoSansSC-{weight}-x*.ttf")):
            known |= _file_codepoints(existing)
        wanted |= known & set(cmap)
        key = _cache_key(source, ",".join(map(str, sorted(wanted))))
        path = folder / f"NotoSansSC-{weight}-x{key}.ttf"
        if not path.is_file():
            make_faces(wanted, {weight: path}, tag=f"X{key}")
        face = _register(path, "extra")
        _extra[weight] = face
        for older in folder.glob(f"NotoSansSC-{weight}-x*.ttf"):
            if older != path:  # its characters are all in the new one
                try:
                    older.unlink()
                except OSError:
                    pass  # in use elsewhere (Windows): left for next time
        return face


def _face_codepoints(face: Face) -> set[int]:
    from reportlab.pdfbase import pdfmetrics

    return set(pdfmetrics.getFont(face.name).face.charToGlyph)


def _file_codepoints(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    try:
        return {cp for cp in TTFont(str(path), lazy=True).getBestCmap() if cp > 0x7F}
    except Exception:  # an unreadable leftover: ignore it
        return set()
