"""golint-im: find deadlocking receive loops, leaked connections and mismatched hash-ring addresses in Go."""

__version__ = "0.1.0"
# Where the project lives: SARIF links each rule to its section of docs/rules.md
# there, at the tag of this version. Keep in step with pyproject's [project.urls].
__url__ = "https://github.com/your-org/golint-im"


def _checkout_rules() -> None:
    """Make `golint_im.rules` importable when running from a source checkout.

    Installed, the top-level rules/ directory becomes golint_im.rules (see
    pyproject's package-dir). `python -m pytest` in a checkout puts the
    checkout first on sys.path, where no such subpackage exists: register the
    checkout's rules/ under that name, once, before anything imports it.
    """
    import importlib.util
    import os
    import sys

    if "golint_im.rules" in sys.modules or importlib.util.find_spec("golint_im.rules") is not None:
        return
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules")
    init = os.path.join(src, "__init__.py")
    if not os.path.isfile(init):
        return
    spec = importlib.util.spec_from_file_location("golint_im.rules", init, submodule_search_locations=[src])
    module = importlib.util.module_from_spec(spec)
    sys.modules["golint_im.rules"] = module
    setattr(sys.modules[__name__], "rules", module)  # as an import of the subpackage would
    spec.loader.exec_module(module)


_checkout_rules()
