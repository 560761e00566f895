"""golint-im's rules: one module per rule (see golint_im.registry for the contract)."""
