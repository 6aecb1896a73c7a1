"""The definite-assignment pass: scalars read where they may be unassigned get a typed start value."""

import ast

from srcad.transform.definite import initialize_maybe_unassigned

TYPES = {"_t2": "float", "s": "float", "k": "int", "a": None}.get


def _pass(text):
    fn = ast.parse(text).body[0]
    return ast.unparse(initialize_maybe_unassigned(fn, TYPES))


def test_a_read_guarded_by_a_loop_running_gets_a_start_value():
    out = _pass("def f(x, n):\n"
                "    s = 0.0\n"
                "    if n > 0:\n"
                "        _t2 = x[0]\n"
                "    for i in range(n):\n"
                "        s = s + _t2\n"
                "    return s\n")
    assert out.splitlines()[1].strip() == "_t2 = 0.0"


def test_assigned_on_every_path_needs_nothing():
    source = ("def f(x, n):\n"
              "    if n > 0:\n"
              "        s = x\n"
              "    else:\n"
              "        s = 0.0\n"
              "    return s\n")
    assert _pass(source) == ast.unparse(ast.parse(source).body[0])


def test_a_branch_that_returns_does_not_count():
    out = _pass("def f(x, n):\n"
                "    if n > 0:\n"
                "        return x\n"
                "    else:\n"
                "        k = 1\n"
                "    return k\n")
    assert "k = 0" not in out


def test_unknown_types_are_left_alone():
    out = _pass("def f(x, n):\n"
                "    for i in range(n):\n"
                "        a = x\n"
                "    return a\n")
    assert out.splitlines()[1].strip().startswith("for")
