"""``ruleproof lsp``: the language server, over stdio."""

from __future__ import annotations

import click


@click.command("lsp")
@click.option("--stdio", is_flag=True, help="Talk LSP over stdin/stdout (the default and only transport; "
              "accepted because editors pass it).")
def lsp_command(stdio: bool) -> None:
    """Run the language server for rules files (diagnostics, hover with docs, go to definition) over stdio.

    An editor starts it; see the README's "Authoring tools" section for the settings.

    \b
    Exit codes:
      0  the client asked the server to exit
      2  bad input: a bad option
      4  internal error in ruleproof itself (please report it)
    """
    del stdio
    from verifier.lsp.server import main  # pygls is loaded only for this command

    main()
