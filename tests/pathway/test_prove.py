"""BMC and k-induction on a small ruleset: every form proved and refuted, bounded never proved."""

from __future__ import annotations

import json

import pytest

from verifier.check.results import PROVED, REFUTED, UNKNOWN
from verifier.pathway import prove
from verifier.pathway.prove import PathwayOptions, check_pathway
from verifier.check.session import Session
from verifier.check.run import check_ruleset
from verifier.check.render import render_text
from tests.pathway.helpers import HEADER, SMALL, load


def verdict(text: str, opts: PathwayOptions = PathwayOptions()):
    rs = load(text)
    [p] = rs.pathways
    return check_pathway(Session(rs, 10), p, opts)


# The seeded fault: surgery is given during work-up once the patient is imaged.
EARLY_SURGERY = SMALL.replace(
    'rule w_pet "pet"', 'rule w_op "early" when imaged recommend operate category 1 sources [s]\n  rule w_pet "pet"')


@pytest.mark.parametrize("prop, status", [
    ('never taken(operate) before referred', PROVED),
    ('never taken(operate) after taken(operate)', PROVED),
    ('always not given(operate) until referred and imaged', PROVED),
    ('from not referred and not imaged eventually operated within 3 steps', PROVED),
    ('from not referred and not imaged eventually operated within 2 steps', REFUTED),
    ('leaves workup within 2 steps', PROVED),
    ('leaves workup within 1 steps', REFUTED),
    ('from not operated always months <= 12', REFUTED),
    ('from not operated always months <= 24', PROVED),
])
def test_forms(prop, status):
    r = verdict(SMALL + f'pathway p "t": {prop}\n')
    assert r.status == status, r.message
    assert not r.internal_error
    if status == REFUTED:
        assert r.journey is not None and r.journey[0]["step"] == 0


def test_refuted_journey_is_concrete_and_replayed():
    r = verdict(EARLY_SURGERY + 'pathway p "t": never taken(operate) before referred\n')
    assert r.status == REFUTED
    journey = r.journey
    assert journey is not None
    actions = [e["action"] for e in journey if e["action"] is not None]
    assert actions[-1] == "operate" and "refer" not in actions
    # Each step's action is among what the rules give at that record.
    assert all(e["action"] in e["given"] for e in journey if e["action"] is not None)
    assert "replayed through the engine" in r.message


def test_eventually_counts_journeys_that_end_early():
    # Without the image effect's "deep" outcome nothing changes: a journey can end unimaged.
    text = SMALL.replace("effect image: imaged := true, depth := one of {superficial, deep}",
                         "effect image: depth := deep")
    r = verdict(text + 'pathway p "t": from not referred and not imaged eventually operated within 5 steps\n')
    assert r.status == REFUTED
    assert r.journey is not None and len(r.journey) <= 6


BOUNDED = HEADER + """\
input n: int [0, 20]
action inc: counter "Increment"
action wait: counter "Wait"
rule r_inc "inc" when n < 3 or n > 5 recommend inc category 1 sources [s]
rule r_wait "wait" when true consider wait category 1 sources [s]
effect inc: n += 1
pathway p "n never reaches 10 from 0": from n == 0 always n != 10
"""


def test_bounded_result_is_never_proved():
    r = verdict(BOUNDED, PathwayOptions(depth=6, max_k=2))
    assert r.status == UNKNOWN
    assert r.message.startswith("holds up to 6 steps")


def test_deeper_induction_proves_what_a_shallow_one_cannot():
    # The unreachable states 6..9 form a violation-free run of 4 steps into 10, so
    # the induction step fails up to k = 4 and holds from k = 5.
    r = verdict(BOUNDED, PathwayOptions(depth=8, max_k=6))
    assert r.status == PROVED and "k=5" in r.message


def test_engine_disagreement_is_an_internal_error(monkeypatch):
    def always_wrong(self, records, actions):
        return "step 0: forced disagreement"

    monkeypatch.setattr("engine.pathway.Stepper.replay", always_wrong)
    r = verdict(EARLY_SURGERY + 'pathway p "t": never taken(operate) before referred\n')
    assert r.internal_error and r.status == UNKNOWN


def test_check_reports_pathways_in_text_and_json():
    rs = load(EARLY_SURGERY + 'pathway p "t": never taken(operate) before referred\n')
    rep = check_ruleset(rs, timeout_s=10)
    [r] = [x for x in rep.results if x.kind == "pathway"]
    assert r.status == REFUTED
    text = render_text([rep], timing=False)
    assert "pathway properties (journeys)" in text and "counterexample journey:" in text
    assert " | operate | " in text
    doc = json.loads(json.dumps(r.to_json(False)))
    assert doc["journey"][-1]["record"]["operated"] is True


def test_describe_prints_the_property():
    rs = load(SMALL + 'pathway p "t": from not referred never taken(operate) before imaged\n')
    assert prove.describe(rs.pathways[0]) == "from not referred never taken({operate}) before imaged"


def test_an_effect_that_can_never_move_a_patient_is_a_warning():
    # Imaging keeps depth unknown while setting imaged: K1 forbids every outcome.
    text = SMALL.replace("effect image: imaged := true, depth := one of {superficial, deep}",
                         "effect image: imaged := true")
    rep = check_ruleset(load(text), timeout_s=10)
    assert [w.message for w in rep.warnings if w.kind == "effect"] == [
        "the effect of image never leads to a valid, different record where image is given: "
        "carrying it out never moves a patient"]
    assert not [w for w in check_ruleset(load(SMALL), timeout_s=10).warnings if w.kind == "effect"]


def test_a_pathway_query_that_times_out_is_unknown_never_proved():
    # The nine-step work-up check of liposarcoma takes seconds: a millisecond is never enough.
    import dsl
    from tests.conftest import LIPO_RULES

    rs = dsl.load_ruleset(LIPO_RULES)
    [p] = [x for x in rs.pathways if x.id == "workup_progress"]
    r = check_pathway(Session(rs, 10), p, PathwayOptions(timeout_s=1e-3))
    assert r.status == UNKNOWN and "--pathway-timeout" in r.message


def test_a_ruleset_checked_again_in_the_same_process_gets_the_same_verdicts():
    rs = load(EARLY_SURGERY + 'pathway p "t": never taken(operate) before referred\n')
    first = [r for r in check_ruleset(rs, timeout_s=10).results if r.kind == "pathway"]
    again = [r for r in check_ruleset(rs, timeout_s=10).results if r.kind == "pathway"]
    assert [r.to_json(False) for r in again] == [r.to_json(False) for r in first]
    assert first[0].status == REFUTED
