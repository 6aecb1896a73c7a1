"""Whole-array expressions: ufuncs, broadcasting with scalars, reductions, products, slices."""

import numpy as np
import pytest

import srcad

import examples_vectors as ex

RNG = np.random.default_rng(0)
X, W5 = RNG.normal(size=5), RNG.normal(size=5)
W, H, B = RNG.normal(size=(4, 4)) * 0.5, RNG.normal(size=4), RNG.normal(size=4)
A, C = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))

CASES = [
    (ex.energy, (X, W5)),
    (ex.layer, (W, H, B)),
    (ex.rnn, (W, H, B, 5)),
    (ex.mats, (A, C)),
    (ex.sl, (X,)),
    (ex.matvec_rows, (A, H)),
    (ex.vector_loop, (X, 4)),
    (ex.axis_sums, (A,)),
    (ex.slice_writes, (X,)),
    (ex.ufuncs_trig, (X * 0.5,)),
    (ex.ufuncs_hyperbolic, (X * 0.5,)),
    (ex.ufuncs_exp_log, (X,)),
    (ex.ufuncs_piecewise, (X, W5)),
]


@pytest.mark.parametrize("func, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_array_expressions_against_finite_differences(func, args):
    result = srcad.check_grad(func, *args)
    assert result.ok, result


def test_value_matches_numpy():
    value, _ = srcad.value_and_grad(ex.rnn)(W, H, B, 5)
    assert value == pytest.approx(ex.rnn(W, H, B, 5), rel=1e-12)


def test_generated_code_has_loops_not_array_expressions():
    text = srcad.source(ex.layer, args=(W, H, B))
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    assert "np.tanh" not in code and "math.tanh" in code
    assert " @ " not in code


def test_unsupported_array_call_is_refused():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.unsupported_call)(A)
    assert info.value.construct == "np.sort", str(info.value)
    assert "no derivative rule" in str(info.value)
    assert info.value.filename.endswith("examples_vectors.py")
