"""Make the fonts that ship in resources/fonts/ (run once when the package or the build is made).

    python packaging/fonts/make_fonts.py --fandol DIR --noto NotoSansSC[wght].ttf [--out resources/fonts]

Sources (both freely licensed; see packaging/fonts/README.md for where to get them):

- the Fandol family (GPL v3 with the font exception), OpenType/CFF, from TeX Live
  (Debian's ``texlive-lang-chinese``: texmf-dist/fonts/opentype/public/fandol/);
- Noto Sans SC (SIL Open Font License 1.1), the variable font of Google Fonts
  (``ofl/notosanssc/NotoSansSC[wght].ttf``).

What is made, and why:

- ``Fandol{Fang,Song,Hei,Kai}-Regular.ttf`` and ``FandolSong-Bold.ttf``: the document faces
  by role (仿宋 body, 宋体 page numbers and — bold — the title, 黑体 一、 headings, 楷体 （一）
  headings). reportlab embeds TrueType outlines only, so the cubic CFF outlines are converted
  to quadratic ``glyf`` ones (fontTools cu2qu, 1 unit of 1000 at most). Every character of the
  source in GB 2312 and the usual punctuation is kept (~7 500 code points; Fandol covers GB 2312
  in full); layout tables and hinting are dropped, since reportlab uses neither. A character
  outside that set is printed in Noto Sans SC Regular.
- ``NotoSansSC-Regular.ttf``: a static instance at weight 400 of every character of the
  variable font (~30 000): the window's face and the documents' fallback for a character the
  Fandol faces lack (a rare name).
- ``NotoSansSC-Bold.ttf``: weight 700, cut to GB 2312 and the usual punctuation (bold text in
  the window; a rarer character falls back to the Regular face).

The output is deterministic for the same sources and fontTools version: ``FONTS.json`` records
the sha-256 of every source and every output, and the fontTools version used.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from pathlib import Path

FANDOL = {
    "FandolFang-Regular": "FandolFang-Regular.otf",
    "FandolSong-Regular": "FandolSong-Regular.otf",
    "FandolSong-Bold": "FandolSong-Bold.otf",
    "FandolHei-Regular": "FandolHei-Regular.otf",
    "FandolKai-Regular": "FandolKai-Regular.otf",
}
MAX_ERR = 1.0  # font units: how far a quadratic outline may stray from the cubic one
FIXED_TIMESTAMP = 3_786_825_600  # 2024-01-01 00:00 UTC in seconds since 1904 (the head table epoch)


def common_codepoints() -> set[int]:
    """GB 2312 with ASCII, Latin-1 and the punctuation and symbols of official text."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    for first, last in (
        (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF),
        (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2605, 0x2606), (0x2713, 0x2713), (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    ):
        points.update(range(first, last + 1))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return points


def _subset(font, unicodes=None):
    """Drop layout tables, hinting and glyph names; keep ``unicodes`` (all when None)."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["BASE", "GSUB", "GPOS", "GDEF", "JSTF", "VORG", "vhea", "vmtx", "STAT", "MVAR", "HVAR"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = False
    options.recalc_timestamp = False
    cmap = font.getBestCmap()
    wanted = set(cmap) if unicodes is None else set(unicodes) & set(cmap)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    return font


def _cff_to_glyf(font) -> None:
    """Replace the CFF outlines of ``font`` by TrueType quadratic ones (fontTools' otf2ttf)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quadratic = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERR, reverse_direction=True))
        quadratic[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = quadratic
    del font["CFF "]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones",):
        setattr(maxp, attr, 1)
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0
    font.sfntVersion = "\000\001\000\000"


def _finish(font) -> bytes:
    font["head"].created = font["head"].modified = FIXED_TIMESTAMP
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def make_fandol(source: Path) -> bytes:
    from fontTools.ttLib import TTFont

    font = TTFont(str(source), recalcTimestamp=False)
    _subset(font, common_codepoints())
    _cff_to_glyf(font)
    return _finish(font)


def make_noto(source: Path, weight: int, unicodes=None) -> bytes:
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(str(source), recalcTimestamp=False)
    _subset(font, unicodes)
    static = instancer.instantiateVariableFont(font, {"wght": weight}, inplace=True)
    static.recalcBBoxes = False  # the instancer has just computed them
    style = "Bold" if weight >= 700 else "Regular"
    names = static["name"]
    # The variable font's family (name 1) is its default instance's, "Noto Sans SC Thin";
    # the typographic family (name 16) is the plain one.
    family = names.getDebugName(16) or names.getDebugName(1).removesuffix(" Thin")
    for name_id, text in ((1, family), (2, style), (4, f"{family} {style}"),
                          (6, f"{family.replace(' ', '')}-{style}")):
        names.removeNames(nameID=name_id)
        names.setName(text, name_id, 3, 1, 0x409)
        names.setName(text, name_id, 1, 0, 0)
    for name_id in (16, 17, 25):  # typographic family/style and the variations prefix
        names.removeNames(nameID=name_id)
    static["OS/2"].usWeightClass = weight
    bold = weight >= 700
    static["OS/2"].fsSelection = (static["OS/2"].fsSelection & ~0b1100001) | (0b100000 if bold else 0b1000000)
    static["head"].macStyle = 1 if bold else 0
    return _finish(static)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fandol", required=True, type=Path, help="folder holding the Fandol .otf files")
    parser.add_argument("--noto", required=True, type=Path, help="NotoSansSC[wght].ttf (the variable font)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[2] / "resources" / "fonts")
    parser.add_argument("--only", nargs="*", metavar="NAME",
                        help="remake only these outputs (e.g. NotoSansSC-Regular); the others stay as they are")
    args = parser.parse_args(argv)
    import fontTools

    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "FONTS.json"
    manifest = {"fonttools": fontTools.version, "sources": {}, "outputs": {}}
    if args.only and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("fonttools") != fontTools.version:
            parser.error(f"the other outputs were made with fontTools {manifest.get('fonttools')}: remake them all")
    jobs = [(name, args.fandol / file, lambda p: make_fandol(p)) for name, file in FANDOL.items()]
    jobs.append(("NotoSansSC-Regular", args.noto, lambda p: make_noto(p, 400)))
    jobs.append(("NotoSansSC-Bold", args.noto, lambda p: make_noto(p, 700, common_codepoints())))
    for name, source, make in jobs:
        if args.only and name not in args.only:
            continue
        print(f"{name} ← {source.name}", file=sys.stderr, flush=True)
        manifest["sources"][source.name] = sha256(source.read_bytes())
        data = make(source)
        (args.out / f"{name}.ttf").write_bytes(data)
        manifest["outputs"][f"{name}.ttf"] = sha256(data)
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
