"""Syntax highlighting of the rule language: a Pygments lexer (entry point ``pygments.lexers``) and HTML for the report."""
