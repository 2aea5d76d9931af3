"""Proofreading the documents as an office would, measured on the PDFs (GB/T 9704-2012).

    python -m tests.proofread [--all] [--keep DIR]

makes the demo data (seed 7) in a temporary folder, renders documents from it with the shipped
faces only (as on a machine without Chinese fonts) and prints, for each document:

- body text: full body pages with 22 lines, full lines of plain text with 28 characters on the
  5.571 mm pitch, justified lines ending within ±0.5 mm of the block's right edge, every line on
  the grid;
- the page number's 一字线, inked (PDFium at 300 dpi) 7 ± 1 mm below the block;
- the line-breaking rules (避头尾, numbers with units, Latin words, ——/……) at every break of
  every paragraph and table cell, and no cell line of one or two characters;
- the faces by role (title, body, headings, page number);
- every table closed on every page (top and bottom rule, both sides drawn).

One visit with long notes is added to the demo data, so that full pages of body text are
measured too. Without ``--all`` one document of each kind (the ledger of all units, the summary and the
standing report, the visit, unit and evaluation with the most content, the 活动进度 of all units and of
the unit with the most confirmed, the busiest group's week); with it, every visit, unit, evaluation and
unit's 活动进度.
``tests/test_reports_proofread.py`` runs the same measures and expects no fault.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pdfplumber

MM = 72 / 25.4
LEFT, RIGHT = 28 * MM, (28 + 156) * MM
TOP, BOTTOM = 37 * MM, (37 + 225) * MM
PITCH = 156 * MM / 28
LEADING = 225 * MM / 22
BODY_SIZE = 16
ROLE_FACES = {  # the shipped faces by role: size → face
    "title": (22, {"FandolSong-Bold"}),
    "body": (16, {"FandolFang-Regular", "FandolHei-Regular", "FandolKai-Regular", "FandolSong-Regular"}),
    "number": (14, {"FandolSong-Regular"}),
}
FALLBACK_FACE = "NotoSansSC-Regular"
SQUEEZABLE = set("，。、；：！？）》」』】”’")


@dataclass
class Report:
    """What was measured on one document; ``faults`` lists what an office would send back."""

    name: str
    pages: int = 0
    full_body_pages: int = 0
    full_lines: Counter = field(default_factory=Counter)  # characters on a full line of plain text
    right_edge_mm: list[float] = field(default_factory=list)  # justified lines: end − right edge
    off_grid: int = 0
    dash_mm: list[float] = field(default_factory=list)  # 一字线 below the block
    breaks: int = 0
    short_cell_lines: int = 0
    faces: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    tables: int = 0
    faults: list[str] = field(default_factory=list)

    def line(self) -> str:
        edge = max((abs(e) for e in self.right_edge_mm), default=0.0)
        dash = f"{min(self.dash_mm):.2f}–{max(self.dash_mm):.2f}" if self.dash_mm else "—"
        lines = ",".join(f"{n}×{c}" for n, c in sorted(self.full_lines.items()))
        return (f"{self.name}: {self.pages} 页, 满页正文 {self.full_body_pages} 页, 满行字数 {lines or '—'}, "
                f"两端对齐行 {len(self.right_edge_mm)} 行最大偏差 {edge:.2f} mm, 网格外 {self.off_grid} 行, "
                f"一字线距版心 {dash} mm, 断行 {self.breaks} 处, 单元格短行 {self.short_cell_lines}, "
                f"表格页 {self.tables}, 字体 {dict((k, sorted(v)) for k, v in self.faces.items())}; "
                f"问题 {len(self.faults)}")


# --- recording what the layout drew ------------------------------------------------------------------


class Recorder:
    """Every GridParagraph drawn while rendering: its style and its lines (text, whole paragraph)."""

    def __init__(self):
        from supervisor_app.reports.grid import GridParagraph

        self.drawn: list[tuple[str, list[tuple[str, bool, bool]]]] = []
        self._class = GridParagraph
        self._draw = GridParagraph.draw

    def __enter__(self):
        recorder, draw = self, self._draw

        def recording(paragraph):
            chars = paragraph.chars
            lines = paragraph.lines(paragraph.width - paragraph.style.right_indent * paragraph.style.pitch)
            out = []
            for line in lines:
                whole = (line.start == 0 or chars[line.start - 1] == "\n") and (
                    line.end >= len(chars) or chars[line.end] == "\n")
                hard = line.end < len(chars) and chars[line.end] == "\n"  # a line break in the text itself
                out.append(("".join(chars[line.start:line.end]), whole, hard))
            recorder.drawn.append((paragraph.style.name, out))
            return draw(paragraph)

        self._class.draw = recording
        return self

    def __exit__(self, *exc):
        self._class.draw = self._draw
        self.drawn_done = True


def check_breaks(report: Report, drawn) -> None:
    """Every break between two lines of a paragraph keeps the rules; no short cell line."""
    from supervisor_app.reports.cjk import CANNOT_END, CANNOT_START, glued

    for style, lines in drawn:
        texts = [text for text, _, _ in lines]
        for (upper, _, hard), (lower, _, _) in zip(lines, lines[1:], strict=False):
            if not upper or not lower or hard:
                continue
            report.breaks += 1
            if lower[0] in CANNOT_START or upper[-1] in CANNOT_END or glued(upper[-1], lower[0]):
                report.faults.append(f"断行违规（{style}）：{upper}｜{lower}")
        if style.startswith("cell"):
            for text, whole, _ in lines:
                if not whole and len(text.replace(" ", "")) <= 2:
                    report.short_cell_lines += 1
                    report.faults.append(f"单元格短行：{texts}")


# --- measuring the PDF --------------------------------------------------------------------------------


def _rows(document, index: int) -> list[list[dict]]:
    """The page's lines of 3号 text inside the block, top to bottom, each left to right, as PDFium
    places them: each character's origin and advance (pdfplumber misplaces characters after a
    change of font subset within a line)."""
    import ctypes

    import pypdfium2.raw as raw

    page = document[index]
    height = page.get_height()
    text = page.get_textpage()
    rows: dict[float, list[dict]] = defaultdict(list)
    x, y = ctypes.c_double(), ctypes.c_double()
    for i in range(text.count_chars()):
        char = text.get_text_range(i, 1)
        if not char.strip() or abs(raw.FPDFText_GetFontSize(text.raw, i) - BODY_SIZE) > 0.1:
            continue
        raw.FPDFText_GetCharOrigin(text.raw, i, x, y)
        left, _, right, _ = text.get_charbox(i, loose=True)
        ink_right = text.get_charbox(i)[2]
        top = height - y.value - 0.88 * BODY_SIZE  # the top of the em box (EM_BOX_TOP)
        if TOP - 1 <= top <= BOTTOM + 1 - BODY_SIZE:
            rows[round(top, 1)].append({"text": char, "x0": x.value, "advance": right - left, "top": top,
                                        "ink_right": ink_right})
    return [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]


def _plain(row: list[dict]) -> bool:
    return all("\u4e00" <= c["text"] <= "\u9fff" or c["text"] in "，。、；：“”（）" for c in row)


def check_body(report: Report, document, index: int, page) -> None:
    rows = _rows(document, index)
    for row in rows:
        offset = (row[0]["top"] - TOP - (LEADING - BODY_SIZE) / 2) / LEADING
        if abs(offset - round(offset)) * LEADING > 0.2 * MM:
            report.off_grid += 1
            report.faults.append(f"第{page.page_number}页不在网格上：{''.join(c['text'] for c in row)}")
    if not rows:
        return
    def ends_at_edge(row):
        last = row[-1]
        return abs(last["x0"] + (PITCH if last["advance"] > 0.8 * BODY_SIZE else last["advance"]) - RIGHT) < 0.5 * MM

    # A full body page: text from the block's top, no table, its last line running on to the next page.
    full = rows[0][0]["top"] <= TOP + LEADING and len(rows) >= 20 and not page.edges and ends_at_edge(rows[-1])
    if full:
        report.full_body_pages += 1
        if len(rows) != 22:
            report.faults.append(f"第{page.page_number}页正文 {len(rows)} 行")
    for row, following in zip(rows, [*rows[1:], None], strict=True):
        if following is None or abs(following[0]["x0"] - LEFT) > 0.5 * MM:
            continue  # a paragraph's last line (the next one is indented or not body text)
        if abs(following[0]["top"] - row[0]["top"] - LEADING) > 0.1 * MM:
            continue  # not two lines of one paragraph
        last = row[-1]
        end = last["x0"] + (PITCH if last["advance"] > 0.8 * BODY_SIZE else last["advance"])
        if last["text"] in SQUEEZABLE and end > RIGHT and last["ink_right"] <= RIGHT + 0.5 * MM:
            # a closing mark squeezed (标点挤压): its empty right half is cut, its ink inside the block
            end = min(end, max(RIGHT, last["x0"] + PITCH / 2))
        report.right_edge_mm.append((end - RIGHT) / MM)
        if abs(end - RIGHT) > 0.5 * MM:
            report.faults.append(f"第{page.page_number}页行未排满：{''.join(c['text'] for c in row)}")
        if full and abs(row[0]["x0"] - LEFT) < 0.5 * MM and _plain(row):
            report.full_lines[len(row)] += 1
            steps = [b["x0"] - a["x0"] for a, b in zip(row, row[1:], strict=False)]
            if len(row) == 28 and any(abs(step - PITCH) > 0.01 * MM for step in steps):
                report.faults.append(f"第{page.page_number}页满行字距不是 5.571 mm：{''.join(c['text'] for c in row)}")


def check_page_number(report: Report, path: Path, page, index: int) -> None:
    from tests.test_reports import dash_ink_middle

    footer = [c for c in page.chars if c["top"] > BOTTOM + MM]
    dash = next((c for c in footer if c["text"] == "—"), None)
    if dash is None:
        report.faults.append(f"第{page.page_number}页没有页码")
        return
    below = (dash_ink_middle(path, index, dash) - BOTTOM) / MM
    report.dash_mm.append(below)
    if abs(below - 7) > 1:
        report.faults.append(f"第{page.page_number}页一字线距版心 {below:.2f} mm")
    report.faces["number"].update(c["fontname"].split("+", 1)[-1] for c in footer if c["text"].strip())


def check_faces(report: Report, page) -> None:
    for char in page.chars:
        face = char["fontname"].split("+", 1)[-1]
        if char["top"] > BOTTOM + MM:
            continue
        for role, (size, faces) in ROLE_FACES.items():
            if role != "number" and abs(char["size"] - size) < 0.1 and "\u4e00" <= char["text"] <= "\u9fff":
                report.faces[role].add(face)
                if face not in faces and face != FALLBACK_FACE:
                    report.faults.append(f"第{page.page_number}页{role}用了 {face}：{char['text']}")


def check_tables(report: Report, page) -> None:
    edges = [e for e in page.edges if e["top"] >= TOP - 1 and e["bottom"] <= BOTTOM + 1]
    left = sorted((e for e in edges if e["orientation"] == "v" and abs(e["x0"] - LEFT) < 1), key=lambda e: e["top"])
    if not left:
        return
    report.tables += 1
    rules = [e["top"] for e in edges if e["orientation"] == "h" and e["x0"] <= LEFT + 1 and e["x1"] >= RIGHT - 1]
    spans: list[list[float]] = []
    for segment in left:
        if spans and segment["top"] <= spans[-1][1] + 0.5:
            spans[-1][1] = max(spans[-1][1], segment["bottom"])
        else:
            spans.append([segment["top"], segment["bottom"]])
    for top, bottom in spans:
        if not any(abs(r - top) < 0.6 for r in rules) or not any(abs(r - bottom) < 0.6 for r in rules):
            report.faults.append(f"第{page.page_number}页表格未封口（{top / MM:.1f}–{bottom / MM:.1f} mm）")


def measure(path: Path, name: str, drawn) -> Report:
    report = Report(name)
    check_breaks(report, drawn)
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    with pdfplumber.open(path) as pdf:
        report.pages = len(pdf.pages)
        for index, page in enumerate(pdf.pages):
            check_body(report, document, index, page)
            check_page_number(report, path, page, index)
            check_faces(report, page)
            check_tables(report, page)
    document.close()
    for role, (_, faces) in ROLE_FACES.items():
        if report.faces.get(role) and not report.faces[role] & faces:
            report.faults.append(f"{role} 没有用 {sorted(faces)}")
    return report


# --- the documents -----------------------------------------------------------------------------------


def targets(every: bool) -> list[tuple[str, str, dict]]:
    """(file name, kind, arguments) of the documents to proofread, from the open data folder."""
    from supervisor_app import evaluations, units, visits

    counts = visits.visit_counts()
    all_units = sorted(units.list_units(), key=lambda u: (-counts.get(u.id, 0), units.unit_path(u)))
    all_visits = sorted(visits.list_visits(), key=lambda v: (-len(v.notes or ""), v.started_at))
    all_evaluations = evaluations.list_evaluations()
    if not every:  # the longest notes, and the visit with the most findings
        from supervisor_app import findings

        most = max(all_visits, key=lambda v: (len(findings.list_findings(visit=v)), v.started_at))
        all_units, all_visits = all_units[:1], [all_visits[0], *([most] if most is not all_visits[0] else [])]
        all_evaluations = sorted(all_evaluations, key=lambda e: (e.period_start, evaluations.subject_name(e)))[:1]
    out = [("ledger", "ledger", {}), ("summary", "summary", {}), ("standing", "standing", {})]
    out += [(f"visit-{n}", "visit", {"record_id": v.id}) for n, v in enumerate(all_visits, 1)]
    out += [(f"unit-{n}", "unit", {"record_id": u.id}) for n, u in enumerate(all_units, 1) if counts.get(u.id)]
    out += [(f"evaluation-{n}", "evaluation", {"record_id": e.id}) for n, e in enumerate(all_evaluations, 1)]
    out += progress_targets(every)
    out += [("weekly", "weekly", busiest_week())]
    return out


def progress_targets(every: bool) -> list[tuple[str, str, dict]]:
    """The 活动进度 of every unit, and of the unit with the most confirmed (so most evidence)."""
    from supervisor_app import progress, units

    done: dict[str, int] = {}
    for state in progress.progress():
        done[state.unit_id] = done.get(state.unit_id, 0) + (state.state in ("done", "not_applicable"))
    chosen = sorted(units.list_units(), key=lambda u: (-done.get(u.id, 0), units.unit_path(u)))
    chosen = chosen if every else chosen[:1]
    return [("progress", "progress", {}),
            *((f"progress-{n}", "progress", {"record_id": u.id}) for n, u in enumerate(chosen, 1))]


def busiest_week() -> dict:
    """The 周报 arguments of the group and week with the most visits (the first such, by date)."""
    from datetime import timedelta

    from supervisor_app import visits

    weeks: Counter = Counter()
    for v in visits.list_visits():
        day = date.fromisoformat(v.started_at[:10])
        if v.group_id:
            weeks[(v.group_id, (day - timedelta(days=day.weekday())).isoformat())] += 1
    (group_id, monday), _n = min(weeks.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
    return {"record_id": group_id, "date_from": monday}


def add_long_visit() -> None:
    """A visit whose 督导情况 runs over several full pages of body text: the demo's notes are
    short, and the grid is measured on full body pages."""
    from supervisor_app import units, visits

    notes = [v.notes for v in visits.list_visits() if v.notes]
    unit = units.list_units()[0]
    text = "\n".join("".join(notes[(n * 3 + k) % len(notes)].replace("\n", "") for k in range(1 + n % 3))
                     for n in range(30))
    visits.create_visit(unit, "2014-06-20T09:00", notes=text, methods=["查阅资料"])


def proofread(out_dir: Path, every: bool = False) -> list[Report]:
    """Render and measure the documents of the open data folder into ``out_dir``."""
    from supervisor_app.reports import fonts, render

    fonts.configure(use_system=False)
    made_at = datetime(2014, 7, 1, 9, 30).astimezone()
    reports = []
    for name, kind, arguments in targets(every):
        with Recorder() as recorder:
            path = render(kind, out_dir / f"{name}.pdf", made_at=made_at, **arguments)
        reports.append(measure(path, name, recorder.drawn))
    return reports


def pictures(img_dir: Path) -> list[Path]:
    """The sample pages of docs/reports.md: the first page of each document (and the unit
    assessment's chart; the 活动进度 of the unit with the most confirmed) from the demo data made at the office, dated 2014年6月30日, at 90 dpi."""
    import pypdfium2 as pdfium

    from supervisor_app import campaigns, clock, demo, store
    from supervisor_app.reports import fonts, render
    from tests.test_reports_reference import _targets

    fonts.configure(use_system=False)
    on = date(2014, 6, 30)
    original = clock.today
    patched = [m for n, m in sys.modules.items() if n.startswith("supervisor_app") and getattr(m, "today", None) is original]
    written = []
    with tempfile.TemporaryDirectory() as tmp, store.opened(Path(tmp) / "data") as data:
        campaigns.initialize("office")
        demo.generate(data, seed=7, size="small", anchor=on)
        for module in patched:
            module.today = lambda: on
        try:
            for kind, arguments in [*_targets(), ("progress", progress_targets(False)[1][2])]:
                path = render(kind, Path(tmp) / f"{kind}.pdf", made_at=datetime(2014, 6, 30, 16, 0).astimezone(),
                              **arguments)
                pages = [(0, f"report-{kind}.png")]
                if kind == "unit":
                    with pdfplumber.open(path) as pdf:
                        chart = next(i for i, page in enumerate(pdf.pages) if "变化情况" in (page.extract_text() or ""))
                    pages.append((chart, "report-unit-chart.png"))
                document = pdfium.PdfDocument(str(path))
                for index, name in pages:
                    document[index].render(scale=90 / 72).to_pil().convert("RGB").save(img_dir / name, optimize=True)
                    written.append(img_dir / name)
                document.close()
        finally:
            for module in patched:
                module.today = original
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.proofread", description=__doc__.split("\n\n")[0])
    parser.add_argument("--all", action="store_true", help="every visit, unit and evaluation")
    parser.add_argument("--keep", type=Path, help="keep the PDFs in this folder")
    parser.add_argument("--pictures", type=Path, help="only remake the sample pages of docs/reports.md here")
    args = parser.parse_args(argv)
    if args.pictures:
        for path in pictures(args.pictures):
            print(path)
        return 0
    from supervisor_app import demo, store

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        out = args.keep or Path(tmp) / "pdf"
        out.mkdir(parents=True, exist_ok=True)
        with store.opened(data):
            demo.generate(data, seed=7, size="small", anchor=date(2014, 6, 30))
            add_long_visit()
            reports = proofread(out, args.all)
    faults = 0
    for report in reports:
        print(report.line())
        for fault in report.faults[:12]:
            print("   ", fault)
        faults += len(report.faults)
    total = Counter()
    for report in reports:
        total.update(report.full_lines)
    print(f"共 {len(reports)} 份文书，{sum(r.pages for r in reports)} 页；满行字数 {dict(total)}；问题 {faults} 处")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
