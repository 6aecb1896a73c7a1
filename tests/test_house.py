"""The house: one tape protocol, one allocation door, the loop seam, no import cycle."""

import ast
import pathlib
import threading

import numpy as np
import pytest

import srcad
from srcad.analysis.loops import analyze_loops
from srcad.backend.target import CPU, TapePool

import examples_golden as golden

PACKAGE = pathlib.Path(srcad.__file__).parent


def _module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports():
    """module -> the srcad modules it imports (anywhere in its text, function-level imports included)."""
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                found.add(target)
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("srcad"):
                found.add(node.module)
        graph[module] = {t for t in found if t != module}
    return graph


def test_no_module_imports_one_that_imports_it_back():
    graph = _imports()
    cycles = []
    for module, targets in graph.items():
        for target in targets:
            if module in graph.get(target, ()) and not module.endswith("__init__") \
                    and target != module.rpartition(".")[0] and module != target.rpartition(".")[0]:
                cycles.append((module, target))
    assert not cycles, cycles


def test_the_backend_imports_no_transform():
    graph = _imports()
    backend = [m for m in graph if m.startswith("srcad.backend")]
    assert backend
    for module in backend:
        assert not any(t.startswith(("srcad.transform", "srcad.api")) for t in graph[module]), module


def test_tapes_grow_in_one_generated_helper():
    text = srcad.source(golden.newton_sqrt, mode="reverse")
    assert text.count("while True:") == 1 and "newton_sqrt_rev_grown(" in text
    assert f"np.empty({CPU.float_tape_start}, np.float64)" in text
    hessian = srcad.source(srcad.hessian(golden.newton_sqrt), args=(2.0,))
    assert hessian.count("while True:") == 1 and "_grown(" in hessian


def test_source_of_a_derivative_is_that_derivatives():
    def f(x):
        return np.sum(np.sin(x) * x)

    assert "forward over reverse mode" in srcad.source(srcad.hessian(golden.newton_sqrt), args=(2.0,))
    assert "forward mode" in srcad.source(srcad.jvp(golden.newton_sqrt), args=(2.0,))


def test_tape_pool_gives_each_thread_its_own_tapes():
    pool = TapePool()
    grad = srcad.grad(golden.newton_sqrt)
    expected = [grad(float(a)) for a in range(1, 41)]
    results = {}

    def work(k):
        results[k] = [grad(float(a)) for a in range(1, 41)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for values in results.values():
        assert np.allclose(values, expected)
    a, b = pool.take(CPU), pool.take(CPU)
    assert a[0] is not b[0]


def _loops_of(source, env):
    tree = ast.parse(source).body[0]
    return analyze_loops(tree, env)


def test_carried_state_of_a_reduction_loop():
    (info,) = _loops_of("def f(x, n):\n    s = 0.0\n    for i in range(n):\n        s = s + x[i] * x[i]\n    return s",
                        {"x": np.zeros(1), "s": "float", "n": "int", "i": "int"})
    assert info.carried_scalars == {"s"} and info.carried_arrays == set()
    assert info.reductions_only and not info.exits_early and info.index == "i"


def test_carried_state_of_a_time_loop():
    source = ("def f(u, k):\n    a = u.copy()\n    v = 0.0\n    for t in range(k):\n"
              "        w = 0.5 * a[0]\n        a[0] = a[1] * w + v\n        v = w\n    return a[0] + v")
    (info,) = _loops_of(source, {"u": np.zeros(1), "a": np.zeros(1), "v": "float", "w": "float", "k": "int",
                                 "t": "int"})
    assert info.carried_scalars == {"v"}      # w is assigned before it is read in every iteration
    assert info.carried_arrays == {"a"} and not info.reductions_only


def test_carried_state_of_a_while_loop():
    source = ("def f(x):\n    k = 0\n    while x > 1e-3 and k < 50:\n        x = 0.5 * x\n        k = k + 1\n"
              "    return x")
    (info,) = _loops_of(source, {"x": "float", "k": "int"})
    assert info.carried_scalars == {"x", "k"} and info.index is None
