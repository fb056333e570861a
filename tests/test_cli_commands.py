"""The command line's table (scripts/__main__.py COMMANDS): every command the
parser offers has its handler, and no handler waits for a command the parser
does not offer; each command's --help answers."""
from __future__ import annotations

import argparse

import pytest

from scripts import __main__ as cli


def commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_has_a_handler_and_every_handler_a_command():
    assert set(commands()) == set(cli.COMMANDS)
    assert all(callable(handler) for handler in cli.COMMANDS.values())


# newsroom and verify pass everything after their name to their own command line.
@pytest.mark.parametrize("command", sorted(set(commands()) - {"newsroom", "verify"}))
def test_each_command_answers_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        cli.main([command, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: python -m scripts {command}")


def test_an_unknown_command_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["no-such-command"])
    assert done.value.code == 2 and "no-such-command" in capsys.readouterr().err


def test_verify_answers_help_from_its_own_command_line(capsys):
    assert cli.main(["verify", "--help"]) == 0
    assert "python -m scripts verify keygen" in capsys.readouterr().out
