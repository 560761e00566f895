"""Control regions of one function: the items of each region in source order, loops, jump targets.

The facts give every op the region (block, if/else, loop, switch, select,
case) it sits in and every region its parent. The ownership walk replays a
function in source order along this tree, so it needs, per region, its ops
and child regions interleaved in order, which `if` an `else` belongs to,
where a `break` or `continue` lands and which loops surround an op.
`FnView` computes that once per function; the module-level helpers answer
the questions the analyses ask of a function's plain assignments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from golint_im.expr import (
    Expr,
    binary,
    call,
    calls_in,
    composite,
    ident,
    idents_in,
    index,
    integer,
    is_expr,
    is_ident,
    is_nil,
    is_true,
    literal,
    render,
    selector,
    selector_base,
    unary_operand,
)
from golint_im.facts import Op
from golint_im.passes import Pass
from golint_im.program import Function, Program, enclosing_regions

# An item of a region: (first op index, 0, op index) for an op, (first op index, 1, region) for a child region.
Item = tuple[int, int, int]

# The item of op i, (i, 0, i), shared by every view: the views of one family of rules held
# 660,000 of these on 10,191 files, nearly all the same few thousand. Tuples never change.
_OP_ITEMS: list[Item] = []


def _op_item(i: int) -> Item:
    items = _OP_ITEMS
    while len(items) <= i:
        items.append((len(items), 0, len(items)))
    return items[i]


class FnView:
    """One function's region tree as the walk reads it: each region's items in source order.

    `children[r]` interleaves the ops directly in region r with the child
    regions that contain any op, sorted by their first op; `kids[r]` lists
    every child region, empty ones included (a `case` with no ops still
    decides a `select`); `else_of`/`if_of` pair the branches of one `if`.
    """

    def __init__(self, fn: Function):
        f = fn.facts
        self.fn = fn
        self.regions = f.regions
        self.ops = f.ops
        n = len(f.regions)
        first: list[int | None] = [None] * n
        for i, op in enumerate(f.ops):
            r = op.region
            while 0 <= r < n and first[r] is None:
                first[r] = i
                r = f.regions[r].parent
        self.children: dict[int, list[Item]] = {r: [] for r in range(n)}
        for i, op in enumerate(f.ops):
            if 0 <= op.region < n:
                self.children[op.region].append(_op_item(i))
        self.kids: dict[int, list[int]] = {r: [] for r in range(n)}  # all child regions, empty ones included
        for r in range(1, n):
            p = f.regions[r].parent
            if 0 <= p < n:
                self.kids[p].append(r)
                fr = first[r]
                if fr is not None:
                    self.children[p].append((fr, 1, r))
        for items in self.children.values():
            items.sort()
        self.else_of: dict[int, int] = {}
        self.if_of: dict[int, int] = {}
        for rs in self.kids.values():
            for a, b in zip(rs, rs[1:], strict=False):
                ra, rb = f.regions[a], f.regions[b]
                if ra.kind == "if" and rb.kind == "else" and ra.info == rb.info:
                    self.else_of[a] = b
                    self.if_of[b] = a
        self.first = first
        self._if_condition_calls: frozenset[int] | None = None

    def if_condition_calls(self) -> frozenset[int]:
        """Numbers of the calls inside the conditions of the function's `if` statements, found once.

        The resource walk asks, for every call whose value nobody takes,
        whether an `if` tests it (`if send(conn) != nil {`): reading every
        condition of the function per call and per walk was quadratic in a
        long function.
        """
        found = self._if_condition_calls
        if found is None:
            calls: set[int] = set()
            for r in self.regions:
                if r.kind == "if" and is_expr(r.info):
                    calls.update(calls_in(r.info))
            found = self._if_condition_calls = frozenset(calls)
        return found

    def chain(self, r: int) -> list[int]:
        """r and the regions around it, innermost first, up to the function body."""
        return list(enclosing_regions(self.fn.facts, r))

    def in_region(self, r: int, outer: int) -> bool:
        return outer in enclosing_regions(self.fn.facts, r)

    def loops_around(self, r: int) -> list[int]:
        return [x for x in enclosing_regions(self.fn.facts, r) if self.regions[x].kind in ("for", "range")]

    def regions_below(self, r: int, stop: int) -> list[int]:
        """The regions around r (innermost first) that are not around `stop` as well."""
        around_stop = set(enclosing_regions(self.fn.facts, stop))
        out = []
        for x in enclosing_regions(self.fn.facts, r):
            if x in around_stop:
                break
            out.append(x)
        return out

    def jump_target(self, op: Op) -> int | None:
        """The region a `break`/`continue` leaves; None for goto, fallthrough or an unknown label."""
        if op.mode == "continue":
            kinds: tuple[str, ...] = ("for", "range")
        elif op.mode == "break":
            kinds = ("for", "range", "switch", "select")
        else:
            return None
        label = ident(op.fn) or ""
        for r in enclosing_regions(self.fn.facts, op.region):
            reg = self.regions[r]
            if reg.kind in kinds and (not label or reg.label == label):
                return r
        return None

    def endless(self, r: int) -> bool:
        """`for {`: left only by break, return, panic or goto."""
        reg = self.regions[r]
        return reg.kind == "for" and reg.info is None


class Regions:
    """The `FnView` of each function, built on first request."""

    def __init__(self) -> None:
        self._views: dict[int, FnView] = {}

    def view(self, fn: Function) -> FnView:
        v = self._views.get(fn.id)
        if v is None:
            v = self._views[fn.id] = FnView(fn)
        return v


REGIONS = Pass("regions", lambda _ctx: Regions(), doc="per-function region views, built on demand", on_demand=True)


def ops_with_literals(fn: Function) -> Iterator[Op]:
    """The ops of fn and of the function literals inside it, fn's first."""
    yield from fn.facts.ops
    for lit in fn.nested_literals():
        yield from lit.facts.ops


