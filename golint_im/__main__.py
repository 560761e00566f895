"""`python -m golint_im` is the `golint-im` command."""

from .cli import main

main()
