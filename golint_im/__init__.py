"""golint-im: find deadlocking receive loops, leaked connections and mismatched hash-ring addresses in Go."""

__version__ = "0.1.0"