def assignments_to(fn: Function, name: str) -> Iterator[tuple[Op, int]]:
    """(assignment op, target position) for each assignment to the variable `name` in fn's own body, in order."""
    for op in fn.facts.ops:
        if op.kind == "assign":
            for i, t in enumerate(op.targets):
                if is_ident(t, name):
                    yield op, i


def map_field_stored(op: Op) -> str | None:
    """`f` of `x.f[k] = v` (v a name): the map or slice field a value is stored into, else None."""
    if op.kind != "assign" or len(op.targets) != 1 or len(op.args) != 1:
        return None
    ix = index(op.targets[0])
    sel = selector(ix[0]) if ix is not None else None
    return sel[1] if sel is not None and ident(op.args[0]) else None


def assigned_value(op: Op, position: int) -> Expr:
    """The value an assignment gives its target at `position` when it has one value per target, else None."""
    if len(op.targets) == len(op.args):
        return op.args[position]
    return None


def single_assignment(program: Program, fn: Function, name: str) -> Expr:
    """The one value given to a local `name` (one value per target); None if none or several."""
    g = program.declaring_function(fn, name)
    if g is None:
        return None
    found = None
    for op, i in assignments_to(g, name):
        if len(op.targets) == len(op.args):
            if found is not None:
                return None
            found = op.args[i]
    return found


def scoped_declaration(fn: Function, name: str, line: int) -> Expr:
    """The value of the `name := v` that a use of `name` at `line` sees, when every assignment to
    `name` in fn is such a declaration (one value per target), each in a block of its own (the
    same name declared in each branch of a parser): the latest one before `line` whose block
    holds `line`. None when `name` is ever assigned with `=`, or no declaration holds the line."""
    found, found_line = None, -1
    regions = fn.facts.regions
    for op, i in assignments_to(fn, name):
        if op.mode != ":=" or len(op.targets) != len(op.args):
            return None
        block = regions[op.region] if 0 <= op.region < len(regions) else None
        inside = block is None or block.line <= line <= block.end_line
        if inside and found_line < op.line < line:
            found, found_line = op.args[i], op.line
    return found


# Regions every run of their parent passes through: the function body and plain `{ }` blocks.
STRAIGHT_KINDS = ("body", "block")


def on_straight_line(facts, region: int) -> bool:
    """Every run of the function passes `region`: no branch, case or loop around it."""
    return all(facts.regions[r].kind in STRAIGHT_KINDS for r in enclosing_regions(facts, region))


