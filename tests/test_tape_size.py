"""srcad.tape_size and the tape= option: tape entries known ahead of the run, tapes of a chosen size."""

import math

import numpy as np
import pytest

import srcad


def grow_until(x, limit):
    while x < limit:
        x = x * 1.5 + math.sin(x)
    return x


def steps(x, n):
    for i in range(n):
        x = x * x * 0.5 + 0.25
    return x


def branches(x, n):
    for i in range(n):
        if x > 0.5:
            x = math.sin(x) * 0.9
        else:
            x = math.exp(x) * 0.4
    return x


def test_exact_for_for_and_while_loops():
    assert srcad.tape_size(srcad.grad(steps), 0.3, 100) == (100, 0)
    assert srcad.tape_size(srcad.grad(steps), 0.3, 0) == (0, 0)
    # the while loop's trips are counted as its run makes them
    x, trips = 0.3, 0
    while x < 100.0:
        x, trips = x * 1.5 + math.sin(x), trips + 1
    floats, ints = srcad.tape_size(srcad.grad(grow_until), 0.3, 100.0)
    assert floats == trips and ints >= 1
    more, _ = srcad.tape_size(srcad.grad(grow_until), 0.3, 1e6)
    assert more > floats
    # a branch records its choice on the int tape, once an iteration
    floats, ints = srcad.tape_size(srcad.grad(branches), 0.3, 40)
    assert ints == 40


def test_kinds_without_tapes_and_other_kinds():
    assert srcad.tape_size(srcad.jvp(steps), 0.3, 100, 1.0) == (0, 0)
    assert srcad.tape_size(srcad.vjp(steps), 0.3, 100, 1.0) == (100, 0)
    assert srcad.tape_size(srcad.value_and_grad(steps), 0.3, 100) == (100, 0)


def test_tapes_of_exactly_that_size_need_no_second_run():
    floats, ints = srcad.tape_size(srcad.grad(branches), 0.3, 40)
    sized = srcad.grad(branches, tape=(floats, ints))
    assert sized(0.3, 40) == srcad.grad(branches)(0.3, 40)
    assert f"np.empty({floats}, np.float64), np.empty({ints}, np.int64)" in srcad.source(sized, args=(0.3, 40))


def test_bad_tape_options_are_refused():
    for bad in (0, -3, 2.5, (10,), (10, -1), "big", True):
        with pytest.raises(srcad.SrcadError, match="tape="):
            srcad.grad(steps, tape=bad)
    with pytest.raises(srcad.SrcadError, match="tape_size"):
        srcad.tape_size(steps, 0.3, 4)


def test_a_number_gives_the_int_tape_a_quarter():
    text = srcad.source(srcad.grad(branches, tape=4000), args=(0.3, 4))
    assert "np.empty(4000, np.float64), np.empty(1000, np.int64)" in text
    text = srcad.source(srcad.grad(branches, tape=100), args=(0.3, 4))
    assert "np.empty(100, np.float64), np.empty(64, np.int64)" in text


def test_arrays_and_the_njit_entry():
    def energy(x, w):
        s = 0.0
        for i in range(x.shape[0]):
            s += math.tanh(w * x[i]) ** 2
        return s

    x = np.linspace(-1.0, 1.0, 30)
    floats, ints = srcad.tape_size(srcad.grad(energy, wrt=(0, 1)), x, 0.7)
    assert floats >= 0 and ints >= 0
    assert np.array_equal(srcad.grad(energy, wrt=(0, 1), tape=(floats, ints))(x, 0.7)[0],
                          srcad.grad(energy, wrt=(0, 1))(x, 0.7)[0])
