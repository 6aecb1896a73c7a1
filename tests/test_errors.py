"""Refusals: constructs srcad does not differentiate raise UnsupportedError.

The error is raised when the derivative is built (at the latest on its first
call) and names this file and the line of the offending construct.  The
expected line is found from the function's source, never hard-coded: the
offending line carries a ``# <- marker`` comment.
"""

import inspect
import math
import os
import re

import numba
import pytest
import scipy.special
from scipy.special import spence  # a special function srcad has no rule for

import srcad

_COUNTER = 0.0


# ---------------------------------------------------------------- functions
def uses_generator(x):
    y = x * 2.0
    for i in range(3):
        y = y * x
    yield y  # <- yield


def uses_try(x):
    y = x
    for i in range(3):
        y = y * math.cos(x)
        try:  # <- try
            y = y / (x - 1.0)
        except ZeroDivisionError:
            y = 0.0
    return y


def uses_try_finally(x):
    y = math.exp(x)
    if y > 1.0:
        try:  # <- try
            y = y * 2.0
        finally:
            y = y + 1.0
    return y


def assigns_global(x):
    global _COUNTER  # <- global
    y = x * x
    _COUNTER = y + 1.0  # <- global
    return y


def calls_unknown_attribute(x):
    y = x * 2.0
    z = math.sin(y)
    return scipy.special.gamma(z + 2.0) * y  # <- call


def calls_unknown_name(x):
    y = math.tanh(x)
    if y > 0.0:
        y = spence(y) * x  # <- call
    return y


def helper_with_try(x):
    try:  # <- try
        return x * 3.0
    except ValueError:
        return 0.0


def calls_user_function(x):
    y = math.exp(x)
    z = y + 1.0
    return helper_with_try(z) * y


calls_user_function.marked_in = helper_with_try   # the refusal points into the callee


@numba.njit
def jitted_with_try(x):
    y = x * x
    try:  # <- try
        y = y / x
    except Exception:
        y = 0.0
    return y


def generator_in_loop(x):
    y = x
    while y < 10.0:
        y = y * 2.0
        if y > 5.0:
            yield y  # <- yield
    return


THIS_FILE = os.path.basename(__file__)


def marked_lines(func, marker):
    """File line numbers of ``func``'s lines ending with ``# <- marker``."""
    lines, first = inspect.getsourcelines(func)
    found = {first + i for i, text in enumerate(lines) if text.rstrip().endswith(f"# <- {marker}")}
    assert found, f"no '# <- {marker}' line in {func.__name__}"
    return found


CASES = [
    (uses_generator, "yield"),
    (uses_try, "try"),
    (uses_try_finally, "try"),
    (assigns_global, "global"),
    (calls_unknown_attribute, "call"),
    (calls_unknown_name, "call"),
    (calls_user_function, "try"),
    (jitted_with_try, "try"),
    (generator_in_loop, "yield"),
]

MODES = {
    "grad": lambda f: srcad.grad(f, wrt=0)(0.3),
    "value_and_grad": lambda f: srcad.value_and_grad(f, wrt=0)(0.3),
    "jvp": lambda f: srcad.jvp(f, wrt=0)(0.3, 1.0),
    "vjp": lambda f: srcad.vjp(f, wrt=0)(0.3, 1.0),
}


def test_unsupported_error_is_a_srcad_error():
    assert issubclass(srcad.UnsupportedError, srcad.SrcadError)
    assert issubclass(srcad.SrcadError, Exception)


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("func, marker", [pytest.param(f, m, id=f.__name__) for f, m in CASES])
def test_refusal_names_file_and_line(func, marker, mode):
    before = _COUNTER
    with pytest.raises(srcad.UnsupportedError) as info:
        MODES[mode](func)
    err = info.value
    expected = marked_lines(getattr(func, "marked_in", func), marker)
    message = str(err)

    assert isinstance(err, srcad.SrcadError)
    assert err.lineno in expected, f"lineno {err.lineno}, expected one of {sorted(expected)}: {message}"
    assert err.filename is not None and os.path.basename(err.filename) == THIS_FILE, err.filename
    assert err.construct, f"construct not named: {err.construct!r}"
    assert THIS_FILE in message, message
    assert re.search(rf"(?<!\d){err.lineno}(?!\d)", message), message
    # Nothing of the user's function ran.
    assert _COUNTER == before


def test_refusal_on_repeated_call():
    # The error comes back on every call; no half-built derivative is cached.
    g = None
    try:
        g = srcad.grad(uses_try)
    except srcad.UnsupportedError:
        return  # refused when built
    for _ in range(2):
        with pytest.raises(srcad.UnsupportedError):
            g(0.3)


def test_check_grad_refuses_too():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.check_grad(assigns_global, 0.3, wrt=0)
    assert info.value.lineno in marked_lines(assigns_global, "global")


def test_source_refuses_too():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.source(uses_try, mode="reverse", wrt=0, args=(0.3,))
    assert info.value.lineno in marked_lines(uses_try, "try")
    assert THIS_FILE in str(info.value)
