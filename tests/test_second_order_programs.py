"""Property test: on generated programs, forward over reverse gives the Hessian's action.

``jvp(grad(program))`` is checked against central differences of the
gradient and for symmetry (see :mod:`second_order_check`).  The programs are
those of :mod:`differential_programs`, with every construct it writes:
while loops, index arrays that change, elements written and read back,
helpers, views.  As plain Python the draw is larger than compiled, where each
program costs a Numba compilation of a second-order derivative.
"""

import os

import pytest
from hypothesis import given, settings, strategies as st

import differential_programs as gen
import second_order_check as check
from test_differential_programs import _PROFILE

PLAIN = os.environ.get("NUMBA_DISABLE_JIT") == "1"
# compiled, each program costs a Numba compilation of a second-order derivative: a small draw
EXAMPLES = int(os.environ.get("SRCAD_RANDOM_EXAMPLES", "25")) if PLAIN else 2


@pytest.fixture(scope="module")
def program_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("second_order_programs")


@settings(max_examples=EXAMPLES, **_PROFILE)
@given(text=gen.programs(gen.PASSING_ON_MAIN, statements=12 if PLAIN else 6), seed=st.integers(0, 1000))
def test_forward_over_reverse_agrees(program_dir, text, seed):
    outcome = check.check(text, seed, program_dir)
    assert outcome.category in (check.OK, check.REFUSED), f"{outcome.category}: {outcome.detail}\n{text}"
