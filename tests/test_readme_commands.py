"""The README's test command is what CI runs (.ci/run runs it in a fresh virtual environment)."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"^    (python3 .*)$", (ROOT / "README.md").read_text(), flags=re.M)
    test_command = commands[1]   # the second command: "Run the tests"
    assert "pytest tests" in test_command and "--durations=30" in test_command
    assert "NUMBA_ENABLE_CUDASIM=1 python3 -m pytest tests/test_cuda_simulator.py" in test_command
    assert (ROOT / ".ci" / "run").read_text().rstrip().splitlines()[-1] == test_command
