"""`make dist`: the sdist and wheel, checked by tools/check_dist.py, and the wheel installed into a
fresh virtualenv outside the source tree, where the emulator and the `testing` helpers run.

The build (about 10 s) and the install (about 10 s: the dependencies come from pip's cache once
`make install` has run) happen once for the module.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from pulumi_zpa_pkeys import __version__

ROOT = Path(__file__).resolve().parent.parent
WHEEL = f"pulumi_zpa_pkeys-{__version__}-py3-none-any.whl"
SDIST = f"pulumi_zpa_pkeys-{__version__}.tar.gz"


def _check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", ROOT / "tools" / "check_dist.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outside_env() -> dict[str, str]:
    """This environment without anything that points Python at the checkout."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "ZPA_", "ZSCALER_"))}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        ["make", "--no-print-directory", "dist", f"DIST={out}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "check_dist: " in result.stdout and " ok" in result.stdout
    return out


def test_make_dist_builds_wheel_and_sdist_that_pass_the_checks(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == [WHEEL, SDIST]
    assert _check_dist().check_dist(dist) == []
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        names = set(wheel.namelist())
    assert "pulumi_zpa_pkeys/emulator/data/enrollment_certs.json" in names
    assert "pulumi_zpa_pkeys/py.typed" in names


@pytest.mark.parametrize(
    ("dropped", "problem"),
    [
        ("pulumi_zpa_pkeys/emulator/data/enrollment_certs.json", "emulator/data/enrollment_certs"),
        ("pulumi_zpa_pkeys/py.typed", "no pulumi_zpa_pkeys/py.typed"),
        (".dist-info/entry_points.txt", "no entry point pytest11: zpa_emulator"),
        (".dist-info/licenses/LICENSE", "licenses/LICENSE"),
    ],
)
def test_check_dist_names_a_file_missing_from_the_wheel(
    dist: Path, tmp_path: Path, dropped: str, problem: str
) -> None:
    shutil.copy(dist / SDIST, tmp_path / SDIST)
    with zipfile.ZipFile(dist / WHEEL) as good, zipfile.ZipFile(tmp_path / WHEEL, "w") as bad:
        for item in good.infolist():
            if not item.filename.endswith(dropped):
                bad.writestr(item, good.read(item))

    problems = _check_dist().check_dist(tmp_path)

    assert len(problems) == 1 and problem in problems[0], problems


def test_check_dist_refuses_a_description_that_is_not_markdown(dist: Path) -> None:
    check = _check_dist()
    with zipfile.ZipFile(dist / WHEEL) as wheel:
        (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        text = wheel.read(name).decode()
    readme = (ROOT / "README.md").read_text()
    assert check.check_metadata(check._metadata(text), readme) == []

    plain = text.replace("Description-Content-Type: text/markdown", "Description-Content-Type: x")
    (problem,) = check.check_metadata(check._metadata(plain), readme)
    assert "not text/markdown" in problem


SMOKE = """
import json, subprocess, sys, urllib.request
from pathlib import Path

import pulumi_zpa_pkeys
from pulumi_zpa_pkeys.provisioning_key import ProvisioningKeyProvider
from pulumi_zpa_pkeys.testing import ProviderHost, emulator, key_inputs

print("package:", pulumi_zpa_pkeys.__file__)

# The emulator from the command line: its first stdout line is its URL.
proc = subprocess.Popen(
    [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--port", "0"],
    stdout=subprocess.PIPE, text=True,
)
try:
    url = proc.stdout.readline().strip()
    with urllib.request.urlopen(url + "/_emulator/state", timeout=30) as answer:
        state = json.load(answer)
    print("cli emulator:", url, len(state["enrollmentCerts"]), "enrollment certificates")
finally:
    proc.terminate()
    proc.wait(timeout=30)

# The testing helpers: an emulator, then a key created through the SDK's provider host.
with emulator() as emu, ProviderHost(ProvisioningKeyProvider(), emu.config) as host:
    created = host.up("smoke", key_inputs("smoke-key"))
    (held,) = [k for k in emu.state()["provisioningKeys"] if k["id"] == created.id]
    print("created:", held["name"], created.outputs["enrollment_cert_name"])
    host.destroy(created)
    print("left:", len(emu.state()["provisioningKeys"]))
"""


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh virtualenv holding the wheel and its runtime dependencies (from pip's cache)."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    env = _outside_env()
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    # This environment's pip installs into the new one: no second pip to bootstrap.
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    result = subprocess.run(
        [*install, str(dist / WHEEL)], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield python


def test_wheel_in_a_fresh_venv_runs_the_emulator_and_testing_helpers(
    venv: Path, tmp_path: Path
) -> None:
    (tmp_path / "smoke.py").write_text(textwrap.dedent(SMOKE))

    result = subprocess.run(
        [str(venv), "smoke.py"],
        cwd=tmp_path,  # outside the checkout: only the installed package can be imported
        env=_outside_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    assert lines["package"].startswith(str(venv.parent.parent / "lib"))
    assert lines["cli emulator"].startswith("http://127.0.0.1:")
    assert lines["cli emulator"].endswith(" 4 enrollment certificates")
    assert lines["created"] == "smoke-key Connector"
    assert lines["left"] == "0"


# -- the examples' requirements files --------------------------------------------------------

REQUIREMENTS = sorted((ROOT / "examples").glob("*/requirements.txt"))


def _active_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


@pytest.mark.parametrize("path", REQUIREMENTS, ids=lambda p: p.parent.name)
def test_example_requirements_install_this_package_from_the_clone(path: Path) -> None:
    """Not on the index yet: a path to the clone (relative to the example's folder, where
    Pulumi runs pip), and a comment naming the index name as the future home."""
    active = _active_lines(path)
    paths = [line for line in active if line.startswith(".")]
    assert len(paths) == 1, active
    assert (path.parent / paths[0]).resolve() == ROOT
    assert not any(line.lower().startswith("pulumi-zpa-pkeys") for line in active)
    assert "`pulumi-zpa-pkeys`" in path.read_text()


def test_quickstart_requirements_resolve_with_pip_from_the_example_folder() -> None:
    folder = ROOT / "examples" / "quickstart"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-deps",
            "-r",
            "requirements.txt",
        ],
        cwd=folder,
        env=_outside_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"Would install pulumi-zpa-pkeys-{__version__}" in result.stdout
