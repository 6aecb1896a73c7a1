"""Random aliasing programs: srcad against NumPy's reference semantics of views and in-place writes.

Programs come from :mod:`random_aliasing_programs` (views written in place,
helpers writing into their arguments, arrays rebound to other shapes, buffer
swaps, slice assignments reading the same array, index arithmetic, large
ints) and are checked by :mod:`aliasing_check`: the value against CPython's
primal, the gradient against central differences of it, and reverse against
forward mode.  Each program runs in a worker process, as plain Python
(``NUMBA_DISABLE_JIT=1``) and, for the first few, compiled by Numba, with
three compiled programs of large-int arithmetic besides (where int64 and
CPython's int differ, only compiled code can go wrong).  One
test per program, so each failing program shows its failure class and
source; ``test_no_failure_classes`` lists the classes together.  A refusal
(``srcad.UnsupportedError``) passes.

``SRCAD_RANDOM_EXAMPLES`` raises the count (25 plain and 5 compiled by
default; compiled, a fifth of it); ``python3 tests/aliasing_check.py``
runs a larger campaign and groups refusals and failures.
"""

import collections
import math
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings

import aliasing_check as check
import random_aliasing_programs as gen

EXAMPLES = int(os.environ.get("SRCAD_RANDOM_EXAMPLES", "25"))
COMPILED_EXAMPLES = max(5, EXAMPLES // 5) if "SRCAD_RANDOM_EXAMPLES" in os.environ else 5
PLAIN_SEEDS = list(range(EXAMPLES))
COMPILED_SEEDS = list(range(COMPILED_EXAMPLES))
# ints of large magnitude are where Numba's int64 and CPython's int part: a compiled sample of their own
LARGE_INT_SEEDS = list(range(3))


@pytest.fixture(scope="module")
def plain_results():
    return {r["seed"]: r for r in check.run_in_subprocess(PLAIN_SEEDS, compiled=False)}


@pytest.fixture(scope="module")
def compiled_results():
    return {r["seed"]: r for r in check.run_in_subprocess(COMPILED_SEEDS, compiled=True)}


@pytest.fixture(scope="module")
def large_int_results():
    return {r["seed"]: r for r in check.run_in_subprocess(LARGE_INT_SEEDS, compiled=True, kinds=("large_int",))}


def _assert_agrees(result, kinds=gen.KINDS):
    program = gen.random_program(result["seed"], kinds=kinds)
    assert result["category"] in (check.OK, check.REFUSED), (
        f"{result['class']}\n{result['detail']}\n# params {program.params}, n = {program.n}\n{program.text}")


@pytest.mark.parametrize("seed", PLAIN_SEEDS)
def test_plain_python(plain_results, seed):
    _assert_agrees(plain_results[seed])


@pytest.mark.parametrize("seed", COMPILED_SEEDS)
def test_compiled(compiled_results, seed):
    _assert_agrees(compiled_results[seed])


@pytest.mark.parametrize("seed", LARGE_INT_SEEDS)
def test_compiled_large_ints(large_int_results, seed):
    _assert_agrees(large_int_results[seed], kinds=("large_int",))


def test_no_failure_classes(plain_results, compiled_results, large_int_results):
    """Every failure class of the sample with its seeds, in one message (refusals listed, not failed)."""
    classes = collections.defaultdict(list)
    refusals = collections.Counter()
    for mode, results in (("plain", plain_results), ("compiled", compiled_results),
                          ("compiled, large ints", large_int_results)):
        for r in results.values():
            if r["category"] in check.FAILED:
                classes[f"{mode}: {r['class']}"].append(r["seed"])
            elif r["category"] == check.REFUSED:
                refusals[check.refusal_prefix(r["detail"])] += 1
    summary = "\n".join(f"{len(seeds):4d}  {key}  seeds {seeds}" for key, seeds in
                        sorted(classes.items(), key=lambda item: -len(item[1])))
    print("refusals:\n" + "\n".join(f"{n:4d}  {key}" for key, n in refusals.most_common()))
    if classes:
        pytest.fail("failure classes:\n" + summary, pytrace=False)


def test_refusals_name_a_construct(plain_results):
    for r in plain_results.values():
        if r["category"] == check.REFUSED:
            assert "unsupported construct" in r["detail"] or r["detail"], r


# the generator itself: cheap, in this process, with CPython's primal only

def test_generator_is_deterministic():
    assert gen.random_program(7).text == gen.random_program(7).text
    assert gen.random_program(7).text != gen.random_program(8).text


def test_generator_reaches_every_construct():
    texts = "\n".join(gen.random_program(seed).text for seed in range(300))
    for construct in ("+= ", "-= ", "*= ", "/= ", "= M.T", "= M[:, ", "][:", "@numba.njit", "force += r * 2.0",
                      "a[:] = ", "a[0] += ", "a[1] += c * a[0]", " = np.zeros_like(", " = tmp", ", a",
                      "[1:] - ", ".T @ ", "for t in range(", "[t + 1] = ", "[1:] = ", "[:-1] = ", "[i + i]",
                      "(i * i) %", "- i - i - 1]", "(n * (n / 1))", "n % 3 + 1", "def f(x, y, A, n):",
                      "def f(x, y):", ").copy()"):
        assert construct in texts, construct


@pytest.mark.parametrize("seed", range(40))
def test_generated_primal_is_finite_float(seed):
    program = gen.random_program(seed)
    args, direction = program.inputs(seed)
    value = check.reference(check.load(program.text, tempfile.gettempdir()))(*args)
    assert isinstance(value, float) and math.isfinite(value), program.text
    assert len(direction) == len(program.wrt)


@settings(max_examples=20, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(program=gen.programs())
def test_hypothesis_strategy_writes_valid_programs(program):
    args, _ = program.inputs(0)
    value = check.reference(check.load(program.text, tempfile.gettempdir()))(*args)
    assert isinstance(value, float) and math.isfinite(value), program.text
