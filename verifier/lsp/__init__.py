"""The language server of the rule language (`ruleproof lsp`): diagnostics, hover with docs, go to definition.

``analysis`` is plain Python over the dsl (what a file means, where each name
is declared, what to show on hover); ``server`` wires it to LSP with pygls.
"""
