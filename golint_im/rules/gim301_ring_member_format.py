r"""GIM301 ring-member-format-mismatch: the members of one hash ring are spelled two ways, so each side routes a key to a different node.

## What it does
Finds where strings become members of a consistent-hash ring or are hashed
to pick a node — `consistent.New().Add/Set/Remove`, `hashring.New(nodes)`,
`AddNode`, `rendezvous.New/Add`, a project's own `Ring.Add(member string)`
(a method adding members to a type named like `HashRing`, or named in the
`hash-sinks` config), and direct hashes of an address-like string
(`crc32.ChecksumIEEE([]byte(addr))`, `fnv`, `xxhash`, `murmur3`). Each
member is traced back — through variables, slices it is appended to,
`range` loops, struct fields, function returns and parameters, across
packages and across every root given on the command line — to the
`fmt.Sprintf` format, concatenation, `net.JoinHostPort`, `strings.Join` or
`url.URL{...}.String()` that built it, and summarised as a template such as
`%s-gw-%d.%s-gw-headless.%s.svc.cluster.local:%d`.

Templates feeding rings of the same library that name the same kind of node
(the same words once port, scheme, brackets, separators and case are set
aside) form a family. A family whose templates differ in an
address-significant way — port present on one side only, a scheme prefix,
a trailing dot or slash, IPv6 brackets, letter case, separators — is
reported at the format site that differs from the majority (on a tie, the
later one in path order), with the other site as related location and the
trace from each format site to its ring as steps.

## Why is this bad
A consistent-hash ring maps a key to whichever member name hashes nearest.
Two processes that must agree on "which node owns user 42" agree only if
they put byte-identical member names in their rings. `gw-0.svc:88` and
`gw-0.svc` are the same pod to a human and two unrelated points to the hash.
With one node every key still lands on it, so tests and small deployments
pass; after scaling out, most keys route to a different node on each side.
OpenIM hit exactly this: its push service built gateway members with a
trailing `:%d` and its msggateway proxy without, in two repositories; after
scaling the gateway, users stayed connected to one node while their
messages were pushed to another.

## Example
```go
// push service
nodes = append(nodes, fmt.Sprintf("%s-gw-%d.%s.svc.cluster.local:%d", inst, i, ns, port))
ring.Set(nodes)

// proxy, another repository
ring.Add(fmt.Sprintf("%s-gw-%d.%s.svc.cluster.local", inst, i, ns))
```

## Fix
Build member names in one helper that every side calls (a small shared
package both repositories import), or at least the same format string.
Then compare the rings' membership in a test.

## Known limits
- Only strings built by `fmt.Sprintf`, `+`, `fmt.Sprint`,
  `net.JoinHostPort` or `strings.Join` over a literal slice are templates;
  members read from config, flags or the environment as a whole are not
  compared (there is nothing to compare).
- `Sprintf` arguments and `+` operands are inlined only when they are
  constants or a single template built in the same function; a helper that
  receives half of the name from its caller yields a template with a hole
  there.
- Templates made only of holes and numbers (`%s:%d`) are compared only when
  they reach the same ring value; otherwise two unrelated rings of one
  library would be confused.
- Lookup keys (`Get(userID)`) are never members; direct hashes count only
  for address-like strings (a port, a scheme, a DNS name template, a hole
  named like a host), so `crc32(userID + ":" + platform)` is not a member.
- Test files are neither reported nor followed: a test calling a helper is
  not how production builds its members.
- Calls the model cannot resolve are not followed; `--debug` counts traces
  stopped by a limit or a cycle (`gim3xx_traces_cut`).
"""  # noqa: E501 (the first line is the rule's one-line summary)

from __future__ import annotations

from golint_im.analysis.sink_catalog import RING_KINDS
from golint_im.analysis.sinks import ADDRESS_SINKS
from golint_im.analysis.templates import HOLE, INT_HOLE, address_like, differences, distinctive, norm, render, skeleton
from golint_im.findings import Finding, Related

