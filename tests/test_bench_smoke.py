"""A tiny run of the bulk benchmark (`bench/bulk.py`), so that `make bench` cannot rot unseen.

12 keys created, refreshed and deleted through the real provider host by 4 threads, against the
emulator's enforced budgets on a 0.3 s window. Timing is not asserted (the machine may be
loaded); the pacing is: no 429 and no failure.
"""

from __future__ import annotations

from pathlib import Path

from support import bench_module

from pulumi_zpa_pkeys.testing import emulator


def test_bulk_benchmark_small_run_draws_no_429_and_no_failure() -> None:
    bulk = bench_module("bulk")
    window = 0.3
    with emulator(rate_limit=True, legacy=True) as emu:
        bulk.configure_limits(emu, window)
        host = bulk.start_host(emu, window)
        try:
            results = bulk.provider_run(emu, host, 12, window, "smoke")
        finally:
            host.stop()
        assert bulk.keys_named(emu, "bench-smoke-") == []
    assert [r.phase for r in results] == ["create", "refresh", "delete"]
    for result in results:
        assert (result.phase, result.traffic.too_many, result.failures) == (result.phase, 0, 0)
        assert result.first_error is None
    create, refresh, delete = results
    assert create.traffic.by_method == {"POST": 12, "GET": 12}
    assert refresh.traffic.by_method == {"GET": 12}
    assert delete.traffic.by_method == {"DELETE": 12}
    # 12 writes at 10 per window: the second window's writes had to wait for it.
    assert create.seconds >= window and delete.seconds >= window


def test_stacks_benchmark_small_run_shares_one_budget() -> None:
    """Two provider hosts (two stacks) creating 6 keys each at once against ZPA's write budget
    (10 per window): sharing it, they draw no 429, and the second window's writes waited."""
    bulk, stacks = bench_module("bulk"), bench_module("stacks")
    window = 0.3
    with emulator(rate_limit=True) as emu:
        bulk.configure_limits(emu, window)
        hosts = [bulk.start_host(emu, window, shared=True) for _ in range(2)]
        try:
            result = stacks.stacks_run(emu, hosts, 6, window, True, "smoke")
        finally:
            for host in hosts:
                host.stop()
        assert bulk.keys_named(emu, "bench-stacks-smoke-") == []  # the run cleans up
    assert (result.traffic.too_many, result.failures, result.first_error) == (0, 0, None)
    assert result.traffic.by_method == {"POST": 12, "GET": 12}
    assert result.retries == 0
    assert result.floor_s == window  # 12 writes at 10 per window: one more window
    assert result.seconds >= window


def test_run_renders_the_requests_per_operation_section(tmp_path: Path) -> None:
    """`bench/run.py --only ops` writes RESULTS.md's first section, with the lifecycle cases the
    Performance table of docs/performance.md quotes."""
    run = bench_module("run")
    output = tmp_path / "RESULTS.md"
    assert run.main(["--only", "ops", "--small-runs", "1", "--output", str(output)]) == 0
    text = output.read_text()
    assert "## 1. Requests per operation" in text

    def row(operation: str) -> str:
        return next(line for line in text.splitlines() if line.startswith(f"| {operation}"))

    assert "| 3 | DELETE 204 + POST 200 + GET 200 |" in row("`up`: replace, name kept")
    assert "| 3 | POST 200 + GET 200 + DELETE 204 |" in row("`up`: replace with a new name")
    assert "| 5 | POST None + GET 200 + DELETE 204 + POST 200 + GET 200 |" in row(
        "`up`: create a non-exportable key, answer lost"
    )


def test_run_measures_one_sign_in_per_process_in_both_modes(tmp_path: Path) -> None:
    """`--only signins`: a fresh provider host per sign-in mode signs in once for every call."""
    run = bench_module("run")
    output = tmp_path / "RESULTS.md"
    assert run.main(["--only", "signins", "--output", str(output)]) == 0
    text = output.read_text()
    assert "| client secret | 32 | 48 | **1** |" in text
    assert "| private key | 32 | 48 | **1** |" in text
