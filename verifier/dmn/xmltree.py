"""A minimal XML tree that remembers where each element starts.

``xml.etree`` forgets line numbers, and every DMN error must point at its
element, so the tree is built from expat events directly. Expat does not
fetch external entities; namespaces are resolved to ``{uri}local`` names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from verifier.dmn.errors import DmnError


@dataclass(slots=True)
class Node:
    tag: str  # local name, namespace dropped
    ns: str
    attrib: dict[str, str]
    line: int
    col: int  # 1-based
    children: list["Node"] = field(default_factory=list)
    text: str = ""

    def find(self, tag: str) -> "Node | None":
        for c in self.children:
            if c.tag == tag:
                return c
        return None

    def findall(self, tag: str) -> list["Node"]:
        return [c for c in self.children if c.tag == tag]

    def child_text(self, tag: str) -> str | None:
        c = self.find(tag)
        return None if c is None else c.text


def parse_xml(data: bytes, path: str) -> Node:
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[Node] = []
    root: list[Node] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(" ")
        clean = {k.rpartition(" ")[2]: v for k, v in attrs.items()}
        node = Node(local, ns, clean, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(name: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].text += data

    def no_entities(*args: object) -> int:
        raise DmnError(path, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1,
                       "entity declarations are not accepted in a DMN file")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(data, True)
    except expat.ExpatError as err:
        raise DmnError(path, err.lineno, err.offset + 1, f"not well-formed XML: {expat.errors.messages[err.code]}") from None
    return root[0]
