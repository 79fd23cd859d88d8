"""Check what `make dist` built: `python tools/check_dist.py DIST_DIR` (exit 1, one line per
problem, when something is wrong).

The directory must hold exactly one sdist (`.tar.gz`) and one wheel (`.whl`) of this package, of
the same version. In the wheel:

- the metadata parses (standard library email parser, as installers read it) and carries the
  name, version, summary, Python requirement, licence expression and file, the runtime
  requirements, and the README as the description, declared `text/markdown` (the one setting
  that decides how the package index renders it: Markdown is rendered as GitHub-flavoured
  Markdown, which accepts any text, so the content type is what can go wrong);
- every file of the package in the sdist is in the wheel (the emulator's JSON data and
  `py.typed` among them), plus the licence and the pytest plugin's `pytest11` entry point.

Standard library only (no `twine`: for a Markdown description its check amounts to the content
type, checked here).
"""

from __future__ import annotations

import configparser
import email.parser
import email.policy
import sys
import tarfile
import zipfile
from email.message import Message
from pathlib import Path, PurePosixPath

NAME = "pulumi-zpa-pkeys"
PACKAGE = "pulumi_zpa_pkeys"
#: What must ride along with the code (the sdist-versus-wheel comparison finds the rest).
DATA_FILES = ("py.typed", "emulator/data/enrollment_certs.json")
ENTRY_POINT = ("pytest11", "zpa_emulator", f"{PACKAGE}.testing.plugin")
LICENSE_EXPRESSION = "Apache-2.0"
REQUIRED_HEADERS = ("Metadata-Version", "Name", "Version", "Summary", "Requires-Python")
RUNTIME_REQUIREMENTS = ("pulumi", "requests")


def _metadata(text: str) -> Message:
    return email.parser.Parser(policy=email.policy.compat32).parsestr(text)


def _requirement_name(spec: str) -> str:
    name = spec.split(";")[0].strip()
    for stop in "<>=!~[ (":
        name = name.split(stop)[0]
    return name.lower().replace("_", "-")


def check_metadata(meta: Message, readme: str) -> list[str]:
    """Problems with a wheel's METADATA, given the README it must carry."""
    problems = [f"METADATA: no {h}" for h in REQUIRED_HEADERS if not (meta[h] or "").strip()]
    if (meta["Name"] or "").strip().lower().replace("_", "-") != NAME:
        problems.append(f"METADATA: Name is {meta['Name']!r}, not {NAME!r}")
    if meta["License-Expression"] != LICENSE_EXPRESSION:
        problems.append(f"METADATA: License-Expression is not {LICENSE_EXPRESSION}")
    if "LICENSE" not in (meta.get_all("License-File") or []):
        problems.append("METADATA: no License-File: LICENSE")
    required = {
        _requirement_name(r) for r in meta.get_all("Requires-Dist") or [] if "extra" not in r
    }
    problems += [
        f"METADATA: no Requires-Dist {name}"
        for name in RUNTIME_REQUIREMENTS
        if name not in required
    ]
    content_type = (meta["Description-Content-Type"] or "").split(";")[0].strip()
    if content_type != "text/markdown":
        problems.append(
            f"METADATA: Description-Content-Type is {content_type or 'missing'!r}, not "
            "text/markdown (the index would show the README as plain text)"
        )
    body = meta.get_payload()
    if not isinstance(body, str) or not body.strip():
        problems.append("METADATA: the description (README) is empty")
    elif body.strip() != readme.strip():
        problems.append("METADATA: the description is not the README")
    return problems


def _entry_points(text: str) -> dict[str, dict[str, str]]:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep names' case
    parser.read_string(text)
    return {section: dict(parser[section]) for section in parser.sections()}


def _package_files(names: list[str], prefix: str = "") -> set[str]:
    """Paths under the package (relative to it), without caches."""
    found = set()
    for name in names:
        path = PurePosixPath(name[len(prefix) :] if name.startswith(prefix) else name)
        if path.parts[:1] == (PACKAGE,) and "__pycache__" not in path.parts and path.suffix:
            found.add(str(path.relative_to(PACKAGE)))
    return found


def check_dist(dist: Path) -> list[str]:
    """Every problem found with the sdist and wheel in `dist` (empty when all is well)."""
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [f"{dist}: expected one wheel and one sdist, found {len(wheels)} and {len(sdists)}"]
    wheel_path, sdist_path = wheels[0], sdists[0]
    with tarfile.open(sdist_path) as sdist:
        members = sdist.getnames()
        root = members[0].split("/")[0] + "/"

        def read(name: str) -> str | None:
            if root + name not in members:
                return None
            handle = sdist.extractfile(root + name)
            return handle.read().decode() if handle else None

        readme, pkg_info = read("README.md"), read("PKG-INFO")
        problems = [
            f"{sdist_path.name}: no {name}"
            for name in ("pyproject.toml", "README.md", "LICENSE", "PKG-INFO")
            if root + name not in members
        ]
        sdist_files = _package_files(members, root)
    with zipfile.ZipFile(wheel_path) as wheel:
        names = wheel.namelist()
        info = next((n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA")), None)
        if info is None:
            return [*problems, f"{wheel_path.name}: no .dist-info/METADATA"]
        meta = _metadata(wheel.read(f"{info}/METADATA").decode())
        problems += [f"{wheel_path.name}: {p}" for p in check_metadata(meta, readme or "")]
        if pkg_info is not None and _metadata(pkg_info)["Version"] != meta["Version"]:
            problems.append("the sdist and the wheel have different versions")
        if f"{info}/licenses/LICENSE" not in names:
            problems.append(f"{wheel_path.name}: no {info}/licenses/LICENSE")
        entry_text = wheel.read(f"{info}/entry_points.txt").decode() if (
            f"{info}/entry_points.txt" in names
        ) else ""  # fmt: skip
        group, name, target = ENTRY_POINT
        if _entry_points(entry_text).get(group, {}).get(name, "").strip() != target:
            problems.append(f"{wheel_path.name}: no entry point {group}: {name} = {target}")
        wheel_files = _package_files(names)
    problems += [
        f"{wheel_path.name}: no {PACKAGE}/{path}"
        for path in sorted((sdist_files | set(DATA_FILES)) - wheel_files)
    ]
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tools/check_dist.py DIST_DIR", file=sys.stderr)
        return 2
    dist = Path(argv[0])
    problems = check_dist(dist)
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_dist: {', '.join(sorted(p.name for p in dist.iterdir() if p.is_file()))} ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
