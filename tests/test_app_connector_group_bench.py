"""`bench/resource_requests.py` (requests per operation for every resource) runs, and the group
resources meet their targets: check and diff 0, create ≤ 2, read 1, update ≤ 2, delete 1,
lookup by name 1. Counts, not timing: safe on a loaded machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from support import bench_module

from pulumi_zpa_pkeys import _host


@pytest.fixture
def bench() -> Iterator[ModuleType]:
    yield bench_module("resource_requests")
    _host.reset()  # the lookups' transport: leave none behind for later tests


def test_every_resource_case_meets_its_request_targets(
    bench: ModuleType, zpa_emulator: Any
) -> None:
    measured = [(case, bench.measure_case(zpa_emulator, case)) for case in bench.CASES]

    assert [m for case, results in measured for m in bench.missed_targets(case, results)] == []
    out = bench.table(measured)
    for label in ("ProvisioningKey", "AppConnectorGroup", "ServiceEdgeGroup"):
        row = "| 0 (≤ 0) | 0 (≤ 0) | 2 (≤ 2) | 1 (≤ 1) | 2 (≤ 2) | 1 (≤ 1) | 1 (≤ 1) | 1 |"
        assert f"| {label} {row}" in out
    assert "| ServiceEdgeGroup | create | POST 201 + GET 200 |" in out
    assert "| AppConnectorGroup | update | PUT 204 + GET 200 |" in out


def test_a_missed_target_is_reported(bench: ModuleType, zpa_emulator: Any) -> None:
    strict = bench.ResourceCase(**{**vars(bench.CASES[1]), "targets": {"create": 1}})
    results = bench.measure_case(zpa_emulator, strict)
    assert bench.missed_targets(strict, results) == [
        "AppConnectorGroup create: 2 requests, target ≤ 1"
    ]
