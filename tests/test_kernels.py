"""Kernels as Numba users write them: each derivative against the plain
Python value, central finite differences and forward mode (``<g, v>`` equal
to the jvp), with the caller's arrays left untouched."""

import inspect

import numba
import numpy as np
import pytest

import srcad

import examples_kernels as ex

try:
    from . import fd
except ImportError:
    import fd

X3 = np.array([0.5, -1.2, 2.0])


def _copied(args):
    return [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]


def _pure(func):
    """``func`` on copies of its arguments: the primal may write into them."""
    return lambda *args: func(*_copied(args))


def _compiled(func, args, wrt):
    """(value, gradient, jvp callable) through the public API, compiled by Numba."""
    value, grad = srcad.value_and_grad(func, wrt=wrt)(*args)
    return value, grad, lambda tangent: srcad.jvp(func, wrt=wrt)(*args, tangent)


def _plain_python(func, args, wrt):
    """(value, gradient, jvp callable) from the generated functions run as plain Python.

    Plain Python raises on a name read before it is set and on a read out of bounds.
    """
    from srcad.api import Transformation

    reverse = Transformation(func, "value_and_grad", wrt)
    types = reverse.split_args(args, 0)[2]
    rev = fd.taped_reverse(reverse.specialize(types))
    value, grad, fneeded, ineeded = rev(*args, 1.0, np.empty(4096), np.empty(1024, np.int64))
    assert fneeded <= 4096 and ineeded <= 1024
    jvp = _plain(Transformation(func, "jvp", wrt).specialize(types).functions["main"])
    return value, grad, lambda tangent: jvp(*args, tangent)


def _agrees(func, args, wrt, run):
    before = _copied(args)
    value, grad, jvp = run(func, args, wrt)
    fd.assert_close(value, func(*_copied(args)), rtol=1e-13, atol=1e-13, what="value")
    fd.assert_close(grad, fd.gradient(_pure(func), args, wrt), rtol=1e-6, atol=1e-8, what="gradient")
    rng = np.random.default_rng(1)
    tangent = rng.standard_normal(np.shape(args[wrt])) if isinstance(args[wrt], np.ndarray) \
        else float(rng.standard_normal())
    value_fwd, directional = jvp(tangent)
    fd.assert_close(value_fwd, value, rtol=1e-13, atol=1e-13, what="forward value")
    fd.assert_close(directional, fd.dot(grad, tangent), rtol=1e-10, atol=1e-12, what="<g, v> vs jvp")
    for a, b in zip(args, before):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b), "the derivative changed an argument array"


def _plain(function):
    return getattr(function, "py_func", function)   # without a dispatcher when NUMBA_DISABLE_JIT=1


def _line_of(func, text):
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


AGREEING = [
    (ex.while_and, (1.3,), 0),
    (ex.while_or, (0.7,), 0),
    (ex.if_and, (0.9, 7), 0),
    (ex.elif_call, (0.8, 6), 0),
    (ex.conditional_expression, (1.1, 7), 0),
    (ex.call_in_the_target, (0.8,), 0),
    (ex.fills_buffer, (0.7,), 0),
    (ex.fills_in_loop, (X3, 1.5), 0),
    (ex.fills_in_loop, (X3, -0.5), 0),
    (ex.euler, (np.array([0.3, 0.1]), 0.1), 0),
    (ex.rotated, (0.3, 0.7), 0),
    (ex.rotated, (0.3, 0.7), 1),
    (ex.tuple_of_tuple_helpers, (0.4,), 0),
    (ex.passes_tuples, (0.6,), 0),
    (ex.keywords, (0.3,), 0),
    (ex.unpacks_tuple_argument, (X3, (0.5, 2.0), (3, 1)), 0),
    (ex.unpacks_tuple_argument, (X3, (0.5, 2), (2,)), 0),
    (ex.output_buffer, (X3, np.zeros(3)), 0),
    (ex.gradient_steps, (X3, np.array([0.5, 1.0, 2.0]), 0.1), 0),
    (ex.gradient_steps, (X3, np.array([0.5, 1.0, 2.0]), 0.1), 1),
    (ex.copies_itself, (X3,), 0),
    (ex.helper_writes_argument, (X3,), 0),
    (ex.reads_globals, (X3,), 0),
    (ex.polynomial, (0.7,), 0),
    (ex.global_tuples, (0.7,), 0),
    (ex.loops_over_tuples, (0.7, (1.0, 2.0, 3.0)), 0),
    (ex.unpacks_shape, (np.arange(6.0).reshape(2, 3),), 0),
    (ex.parallel_sum, (X3,), 0),
    (ex.flagged, (1.5, "square"), 0),
    (ex.flagged, (1.5, "linear"), 0),
    (ex.weighted_loss, (X3, None), 0),
    (ex.weighted_loss, (X3, np.array([2.0, 3.0, 0.5])), 0),
    (ex.optional_scale, (0.5, None), 0),
    (ex.optional_scale, (0.5, 2.0), 0),
    (ex.calls_with_and_without, (0.5,), 0),
]


@pytest.mark.parametrize("func, args, wrt", AGREEING)
def test_plain_python_derivative_agrees(func, args, wrt):
    _agrees(func, args, wrt, _plain_python)


# compiling costs a second or more a case: one of each kind
COMPILED = [
    (ex.while_and, (1.3,), 0),
    (ex.fills_in_loop, (X3, -0.5), 0),
    (ex.rotated, (0.3, 0.7), 1),
    (ex.unpacks_tuple_argument, (X3, (0.5, 2), (2,)), 0),
    (ex.gradient_steps, (X3, np.array([0.5, 1.0, 2.0]), 0.1), 0),
    (ex.reads_globals, (X3,), 0),
    (ex.parallel_sum, (X3,), 0),
    (ex.weighted_loss, (X3, None), 0),
]


