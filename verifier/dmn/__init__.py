"""OMG DMN decision tables in and out of the rule language.

``read_dmn`` reads DMN 1.1-1.5 XML into a small model (``model.py``),
``translate`` turns that model into rules text whose checked ``Ruleset``
means the same as the tables under their hit policies, ``dmn_result`` reads
a DMN decision's value back off an engine decision, and ``export_dmn``
writes a ruleset as a DMN decision table.
"""

from verifier.dmn.errors import DmnError
from verifier.dmn.reader import read_dmn, read_dmn_file
from verifier.dmn.translate import Translation, translate

__all__ = ["DmnError", "Translation", "read_dmn", "read_dmn_file", "translate"]
