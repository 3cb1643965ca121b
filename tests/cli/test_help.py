"""The command's help: the whole command list, did-you-mean, exit codes under every subcommand."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from verifier.cli import _COMMANDS, cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_top_level_help_lists_every_command_uncut() -> None:
    res = run("--help")
    assert res.exit_code == 0
    for name in _COMMANDS:
        assert f"\n  {name} " in res.output
    assert "..." not in res.output.split("Commands:")[1]


@pytest.mark.parametrize("typo, meant", [("chek", "check"), ("evl", "eval"), ("grpah", "graph"), ("reprot", "report")])
def test_mistyped_command_gets_did_you_mean(typo: str, meant: str) -> None:
    res = run(typo)
    assert res.exit_code == 2
    assert f"No such command '{typo}'. Did you mean '{meant}'" in res.output


def test_unrelated_word_lists_the_commands() -> None:
    res = run("frobnicate")
    assert res.exit_code == 2
    assert "Did you mean" not in res.output
    assert "Commands: check, eval" in res.output


@pytest.mark.parametrize("name", list(_COMMANDS))
def test_every_subcommand_help_lists_exit_codes(name: str) -> None:
    res = run(name, "--help")
    assert res.exit_code == 0
    codes = res.output.split("Exit codes", 1)[1]
    assert "0" in codes and "2" in codes and "bad input" in codes
