"""`pulumi_zpa_pkeys.testing.environment.environment`: the one helper the program runner, the
tests and the benchmarks use to point the settings at an emulator for a block."""

from __future__ import annotations

import os

import pytest

from pulumi_zpa_pkeys.testing.environment import environment


def test_environment_sets_values_for_the_block_and_restores_old_and_unset_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ZPA_CLOUD", "PRODUCTION")
    monkeypatch.delenv("ZPA_CUSTOMER_ID", raising=False)

    with environment({"ZPA_CLOUD": "BETA", "ZPA_CUSTOMER_ID": "42"}):
        assert (os.environ["ZPA_CLOUD"], os.environ["ZPA_CUSTOMER_ID"]) == ("BETA", "42")

    assert os.environ["ZPA_CLOUD"] == "PRODUCTION"
    assert "ZPA_CUSTOMER_ID" not in os.environ


def test_environment_restores_when_the_block_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZPA_CLIENT_ID", raising=False)

    with pytest.raises(RuntimeError, match="inside"), environment({"ZPA_CLIENT_ID": "x"}):
        raise RuntimeError("inside")

    assert "ZPA_CLIENT_ID" not in os.environ


def test_environment_leaves_names_it_was_not_given_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZPA_VANITY_DOMAIN", "before")

    with environment({"ZPA_CLOUD": "BETA"}):
        os.environ["ZPA_VANITY_DOMAIN"] = "changed inside"

    assert os.environ["ZPA_VANITY_DOMAIN"] == "changed inside"
