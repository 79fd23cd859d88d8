"""`make example NAME=<folder>` (examples/run.py): every example runs on the bundled emulator the
same way and leaves nothing behind.

Each example is run as `make example` runs it, in a process of its own, on a machine without the
Pulumi CLI (PATH without `pulumi`, a fresh HOME, the caller's Pulumi/ZPA variables set to values
that must be ignored). The path with the CLI is checked with a fake `pulumi` that records its
calls (no CLI can be installed here): the commands, their order, where they run, and that the
checkout is left as it was.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from newcomer import newcomer_env, path_without_pulumi, processes_marked

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RUNNER = EXAMPLES / "run.py"
MARKER_VAR = "EXAMPLE_TEST_MARKER"  # in the runner's environment, so in every process it starts
#: What a secret would look like in the output: a key value, a PEM private key.
SECRET_SHAPES = re.compile(r"\d\|api\.private\.zscaler\.com\||PRIVATE KEY")


def _examples() -> list[str]:
    return sorted(
        p.parent.name for p in EXAMPLES.glob("*/__main__.py") if (p.parent / "Pulumi.yaml").exists()
    )


def _run(tmp_path: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNNER), *args],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _count(pattern: str, text: str) -> int:
    (found,) = re.findall(pattern, text)
    return int(found)


def test_every_example_folder_is_found() -> None:
    assert {"quickstart", "aws-app-connector", "two-tenants"} <= set(_examples())


@pytest.mark.parametrize("name", _examples())
def test_example_runs_on_the_emulator_and_deletes_what_it_made(tmp_path: Path, name: str) -> None:
    marker = uuid.uuid4().hex

    result = _run(tmp_path, name, env=newcomer_env(tmp_path, MARKER_VAR, marker))

    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert out.startswith("make example: the 'pulumi' CLI is not on PATH")
    created, deleted = _count(r"Resources: \+ (\d+) created", out), _count(r"- (\d+) deleted", out)
    assert created >= 1 and created == deleted
    zpa_created = re.findall(r"^   \+ .* zpa:\w+ +created +\[id=\S+\]$", out, re.MULTILINE)
    zpa_deleted = re.findall(r"^   - .* zpa:\w+ +deleted$", out, re.MULTILINE)
    assert zpa_created and len(zpa_created) == len(zpa_deleted)
    assert out.rstrip().endswith("Every emulator holds what it held before the run "
                                 "(checked in /_emulator/state).")  # fmt: skip
    assert not SECRET_SHAPES.search(out + result.stderr)
    assert "users-real-secret" not in out + result.stderr
    assert processes_marked(MARKER_VAR, marker) == []


@pytest.mark.parametrize("name", _examples())
def test_example_docstring_says_how_to_run_it_on_the_emulator(name: str) -> None:
    text = (EXAMPLES / name / "__main__.py").read_text()
    docstring = text.split('"""')[1]
    assert f"`make example NAME={name}`" in " ".join(docstring.split())


def test_aws_example_mocks_its_aws_resources_and_applies_its_zpa_ones(tmp_path: Path) -> None:
    result = _run(
        tmp_path, "aws-app-connector", env=newcomer_env(tmp_path, MARKER_VAR, uuid.uuid4().hex)
    )

    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    instances = [line for line in lines if "aws:ec2/instance:Instance" in line]
    assert len(instances) == 4  # two created (mocked), two dropped
    assert all("mocked" in line for line in instances)
    group = next(line for line in lines if "zpa:AppConnectorGroup" in line)
    group_id = re.search(r"\[id=(\d+)\]", group)
    assert group_id is not None
    assert f'group_id    : "{group_id.group(1)}"' in result.stdout  # the real id, exported
    order = [line.split()[1] for line in lines if line.startswith("   - ")]
    assert order.index("app-connector-key") < order.index("app-connectors")


def test_unknown_example_is_one_line_naming_the_examples(tmp_path: Path) -> None:
    result = _run(tmp_path, "quickstrat", env=newcomer_env(tmp_path, MARKER_VAR, uuid.uuid4().hex))

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("make example: no example 'quickstrat'; NAME is one of: ")
    assert "quickstart" in line and "aws-app-connector" in line