from ._trace_words import sink_step, trace_steps

ID = "GIM301"
NAME = "ring-member-format-mismatch"
FAMILY = "routing"
SEVERITY = "error"
SUMMARY = (
    "The members of one hash ring are spelled two ways (port, scheme, brackets...), so each side picks a different node"
)
REQUIRES = (ADDRESS_SINKS,)


def check(ctx):
    sinks = ctx.result(ADDRESS_SINKS)
    tracer = sinks.tracer
    families: dict = {}
    for sink in sinks.sinks():
        if sink.kind not in RING_KINDS or sink.fn.file.is_test:
            continue
        for origin in sinks.origins(sink):
            if not origin.formatted or origin.site.path.endswith("_test.go"):
                continue
            if sink.kind == "hash" and not address_like(origin.template):
                continue
            skel = skeleton(origin.template)
            if not skel:
                continue
            if distinctive(skel):
                key = (sink.family, skel, None)
            elif sink.kind == "hash":
                continue  # `%s:%d` hashed somewhere says nothing about which ring it is
            else:
                key = (sink.family, skel, sink.holder)
            variant = norm(origin.template).replace(INT_HOLE, HOLE)
            families.setdefault(key, {}).setdefault((origin.site, variant), (origin, sink))
    ctx.debug["gim3xx_traces_cut"] = tracer.cut
    reported = set()
    for key in sorted(families, key=repr):
        yield from _compare(families[key], reported, weak=key[2] is not None)


# Without words in the skeleton, a different body means a different kind of
# string, not a different spelling of the same node.
_BODY_DIFFS = ("separators", "spelling", "letter case")


def _compare(entries: dict, reported: set, weak: bool):
    variants: dict = {}
    for (_site, variant), (origin, sink) in sorted(entries.items(), key=lambda kv: _order(kv[0][0])):
        variants.setdefault(variant, []).append((origin, sink))
    if len(variants) < 2:
        return
    ranked = sorted(variants.values(), key=lambda sites: (-len(sites), _order(sites[0][0].site)))
    majority = ranked[0]
    other, other_sink = majority[0]
    for minority in ranked[1:]:
        for origin, sink in minority:
            pair = (origin.site, other.site)
            if pair in reported:
                continue
            diffs = differences(origin.template, other.template)
            if weak and any(d.startswith(_BODY_DIFFS) for d in diffs):
                continue
            reported.add(pair)
            yield _finding(origin, sink, other, other_sink, len(majority), diffs)


def _order(loc):
    return (loc.path, loc.line, loc.col)


def _finding(origin, sink, other, other_sink, majority_count, diffs):
    here, there = render(origin.template), render(other.template)
    side = "the other spelling" if majority_count == 1 else f"the spelling used at {majority_count} sites"
    message = (
        f"hash-ring members spelled two ways: `{here}` here vs `{there}` at {other.site} ({side}) — "
        f"{', '.join(diffs)}. Both feed `{sink.label}` rings of the same nodes; the same node hashes to a "
        f"different point on each side, so once there is more than one node a key is routed to a "
        f"different member. Build the member name in one shared helper that every side calls."
    )
    steps = tuple(
        _dedupe(trace_steps(origin.steps) + (sink_step(sink),) + trace_steps(other.steps) + (sink_step(other_sink),))
    )
    related = [
        Related(other.site, f"the other spelling: `{there}`"),
        Related(other_sink.location, f"its ring: `{other_sink.label}`"),
    ]
    if sink.location != origin.site:
        related.insert(1, Related(sink.location, f"this spelling's ring: `{sink.label}`"))
    return Finding(
        rule_id=ID,
        message=message,
        location=origin.site,
        severity=SEVERITY,
        related=tuple(related),
        steps=steps,
        key=f"{sink.family}|{here}|{there}",
    )


def _dedupe(steps):
    seen = set()
    for s in steps:
        k = (s.location, s.message)
        if k not in seen:
            seen.add(k)
            yield s