@pytest.mark.parametrize("func, args, wrt", COMPILED)
def test_compiled_derivative_agrees(func, args, wrt):
    _agrees(func, args, wrt, _compiled)


def test_short_circuit_keeps_the_value():
    # the second operand's call halves w[0] only while k < 6
    assert srcad.value_and_grad(ex.while_and)(1.0) == (3.0, 3.0)


def test_the_primal_still_changes_its_arguments_the_derivative_does_not():
    x, out = X3.copy(), np.zeros(3)
    srcad.grad(ex.output_buffer)(x, out)
    assert np.array_equal(x, X3) and not out.any()
    ex.output_buffer(x, out)
    assert x[0] == 3 * X3[0] and out.any()


def test_global_arrays_are_frozen_into_the_generated_module():
    text = srcad.source(ex.reads_globals, args=(X3,))
    assert "WEIGHTS = np.array([0.0, 0.3333333333333333, 0.6666666666666666, 1.0], dtype=np.float64)" in text
    assert "ORDER = np.array([2, 0, 1], dtype=np.int64)" in text
    assert text.count("WEIGHTS = ") == 1


def test_a_tuple_argument_of_another_length_gets_its_own_specialization():
    g = srcad.grad(ex.unpacks_tuple_argument)
    assert np.allclose(g(X3, (0.5, 2.0), (2,)), [2.5, -4.3, 0.0])
    assert np.allclose(g(X3, (0.5, 2.0), (3, 1)), [2.5, -4.3, 8.5])


def test_flags_and_tuples_from_njit_code():
    g = srcad.grad(ex.flagged)
    h = srcad.grad(ex.unpacks_tuple_argument)

    k = srcad.grad(ex.weighted_loss)

    @numba.njit
    def caller(x, v):
        return g(x, "square") + g(x, "linear"), h(v, (0.5, 2.0), (3, 1)), k(v, None)

    scalar, vector, weighted = caller(1.5, X3)
    assert scalar == 6.0
    assert np.allclose(vector, [2.5, -4.3, 8.5])
    assert np.allclose(weighted, 2 * X3)


def test_a_helper_writing_into_a_view_writes_the_callers_array():
    value, grad = srcad.value_and_grad(ex.writes_a_view)(0.5)
    assert value == ex.writes_a_view(0.5)
    result = srcad.check_grad(ex.writes_a_view, 0.5)
    assert result.ok, result


@pytest.mark.parametrize("func, args, text, construct", [
    (ex.reads_what_the_call_writes, (0.5,), "# <- call", "halve(w)"),
    (ex.indexes_tuple_by_variable, (0.5, (1.0, 2.0)), "# <- tuple index", "params[i]"),
    (ex.writes_global, (0.5,), "# <- global", "element assignment"),
    (ex.augmented_reads_before_the_call, (0.5,), "# <- augmented", "halves_at_index(w)"),
    (ex.nested_module_function, (X3,), "# <- nested module", "np.fft.ifftshift"),
    (ex.tuple_read_above_its_assignment, (0.5,), "# <- tuple assigned", "q"),
    (ex.reads_none, (0.5, None), "# <- reads None", "w"),
    (ex.mixed_tuple_by_variable, (0.5,), "# <- mixed", "MIXED"),
    (ex.none_tested_in_loop, (0.5, None), "# <- in loop", "w"),
    (ex.unknown_method, (X3,), "# <- method", "x.searchsorted()"),
])
def test_refusals_name_file_line_and_construct(func, args, text, construct):
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(*args)
    assert info.value.filename.endswith("examples_kernels.py")
    assert info.value.lineno == _line_of(func, text)
    assert info.value.construct == construct


def test_differentiating_a_tuple_argument_gives_a_tuple():
    # d/da and d/db of a * x + b * x * x + b at x = 0.5
    assert srcad.grad(ex.affine, wrt=1)(0.5, (1.0, 2.0)) == (0.5, 1.25)


@pytest.mark.parametrize("func, args, text, words", [
    (ex.becomes_an_array, (X3,), "# <- becomes an array", r"'s' is float \(line"),
    (ex.multiplies_a_tuple, (X3, (1.0, 2.0)), "# <- tuple operand", "params"),
])
def test_a_type_conflict_is_reported_where_it_arises(func, args, text, words):
    with pytest.raises(srcad.UnsupportedError, match=words) as info:
        srcad.grad(func)(*args)
    assert info.value.lineno == _line_of(func, text)


def test_check_grad_of_int_arguments_asks_for_floats():
    with pytest.raises(srcad.SrcadError, match="pass floats"):
        srcad.check_grad(ex.product, 2, 1)
    assert srcad.check_grad(ex.product, 2.0, 1.0).ok


@pytest.mark.parametrize("func, args, wrt, name, words", [
    (ex.squares, (np.arange(3),), 0, "x", r"x\.astype\(np\.float64\)"),
    (ex.squares, ([1.0, 2.0],), 0, "x", "has type list"),
    (ex.product, (1.0, ((1.0, 2.0), 3.0)), 1, "y", "a tuple with a tuple inside"),
    (ex.product, (1.0, True), 1, "y", "pass a float"),
])
def test_argument_refusals_name_file_line_and_argument(func, args, wrt, name, words):
    with pytest.raises(srcad.UnsupportedError, match=words) as info:
        srcad.grad(func, wrt=wrt)(*args)
    assert info.value.filename.endswith("examples_kernels.py")
    assert info.value.lineno == _line_of(func, "def ")
    assert info.value.construct == f"argument '{name}'"
