"""Analysis layers: results computed once per run from the linked program, which rules ask for.

Each module defines one layer and the `Pass` that computes it (see
`golint_im.passes`); a rule declares the passes it needs in `REQUIRES` and
asks `ctx.result(PASS)` for their results.
"""
