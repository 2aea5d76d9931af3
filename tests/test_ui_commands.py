
import pytest

from supervisor_app import cli, visits
from ui import commands


def run(argv):
    return cli.main(argv, extra=[commands.register])


@pytest.mark.parametrize("page", commands.PAGES)
def test_screenshot_of_each_page(demo_data, tmp_path, qapp, page, capsys):
    out = tmp_path / f"{page}.png"
    assert run(["--data-dir", str(demo_data), "screenshot", "--page", page, "--out", str(out)]) == 0
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_screenshot_of_a_record(demo_data, tmp_path, qapp):
    visit = visits.list_visits(limit=1)[0]
    out = tmp_path / "visit.png"
    assert run(["--data-dir", str(demo_data), "screenshot", "--page", "visits", "--record", visit.id,
                "--out", str(out)]) == 0
    assert out.stat().st_size > 10_000


def test_screenshot_errors(demo_data, tmp_path, qapp, capsys):
    code = run(["--data-dir", str(demo_data), "screenshot", "--page", "visits", "--record", "no-such-id",
                "--out", str(tmp_path / "x.png")])
    assert code == 2 and "找不到督导记录" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
