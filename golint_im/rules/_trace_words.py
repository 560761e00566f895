"""How GIM301 and GIM302 word a value trace: its steps and the sink it reaches.

Value tracing (`analysis.values`) records each step as data,
`(location, what, *names)`; these are the sentences a finding shows for them.
"""

from __future__ import annotations

from golint_im.analysis.sinks import Sink
from golint_im.analysis.templates import render
from golint_im.findings import Step

_STEPS = {
    "assigned": "assigned to `{}`",
    "collected": "collected in `{}`",
    "ranged": "ranged over as `{}`",
    "appended": "appended to `{}`",
    "stored": "stored in `{}`",
    "returned": "returned by `{}`",
    "passed": "passed to `{}` as `{}`",
    "applied": "{} applied",
}

_SINKS = {
    "member": "becomes a ring member via",
    "members": "become ring members via",
    "hash": "is hashed by",
    "dial": "is dialled by",
    "listen": "is listened on by",
}


def trace_steps(steps: tuple) -> tuple[Step, ...]:
    """The steps of an origin, from where the string was built to where it was traced from."""
    out = []
    for loc, what, *names in steps:
        if what == "built":
            template, how = names
            out.append(Step(loc, f"builds `{render(template)}` with {how}"))
        else:
            out.append(Step(loc, _STEPS[what].format(*names)))
    return tuple(out)


def sink_step(sink: Sink) -> Step:
    """The last step of a trace: the sink call."""
    return Step(sink.location, f"{_SINKS[sink.kind]} `{sink.label}`")
