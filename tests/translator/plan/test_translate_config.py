"""``[translate]`` in ferry.toml: defaults, sub-tables and actionable errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.config import load_config
from translator.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]


def test_project_ferry_toml_loads() -> None:
    config, base = load_config(REPO / "ferry.toml")
    assert base == REPO
    assert config.backend in ("mechanical", "llm", "replay")
    assert config.module_map and config.prices and config.llm.api_key_env


def test_missing_sections_give_defaults(tmp_path: Path) -> None:
    (tmp_path / "ferry.toml").write_text('[upstream]\nurl = "x"\n')
    config, base = load_config(tmp_path / "ferry.toml")
    assert config.max_attempts == 3 and config.module_map == {} and base == tmp_path.resolve()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[translate]\nmax_attempts = "three"\n', "[translate].max_attempts"),
        ('[translate]\nbackend = "gpt"\n', "[translate].backend"),
        ("[translate.llm]\nmodle = 1\n", "[translate].llm.modle"),
        ("[translate\n", "cannot read TOML"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "ferry.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert message in str(info.value) and str(path) in str(info.value)
