"""The scripts in examples/ run and pass their own checks against finite differences and closed forms."""

import importlib.util
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(path.stem for path in EXAMPLES.glob("*.py"))


def _import(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_examples_are_there():
    assert {"ode_sensitivity", "logistic_regression", "lennard_jones", "black_scholes"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_example_runs_and_checks_itself(name, capsys):
    _import(name).main()
    assert capsys.readouterr().out.strip()
