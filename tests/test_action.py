"""The composite GitHub Action (action.yml) and the pre-commit hook manifest.

Static checks guard against script injection and drift between inputs and
steps. Then the action's shell steps run here, in order, with bash and the
environment a runner would give them: first against a stub `golint-im`
(argument passing, exit-code handling, upload decision), then, when the real
CLI is installed, against a small Go program.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DOC = ROOT / "docs" / "github-action.md"
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@pytest.fixture(scope="module")
def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def steps(action: dict) -> list[dict]:
    return action["runs"]["steps"]


# -- static checks ------------------------------------------------------------


def test_is_a_composite_action_with_the_documented_inputs(action):
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "config",
        "args",
        "new-from-rev",
        "sarif-file",
        "upload",
        "fail-on-findings",
        "category",
        "python-version",
        "cache",
    }
    defaults = {name: spec.get("default") for name, spec in action["inputs"].items()}
    assert defaults == {
        "paths": ".",
        "config": "",
        "args": "",
        "new-from-rev": "",
        "sarif-file": "",
        "upload": "true",
        "fail-on-findings": "true",
        "category": "golint-im",
        "python-version": "3.13",
        "cache": "true",
    }
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name


def test_every_input_is_used_by_a_step(action):
    used = json.dumps(steps(action))
    for name in action["inputs"]:
        assert re.search(r"\binputs\." + re.escape(name) + r"\b", used), f"input {name!r} is never used"


def test_outputs_come_from_existing_steps(action):
    ids = {s.get("id") for s in steps(action)}
    for name, spec in action["outputs"].items():
        for expr in EXPR.findall(spec["value"]):
            m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.[\w-]+", expr)
            assert m and m.group(1) in ids, (name, expr)


def test_run_steps_use_bash_and_no_expressions(action):
    for step in steps(action):
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")
            assert "${{" not in step["run"], f"expression inside the script of {step.get('name')!r}"
        else:
            assert "uses" in step


def test_env_values_are_single_expressions(action):
    # Each env value is exactly one ${{ }} (no string building with inputs).
    for step in steps(action):
        for key, value in step.get("env", {}).items():
            assert EXPR.fullmatch(str(value)), (step.get("name"), key, value)


PINNED = {  # the current major of each, pinned to the commit of that release
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "actions/cache": ("27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    "github/codeql-action/upload-sarif": ("8aad20d150bbac5944a9f9d289da16a4b0d87c1e", "v4.36.2"),
}


def test_third_party_actions_are_pinned_by_commit_with_the_version_in_a_comment(action):
    uses = [s["uses"] for s in steps(action) if "uses" in s]
    assert uses == [f"{name}@{sha}" for name, (sha, _) in PINNED.items()]
    text = ACTION.read_text(encoding="utf-8")
    for name, (sha, version) in PINNED.items():
        assert re.search(rf"uses: {re.escape(name)}@{sha} # {re.escape(version)}\n", text), name
    for line in re.findall(r"uses: (\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", line), f"not pinned by commit: {line}"
    upload = next(s for s in steps(action) if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert set(upload["with"]) == {"sarif_file", "category"}
    assert "steps.decide.outputs.upload" in upload["if"]
    cache = next(s for s in steps(action) if s.get("uses", "").startswith("actions/cache"))
    assert "inputs.cache" in cache["if"]
    assert cache["with"]["path"] == "${{ steps.install.outputs.cache-dir }}"
    assert "steps.install.outputs.version" in cache["with"]["key"] and "hashFiles('**/go.sum')" in cache["with"]["key"]


def test_install_goes_into_a_private_venv_outside_the_checkout(action):
    install = next(s for s in steps(action) if s.get("id") == "install")
    assert '"$GITHUB_ACTION_PATH"' in install["run"]
    assert 'venv="$RUNNER_TEMP/golint-im-venv"' in install["run"]
    assert '"$venv/bin/python" -m pip install' in install["run"]
    assert re.search(r"^\s*python -m venv ", install["run"], re.M)
    assert "python -m pip" not in install["run"].replace('"$venv/bin/python" -m pip', "")


def test_documented_workflow_matches_the_action(action):
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflow = next(yaml.safe_load(b) for b in blocks if "jobs:" in b)
    assert workflow["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    assert workflow["jobs"]["golint-im"]["timeout-minutes"] > 0
    job_steps = workflow["jobs"]["golint-im"]["steps"]
    assert job_steps[0]["with"]["fetch-depth"] == 0
    assert job_steps[0]["with"]["persist-credentials"] is False
    assert re.fullmatch(r"actions/checkout@[0-9a-f]{40}", job_steps[0]["uses"])
    ours = next(s for s in job_steps if s["uses"].endswith("/golint-im@v1"))
    assert set(ours.get("with") or {}) <= set(action["inputs"])
    for name in action["inputs"]:
        assert f"`{name}`" in text, f"input {name!r} is not documented"
    precommit = next(yaml.safe_load(b) for b in blocks if "repos:" in b)
    assert precommit["repos"][0]["hooks"] == [{"id": "golint-im"}]


def test_pre_commit_hook_manifest():
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "golint-im"
    assert hook["entry"] == "golint-im pre-commit"
    assert hook["language"] == "python"
    assert hook["types"] == ["go"]
    assert hook["require_serial"] is True and hook["pass_filenames"] is True
    clientlib = pytest.importorskip("pre_commit.clientlib")
    clientlib.load_manifest(str(HOOKS))  # pre-commit's own schema check


# -- running the shell steps --------------------------------------------------


@dataclass
class StepRun:
    id: str
    name: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class Run:
    steps: list[StepRun] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    summary: str = ""

    def step(self, step_id: str) -> StepRun:
        return next(s for s in self.steps if s.id == step_id)


def read_output_file(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            out[name] = "\n".join(body)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


def run_action(
    action: dict,
    workspace: Path,
    tmp: Path,
    *,
    inputs: dict | None = None,
    event_name: str = "push",
    event: dict | None = None,
    path_dirs=(),
    extra_env: dict | None = None,
    actor: str = "dev",
) -> Run:
    """Run the action's `run:` steps like a runner would; `uses:` steps are skipped."""
    values = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    values.update(inputs or {})
    event = event or {}
    outputs: dict[str, dict[str, str]] = {}

    def lookup(expr: str) -> str:
        parts = expr.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return str(values[parts[1]])
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return outputs.get(parts[1], {}).get(parts[3], "")
        if parts[:2] == ["github", "event"]:
            node = event
            for p in parts[2:]:
                node = node.get(p, {}) if isinstance(node, dict) else {}
            return "" if node in ({}, None) else str(node)
        raise AssertionError(f"the test runner does not understand ${{{{ {expr} }}}}")

    summary = tmp / "step_summary.md"
    summary.write_text("")
    base_env = {
        "PATH": os.pathsep.join([*map(str, path_dirs), str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
        "HOME": os.environ.get("HOME", str(tmp)),
        "LANG": "C.UTF-8",
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTOR": actor,
        "GITHUB_STEP_SUMMARY": str(summary),
        "RUNNER_TEMP": str(tmp),
        **(extra_env or {}),
    }
    result = Run()
    for n, step in enumerate(steps(action)):
        name = step.get("name", f"step {n}")
        if "uses" in step:
            result.skipped.append(step["uses"])
            continue
        assert "if" not in step, "the test runner does not evaluate if: on run steps"
        script = step["run"]
        if step.get("id") == "install":
            # Installed already (this venv); report it as the install step would.
            script = (
                'bin="$(command -v golint-im)"\necho "bin=$bin" >> "$GITHUB_OUTPUT"\n'
                'echo "version=0.1.0" >> "$GITHUB_OUTPUT"\n'
                'echo "cache-dir=$RUNNER_TEMP/golint-im-cache" >> "$GITHUB_OUTPUT"\n'
            )
        env = dict(base_env)
        for key, value in step.get("env", {}).items():
            env[key] = EXPR.sub(lambda m: lookup(m.group(1)), str(value))
        out_file = tmp / f"output_{n}"
        out_file.write_text("")
        env["GITHUB_OUTPUT"] = str(out_file)
        script_file = tmp / f"step_{n}.sh"
        script_file.write_text(script)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        step_outputs = read_output_file(out_file)
        if step.get("id"):
            outputs[step["id"]] = step_outputs
        result.steps.append(StepRun(step.get("id", ""), name, proc.returncode, proc.stdout, proc.stderr, step_outputs))
        if proc.returncode != 0:
            break  # later steps have the default `if: success()`
    result.summary = summary.read_text()
    return result


STUB = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as fh:
    fh.write(json.dumps(args) + "\\n")
code = int(os.environ.get("STUB_EXIT", "1"))
if code == 2:
    print("golint-im: error: bad config", file=sys.stderr)
    sys.exit(2)
if "--output" in args:
    results = [{{"ruleId": "GIM201", "level": "warning", "message": {{"text": "leak"}}}}] if code == 1 else []
    doc = {{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "golint-im"}}}}, "results": results}}]}}
    with open(args[args.index("--output") + 1], "w") as fh:
        json.dump(doc, fh)
