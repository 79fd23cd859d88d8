"""Data safety, emulator items: a ``--state`` journal that cannot be read whole is refused at
start with one line naming the file and the line, and never rewritten; ids do not repeat
across restarts without ``--state``; a journal an earlier emulator wrote still loads."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from pulumi_zpa_pkeys.emulator.backend import Backend
from pulumi_zpa_pkeys.emulator.store import Journal, JournalError
from pulumi_zpa_pkeys.testing.emulator_process import RunningEmulator, emulator

ACG = "216196257331300001"


def _key(name: str) -> dict[str, Any]:
    return {"name": name, "maxUsage": 2, "enrollmentCertId": "6573", "zcomponentId": ACG}


def write_journal(path: Path) -> list[bytes]:
    """A journal as the emulator writes it: the start snapshot, then keys a, b, c and a group.
    Returns its lines (with their newlines)."""
    backend = Backend(journal=Journal(path))
    for name in ("a", "b", "c"):
        backend.create_provisioning_key(association_type="CONNECTOR_GRP", body=_key(name))
    backend.create_group(kind="serviceEdgeGroups", body={"name": "g"})
    backend.close()
    return path.read_bytes().splitlines(keepends=True)


def line_of(lines: list[bytes], name: str) -> int:
    """The 1-based line of the record that stores key ``name``."""
    for number, line in enumerate(lines, start=1):
        record = json.loads(line)
        if record.get("k") == "keys" and record["o"]["name"] == name:
            return number
    raise AssertionError(name)


def replace_line(number: int, new: bytes) -> Callable[[list[bytes]], tuple[bytes, int]]:
    def damage(lines: list[bytes]) -> tuple[bytes, int]:
        changed = list(lines)
        changed[number - 1] = new
        return b"".join(changed), number

    return damage


def middle(new: Callable[[bytes], bytes]) -> Callable[[list[bytes]], tuple[bytes, int]]:
    """Replace the record of key "b" (in the middle of the journal) with ``new(old)``."""

    def damage(lines: list[bytes]) -> tuple[bytes, int]:
        number = line_of(lines, "b")
        return replace_line(number, new(lines[number - 1]))(lines)

    return damage


def whole(content: bytes) -> Callable[[list[bytes]], tuple[bytes, int]]:
    return lambda lines: (content, 1)


REFUSED = {
    "damaged record in the middle": middle(lambda old: old[: len(old) // 2] + b"\n"),
    "a file that is not a journal": whole(b"# my notes\nnothing to see here\n"),
    "JSON that is not a journal": whole(b'{"name": "x"}\n'),
    "a lone line that is not a journal": whole(b"hello"),
    "record of the wrong shape": middle(lambda old: b'{"t":"put","k":"keys","o":{"id":"7"}}\n'),
    "field of the wrong type": middle(lambda old: old.replace(b'"enabled":true', b'"enabled":1')),
    "unknown association type": middle(lambda old: old.replace(b"CONNECTOR_GRP", b"NOPE_GRP")),
    "unknown record type": middle(lambda old: b'{"t":"zap"}\n'),
    "unknown table": middle(lambda old: old.replace(b'"k":"keys"', b'"k":"lock"')),
    "record that is not an object": middle(lambda old: b"[1, 2]\n"),
    "non-UTF-8 bytes": middle(lambda old: b'{"t":"del","k":"keys","id":"\xff\xfe"}\n'),
    "bad sequence record": replace_line(2, b'{"t":"seq","keys":"x","groups":1}\n'),
    "unknown sequence": replace_line(2, b'{"t":"seq","keys":1,"locks":1}\n'),
}


def damaged_journal(tmp_path: Path, case: str) -> tuple[Path, bytes, int]:
    """A journal damaged as ``case`` says: its path, its bytes and the line to be named."""
    path = tmp_path / "state.jsonl"
    content, line = REFUSED[case](write_journal(path))
    path.write_bytes(content)
    return path, content, line


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_journal_that_cannot_be_read_whole_is_refused_with_its_line(
    tmp_path: Path, case: str
) -> None:
    path, content, line = damaged_journal(tmp_path, case)
    with pytest.raises(JournalError) as info:
        Backend(journal=Journal(path))
    assert info.value.line == line and f"{path}, line {line}: " in str(info.value)
    assert "\n" not in str(info.value)
    assert path.read_bytes() == content


def test_journal_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="is a directory"):
        Backend(journal=Journal(tmp_path))


def test_journal_torn_last_line_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    lines = write_journal(path)
    for torn in (b'{"t":"put","k":"key","o":{"id"', b'{"t":"del","k":"key","id":"6\xe2\x82'):
        path.write_bytes(b"".join(lines) + torn)
        backend = Backend(journal=Journal(path))
        assert [k["name"] for k in backend.state()["provisioningKeys"]] == ["a", "b", "c"]
        backend.close()
        assert not path.read_bytes().endswith(torn)  # compacted without the torn write
    path.write_bytes(b"")
    Backend(journal=Journal(path)).close()  # an empty file is an empty journal


def _start(path: Path) -> tuple[int, str]:
    """Start the real process on ``path``; its exit code and stderr (it must not serve)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pulumi_zpa_pkeys.emulator", "--port", "0", "--state", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    first = proc.stdout.readline()  # b"" once it exits; a URL if it started after all
    if first:
        proc.kill()
    _, err = proc.communicate(timeout=30)
    assert first == b"", f"the emulator started on {path}: {first!r}"
    return proc.returncode, err.decode()


