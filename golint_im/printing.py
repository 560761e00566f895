"""Which arguments of a standard printing call are formatted through their own methods.

`fmt.Sprintf("%v", p)` calls `p.String()` (or `p.Error()`) when p's type has
one: a call that no call expression shows. A mutex taken in `String` and
already held around the `Sprintf` deadlocks as surely as a direct call, so
the link makes those calls visible (see Program.implicit_calls).

Only what the format says for certain counts: a format that is not a
constant, an explicit argument index (`%[2]v`) or a `*` width or precision
makes the whole call unread, and `%#v` (GoString) or a verb that prints
numbers (`%d`) does not call String.
"""

from __future__ import annotations

# (package path, function) -> (index of the format argument or -1 for Print-style, first formatted argument)
PRINTERS: dict[tuple[str, str], tuple[int, int]] = {
    **{("fmt", name): (-1, 0) for name in ("Print", "Println", "Sprint", "Sprintln")},
    **{("fmt", name): (0, 1) for name in ("Printf", "Sprintf", "Errorf")},
    ("fmt", "Fprint"): (-1, 1),
    ("fmt", "Fprintln"): (-1, 1),
    ("fmt", "Fprintf"): (1, 2),
    **{("log", name): (-1, 0) for name in ("Print", "Println", "Fatal", "Fatalln", "Panic", "Panicln")},
    **{("log", name): (0, 1) for name in ("Printf", "Fatalf", "Panicf")},
}

PRINTER_NAMES = frozenset(name for _pkg, name in PRINTERS)

# Verbs that print an operand implementing error or Stringer through that method.
STRING_VERBS = frozenset("vsqxXw")
_FLAGS = frozenset("+-# 0")


def format_verbs(fmt: str) -> list[tuple[str, str]] | None:
    """(flags, verb) per operand the format consumes, in order; None when an operand's place is not fixed."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(fmt)
    while i < n:
        if fmt[i] != "%":
            i += 1
            continue
        i += 1
        flags = ""
        while i < n and fmt[i] in _FLAGS:
            flags += fmt[i]
            i += 1
        while i < n and (fmt[i].isdigit() or fmt[i] == "."):
            i += 1
        if i >= n:
            return out
        if fmt[i] in "*[":
            return None
        if fmt[i] != "%":
            out.append((flags, fmt[i]))
        i += 1
    return out


def formatted_positions(kind: tuple[int, int], nargs: int, fmt: str | None) -> list[int] | None:
    """The argument positions printed through String or Error; None when the call cannot be read."""
    format_at, first = kind
    if format_at < 0:
        return list(range(first, nargs))
    if fmt is None:
        return None
    verbs = format_verbs(fmt)
    if verbs is None:
        return None
    return [
        first + k
        for k, (flags, verb) in enumerate(verbs)
        if first + k < nargs and verb in STRING_VERBS and "#" not in flags
    ]
