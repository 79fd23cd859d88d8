"""A newcomer's shell for tests that run the demo or the example runner as a user would: a PATH
without the Pulumi CLI, an empty HOME, a marker in the environment that every child inherits
(so a test can find what was left running), and the developer's own settings planted to prove
they never reach the run."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path


def path_without_pulumi(*, with_python: bool = True) -> str:
    """Folders holding make, sh and env (and this Python's, unless ``with_python`` is false),
    without any that holds a ``pulumi`` executable."""
    dirs = [str(Path(sys.executable).parent)] if with_python else []
    for tool in ("make", "sh", "env"):
        found = shutil.which(tool)
        if found:
            dirs.append(str(Path(found).parent))
    return os.pathsep.join(d for d in dict.fromkeys(dirs) if not (Path(d) / "pulumi").exists())


def newcomer_env(
    tmp_path: Path, marker_var: str, marker: str, *, path: str | None = None
) -> dict[str, str]:
    """A clean shell's environment: ``path`` (else one without the CLI), a fresh HOME, the
    marker, and a user's own Pulumi token, config and ZPA settings that must not be read."""
    (tmp_path / "home").mkdir(exist_ok=True)
    return {
        "PATH": path or path_without_pulumi(),
        "HOME": str(tmp_path / "home"),
        "LANG": "C.UTF-8",
        marker_var: marker,
        "PULUMI_ACCESS_TOKEN": "pul-users-own-token",
        "PULUMI_CONFIG": json.dumps({"zpa:baseUrl": "http://127.0.0.1:9"}),
        "ZSCALER_CLIENT_SECRET": "users-real-secret",
        "ZPA_RATE_LIMIT_GETS": "not-a-number",  # would fail every ZPA call if it were read
    }


def processes_marked(marker_var: str, marker: str) -> list[int]:
    """Pids of live processes whose environment carries ``marker_var=marker`` (a zombie's
    environment reads empty; none where /proc is missing)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if f"{marker_var}={marker}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue  # exited meanwhile, or not ours
    return found