@pytest.mark.parametrize(
    "case",
    ["damaged record in the middle", "a file that is not a journal", "record of the wrong shape",
     "non-UTF-8 bytes"],
)  # fmt: skip
def test_process_refuses_a_damaged_journal_in_one_line_and_leaves_it(
    tmp_path: Path, case: str
) -> None:
    path, content, line = damaged_journal(tmp_path, case)
    code, err = _start(path)
    assert code != 0
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("zpa-emulator: ") and f"{path}, line {line}:" in err
    assert path.read_bytes() == content
    assert not path.with_name(path.name + ".tmp").exists()


def test_process_refuses_a_directory_as_journal(tmp_path: Path) -> None:
    code, err = _start(tmp_path)
    assert code != 0 and err.count("\n") == 1 and "Traceback" not in err, err
    assert f"{tmp_path}: is a directory" in err


def test_process_starts_past_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_bytes(b"".join(write_journal(path)) + b'{"t":"put","k":"key","o":{"na')
    with emulator(state_file=path) as emu:
        assert [k["name"] for k in emu.state()["provisioningKeys"]] == ["a", "b", "c"]


# ------------------------------------------------------------------ ids across restarts


def _make_objects(emu: RunningEmulator) -> dict[str, int]:
    api = f"{emu.url}/zpa/mgmtconfig/v1/admin/customers/{emu.customer_id}"
    with requests.Session() as s:
        s.headers["Authorization"] = f"Bearer {emu.token()}"
        key = s.post(f"{api}/associationType/CONNECTOR_GRP/provisioningKey", json=_key("k"),
                     timeout=10)  # fmt: skip
        group = s.post(f"{api}/appConnectorGroup", json={"name": "g"}, timeout=10)
    cert = emu.add_enrollment_cert(name="extra")
    assert key.status_code == 200 and group.status_code == 201
    return {"key": int(key.json()["id"]), "group": int(group.json()["id"]), "cert": int(cert["id"])}


def test_ids_do_not_repeat_across_restarts_without_state() -> None:
    with emulator() as first:
        old = _make_objects(first)
        first.seed("CONNECTOR_GRP", 200, "bulk-")
        old_last_key = max(int(k["id"]) for k in first.state()["provisioningKeys"])
    with emulator() as second:
        state = second.state()
        new = _make_objects(second)
    assert new["key"] > old_last_key and new["group"] > old["group"] and new["cert"] > old["cert"]
    # The seeded objects keep their fixed ids.
    assert [c["id"] for c in state["enrollmentCerts"]] == ["6571", "6572", "6573", "6574"]
    assert [g["id"] for g in state["appConnectorGroups"]] == [ACG]
    assert len(str(new["group"])) == 18  # group ids stay 18-digit strings


EARLIER = Path(__file__).resolve().parent / "data" / "emulator_journal"


def test_journal_written_by_an_earlier_emulator_replays_to_the_same_state(tmp_path: Path) -> None:
    path = tmp_path / "state.jsonl"
    path.write_bytes((EARLIER / "journal.jsonl").read_bytes())
    recorded = json.loads((EARLIER / "state.json").read_text(encoding="utf-8"))
    backend = Backend(journal=Journal(path))
    state = backend.state()
    assert {k: v for k, v in state.items() if k in recorded} == recorded
    # Kinds added since start as seeded (empty, or an organisation's cloud service API keys).
    fresh = Backend().state()
    assert all(state[k] == fresh[k] for k in set(state) - set(recorded))
    key = backend.create_provisioning_key(association_type="CONNECTOR_GRP", body=_key("new"))
    assert int(key["id"]) > max(int(k["id"]) for k in recorded["provisioningKeys"])
    backend.close()
    # Compacted under today's names, it loads again (with the key just made).
    assert b'"k":"key"' not in path.read_bytes()
    again = Backend(journal=Journal(path))
    assert again.state()["provisioningKeys"][:-1] == recorded["provisioningKeys"]
    assert again.state()["provisioningKeys"][-1]["id"] == key["id"]
    again.close()
