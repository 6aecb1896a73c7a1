"""The generated source of small functions is deterministic and stays readable.

Set SRCAD_UPDATE_GOLDEN=1 to rewrite the files after an intended change, then
read the diff.
"""

import os
import pathlib
import subprocess
import sys

import pytest

import srcad

from examples_golden import newton_sqrt, poly_sin

GOLDEN = pathlib.Path(__file__).parent / "golden"
CASES = [
    ("poly_sin_reverse", poly_sin, "reverse", (0, 1)),
    ("poly_sin_forward", poly_sin, "forward", (0, 1)),
    ("newton_sqrt_reverse", newton_sqrt, "reverse", 0),
]


@pytest.mark.parametrize("name, func, mode, wrt", CASES, ids=[c[0] for c in CASES])
def test_generated_source_matches_golden(name, func, mode, wrt):
    text = srcad.source(func, mode=mode, wrt=wrt)
    path = GOLDEN / f"{name}.py"
    if os.environ.get("SRCAD_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_hessian_source_matches_golden():
    """Forward over reverse: the tangent of the adjoint, its tape entry, and the column driver."""
    text = srcad.source(srcad.hessian(newton_sqrt))
    path = GOLDEN / "newton_sqrt_hessian.py"
    if os.environ.get("SRCAD_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_checkpointed_source_matches_golden():
    """Binomial checkpointing of a while loop: the schedule's calls, the snapshot, each body form once."""
    text = srcad.source(srcad.grad(newton_sqrt, checkpoint=4))
    path = GOLDEN / "newton_sqrt_checkpointed.py"
    if os.environ.get("SRCAD_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text()


def test_source_is_identical_in_a_new_process():
    code = (
        "import srcad, examples_golden as e;"
        "print(srcad.source(e.newton_sqrt, mode='reverse'), end='')"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(pathlib.Path(__file__).parent), *sys.path]))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout == srcad.source(newton_sqrt, mode="reverse")


def test_generated_source_is_valid_python_with_original_lines():
    text = srcad.source(poly_sin, mode="reverse")
    compile(text, "generated", "exec")
    assert "# line " in text and "z = x * y + math.sin(x)" in text
    assert "x_bar" in text and "_seed" in text
