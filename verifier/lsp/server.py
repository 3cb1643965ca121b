"""The rule language's LSP server (pygls): diagnostics on open/change/save, hover, go to definition.

Positions: the dsl counts lines and columns from 1 in characters; LSP counts
from 0, and the server announces UTF-16 columns, so a line with characters
outside the Basic Multilingual Plane is converted through pygls's position codec.
"""

from __future__ import annotations

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from dsl.errors import Diagnostic
from dsl.span import Span
from verifier.lsp.analysis import Symbol, diagnostics, parse_symbols, word_at

NAME = "ruleproof"


class RulesServer(LanguageServer):
    def __init__(self) -> None:
        try:
            from importlib.metadata import version
            v = version("ruleproof")
        except Exception:  # noqa: BLE001 - a version string is cosmetic
            v = "0"
        super().__init__(NAME, v, text_document_sync_kind=t.TextDocumentSyncKind.Full)
        # The last symbol table that parsed, per document: hover keeps working while a line is half typed.
        self.tables: dict[str, dict[str, Symbol]] = {}


server = RulesServer()


def _path(doc: TextDocument) -> str:
    return doc.path or doc.uri


def _range(doc: TextDocument, span: Span) -> t.Range:
    """A dsl span (1-based, characters) as an LSP range (0-based, the client's encoding)."""
    line = max(0, span.line - 1)
    col = max(0, span.col - 1)
    end_line = max(line, span.end_line - 1)
    end_col = max(col + 1, span.end_col - 1) if end_line == line else max(0, span.end_col - 1)
    rng = t.Range(t.Position(line, col), t.Position(end_line, end_col))
    return doc.position_codec.range_to_client_units(doc.lines, rng)


def _diagnostic(doc: TextDocument, d: Diagnostic) -> t.Diagnostic:
    span = d.span if d.span.line > 0 else Span(d.span.path, 1, 1, 1, 1)
    severity = t.DiagnosticSeverity.Error if d.severity == "error" else t.DiagnosticSeverity.Warning
    return t.Diagnostic(range=_range(doc, span), message=d.message, severity=severity, source=NAME)


def refresh(ls: RulesServer, uri: str) -> None:
    """Check the document again and publish what the checker says about it."""
    doc = ls.workspace.get_text_document(uri)
    text = doc.source
    table = parse_symbols(text, _path(doc))
    if table is not None:
        ls.tables[uri] = table
    found = [_diagnostic(doc, d) for d in diagnostics(text, _path(doc))]
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=doc.version))


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RulesServer, params: t.DidOpenTextDocumentParams) -> None:
    refresh(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RulesServer, params: t.DidChangeTextDocumentParams) -> None:
    refresh(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RulesServer, params: t.DidSaveTextDocumentParams) -> None:
    refresh(ls, params.text_document.uri)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: RulesServer, params: t.DidCloseTextDocumentParams) -> None:
    ls.tables.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[]))


def _lookup(ls: RulesServer, uri: str, position: t.Position) -> tuple[TextDocument, Symbol, t.Range] | None:
    doc = ls.workspace.get_text_document(uri)
    pos = doc.position_codec.position_from_client_units(doc.lines, position)
    hit = word_at(doc.source, pos.line, pos.character)
    table = ls.tables.get(uri)
    if hit is None or table is None or hit[0] not in table:
        return None
    word, start, end = hit
    rng = doc.position_codec.range_to_client_units(
        doc.lines, t.Range(t.Position(pos.line, start), t.Position(pos.line, end)))
    return doc, table[word], rng


@server.feature(t.TEXT_DOCUMENT_HOVER)
def hover(ls: RulesServer, params: t.HoverParams) -> t.Hover | None:
    found = _lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    _, sym, rng = found
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value=sym.hover), range=rng)


@server.feature(t.TEXT_DOCUMENT_DEFINITION)
def definition(ls: RulesServer, params: t.DefinitionParams) -> t.Location | None:
    found = _lookup(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    doc, sym, _ = found
    return t.Location(uri=params.text_document.uri, range=_range(doc, sym.span))


def main() -> None:
    """Serve over stdin/stdout until the client says exit."""
    server.start_io()
