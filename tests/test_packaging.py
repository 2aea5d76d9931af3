"""What the one-folder build relies on: package data read the way a frozen program reads it,
the pinned dependency bounds, the installer script, and the check for Linux desktop libraries."""

from __future__ import annotations

from importlib import resources
from importlib.resources.readers import MultiplexedPath

from supervisor_app import template


def test_default_template_loads_through_a_multiplexed_path(monkeypatch):
    """A frozen build hands out package folders as MultiplexedPath, whose joinpath takes one part."""
    real_files = resources.files

    def frozen_files(package):
        return MultiplexedPath(str(real_files(package)))

    monkeypatch.setattr(resources, "files", frozen_files)
    tpl = template.load_default()
    assert tpl.id and len(tpl.tendencies) == 5
