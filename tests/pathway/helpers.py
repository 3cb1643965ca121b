"""A small ruleset for pathway tests: a patient is referred, imaged, operated on, followed up."""

from __future__ import annotations

import dsl
from dsl import model as m

HEADER = 'ruleset t version "1"\nsource s "S"\n'

# Work-up: refer and image; then operate; then follow up (months advance).
SMALL = HEADER + """\
input referred: bool
input imaged: bool
input depth: enum {unknown, superficial, deep}
input operated: bool
input margin: enum {none, R0, R1}
input mm: real [0, 50]
input months: int [0, 24]
action refer: referral "Refer"
action image: imaging "Image"
action pet: imaging "PET (no effect)"
action operate: surgery "Operate"
action follow: surveillance "Follow up"
constraint K1 "imaged iff depth known": imaged iff depth != unknown
constraint K2 "margin only after surgery": operated iff margin != none
constraint K3 "R0 has a positive distance": (margin == R0 implies mm > 0) and (margin != R0 implies mm == 0)
constraint K4 "months only after surgery": months > 0 implies operated
phase workup "Work-up" when not (referred and imaged) {
  rule w_refer "refer" when not referred recommend refer category 1 sources [s]
  rule w_image "image" when not imaged recommend image category 1 sources [s]
  rule w_pet "pet" when true consider pet category 1 sources [s]
}
phase treat "Treat" when referred and imaged and not operated {
  rule t_op "operate" when true recommend operate category 1 sources [s]
}
phase followup "Follow-up" when referred and imaged and operated {
  rule a_fu "follow" when true recommend follow category 1 sources [s]
}
effect refer: referred := true
effect image: imaged := true, depth := one of {superficial, deep}
effect operate: operated := true, margin := one of {R0, R1}, mm := one of {0, 5}
effect follow: months += 6
"""


def load(text: str) -> m.Ruleset:
    return dsl.check_text(text, "t.rules")[0]


def errors(text: str) -> list[str]:
    try:
        dsl.check_text(text, "t.rules")
    except dsl.RulesetError as err:
        return [d.message for d in err.diagnostics if d.severity == "error"]
    return []
