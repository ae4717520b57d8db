"""`teamweather plan` and the learning catalog at start-up (issue [mytraining]): the plan a
profile would get, read from no stored profile; a malformed catalog or role is one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import cli
from bot.runtime import build_runtime
from bot.config import load
from domain.errors import ConfigError

ONE_TEAM = "teams:\n  - name: Platform\n    channels: [C0000000001]\n    managers: [U0000000001]\n"
SECRETS = {"TEAMWEATHER_PSEUDONYM_KEY": "k" * 32, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
CATALOG = """
items:
  - id: docker-basics
    title: Docker basics
    description: Build and run containers with Docker.
    skills: {cloud-infra: 1}
    level: 1
    minutes: 60
    format: course
    url: https://learning.example.com/docker-basics
  - id: k8s-fundamentals
    title: Kubernetes fundamentals
    description: Pods, deployments and services on Kubernetes clusters.
    skills: {cloud-infra: 2}
    level: 2
    minutes: 90
    format: course
    url: https://learning.example.com/k8s-fundamentals
    prerequisites: [docker-basics]
  - id: writing-clearly
    title: Writing clearly at work
    description: Short, clear messages, emails and design documents.
    skills: {communication: 1}
    level: 1
    minutes: 30
    format: article
    url: https://learning.example.com/writing-clearly
"""
ROLES = "    roles:\n      sre: {cloud-infra: 2}\n      writer: {communication: 1}\n"


def config(tmp_path: Path, catalog: str = CATALOG, roles: str = ROLES) -> Path:
    (tmp_path / "catalog.yaml").write_text(catalog)
    path = tmp_path / "teamweather.yaml"
    path.write_text(f"database: {tmp_path / 't.db'}\nlearning:\n    catalog: {tmp_path / 'catalog.yaml'}\n"
                    + roles + ONE_TEAM)
    return path


def plan(path: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(path), "plan", *args])


def test_plan_prints_what_the_profile_would_get_and_why(tmp_path: Path) -> None:
    path = config(tmp_path)
    result = plan(path, "--role", "sre", "--goal", "run Kubernetes")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Your learning plan" and "1. Docker basics" in lines
    assert "your role targets cloud-infra level 2 (you're at 0)" in result.output
    done = plan(path, "--role", "sre", "--goal", "run Kubernetes", "--completed", "docker-basics", "--json")
    first = json.loads(done.output)[0]
    assert first["id"] == "k8s-fundamentals" and any("Kubernetes" in why for why in first["why"])
    assert "docker-basics" not in [entry["id"] for entry in json.loads(done.output)]
    assert not (tmp_path / "t.db").exists()  # it reads no stored profile, and opens no database


@pytest.mark.parametrize(("args", "error"), [
    (["--role", "astronaut"], "--role: no role 'astronaut' (roles: sre, writer)"),
    (["--completed", "docker-basics,nope"], "--completed: no such item(s) in the catalog: nope"),
])
def test_plan_says_what_is_wrong_in_one_line(tmp_path: Path, args: list[str], error: str) -> None:
    result = plan(config(tmp_path), *args)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == f"Error: {error}"


@pytest.mark.parametrize(("catalog", "roles", "error"), [
    (CATALOG.replace("level: 2\n", "level: 9\n"), ROLES,
     "item 2 (id 'k8s-fundamentals'): level: Input should be less than or equal to 5"),
    (CATALOG.replace("    minutes: 30\n", ""), ROLES, "item 3 (id 'writing-clearly'): minutes: Field required"),
    (CATALOG.replace("[docker-basics]", "[kubectl-101]"), ROLES, "kubectl-101"),
    (CATALOG, "    roles:\n      sre: {security: 2}\n", "security"),
])
def test_a_malformed_catalog_or_role_stops_start_up_in_one_line(tmp_path: Path, catalog: str, roles: str,
                                                                 error: str) -> None:
    path = config(tmp_path, catalog, roles)
    for command in ("check", "plan"):
        result = CliRunner().invoke(cli, ["--config", str(path), command], env=SECRETS)
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        [line] = result.output.strip().splitlines()
        assert line.startswith(f"Error: {path}: learning: ") and error in line, line
    with pytest.raises(ConfigError, match="learning: "):
        build_runtime(load(path, SECRETS))


def test_check_counts_the_catalog_and_roles(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--config", str(config(tmp_path)), "check"], env=SECRETS)
    assert result.exit_code == 0, result.output
    assert "/mytraining: 3 catalog item(s), 2 role(s)" in result.output


def test_the_planner_is_built_on_a_thread_at_first_use(tmp_path: Path) -> None:
    """Its encoder costs memory only once someone asks for a plan, and never blocks a request."""
    from bot.config import read_settings
    from bot.learning_setup import load_learning

    settings = read_settings(config(tmp_path))
    learning = load_learning(settings.learning, settings.database)
    assert learning._warming is None  # nothing loaded at start-up
    assert learning.ready() is False  # the first question starts the build and answers at once
    warming = learning._warming
    assert warming is not None
    warming.join(timeout=300)
    assert learning.ready() is True and learning._warming is warming  # built once
    assert learning.planner() is learning.planner()


def test_asking_while_the_planner_is_built_never_waits(tmp_path: Path) -> None:
    """ready() runs on the storage writer's thread: it must answer at once while another
    thread holds the build lock."""
    import threading

    from bot.config import read_settings
    from bot.learning_setup import load_learning

    settings = read_settings(config(tmp_path))
    learning = load_learning(settings.learning, settings.database)
    with learning._lock:  # as the build holds it, for seconds
        answered = threading.Event()
        asker = threading.Thread(target=lambda: (learning.ready(), answered.set()))
        asker.start()
        assert answered.wait(timeout=5)
    asker.join()
    warming = learning._warming
    assert warming is not None
    warming.join(timeout=300)
