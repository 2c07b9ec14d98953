"""docs/deploy.md names only settings, commands and flags that exist (docs checked by tests)."""

from __future__ import annotations

import re

import pytest

from service.cli import build_parser
from service.settings import Settings
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "deploy.md").read_text()


@pytest.mark.unit
def test_every_setting_the_deploy_guide_names_exists():
    named = set(re.findall(r"CITEQA_([A-Z_]+)", DOC))
    fields = {name.upper() for name in Settings.model_fields}
    assert named and named <= fields, f"not settings: {sorted(named - fields)}"


@pytest.mark.unit
def test_every_citeqa_command_and_flag_the_deploy_guide_shows_exists():
    import argparse

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    code = re.findall(r"```[a-z]*\n(.*?)```", DOC, re.S) + re.findall(r"`([^`\n]+)`", DOC)
    shown = [m for block in code for m in re.findall(r"\bciteqa ([a-z-]+)([^\n]*)", block)]
    assert len(shown) >= 8
    for command, rest in shown:
        assert command in sub.choices, f"no command `citeqa {command}`"
        known = {o for a in sub.choices[command]._actions for o in a.option_strings}
        flags = set(re.findall(r"(--?[a-z-]+)", rest))
        assert flags <= known, f"`citeqa {command}` has no {sorted(flags - known)}"
