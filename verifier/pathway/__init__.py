"""Pathway verification: properties of the journeys a patient can take by following the rules.

``unroll`` encodes journeys of a given number of steps in Z3 (the journey
semantics of ``engine.pathway``, step for step); ``prove`` decides pathway
properties by bounded model checking and k-induction; ``journeys`` reads a
journey out of a model and replays it through the engine before anything is
reported.
"""
