"""Exclude globs, matched in time linear in the path whatever the pattern.

A config comes from the repository being analysed, so a pattern is hostile
input: translated to a regular expression, `**a**a**a...b` backtracks for
minutes. Here every pattern of a config becomes one small automaton, one bit
per state, and all of them run side by side in one integer: a path costs a
few big-integer operations per character. Pattern count and length are capped
so that this stays small too.

Semantics: `*` and `?` stay within one path segment, `**` spans segments
(`**/` also matches nothing), `[...]` is a character class (`[!...]` negated),
a pattern without a slash matches the file name anywhere, and a pattern that
matches a directory matches everything below it.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable

MAX_PATTERNS = 100
MAX_PATTERN_CHARS = 256


class GlobError(ValueError):
    """A pattern that cannot be used; str() names it and says why."""


def _normalise(pattern: str) -> str:
    """The pattern as matched against a relative path: slashes, no `./`, anchored by `**/` when it has no slash."""
    pat = pattern.strip().replace("\\", "/")
    if pat.startswith("./"):
        pat = pat[2:]
    pat = pat.rstrip("/")
    if "/" not in pat:
        pat = "**/" + pat
    return pat.lstrip("/")


def _class(body: str, pattern: str) -> re.Pattern:
    """A `[...]` body as a one-character regular expression (no repetition: it cannot backtrack)."""
    if body.startswith("!"):
        body = "^" + body[1:]
    try:
        with warnings.catch_warnings():  # `[[` is a FutureWarning on stderr otherwise
            warnings.simplefilter("ignore")
            return re.compile("[" + body.replace("\\", "\\\\") + "]")
    except re.error as e:
        raise GlobError(f"bad character class [{body}] in pattern {pattern!r}: {e.msg}") from None


def _tokens(pat: str, pattern: str) -> list[tuple]:
    """('lit', ch) | ('one',) | ('class', rx) | ('star',) | ('star2',) | ('star2slash',), runs of stars merged."""
    out: list[tuple] = []
    i, n = 0, len(pat)
    while i < n:
        ch = pat[i]
        tok: tuple
        if pat.startswith("**/", i):
            tok, i = ("star2slash",), i + 3
        elif pat.startswith("**", i):
            tok, i = ("star2",), i + 2
        elif ch == "*":
            tok, i = ("star",), i + 1
        elif ch == "?":
            tok, i = ("one",), i + 1
        elif ch == "[" and pat.find("]", i + 2) != -1:
            end = pat.find("]", i + 2)
            tok, i = ("class", _class(pat[i + 1 : end], pattern)), end + 1
        else:
            tok, i = ("lit", ch), i + 1
        if out and tok[0].startswith("star") and out[-1][0].startswith("star"):
            # Adjacent stars match what the wider one matches alone: keeps chains of empty moves short.
            prev = out[-1][0]
            if tok[0] == prev == "star2slash":
                continue
            if tok[0] == "star2" or prev == "star2" or tok[0] == prev == "star":
                out[-1] = ("star2",) if "star2" in (tok[0], prev) else ("star",)
                continue
        out.append(tok)
    return out


class GlobSet:
    """Many globs as one bit-parallel automaton: matches(path) is True when any glob matches."""

    def __init__(self, patterns: Iterable[str]):
        patterns = list(patterns)
        if len(patterns) > MAX_PATTERNS:
            raise GlobError(f"too many patterns ({len(patterns)}; at most {MAX_PATTERNS})")
        # Per state: (advance predicate, loop predicate); predicates take one character.
        self._preds: list[tuple] = []
        self.start = self.accept = self.tails = self.eps1 = self.eps2 = 0
        for pattern in patterns:
            if len(pattern) > MAX_PATTERN_CHARS:
                raise GlobError(f"pattern longer than {MAX_PATTERN_CHARS} characters: {pattern[:40]!r}...")
            self._add(_tokens(_normalise(pattern), pattern))
        self._masks: dict[str, tuple[int, int]] = {}

    def _add(self, tokens: list[tuple]) -> None:
        preds = self._preds
        self.start |= 1 << len(preds)
        for tok in tokens:
            bit = 1 << len(preds)
            kind = tok[0]
            if kind == "lit":
                preds.append((tok[1].__eq__, None))
            elif kind == "one":
                preds.append((_not_slash, None))
            elif kind == "class":
                preds.append((_fullmatch(tok[1]), None))
            elif kind == "star":
                self.eps1 |= bit
                preds.append((None, _not_slash))
            elif kind == "star2":
                self.eps1 |= bit
                preds.append((None, _any))
            else:  # star2slash: an entry state that may skip it, then `.*/`
                self.eps1 |= bit
                self.eps2 |= bit
                preds.append((None, None))
                preds.append((_slash, _any))
        final = 1 << len(preds)
        preds.append((_slash, None))  # a matched directory: everything below it matches too
        preds.append((None, _any))
        self.accept |= final | final << 1
        self.tails |= final << 1

    def _close(self, d: int) -> int:
        e1, e2 = self.eps1, self.eps2
        while True:
            n = d | ((d & e1) << 1) | ((d & e2) << 2)
            if n == d:
                return d
            d = n

    def _mask(self, ch: str) -> tuple[int, int]:
        masks = self._masks.get(ch)
        if masks is None:
            adv = loop = 0
            for i, (a, lp) in enumerate(self._preds):
                if a is not None and a(ch):
                    adv |= 1 << i
                if lp is not None and lp(ch):
                    loop |= 1 << i
            masks = self._masks[ch] = (adv, loop)
        return masks

    def matches(self, path: str) -> bool:
        if not self.start:
            return False
        d = self._close(self.start)
        tails = self.tails
        for ch in path:
            adv, loop = self._mask(ch)
            d = ((d & adv) << 1) | (d & loop)
            if not d:
                return False
            d = self._close(d)
            if d & tails:
                return True
        return bool(d & self.accept)


def _not_slash(ch: str) -> bool:
    return ch != "/"


def _slash(ch: str) -> bool:
    return ch == "/"


def _any(ch: str) -> bool:
    return True


def _fullmatch(rx: re.Pattern):
    return lambda ch: rx.fullmatch(ch) is not None
