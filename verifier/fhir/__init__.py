"""HL7 FHIR R4 export of a checked ruleset (CPG-on-FHIR shapes).

``library`` and ``translate`` turn the model into a CQL library (text and
ELM, one walk); ``faithful`` refuses what CQL cannot hold exactly;
``resources``, ``grading`` and ``export`` build the Library, PlanDefinition,
ActivityDefinitions, CodeSystem and Bundle; ``decision`` turns one engine
decision into a CarePlan/RequestGroup; ``cql_engine`` runs the exported logic
with cql-execution and the reference translator (``node/``, test tooling).
"""
