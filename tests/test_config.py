"""The configuration a newcomer copies from: config/.env.example names every setting and loads as it is."""

import re
from pathlib import Path

from dotenv import dotenv_values

from shopmcp.config import Settings, config_dir

EXAMPLE = config_dir() / ".env.example"


def _mentioned_names(path: Path) -> set[str]:
    """Every `SHOPMCP_X=` in the file, set or commented out."""
    return set(re.findall(r"^#?\s*(SHOPMCP_[A-Z0-9_]+)=", path.read_text(), flags=re.MULTILINE))


def test_the_example_env_file_names_every_setting() -> None:
    expected = {f"SHOPMCP_{name.upper()}" for name in Settings.model_fields}
    assert expected - _mentioned_names(EXAMPLE) == set()


def test_the_example_env_file_names_no_setting_that_does_not_exist() -> None:
    known = {f"SHOPMCP_{name.upper()}" for name in Settings.model_fields}
    assert _mentioned_names(EXAMPLE) - known == set()


def test_the_values_set_in_the_example_env_file_are_valid_settings() -> None:
    values = {
        key.removeprefix("SHOPMCP_").lower(): value
        for key, value in dotenv_values(EXAMPLE).items()
        if key.startswith("SHOPMCP_") and value not in (None, "")
    }
    settings = Settings.model_validate(values)
    assert settings.stock_mode == "shared"
    assert settings.admin_tools is False
