"""config.toml layers, profiles, -c overrides and error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from pycodex.config import ConfigOverrides, load_config
from pycodex.config.loader import parse_override, unknown_keys
from pycodex.errors import ConfigError

PROVIDER = """
[model_providers.local]
name = "local"
base_url = "http://127.0.0.1:9/v1"
env_key = "LOCAL_KEY"
"""


def make_home(tmp_path: Path, text: str) -> Path:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(text)
    return home


def test_defaults_without_any_config(tmp_path: Path) -> None:
    home = tmp_path / "empty-home"
    home.mkdir()
    config = load_config(ConfigOverrides(cwd=tmp_path), home=home)
    assert config.model == "gpt-5.5"
    assert config.model_provider.id == "openai"
    assert config.sandbox.mode == "read-only"
    assert config.approval_policy == "never"
    assert config.project_doc_max_bytes == 32 * 1024


def test_custom_provider_fields(tmp_path: Path) -> None:
    home = make_home(
        tmp_path,
        'model = "m1"\nmodel_provider = "local"\n'
        + PROVIDER
        + 'wire_api = "chat"\nrequest_max_retries = 7\nstream_idle_timeout_ms = 1000\nhttp_headers = { A = "b" }\n',
    )
    config = load_config(ConfigOverrides(cwd=tmp_path), home=home)
    provider = config.model_provider
    assert (provider.base_url, provider.env_key, provider.wire_api) == (
        "http://127.0.0.1:9/v1",
        "LOCAL_KEY",
        "chat",
    )
    assert provider.request_max_retries == 7 and provider.stream_idle_timeout_ms == 1000
    assert provider.stream_max_retries == 5
    assert dict(provider.http_headers) == {"A": "b"}


def test_cli_overrides_beat_files_and_parse_as_toml(tmp_path: Path) -> None:
    home = make_home(tmp_path, 'model = "from-file"\nmodel_provider = "local"\n' + PROVIDER)
    config = load_config(
        ConfigOverrides(
            cwd=tmp_path,
            cli_overrides=(
                'model="from-cli"',
                "sandbox_workspace_write.network_access=true",
                "sandbox_mode=workspace-write",
            ),
        ),
        home=home,
    )
    assert config.model == "from-cli"
    assert config.sandbox.mode == "workspace-write" and config.sandbox.network_access is True


def test_parse_override_falls_back_to_raw_string() -> None:
    assert parse_override("a.b.c=[1, 2]") == (["a", "b", "c"], [1, 2])
    assert parse_override("model=o3") == (["model"], "o3")
    with pytest.raises(ConfigError, match="expected key=value"):
        parse_override("novalue")


def test_profiles_from_table_and_from_file(tmp_path: Path) -> None:
    home = make_home(
        tmp_path,
        'model = "base"\nmodel_provider = "local"\nprofile = "fast"\n'
        '[profiles.fast]\nmodel = "fast-model"\n' + PROVIDER,
    )
    # the legacy selector in config.toml still picks its table...
    assert load_config(ConfigOverrides(cwd=tmp_path), home=home).model == "fast-model"
    # ...but codex 0.169.0 refuses --profile naming a legacy table
    with pytest.raises(ConfigError, match="cannot be used while"):
        load_config(ConfigOverrides(cwd=tmp_path, profile="fast"), home=home)
    (home / "deep.config.toml").write_text('model = "deep-model"\n')
    assert (
        load_config(ConfigOverrides(cwd=tmp_path, profile="deep"), home=home).model == "deep-model"
    )
    # codex 0.169.0 layers $CODEX_HOME/NAME.config.toml if present and runs on without it
    assert load_config(ConfigOverrides(cwd=tmp_path, profile="nope"), home=home).model == "base"


def test_project_config_layers_between_home_and_cli(tmp_path: Path) -> None:
    home = make_home(tmp_path, 'model = "home"\nmodel_provider = "local"\n' + PROVIDER)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".codex").mkdir()
    (repo / ".codex" / "config.toml").write_text('model = "project"\n')
    sub = repo / "pkg"
    (sub / ".codex").mkdir(parents=True)
    (sub / ".codex" / "config.toml").write_text('model_reasoning_effort = "high"\n')
    # Untrusted (the default): the project's layers are skipped and reported.
    config = load_config(ConfigOverrides(cwd=sub), home=home)
    assert config.model == "home" and config.model_reasoning_effort is None
    assert config.untrusted_project_folders == (repo / ".codex", sub / ".codex")
    # Trusted via the repository root: both layers apply, cwd's last.
    with (home / "config.toml").open("a") as fh:
        fh.write(f'\n[projects."{repo}"]\ntrust_level = "trusted"\n')
    config = load_config(ConfigOverrides(cwd=sub), home=home)
    assert config.model == "project" and config.model_reasoning_effort == "high"
    assert config.project_folders == (repo / ".codex", sub / ".codex")
    assert load_config(ConfigOverrides(cwd=sub, model="cli"), home=home).model == "cli"


def test_project_cannot_trust_itself(tmp_path: Path) -> None:
    home = make_home(tmp_path, 'model = "home"\nmodel_provider = "local"\n' + PROVIDER)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".codex").mkdir()
    (repo / ".codex" / "config.toml").write_text(
        f'model = "project"\n[projects."{repo}"]\ntrust_level = "trusted"\n'
    )
    config = load_config(ConfigOverrides(cwd=repo), home=home)
    assert config.model == "home"
    assert config.untrusted_project_folders == (repo / ".codex",)


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    home = make_home(tmp_path, 'model = "ok"\nmodel_provider = \n')
    with pytest.raises(ConfigError) as info:
        load_config(ConfigOverrides(cwd=tmp_path), home=home)
    message = str(info.value)
    assert f"{home / 'config.toml'}:2:18: " in message and "2 | model_provider = " in message


def test_wrong_types_name_the_field(tmp_path: Path) -> None:
    home = make_home(
        tmp_path, 'model_provider = "local"\n' + PROVIDER + 'request_max_retries = "many"\n'
    )
    with pytest.raises(
        ConfigError, match=r"model_providers\.local\.request_max_retries: expected int"
    ):
        load_config(ConfigOverrides(cwd=tmp_path), home=home)
    home = make_home(tmp_path, 'sandbox_mode = "wide-open"\n')
    with pytest.raises(ConfigError, match="sandbox_mode"):
        load_config(ConfigOverrides(cwd=tmp_path), home=home)


def test_unknown_provider_is_explained(tmp_path: Path) -> None:
    home = make_home(tmp_path, 'model_provider = "missing"\n')
    with pytest.raises(ConfigError, match=r"define it under \[model_providers\.missing\]"):
        load_config(ConfigOverrides(cwd=tmp_path), home=home)


def test_unknown_keys_warn_but_load(tmp_path: Path) -> None:
    home = make_home(
        tmp_path, 'modle = "typo"\nmodel_provider = "local"\n' + PROVIDER + "bogus_field = 1\n"
    )
    config = load_config(ConfigOverrides(cwd=tmp_path), home=home)
    assert any("`modle`" in w for w in config.warnings)
    assert any("`model_providers.local.bogus_field`" in w for w in config.warnings)


def test_pycodex_extension_keys_are_not_warned_about() -> None:
    assert unknown_keys({"features": {"plan_tool": True}}) == []


def test_unknown_keys_walks_nested_tables() -> None:
    assert (
        unknown_keys(
            {
                "features": {"apply_patch_freeform": True},
                "sandbox_workspace_write": {"network_access": True},
            }
        )
        == []
    )
    assert unknown_keys({"sandbox_workspace_write": {"netwrk": True}}) == [
        "sandbox_workspace_write.netwrk"
    ]


def test_untrusted_approval_policy_is_refused_like_upstream(tmp_path: Path) -> None:
    home = make_home(tmp_path, 'approval_policy = "untrusted"\n')
    with pytest.raises(
        ConfigError,
        match='approval_policy = "untrusted" is no longer supported; remove this setting',
    ):
        load_config(ConfigOverrides(cwd=tmp_path), home=home)
