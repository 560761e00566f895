"""golint-im: find deadlocking receive loops, leaked connections and mismatched hash-ring addresses in Go."""

__version__ = "0.1.0"
# Where the project lives: SARIF links each rule to its section of docs/rules.md
# there, at the tag of this version. Keep in step with pyproject's [project.urls].
__url__ = "https://github.com/your-org/golint-im"
