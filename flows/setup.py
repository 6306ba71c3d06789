"""``gameops setup``: one-command onboarding of a developer machine for the game repository."""

from __future__ import annotations

from prefect import flow

from gameops.flows.alerts import alerting
from gameops.flows.labels import run_name, tag_run
from gameops import onboarding
from gameops.config import load
from gameops.errors import JobFailed
from gameops.tasks import artifacts
from gameops.tasks.setup import check_prerequisites, first_build, import_godot_project, install_hooks, python_dependencies, quick_tests, remember


@alerting
@flow(name="setup", flow_run_name=run_name("setup"),
      description="Onboarding: prerequisites, Python dependencies, git hooks, Godot import, first build, quick tests.")
def setup(project: str = ".", config: str | None = None, dry_run: bool = False) -> dict:
    """Onboard a developer machine: prerequisites, Python dependencies, git hooks, Godot import,
    first build, quick tests; steps whose inputs did not change since the last setup are skipped.

    Args:
        project: Game repository (the folder with gameops.yaml / project.godot).
        config: Config file; default gameops.yaml in the project.
        dry_run: Say what each step would do; change nothing.
    """
    loaded = load(project, config)
    tag_run("setup", loaded)
    state = onboarding.read_state(loaded.root)
    steps = list(check_prerequisites(loaded))
    steps.append(python_dependencies(loaded, dry_run))
    steps.append(install_hooks(loaded, dry_run))
    # Each of these runs only when its inputs changed since the last successful setup.
    for step_task in (import_godot_project, first_build, quick_tests):
        step = step_task(loaded, dict(state), dry_run)
        steps.append(step)
        state.update(step.remember)
    if not dry_run and any(s.remember for s in steps):
        remember(loaded, state)
    report = onboarding.summary(steps, loaded, dry_run)
    artifacts.markdown(
        f"setup-{loaded.config.project.name}",
        "\n".join([f"# gameops setup: {report['message']}", "", "| step | status | detail |", "|---|---|---|",
                   *[f"| {s['name']} | {s['status']} | {s['detail']} |" for s in report["steps"]], "", "## Next steps", "",
                   *[f"- {n}" for n in report["next_steps"]]]),
        description=f"gameops setup of {loaded.config.project.name}: {report['message']}",
    )
    if not report["ok"]:
        raise JobFailed(report["message"], report=report)
    return report
