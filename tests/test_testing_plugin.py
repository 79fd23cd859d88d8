"""The pytest plugin fails a test that returns an Output instead of asserting (pytest only warns,
and `@pulumi.runtime.test` drops the Output's value), and leaves other tests alone.

Each case runs in a pytest of its own, in a folder outside the checkout, where the plugin is
loaded from its entry point as in a user's project.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HEADER = """
import pulumi

class NoResources(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", args.inputs
    def call(self, args):
        return {}

pulumi.runtime.set_mocks(NoResources(), preview=False)
"""


def _pytest(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(HEADER + textwrap.dedent(body))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_test_returning_an_output_fails_and_says_why(tmp_path: Path) -> None:
    result = _pytest(
        tmp_path,
        """
        def test_max_usage():
            return pulumi.Output.from_input(2).apply(lambda v: v == 3)
        """,
    )

    assert result.returncode == 1, result.stdout
    assert "1 failed" in result.stdout
    assert "test_max_usage returned a pulumi Output instead of asserting" in result.stdout
    assert "run_program or deploy_program" in result.stdout


def test_a_pulumi_test_whose_output_resolves_to_a_value_fails(tmp_path: Path) -> None:
    result = _pytest(
        tmp_path,
        """
        @pulumi.runtime.test
        def test_max_usage():
            return pulumi.Output.from_input(2).apply(lambda v: v == 3)
        """,
    )

    assert result.returncode == 1, result.stdout
    assert "the Output it returned resolved to False" in result.stdout
    assert "`assert` the condition instead of returning it" in result.stdout


def test_a_resolved_string_is_not_shown(tmp_path: Path) -> None:
    result = _pytest(
        tmp_path,
        """
        @pulumi.runtime.test
        def test_value():
            return pulumi.Output.secret("3|api.private.zscaler.com|c2VjcmV0")
        """,
    )

    assert result.returncode == 1, result.stdout
    assert "resolved to a str" in result.stdout
    assert "c2VjcmV0" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        (
            """
            @pulumi.runtime.test
            def test_asserted_inside_the_apply():
                def check(v):
                    assert v == 2
                return pulumi.Output.from_input(2).apply(check)
            """,
            "1 passed",
        ),
        (
            """
            @pulumi.runtime.test
            def test_assertion_inside_the_apply_fails():
                def check(v):
                    assert v == 3
                return pulumi.Output.from_input(2).apply(check)
            """,
            "1 failed",
        ),
        (
            """
            def test_plain(tmp_path):
                assert tmp_path.exists()
            """,
            "1 passed",
        ),
    ],
    ids=["assert-in-apply-passes", "assert-in-apply-fails", "plain-test"],
)
def test_tests_that_assert_keep_their_outcome(tmp_path: Path, body: str, outcome: str) -> None:
    result = _pytest(tmp_path, body)

    assert outcome in result.stdout, result.stdout
    assert "instead of asserting" not in result.stdout and "drops" not in result.stdout
