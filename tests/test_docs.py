"""README and RELEASING.md say what is true: the sample output is today's, the
Python requirement and the version match pyproject.toml."""

from __future__ import annotations

import re
from pathlib import Path

from test_cli import gim

from golint_im import __version__
from golint_im.config import tomllib  # tomli on Python 3.10

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_readme_sample_output_is_what_the_examples_print(tmp_path):
    command = "golint-im check examples/deadlock examples/socket-leak examples/hash-ring"
    assert f"```sh\n{command}\n```" in README
    sample = re.search(r"It exits 1 and prints:\n\n```\n(.*?)```", README, re.S).group(1)
    r = gim(*command.split()[1:], cwd=ROOT, env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert r.returncode == 1
    assert r.stdout == sample


def test_python_requirement_and_version_agree():
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"
    assert "**Python 3.10 or newer**" in README
    assert PYPROJECT["project"]["version"] == __version__


def test_install_snippet_and_release_tags_agree():
    tag = f"v{__version__}"
    assert f'pip install "git+https://github.com/your-org/golint-im@{tag}"' in README
    releasing = (ROOT / "RELEASING.md").read_text(encoding="utf-8")
    assert f"git tag -a {tag}" in releasing and "`v1`" in releasing
