"""Seeded pathway faults in the liposarcoma ruleset: each is refuted with a replayed journey.

Each entry edits the real ruleset the way a hurried author might and names
the pathway property that must catch it. The journey must be replayed
through the engine (no internal error) and end in the violation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import dsl
from verifier.check.results import PROVED, REFUTED
from verifier.pathway.prove import check_pathway
from verifier.check.session import Session

ROOT = Path(__file__).resolve().parents[2]
TEXT = (ROOT / "rulesets" / "liposarcoma.rules").read_text(encoding="utf-8")

WORKUP_OPEN = 'when in_scope and not treatment_completed and not ready {\n'

FAULTS = [
    # (id, description, (old, new) edits, property that must refute it)
    ("early_surgery", "a work-up rule recommends surgery once MRI is done though the board has not met",
     [(WORKUP_OPEN, WORKUP_OPEN + '  rule seeded "early surgery" when mri_primary_done and not mdtb_reviewed\n'
                    '    recommend wide_excision category 2A sources [base]\n')],
     "P1_journey"),
    ("referral_loop", "referral and board undo each other: the patient loops between the two referrals",
     [("effect refer_sarcoma_center: referred := true",
       "effect refer_sarcoma_center: referred := true, mdtb_reviewed := false"),
      ("effect mdtb_review: mdtb_reviewed := true,", "effect mdtb_review: mdtb_reviewed := true, referred := false,")],
     "workup_progress"),
    ("ct_not_recorded", "the chest CT effect forgets to record that the CT was done",
     [("effect chest_ct: chest_ct_done := true, metastatic_status",
       "effect chest_ct: metastatic_status")],
     "workup_progress"),
    ("board_without_resectability", "the board effect leaves resectability unassessed (C11 blocks every outcome)",
     [("effect mdtb_review: mdtb_reviewed := true,\n  resectability := one of {resectable, resectable_adverse_function, unresectable}",
       "effect mdtb_review: mdtb_reviewed := true")],
     "decision_reached"),
    ("second_rt", "R1 radiotherapy no longer checks that radiotherapy was already given",
     [("when margin == R1 and subtype != well_differentiated and not reexcision_feasible\n         and rt_given == none",
       "when margin == R1 and subtype != well_differentiated and not reexcision_feasible")],
     "no_repeat_rt"),
    ("chemo_in_workup", "neoadjuvant chemotherapy is considered during work-up for myxoid tumours",
     [(WORKUP_OPEN, WORKUP_OPEN + '  rule seeded "early chemo" when subtype == myxoid\n'
                    '    consider neoadjuvant_chemotherapy category 2B sources [base]\n')],
     "staging_first"),
    ("reexcision_loop", "re-excision no longer uses up feasibility: R1 and R2 re-excisions can alternate forever",
     [(", closest_margin_mm := one of {0, 5, 20},\n  reexcision_feasible := false",
       ", closest_margin_mm := one of {0, 5, 20}"),
      ("# ----------------------------------------------------------------- coverage",
       'pathway postop_progress "no journey stays post-operative for more than 4 steps":\n'
       "  leaves postop within 4 steps\n\n"
       "# ----------------------------------------------------------------- coverage")],
     "postop_progress"),
]


def edited(edits: list[tuple[str, str]]) -> str:
    text = TEXT
    for old, new in edits:
        assert text.count(old) == 1, f"seed anchor not found exactly once: {old!r}"
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("fid, what, edits, prop", FAULTS, ids=[f[0] for f in FAULTS])
def test_seeded_fault_is_refuted_with_a_replayed_journey(fid, what, edits, prop):
    rs = dsl.check_text(edited(edits), f"{fid}.rules")[0]
    [p] = [x for x in rs.pathways if x.id == prop]
    r = check_pathway(Session(rs, 30), p)
    assert r.status == REFUTED, f"{what}: {r.message}"
    assert not r.internal_error
    assert r.journey is not None
    assert "replayed through the engine" in r.message and "not replayed" not in r.message


def test_reexcision_effect_as_shipped_keeps_postop_short():
    # The same extra property proves on the unseeded effects (re-excision happens at most once).
    [(_, _, edits, prop)] = [f for f in FAULTS if f[0] == "reexcision_loop"]
    rs = dsl.check_text(edited(edits[1:]), "postop.rules")[0]
    [p] = [x for x in rs.pathways if x.id == prop]
    assert check_pathway(Session(rs, 30), p).status == PROVED