def returns_skipping(facts, targets: list[int], is_exit: Callable[[Op], bool] | None = None) -> list[tuple[int, int]]:
    """(return index, target index) for each `return` of a function that leaves before a target op.

    `is_exit` picks other ops that leave the function instead of `return`
    (a `panic(...)` call, for a goroutine that recovers).

    The target comes after the return in a region around it (so, had the
    return not been taken, the function would have gone on to it), and no
    target op runs on the return's own way there. `targets` are op indexes.
    Used for "the goroutine returns on an error before it sends / calls
    Done": the partner waiting for that op waits forever.
    """
    out = []
    for i, chain, around in _exits_before_targets(facts, targets, is_exit):
        other = [
            t for t in targets if exclusive_branches(facts, list(enclosing_regions(facts, facts.ops[t].region)), chain)
        ]
        if any(t < i and t not in other and not leaves_right_after(facts, t, around, is_exit) for t in targets):
            # an earlier target may have run: the model does not follow which branch was taken (one
            # whose branch leaves right after it, `results <- s; return`, has not, on the way here)
            continue
        later = next((t for t in targets if (t > i and facts.ops[t].region in around) or t in other), None)
        if later is not None and not _guards_nil_subject(facts, chain, facts.ops[later]):
            if not _already_done(facts, chain, later):
                out.append((i, later))
    return out


def exits_past_every_target(
    facts, targets: list[int], is_exit: Callable[[Op], bool] | None = None
) -> list[tuple[int, int]]:
    """(exit index, target index) for each exit that no target can have run before, when the targets
    sit on several branches (`close(w.keys)` on `io.EOF` and in a `case <-ctx.Done():`, not on the
    error `return` between them).

    An earlier target counts as not run when its own branch leaves right after it (`close(out);
    return nil`) and that branch is not around the exit: had it run, the function would have left
    there. The target named is the first after the exit (the close the function would have reached
    had it gone on), or the last before it. For a single target, `returns_skipping` says more."""
    out = []
    for i, chain, around in _exits_before_targets(facts, targets, is_exit):
        if any(t < i and not leaves_right_after(facts, t, around, is_exit) for t in targets):
            continue
        later = next((t for t in targets if t > i), targets[-1])
        if _guards_nil_subject(facts, chain, facts.ops[later]) or _already_done(facts, chain, later):
            continue
        out.append((i, later))
    return out


def exits_skipping(facts, targets: list[int], is_exit: Callable[[Op], bool] | None = None) -> list[tuple[int, int]]:
    """`returns_skipping`, or when it finds nothing, `exits_past_every_target`: the exits that skip
    every target, whether the targets sit on the exit's way or on branches that each leave."""
    return returns_skipping(facts, targets, is_exit) or exits_past_every_target(facts, sorted(targets), is_exit)


def leaves_right_after(
    facts, t: int, around: set | frozenset = frozenset(), is_exit: Callable[[Op], bool] | None = None
) -> bool:
    """The op after t, in t's own innermost region, leaves (a `return`, or what is_exit picks), and
    that region is not among `around` (the regions around some exit)."""
    region = facts.ops[t].region
    if region in around or t + 1 >= len(facts.ops):
        return False
    nxt = facts.ops[t + 1]
    if nxt.region != region:
        return False
    return nxt.kind == "return" or (is_exit is not None and is_exit(nxt))


def _exits_before_targets(facts, targets: list[int], is_exit: Callable[[Op], bool] | None):
    """(index, regions around it, as a set) of each exit (a `return`, or what is_exit picks) that no
    target runs before on its own way there."""
    for i, op in enumerate(facts.ops):
        if not (is_exit(op) if is_exit is not None else op.kind == "return"):
            continue
        chain = list(enclosing_regions(facts, op.region))
        around = set(chain)
        if any(t < i and facts.ops[t].region in around for t in targets):
            continue  # a target already ran on the way to this return
        yield i, chain, around


