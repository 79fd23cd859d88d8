"""Release metadata: one version, a licence file matching the metadata."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

from pulumi_zpa_pkeys import __version__

ROOT = Path(__file__).resolve().parent.parent


def test_installed_metadata_version_is_the_package_version() -> None:
    assert importlib.metadata.version("pulumi-zpa-pkeys") == __version__


def test_pyproject_takes_the_version_from_the_package() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in text
    assert "\nversion =" not in text.split("[tool.setuptools.dynamic]")[0]


def test_license_file_matches_the_license_expression() -> None:
    metadata = importlib.metadata.metadata("pulumi-zpa-pkeys")
    assert metadata["License-Expression"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
