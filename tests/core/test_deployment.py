"""What can be checked of the deployment without a Docker engine: the Dockerfile and
docker-compose.yml read as an operator would (images pinned, no secret committed, health
checks, an unprivileged user, every command they run exists in the application's CLI, every
variable they need is in .env.example)."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
# An exact version: v1.21.0, 16.4-bookworm, 3.11.10-slim-bookworm, 7.4.1-bookworm.
PINNED_TAG = re.compile(r"^v?\d+\.\d+(\.\d+)?([-.][a-z0-9.-]+)?$")
SECRET_NAME = re.compile(r"SECRET|PASSWORD|_KEY$|TOKEN", re.I)
VARIABLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)")


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for instruction, args in dockerfile():
        if instruction == "FROM":
            out.append([])
        if out:
            out[-1].append((instruction, args))
    return out


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def assert_pinned(image: str) -> None:
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag, f"{image}: no tag"
    assert tag != "latest" and PINNED_TAG.match(tag), f"{image}: not an exact version"


# --- Dockerfile ---------------------------------------------------------------------------


def test_the_base_image_is_pinned():
    args = {}
    for instruction, rest in dockerfile():
        if instruction == "ARG" and "=" in rest:
            name, _, value = rest.partition("=")
            args[name] = value
    froms = [rest.split()[0] for instruction, rest in dockerfile() if instruction == "FROM"]
    assert len(froms) >= 2, "multi-stage: a builder and the final image"
    for image in froms:
        image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], image)
        assert_pinned(image)
        assert image.startswith("python:3.11.")


def test_the_final_image_runs_unprivileged_with_no_build_tools():
    final = stages()[-1]
    users = [rest for instruction, rest in final if instruction == "USER"]
    assert users, "the final stage sets a USER"
    assert users[-1].split(":")[0] not in ("root", "0")
    runs = " ".join(rest for instruction, rest in final if instruction == "RUN")
    for tool in ("gcc", "build-essential", "pip install", "apt-get install"):
        assert tool not in runs, f"the final stage runs {tool}"
    copies = [rest for instruction, rest in final if instruction == "COPY"]
    assert any(c.startswith("--from=builder /opt/venv") for c in copies)
    assert [rest for instruction, rest in final if instruction == "HEALTHCHECK"]
    assert "/healthz" in dict(final)["HEALTHCHECK"]


def test_the_translations_are_compiled_and_gunicorn_pinned_at_build():
    builder = stages()[0]
    runs = " ".join(rest for instruction, rest in builder if instruction == "RUN")
    assert "python -m directory.i18n compile" in runs
    assert "optional-dependencies']['deploy']" in runs and "pip install -r" in runs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deploy = project["project"]["optional-dependencies"]["deploy"]
    assert any(re.fullmatch(r"gunicorn==\d+\.\d+\.\d+", d) for d in deploy)
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    for path in (".git", ".venv", ".env", "instance", "tests"):
        assert path in ignored


# --- docker-compose.yml -------------------------------------------------------------------


def test_every_image_is_pinned_or_built_here():
    for name, service in compose()["services"].items():
        if "build" in service:
            assert service["image"].startswith("kieubao-directory:"), name
            continue
        assert_pinned(service["image"])


def test_the_expected_services_run():
    services = compose()["services"]
    assert set(services) >= {"db", "meilisearch", "redis", "migrate", "app", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert services["meilisearch"]["image"].startswith("getmeili/meilisearch:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["migrate"]["restart"] == "no"
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "redis://" in services["app"]["environment"]["RATELIMIT_STORAGE_URI"]


def test_every_long_running_service_has_a_health_check():
    for name, service in compose()["services"].items():
        if service.get("restart") == "no":
            continue  # a one-shot task
        check = service.get("healthcheck")
        assert check and check.get("test"), f"{name} has no health check"
        assert service.get("restart") == "unless-stopped", name


def test_state_lives_in_named_volumes():
    spec = compose()
    declared = set(spec["volumes"])
    used = set()
    for service in spec["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert not source.startswith((".", "/")), f"bind mount {volume}"
            used.add(source)
    assert used == declared
    assert {"pgdata", "meilidata"} <= used


def _environment_values():
    for name, service in compose()["services"].items():
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) for item in env)
        for key, value in env.items():
            yield name, key, str(value)


def test_no_secret_is_committed():
    for service, key, value in _environment_values():
        if SECRET_NAME.search(key):
            assert value.startswith("${") or not value, f"{service}.{key} holds a value"
        # A URL carrying a password takes it from the environment too.
        password = re.search(r"://[^/@:]*:([^@]+)@", value)
        if password:
            assert password.group(1).startswith("${"), f"{service}.{key}"
    for key, value in env_example().items():
        if SECRET_NAME.search(key):
            assert value == "", f".env.example gives {key} a value"
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in ignored


def test_env_example_lists_every_variable_compose_needs():
    needed = set(VARIABLE.findall((ROOT / "docker-compose.yml").read_text(encoding="utf-8")))
    assert needed, "compose takes its settings from the environment"
    assert needed <= set(env_example()), sorted(needed - set(env_example()))
    # The required ones say so, and fail the start when unset.
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for secret in ("SECRET_KEY", "POSTGRES_PASSWORD", "MEILI_MASTER_KEY", "REDIS_PASSWORD"):
        assert f"${{{secret}:?" in text


# --- the commands exist -------------------------------------------------------------------


def _commands(command) -> list[list[str]]:
    """The flask and gunicorn invocations of a compose ``command``."""
    words = command if isinstance(command, list) else shlex.split(command)
    if words[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in words[2].split("&&")]
    return [words]


def test_the_commands_compose_runs_exist(app):
    runner = app.test_cli_runner()
    seen = []
    for name, service in compose()["services"].items():
        if "command" not in service or "build" not in service:
            continue
        for words in _commands(service["command"]):
            if words[0] == "gunicorn":
                assert words[-1] == "app:app"
                assert (ROOT / "gunicorn.conf.py").exists() and (ROOT / "app.py").exists()
                continue
            assert words[0] == "flask", f"{name}: {words}"
            result = runner.invoke(args=[*words[1:], "--help"])
            assert result.exit_code == 0, f"{name}: flask {' '.join(words[1:])}: {result.output}"
            seen.append(" ".join(words[1:3]))
    assert {"db upgrade", "search worker"} <= set(seen)


def test_the_scheduled_jobs_are_commands_too(app):
    from directory.core.schedule import jobs

    runner = app.test_cli_runner()
    names = {job.name for job in jobs(app)}
    assert names >= {
        "mail retry",
        "contact-requests expire",
        "representatives expire",
        "representatives remind",
        "initiatives remind-overdue",
    }
    for name in names:
        result = runner.invoke(args=[*name.split(), "--help"])
        assert result.exit_code == 0, f"flask {name}: {result.output}"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_health_checks_compose_and_the_image_call_exist(app, path):
    assert any(rule.rule == path for rule in app.url_map.iter_rules())


def test_each_gunicorn_worker_freezes_the_loaded_application_for_the_collector():
    import gc
    import runpy

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    before = gc.get_freeze_count()
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