elif "github" in args and code == 1:
    print("::error file=a.go,line=3,title=GIM201::leak")
sys.exit(code)
"""


@pytest.fixture
def stub(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "golint-im"
    exe.write_text(STUB.format(python=sys.executable))
    exe.chmod(0o755)
    log = tmp_path / "calls.jsonl"
    workspace = tmp_path / "ws"
    workspace.mkdir()
    work = tmp_path / "runner"
    work.mkdir()

    def go(action, *, exit_code=1, **kw):
        log.write_text("")
        env = {"STUB_LOG": str(log), "STUB_EXIT": str(exit_code), **kw.pop("extra_env", {})}
        run = run_action(action, workspace, work, path_dirs=[bin_dir], extra_env=env, **kw)
        calls = [json.loads(line) for line in log.read_text().splitlines()]
        return run, calls

    go.workspace = workspace
    go.runner_temp = work
    return go


needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")


@needs_bash
def test_push_with_defaults(action, stub):
    run, calls = stub(action, exit_code=1)
    assert run.skipped == [f"{name}@{sha}" for name, (sha, _) in PINNED.items()]
    temp = stub.runner_temp
    quiet = ["--quiet", "--cache-dir", f"{temp}/golint-im-cache"]
    assert calls == [
        ["check", *quiet, "--format", "sarif", "--output", f"{temp}/golint-im.sarif", "--", "."],
        ["check", *quiet, "--format", "github", "--", "."],
    ]
    check = run.step("check")
    assert check.returncode == 0
    assert check.outputs == {"exit-code": "1", "sarif-file": f"{temp}/golint-im.sarif"}
    assert "::error file=a.go" in check.stdout
    assert run.step("decide").outputs == {"upload": "true"}
    result = run.step("result")
    assert result.returncode == 1 and "::error::golint-im reported findings" in result.stdout
    assert "| GIM201 | 1 |" in run.summary


@needs_bash
def test_inputs_are_word_split_but_never_expanded(action, stub):
    (stub.workspace / "internal").mkdir()
    (stub.workspace / "internal" / "a.go").write_text("package internal\n")  # what a glob would find
    (stub.workspace / "out").mkdir()
    run, calls = stub(
        action,
        exit_code=0,
        inputs={
            "paths": "cmd  internal/*\n  pkg ",
            "args": "--select GIM2 $(touch pwned) ;touch pwned2",
            "config": "conf dir/golint-im.toml",
            "sarif-file": "out/$HOME.sarif",
        },
    )
    assert calls[0] == [
        "check",
        "--select",
        "GIM2",
        "$(touch",
        "pwned)",
        ";touch",
        "pwned2",
        "--quiet",
        "--cache-dir",
        f"{stub.runner_temp}/golint-im-cache",
        "--config",
        "conf dir/golint-im.toml",
        "--format",
        "sarif",
        "--output",
        "out/$HOME.sarif",
        "--",
        "cmd",
        "internal/*",
        "pkg",
    ]
    assert not (stub.workspace / "pwned").exists() and not (stub.workspace / "pwned2").exists()
    assert run.step("result").returncode == 0


@needs_bash
def test_explicit_new_from_rev(action, stub):
    _, calls = stub(action, exit_code=0, inputs={"new-from-rev": "origin/main"})
    for call in calls:
        assert call[call.index("--new-from-rev") + 1] == "origin/main"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def pr_event(base_sha: str, head_repo: str = "org/openim", base_repo: str = "org/openim") -> dict:
    return {
        "pull_request": {
            "base": {"sha": base_sha, "repo": {"full_name": base_repo}},
            "head": {"repo": {"full_name": head_repo}},
        }
    }


@needs_bash
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pull_request_defaults_to_base_sha(action, stub):
    ws = stub.workspace
    git(ws, "init", "-q")
    (ws / "main.go").write_text("package main\n")
    git(ws, "add", "-A")
    git(ws, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "base")
    sha = git(ws, "rev-parse", "HEAD")
    run, calls = stub(action, exit_code=0, event_name="pull_request", event=pr_event(sha))
    for call in calls:
        assert call[call.index("--new-from-rev") + 1] == sha
    assert "fetching" not in run.step("check").stdout  # the commit is there: no fetch
    assert run.step("decide").outputs == {"upload": "true"}
    # An explicit input wins over the event.
    _, calls = stub(
        action, exit_code=0, event_name="pull_request", event=pr_event(sha), inputs={"new-from-rev": "v3.5.1"}
    )
    assert calls[0][calls[0].index("--new-from-rev") + 1] == "v3.5.1"
    # On push, the base sha of an event is not used.
    _, calls = stub(action, exit_code=0, event_name="push", event=pr_event(sha))
    assert "--new-from-rev" not in calls[0]


@needs_bash
def test_fork_pull_request_skips_upload_with_notice(action, stub):
    run, _ = stub(
        action,
        exit_code=1,
        event_name="pull_request",
        event=pr_event("", head_repo="someone/openim", base_repo="org/openim"),
        inputs={"fail-on-findings": "false"},
    )
    decide = run.step("decide")
    assert decide.outputs == {"upload": "false"}
    assert "::notice::pull request from a fork" in decide.stdout
    result = run.step("result")
    assert result.returncode == 0 and "::notice::" in result.stdout


@needs_bash
def test_dependabot_pull_request_skips_upload(action, stub):
    run, _ = stub(action, exit_code=0, event_name="pull_request", event=pr_event(""), actor="dependabot[bot]")
    assert run.step("decide").outputs == {"upload": "false"}


@needs_bash
def test_upload_disabled(action, stub):
    run, _ = stub(action, exit_code=0, inputs={"upload": "false"})
    assert run.step("decide").outputs == {"upload": "false"}
    assert run.step("result").returncode == 0


@needs_bash
def test_exit_code_2_always_fails_and_skips_second_run(action, stub):
    run, calls = stub(action, exit_code=2, inputs={"fail-on-findings": "false"})
    assert len(calls) == 1
    assert run.step("check").outputs["exit-code"] == "2"
    decide = run.step("decide")
    assert decide.outputs == {"upload": "false"} and "::warning::" in decide.stdout
    result = run.step("result")
    assert result.returncode == 2 and "::error::" in result.stdout


@needs_bash
def test_no_findings_passes(action, stub):
    run, _ = stub(action, exit_code=0)
    assert run.step("result").returncode == 0
    assert "No findings." in run.summary


# -- the real CLI -------------------------------------------------------------


def _real_cli() -> str | None:
    exe = shutil.which("golint-im") or shutil.which("golint-im", path=str(Path(sys.executable).parent))
    if exe is None or importlib.util.find_spec("golint_im.cli") is None:
        return None
    return exe


GO_PROGRAM = {
    "go.mod": "module example.com/leak\n\ngo 1.21\n",
    "main.go": textwrap.dedent("""\
        package main

        import (
            "context"
            "fmt"
        )

        type Hub struct {
            register   chan string
            unregister chan string
        }

        func (h *Hub) Run(ctx context.Context) {
            for {
                select {
                case c := <-h.register:
                    h.kick(c)
                case c := <-h.unregister:
                    fmt.Println("bye", c)
                case <-ctx.Done():
                    return
                }
            }
        }

        func (h *Hub) kick(c string) {
            h.unregister <- c
        }

        func main() {
            h := &Hub{register: make(chan string), unregister: make(chan string)}
            go h.Run(context.Background())
            h.register <- "a"
        }
        """),
}


needs_cli = pytest.mark.skipif(_real_cli() is None, reason="golint-im CLI is not installed")


@pytest.fixture
def go_workspace(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    for name, text in GO_PROGRAM.items():
        (workspace / name).write_text(text)
    work = tmp_path / "runner"
    work.mkdir()
    return workspace, work


@needs_bash
@needs_cli
def test_action_runs_the_real_cli(action, go_workspace):
    workspace, work = go_workspace
    run = run_action(action, workspace, work, path_dirs=[Path(_real_cli()).parent])
    check = run.step("check")
    assert check.returncode == 0, check.stderr
    assert check.outputs["exit-code"] == "1", check.stdout + check.stderr  # the select loop sends to itself
    assert "::error file=main.go" in check.stdout  # annotations from --format github
    assert sorted(p.name for p in workspace.iterdir()) == sorted(GO_PROGRAM)  # nothing left in the checkout
    sarif = json.loads((work / "golint-im.sarif").read_text())
    assert sarif["version"] == "2.1.0"
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["GIM101"]
    assert run.step("decide").outputs == {"upload": "true"}
    assert run.step("result").returncode == 1
    assert "| GIM101 | 1 |" in run.summary


@needs_bash
@needs_cli
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pull_request_reports_only_new_findings(action, go_workspace):
    workspace, work = go_workspace
    git(workspace, "init", "-q")
    git(workspace, "add", "-A")
    git(workspace, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "base")
    base = git(workspace, "rev-parse", "HEAD")
    # The PR shifts the old finding down a few lines: still not new.
    main = workspace / "main.go"
    main.write_text(main.read_text().replace("package main\n", "package main\n\n// Hub fans clients in.\n\n", 1))
    run = run_action(
        action, workspace, work, path_dirs=[Path(_real_cli()).parent], event_name="pull_request", event=pr_event(base)
    )
    check = run.step("check")
    assert check.outputs["exit-code"] == "0", check.stdout + check.stderr
    assert run.step("result").returncode == 0
