"""``ruleproof export``: hand a ruleset to other systems, one subcommand per target format.

Each target lives in its own module and is imported only when it runs; a new
target is one more line in ``_TARGETS``.
"""

from __future__ import annotations

import importlib

import click

_TARGETS = {
    "fhir": "verifier.cli.export_fhir_cmd:fhir_command",
    "dmn": "verifier.cli.dmn_cmd:export_dmn_command",
}


class _LazyTargets(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_TARGETS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = _TARGETS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group("export", cls=_LazyTargets)
def export_command() -> None:
    """Export a ruleset to another format (run `ruleproof export TARGET --help`)."""
