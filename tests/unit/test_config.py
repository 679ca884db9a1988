"""Settings: defaults, validation messages, and `.env.dist` documenting every one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import Settings, SettingsError, load_settings

ENV_DIST = Path(__file__).resolve().parents[2] / ".env.dist"


def _documented() -> dict[str, str]:
    pairs = re.findall(r"^([A-Z0-9_]+)=(.*)$", ENV_DIST.read_text(), flags=re.MULTILINE)
    return dict(pairs)


def test_every_setting_is_documented_in_env_dist_with_its_default() -> None:
    documented = _documented()
    defaults = Settings(_env_file=None)

    for name, field in Settings.model_fields.items():
        assert name.upper() in documented, f"{name.upper()} missing from .env.dist"
        default = field.default
        if default in (None, "") or name == "static_base_url":
            assert documented[name.upper()] == ""
        else:
            assert documented[name.upper()] == str(getattr(defaults, name)).lower() or (
                documented[name.upper()] == str(getattr(defaults, name))
            ), name


def test_env_dist_names_no_unknown_setting() -> None:
    known = {name.upper() for name in Settings.model_fields}
    assert set(_documented()) <= known | _deployment_only()


def _deployment_only() -> set[str]:
    # Variables read by docker compose and nginx, not by the Python app: the names of the
    # `.env.dist` section "Deployment (docker compose and nginx)", up to the next section.
    header = "# --- Deployment (docker compose and nginx) ---"
    lines = ENV_DIST.read_text().splitlines()
    names: set[str] = set()
    for line in lines[lines.index(header) + 1 :]:
        if line.startswith("# ---"):
            break
        if match := re.match(r"^([A-Z0-9_]+)=", line):
            names.add(match.group(1))
    return names


def test_invalid_values_stop_start_up_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UPSTREAM_TIMEOUT", "-1")
    monkeypatch.setenv("BLIZZARD_HOST", "not a url")

    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None)

    message = str(error.value)
    assert "UPSTREAM_TIMEOUT" in message
    assert "BLIZZARD_HOST" in message


def test_static_base_url_defaults_under_app_base_url() -> None:
    settings = Settings(_env_file=None, app_base_url="https://api.example.org/")

    assert settings.app_base_url == "https://api.example.org"
    assert settings.static_base_url == "https://api.example.org/static"


def test_valkey_url_must_have_a_known_scheme() -> None:
    with pytest.raises(SettingsError, match="VALKEY_URL"):
        load_settings(_env_file=None, valkey_url="http://localhost:6379")


@pytest.mark.parametrize("given", [None, ""])
def test_an_unset_app_base_url_has_the_default_and_says_it_was_not_set(
    monkeypatch: pytest.MonkeyPatch, given: str | None
) -> None:
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    if given is not None:
        monkeypatch.setenv("APP_BASE_URL", given)

    settings = Settings(_env_file=None)

    assert settings.app_base_url == "http://localhost:8080"
    assert settings.static_base_url == "http://localhost:8080/static"
    assert not settings.app_base_url_is_set


def test_a_given_app_base_url_is_kept_and_known_as_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_BASE_URL", "http://localhost:8080")

    settings = Settings(_env_file=None)

    assert settings.app_base_url_is_set
    assert settings.model_copy(update={"access_log": True}).app_base_url_is_set


def test_log_format_is_text_or_json() -> None:
    assert Settings(_env_file=None, log_format="json").log_format == "json"
    with pytest.raises(SettingsError, match="LOG_FORMAT"):
        load_settings(_env_file=None, log_format="xml")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql://u@h/db", "must start with postgresql://"),
        ("postgresql://u@h:port/db", "invalid port"),
        ("postgresql:///db", "names no host"),
    ],
)
def test_database_url_is_checked_naming_the_setting(url: str, reason: str) -> None:
    with pytest.raises(SettingsError, match=f"DATABASE_URL: .*{reason}"):
        load_settings(_env_file=None, database_url=url)


def test_database_url_unset_or_postgres() -> None:
    assert Settings(_env_file=None, database_url="").database_url is None
    url = "postgres://owdata:secret@db:5432/owdata"
    assert Settings(_env_file=None, database_url=url).database_url == url


def test_pool_minimum_cannot_exceed_maximum() -> None:
    with pytest.raises(SettingsError, match="DATABASE_POOL_MIN_SIZE"):
        load_settings(_env_file=None, database_pool_min_size=5, database_pool_max_size=2)