def returns_skipping_later_rounds(
    facts, targets: list[int], is_exit: Callable[[Op], bool] | None = None
) -> list[tuple[int, int]]:
    """(return index, target index) for a `return` inside an endless `for {` loop whose every round
    may take a branch holding the target, when the return is outside that branch:

        for {
            select {
            case <-w.stop:
                close(w.stopped)   // the target, in one branch of the round
                return
            default:
            }
            if !w.poll() {
                return             // leaves in a round that did not take it
            }
        }

    A target straight in the loop's body is returns_skipping's question. As there, no target may
    run on the return's own way in its round."""
    out = []
    for i, chain, around in _exits_before_targets(facts, targets, is_exit):
        for t in targets:
            tchain = list(enclosing_regions(facts, facts.ops[t].region))
            loop = next(
                (r for r in tchain if facts.regions[r].kind in ("for", "range")), None
            )  # the innermost loop around the target
            if loop is None or loop not in around or facts.regions[loop].kind != "for":
                continue
            if facts.regions[loop].info is not None:
                continue  # a loop that may end by itself: what follows it decides
            branch = deciding_region(facts, facts.ops[t].region, loop)
            if branch < 0 or branch in around or facts.regions[branch].kind in ("for", "range"):
                continue
            if _guards_nil_subject(facts, chain, facts.ops[t]) or _already_done(facts, chain, t):
                continue
            out.append((i, t))
            break
    return out


def _already_done(facts, chain: list, target: int) -> bool:
    """The return sits under `if d.responded {` where the function sets `d.responded = true` after
    the target op: the flag says an earlier run has already sent (closed, called Done)."""
    flags = {facts.regions[r].info for r in chain if facts.regions[r].kind == "if" and is_expr(facts.regions[r].info)}
    if not flags:
        return False
    for op in facts.ops[target + 1 :]:
        if op.kind != "assign" or len(op.targets) != len(op.args):
            continue
        for t, v in zip(op.targets, op.args, strict=True):
            if t in flags and is_true(v):
                return True
    return False


def _guards_nil_subject(facts, chain: list, target: Op) -> bool:
    """The return sits under `if x == nil` where x is what the target op acts on (the channel sent
    on or closed, the group whose `Done` is called): with x nil there is no partner waiting on it,
    and with x set the return is not taken."""
    if target.kind == "send":
        subject = target.fn
    elif target.kind == "call" and is_ident(target.fn, "close") and target.args:
        subject = target.args[0]
    elif target.kind == "call" and selector(target.fn) is not None:
        subject = selector_base(target.fn)
    else:
        return False
    for r in chain:
        reg = facts.regions[r]
        b = binary(reg.info) if reg.kind == "if" and is_expr(reg.info) else None
        if (
            b is not None
            and b[0] == "=="
            and ((b[1] == subject and is_nil(b[2])) or (b[2] == subject and is_nil(b[1])))
        ):
            return True
    return False


def deciding_region(facts, op_region: int, stop_region: int) -> int:
    """The innermost branch (if, else, case, default, a `switch` case, loop) around op_region that is
    not around stop_region as well: what sends a path away from the op at stop_region. -1: none."""
    around_stop = set(enclosing_regions(facts, stop_region))
    for r in enclosing_regions(facts, op_region):
        if r in around_stop:
            break
        reg = facts.regions[r]
        if reg.kind != "block" or (reg.parent >= 0 and facts.regions[reg.parent].kind == "switch"):
            return r  # a branch, or a `switch` case (a block under the switch)
    return -1


def exclusive_branches(facts, chain_a: list, chain_b: list) -> bool:
    """Two ops (given by their region chains, innermost first) sit on branches that exclude each
    other: different cases of one select or switch, or the two sides of one `if`."""
    around_b = set(chain_b)
    common = next((r for r in chain_a if r in around_b), None)
    if common is None:
        return False
    a = chain_a[chain_a.index(common) - 1] if chain_a.index(common) > 0 else None
    b = chain_b[chain_b.index(common) - 1] if chain_b.index(common) > 0 else None
    if a is None or b is None or a == b:
        return False
    kinds = {facts.regions[a].kind, facts.regions[b].kind}
    if facts.regions[common].kind in ("select", "switch"):
        return True
    return kinds == {"if", "else"} and facts.regions[a].info == facts.regions[b].info