def test_failed_step_is_one_line_and_leaves_no_process(tmp_path: Path) -> None:
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "quickstart" / "Pulumi.emulator.yaml").write_text(
        "config:\n  zpa-pkeys-quickstart:appConnectorGroupId: '123'\n"
    )
    marker = uuid.uuid4().hex

    result = subprocess.run(
        [sys.executable, str(folder / "run.py"), "quickstart"],
        env=newcomer_env(tmp_path, MARKER_VAR, marker),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("make example: ") and "123" in line and "App Connector group" in line
    assert processes_marked(MARKER_VAR, marker) == []


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_example_stopped_by_sigterm_deletes_and_stops_everything(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    with subprocess.Popen(
        [sys.executable, str(RUNNER), "aws-service-edge"],
        env=newcomer_env(tmp_path, MARKER_VAR, marker),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as runner:
        assert runner.stdout is not None
        for line in runner.stdout:
            if line.startswith("== pulumi up"):  # the program run (SIGTERM waits for its end)
                break
        runner.send_signal(signal.SIGTERM)
        stdout, stderr = runner.communicate(timeout=60)

    assert runner.returncode == 143
    assert stderr.splitlines() == ["make example: stopped by SIGTERM"]
    assert "Every emulator holds" not in stdout
    assert processes_marked(MARKER_VAR, marker) == []


# -- make example --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_example_runs_the_runner_with_the_name(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    env = {"PATH": path_without_pulumi(), "HOME": str(tmp_path)}

    dry = subprocess.run(["make", "-n", "example", "NAME=quickstart"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
    (venv, stamp) = (tmp_path / ".venv" / "bin", tmp_path / ".venv" / ".installed")
    venv.mkdir(parents=True)
    (venv / "python").symlink_to(sys.executable)
    stamp.touch()
    bare = subprocess.run(["make", "example"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30, check=False)  # fmt: skip

    assert dry.returncode == 0, dry.stderr
    assert (
        dry.stdout.splitlines()[-1]
        == ".venv/bin/python examples/run.py --install-missing quickstart"
    )
    assert bare.returncode == 2
    assert "usage: make example NAME=<folder under examples/>" in bare.stderr


# -- with the Pulumi CLI (a fake one) ------------------------------------------------------------

_FAKE_PULUMI = """#!{python}
import json, os, sys
from pathlib import Path
stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
env = {{k: v for k, v in os.environ.items() if k.startswith(("PULUMI_", "ZPA_", "ZSCALER_"))}}
yaml = Path("Pulumi.yaml").read_text() if Path("Pulumi.yaml").exists() else ""
with open({log!r}, "a") as log:
    log.write(json.dumps({{"argv": sys.argv[1:], "env": env, "stdin": stdin,
                          "cwd": os.getcwd(), "pulumi_yaml": yaml,
                          "files": sorted(os.listdir("."))}}) + "\\n")
"""


def _fake_cli(tmp_path: Path) -> tuple[str, Path]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.jsonl"
    fake = bin_dir / "pulumi"
    fake.write_text(_FAKE_PULUMI.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    return f"{bin_dir}{os.pathsep}{path_without_pulumi()}", log


def test_with_the_cli_the_example_runs_from_a_copy_on_a_throwaway_backend(tmp_path: Path) -> None:
    path, log = _fake_cli(tmp_path)
    before = {p.name: p.read_bytes() for p in (EXAMPLES / "quickstart").iterdir() if p.is_file()}

    result = _run(
        tmp_path, "quickstart", env=newcomer_env(tmp_path, MARKER_VAR, uuid.uuid4().hex, path=path)
    )

    assert result.returncode == 0, result.stderr
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    argvs = [c["argv"] for c in calls]
    assert argvs[0] == ["stack", "select", "--create", "emulator", "--non-interactive"]
    assert argvs[-3:] == [
        ["up", "--yes", "--non-interactive"],
        ["stack", "output"],
        ["destroy", "--yes", "--non-interactive"],
    ]
    secrets_set = {c["argv"][-1]: c["stdin"] for c in calls if "--secret" in c["argv"]}
    # ZPA's client, and the same emulator's ZIA and ZTW (OneAPI) for the cloud service API key.
    assert set(secrets_set) == {
        f"{namespace}:{key}" for namespace in ("zpa", "zia", "ztw")
        for key in ("clientId", "clientSecret")
    }  # fmt: skip
    assert "zpa-emulator-secret" not in json.dumps(argvs)
    base_urls = [a[-1] for a in argvs if a[:3] == ["config", "set", "zpa:baseUrl"]]
    assert base_urls and base_urls[0].startswith("http://127.0.0.1:")
    (cwd,) = {c["cwd"] for c in calls}
    assert not cwd.startswith(str(ROOT)) and not Path(cwd).exists()  # a copy, deleted after
    assert "Pulumi.emulator.yaml" in calls[0]["files"]
    assert f"virtualenv: {sys.prefix}" in calls[0]["pulumi_yaml"]
    for call in calls:
        assert "PULUMI_ACCESS_TOKEN" not in call["env"]
        assert call["env"]["PULUMI_BACKEND_URL"].startswith("file://")
        assert not any(k.startswith(("ZPA_", "ZSCALER_")) for k in call["env"])
    after = {p.name: p.read_bytes() for p in (EXAMPLES / "quickstart").iterdir() if p.is_file()}
    assert after == before


def test_with_the_cli_an_aws_example_still_runs_without_it_and_says_why(tmp_path: Path) -> None:
    path, log = _fake_cli(tmp_path)

    result = _run(
        tmp_path,
        "aws-service-edge",
        env=newcomer_env(tmp_path, MARKER_VAR, uuid.uuid4().hex, path=path),
    )

    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("make example: aws-service-edge also uses pulumi-aws")
    assert "runs without the CLI" in first
    assert not log.exists()  # the CLI was never called
    assert re.search(r"zpa:ServiceEdgeGroup +created", result.stdout)
