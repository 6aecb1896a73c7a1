"""Property test: random programs that change what their reverse sweep reads back (elements
written and read back, index arrays that change, views) get the derivatives of finite
differences, in reverse and forward mode, run as plain Python and, for one of them, compiled."""

import numpy as np
from hypothesis import HealthCheck, Phase, given, reject, settings, strategies as st

import srcad

from random_programs import load_program
from random_recording_programs import random_recording_program
from recording_checks import assert_plain_derivatives

X = np.array([0.3, -0.8, 1.1, 0.5])


# No shrinking: a seed already names the whole program, and the message prints it.
@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(seed=st.integers(0, 10**9), p=st.lists(st.integers(0, 3), min_size=4, max_size=4))
def test_reverse_forward_and_differences_agree(tmp_path_factory, seed, p):
    text = random_recording_program(seed)
    program, _ = load_program(tmp_path_factory.mktemp("programs"), text, f"recording_{seed}")
    try:
        assert_plain_derivatives(program, (X, np.array(p)), 0, rtol=1e-6, atol=1e-7)
    except srcad.UnsupportedError as error:
        # a helper's result that may be either of two arrays, one of them written while the
        # result is still read: no copy can stand for it, and refusing is right
        if error.construct != "view":
            raise
        reject()
    except AssertionError as error:
        raise AssertionError(f"{text}\np0 = {p}\n{error}") from None


def test_compiled_programs_agree(tmp_path):
    for seed in (9,):
        text = random_recording_program(seed)
        program, _ = load_program(tmp_path, text, f"compiled_recording_{seed}")
        result = srcad.check_grad(program, X, np.array([2, 3, 1, 2]))
        assert result.ok, f"{text}\n{result}"