def constant_trip_count(program: Program, fn: Function, loop: int, known: dict[str, int] | None = None) -> int | None:
    """K for `for i := 0; i < K; i++` or `for range K` with K an integer constant (at most 1000), or a name in
    `known` (a parameter bound to a constant by the caller), the counter started on the loop's
    own line and never assigned in the body; the literal's length for `for _, x := range []T{a, b}`;
    None otherwise.

    The post statement is an assignment on the loop's line, outside its region: `i++` (recorded
    as `i += 1`) or none. Whether the body can leave early (`return`, `break`) is the caller's
    question.
    """
    facts = fn.facts
    region = facts.regions[loop]
    if region.kind == "range":  # `for range K` over an integer (Go 1.22): K rounds whatever the body does
        elements = composite(region.info) if region.info is not None else None
        if elements is not None and elements[0].startswith("[") and elements[0] != "[]byte":
            # `for _, s := range []string{"a", "b"}`: one round per element of the literal
            return len(elements[1]) if len(elements[1]) <= 1000 else None
        count = program.const_int(fn, region.info) if region.info is not None else None
        if count is None and known:
            count = known.get(ident(region.info) or "")
        return count if count is not None and 0 <= count <= 1000 else None
    cond = binary(region.info) if region.kind == "for" and region.info is not None else None
    if cond is None or cond[0] != "<":
        return None
    var = ident(cond[1])
    bound = program.const_int(fn, cond[2])
    if bound is None and known:
        bound = known.get(ident(cond[2]) or "")
    if var is None or bound is None or bound > 1000:
        return None

    def assigns(op: Op) -> bool:
        return op.kind == "assign" and any(is_ident(t, var) for t in op.targets)

    header = [op for op in facts.ops if op.line == region.line and op.region == region.parent and assigns(op)]
    init = [op for op in header if op.mode in (":=", "=")]
    post = [op for op in header if op.mode not in (":=", "=")]
    if len(init) != 1 or len(init[0].args) != 1 or integer(init[0].args[0]) != 0:
        return None
    if any(op.mode != "+=" or len(op.args) != 1 or integer(op.args[0]) != 1 for op in post):
        return None  # a step other than one
    if any(assigns(op) and loop in enclosing_regions(facts, op.region) for op in facts.ops):
        return None
    return bound


def fan_out_rounds(program: Program, owner: Function, region: int) -> int | None:
    """How many goroutines a `go` statement in constant-count loops starts: the product of
    the loops' trip counts (`for range 17`, `for i := 0; i < n; i++` with n constant), or None."""
    rounds = 1
    for r in enclosing_regions(owner.facts, region):
        if owner.facts.regions[r].kind in ("for", "range"):
            count = constant_trip_count(program, owner, r)
            if count is None:
                return None
            rounds *= count
    return rounds


def argument_constants(params: list | tuple, args: tuple, named: frozenset = frozenset()) -> dict[str, object]:
    """Parameter name -> the constant a call passes for it as a literal: a bool, a string or an int.

    With `named`, the names of the constants of a package the caller and the callee share: a
    parameter given one of them (`writeRecord(..., subRecMsg)`) is known by that name, so that a
    `case subRecMsg:` of the callee is taken and its other cases (and `default`) are not.
    """
    out: dict[str, object] = {}
    for (name, _t), a in zip(params, args, strict=False):
        if not name or a is None:
            continue
        text = literal(a)
        if text in ("true", "false"):
            out[name] = text == "true"
        elif a[0] in ("str", "int"):
            out[name] = (a[0], a[1])
        elif ident(a) in named:
            out[name] = ("const", ident(a), named)
    return out


def condition_under(cond, consts: dict[str, object]) -> bool | None:
    """The value of an `if` condition given those parameters' constants: `flag`, `!flag`,
    `scheme == "https"`, `n != 0`; None when the condition reads anything else."""
    if not is_expr(cond):
        return None
    inner = unary_operand(cond, "!")
    if inner is not None:
        v = condition_under(inner, consts)
        return None if v is None else not v
    name = ident(cond)
    if name is not None:
        flag = consts.get(name)
        return flag if isinstance(flag, bool) else None
    b3 = binary(cond)
    if b3 is not None and b3[0] in ("&&", "||"):
        sides = (condition_under(b3[1], consts), condition_under(b3[2], consts))
        decisive = b3[0] == "||"  # the value one side alone decides the whole with
        if decisive in sides:
            return decisive
        return None if None in sides else not decisive
    if b3 is None or b3[0] not in ("==", "!="):
        return None
    left, right = b3[1], b3[2]
    if ident(left) not in consts:
        left, right = right, left
    name = ident(left)
    if name not in consts or right is None:
        return None
    known = consts[name]
    if isinstance(known, tuple) and known[0] == "const":
        other = ident(right)
        if other is None or other not in known[2]:
            return None  # compared with something not a constant of that package
        same = other == known[1]
    elif right[0] in ("str", "int"):
        same = known == (right[0], right[1])
    else:
        return None
    return same if b3[0] == "==" else not same


