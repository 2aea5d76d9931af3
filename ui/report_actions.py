"""Making a document off the GUI thread, then previewing it (save / print from the preview)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from supervisor_app import reports

from . import tasks
from .pdf_preview import PdfPreviewDialog
from .widgets import show_error


def preview_report(parent, kind: str, *, record_id: str | None = None, date_from: str | None = None,
                   date_to: str | None = None, title: str | None = None, on_shown=None):
    """Render ``kind`` to a temporary file with a progress dialog, then open the preview."""
    folder = Path(tempfile.mkdtemp(prefix="supervisor-report-"))
    out = folder / "document.pdf"
    name = title or reports.KIND_LABELS[kind]

    notices: list[str] = []

    def work(progress, cancelled):
        return reports.render(kind, out, record_id=record_id, date_from=date_from, date_to=date_to,
                              progress=progress, cancelled=cancelled, notices=notices)

    def done(path):
        dialog = PdfPreviewDialog(parent, path, reports.safe_filename(name), notice="；".join(notices) or None)
        dialog.finished.connect(lambda _result: _cleanup(folder))
        dialog.show()
        if on_shown:
            on_shown(dialog)

    def failed(exc):
        _cleanup(folder)
        if not isinstance(exc, reports.ReportCancelled):
            show_error(parent, exc, parent.tr("无法生成文书"))

    return tasks.run_with_progress(parent, parent.tr("正在生成{name}…").format(name=name), work, done, failed)


def _cleanup(folder: Path) -> None:
    for child in folder.glob("*"):
        child.unlink(missing_ok=True)
    folder.rmdir()
