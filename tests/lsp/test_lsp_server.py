"""`ruleproof lsp` driven over its protocol: a real client talks LSP to the server process over stdio."""

from __future__ import annotations

import asyncio
import sys

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient

from verifier.lsp.analysis import word_at

URI = "file:///tmp/ruleproof-lsp-test/wound.rules"

GOOD = '''ruleset wound version "1"
source s "A source"
input depth_mm: real [0, 50] unit "mm" doc "Deepest point of the wound."
define deep = depth_mm > 5 doc "Deeper than 5 mm."
action dressing: supportive "Moist dressing"
rule shallow "Shallow wound"
  when not deep
  recommend dressing category 2A sources [s]
  because "A shallow wound heals under a moist dressing."
rule deep_wound "Deep wound"
  when deep
  recommend dressing category 2A sources [s]
'''

# Line 7 (0-based 6) names an unknown input: the checker's error, with its did-you-mean.
TYPO = GOOD.replace("when not deep", "when not deeep")
BROKEN = GOOD.replace("when not deep", "when not")


async def _session() -> dict:
    client = LanguageClient("ruleproof-test", "1")
    published: list[t.PublishDiagnosticsParams] = []
    arrived = asyncio.Event()

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diagnostics(params: t.PublishDiagnosticsParams) -> None:
        published.append(params)
        arrived.set()

    async def next_diagnostics() -> t.PublishDiagnosticsParams:
        await asyncio.wait_for(arrived.wait(), 30)
        arrived.clear()
        return published[-1]

    await client.start_io(sys.executable, "-c", "from verifier.cli import main; main()", "lsp")
    out: dict = {}
    try:
        init = await asyncio.wait_for(client.initialize_async(t.InitializeParams(
            capabilities=t.ClientCapabilities(), process_id=None, root_uri=None)), 30)
        out["capabilities"] = init.capabilities
        client.initialized(t.InitializedParams())

        client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(uri=URI, language_id="ruleproof", version=1, text=TYPO)))
        out["typo"] = await next_diagnostics()

        client.text_document_did_change(t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=BROKEN)]))
        out["broken"] = await next_diagnostics()
        # Hover still works from the last table that parsed, while the line is half typed.
        out["hover_while_broken"] = await client.text_document_hover_async(t.HoverParams(
            text_document=t.TextDocumentIdentifier(URI), position=t.Position(line=10, character=8)))

        client.text_document_did_change(t.DidChangeTextDocumentParams(
            text_document=t.VersionedTextDocumentIdentifier(uri=URI, version=3),
            content_changes=[t.TextDocumentContentChangeWholeDocument(text=GOOD)]))
        out["good"] = await next_diagnostics()

        doc = t.TextDocumentIdentifier(URI)
        out["hover_input"] = await client.text_document_hover_async(t.HoverParams(doc, t.Position(3, 16)))
        out["hover_rule"] = await client.text_document_hover_async(t.HoverParams(doc, t.Position(5, 8)))
        out["hover_nothing"] = await client.text_document_hover_async(t.HoverParams(doc, t.Position(8, 15)))
        out["definition"] = await client.text_document_definition_async(t.DefinitionParams(doc, t.Position(10, 8)))
        out["definition_action"] = await client.text_document_definition_async(
            t.DefinitionParams(doc, t.Position(11, 14)))
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await asyncio.wait_for(client.stop(), 30)
    return out


def test_language_server_over_stdio() -> None:
    out = asyncio.run(_session())
    caps = out["capabilities"]
    assert caps.hover_provider and caps.definition_provider

    (d,) = out["typo"].diagnostics
    assert d.severity == t.DiagnosticSeverity.Error and d.source == "ruleproof"
    assert "unknown name 'deeep'" in d.message and "did you mean 'deep'" in d.message
    assert (d.range.start.line, d.range.start.character, d.range.end.character) == (6, 11, 16)

    (d,) = out["broken"].diagnostics
    assert "expected an expression" in d.message and d.range.start.line == 7

    assert list(out["good"].diagnostics) == [] and out["good"].uri == URI

    assert "Deeper than 5 mm." in out["hover_while_broken"].contents.value
    hover = out["hover_input"]
    assert hover.contents.kind == t.MarkupKind.Markdown
    assert "**input** `depth_mm`: real [0, 50] (mm)" in hover.contents.value
    assert "Deepest point of the wound." in hover.contents.value
    assert (hover.range.start.line, hover.range.start.character, hover.range.end.character) == (3, 14, 22)
    assert "A shallow wound heals" in out["hover_rule"].contents.value
    assert out["hover_nothing"] is None  # inside a string

    loc = out["definition"]
    assert loc.uri == URI and (loc.range.start.line, loc.range.start.character, loc.range.end.character) == (3, 7, 11)
    loc = out["definition_action"]
    assert (loc.range.start.line, loc.range.start.character) == (4, 7)


def test_word_at_skips_strings_and_comments() -> None:
    text = 'rule r "a b" when x_y and z # c d'
    assert word_at(text, 0, 19) == ("x_y", 18, 21)
    assert word_at(text, 0, 9) is None and word_at(text, 0, 31) is None and word_at(text, 5, 0) is None