def ruled_out_by_constants(facts, region: int, consts: dict[str, object]) -> bool:
    """Code in region cannot run for a call with these constants: an `if` around it is not taken,
    or the `else` of one that is."""
    regions = facts.regions
    for x in enclosing_regions(facts, region):
        kind = regions[x].kind
        if kind == "if" and condition_under(regions[x].info, consts) is False:
            return True
        if kind == "else" and condition_under(regions[x].info, consts) is True:
            return True
        if kind == "block" and regions[x].parent >= 0 and regions[x].parent < x:
            switch = regions[x].parent
            if regions[switch].kind != "switch":
                continue
            if regions[x].info is not None and condition_under(regions[x].info, consts) is False:
                return True  # a case not taken
            if regions[x].info is None and any(
                r.kind == "block" and r.parent == switch and r.info is not None and condition_under(r.info, consts)
                for r in regions
            ):
                return True  # the `default` of a switch one of whose cases is taken
    return False


def unreachable_under_constants(facts, index: int, consts: dict[str, object]) -> bool:
    """Op `index` of a function cannot run for a call with these constants: an `if` around it is
    not taken (or the `else` of one that is), or an `if` that is taken, earlier in a block around
    it, returns on its straight line (`if !create { return nil, err }` before the code it guards)."""
    if not consts:
        return False
    ops = facts.ops
    op = ops[index]
    if ruled_out_by_constants(facts, op.region, consts):
        return True
    chain = set(enclosing_regions(facts, op.region))
    regions = facts.regions
    for earlier in ops[:index]:
        r = earlier.region
        if earlier.kind != "return" or r in chain or r <= 0:
            continue
        reg = regions[r]
        if reg.kind == "if" and reg.parent in chain and condition_under(reg.info, consts) is True:
            return True
    return False


def counting_exit(facts, loop: int, exit_op: Op) -> bool:
    """The `return` is decided by a count the loop keeps (`n++` ... `if n == len(jobs) { return }`):
    the way out after hearing them all, not before."""
    counters = {
        name
        for op in facts.ops
        if op.kind == "assign" and op.mode in ("+=", "-=") and loop in enclosing_regions(facts, op.region)
        for t in op.targets
        if (name := ident(t)) is not None
    }
    for r in enclosing_regions(facts, exit_op.region):
        if r == loop:
            return False
        info = facts.regions[r].info
        if facts.regions[r].kind in ("if", "else") and is_expr(info) and counters & idents_in(info, set()):
            return True
    return False


def op_mentions(op: Op, name: str) -> bool:
    """op names the variable `name`: in its callee, arguments or targets (a jump's label is no name)."""
    used: set[str] = set()
    for e in (*op.args, *op.targets, *((op.fn,) if op.fn is not None and op.kind != "jump" else ())):
        idents_in(e, used)
    return name in used


# `len(ch) > 0`, `>= 1`, `!= 0`, `== 1`: at least one value is buffered.
_HOLDS_ONE = {">": 0, ">=": 1, "!=": 0, "==": 1}


def under_len_guard(facts, op) -> bool:
    """The receive op sits under `if len(ch) > 0 {` (or `== 1`, `>= 1`, `!= 0`) on the same channel,
    or in a `for len(ch) > 0 {` loop draining it: it runs only when a value is already buffered,
    and takes it without waiting for a sender."""
    channel = render(op.fn)
    for r in enclosing_regions(facts, op.region):
        region = facts.regions[r]
        if region.kind not in ("if", "for") or not is_expr(region.info):
            continue
        test = binary(region.info)
        called = call(test[1]) if test is not None else None
        if test is None or called is None or not is_ident(called[0], "len") or len(called[1]) != 1:
            continue
        least = _HOLDS_ONE.get(test[0])
        if least is not None and integer(test[2]) == least and render(called[1][0]) == channel:
            return True
    return False
