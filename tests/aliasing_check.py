"""Check generated aliasing programs against NumPy's semantics, and run a campaign over many.

Each program of :mod:`random_aliasing_programs` is checked three ways,
against references that share no code with srcad's transforms:

(a) the value of ``srcad.value_and_grad`` (and of ``srcad.jvp``) equals the
    primal run by CPython on copies of the inputs (the helpers' Python
    functions, not Numba's) to ``VALUE_RTOL``;
(b) the gradient along a random direction ``v`` equals central finite
    differences of that plain primal (compared only where two step sizes
    agree, which skips programs that cross a kink within the step);
(c) reverse against forward: ``<g, v>`` equals the ``jvp`` tangent along ``v``.

A program runs either as plain Python (the whole process under
``NUMBA_DISABLE_JIT=1``: srcad's generated code and the helpers run in
CPython) or compiled by Numba.  The two modes run in separate processes,
since Numba reads ``NUMBA_DISABLE_JIT`` once, when it is imported.

``srcad.UnsupportedError`` counts as *refused*; a wrong value or derivative,
a modified argument, a crash or any other exception is a *failure*.  Run a
campaign (plain programs first, then compiled ones; the failing programs'
sources go to ``--out``)::

    python3 tests/aliasing_check.py --count 1000 --compiled 50 --seed 0 [--out DIR]

and see one program and its outcome::

    python3 tests/aliasing_check.py --show SEED [--compiled-mode]
"""

import argparse
import collections
import hashlib
import importlib.util
import json
import math
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import traceback
import types

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import random_aliasing_programs as gen  # noqa: E402

from differential_check import CRASH, FD_RTOL, FD_STEPS, INVALID, MODES_RTOL, OK, REFUSED, VALUE_RTOL, WRONG  # noqa: E402
from differential_check import Outcome  # noqa: E402

FAILED = (CRASH, WRONG, INVALID)   # WRONG here also covers an argument the derivative modified


def compiled_mode():
    import numba

    return not numba.config.DISABLE_JIT


def load(text, directory):
    """Write ``text`` as a module in ``directory`` (srcad reads functions from their files) and import it."""
    name = "aliasing_" + hashlib.sha1(text.encode()).hexdigest()[:16]
    path = pathlib.Path(directory) / f"{name}.py"
    if not path.exists():
        path.write_text(text)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(module):
    """``module.f`` as CPython runs it: every ``@numba.njit`` helper replaced by its Python function."""
    namespace = dict(vars(module))
    for name, value in vars(module).items():
        py_func = getattr(value, "py_func", None)
        if py_func is not None:
            namespace[name] = types.FunctionType(py_func.__code__, namespace, name, py_func.__defaults__)
    f = module.f
    f = getattr(f, "py_func", f)
    return types.FunctionType(f.__code__, namespace, "f", f.__defaults__)


def _copies(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _moved(program, args, direction, h):
    moved, k = [], 0
    for p, a in zip(program.params, args):
        if p == "n":
            moved.append(a)
        else:
            moved.append(a + h * direction[k])
            k += 1
    return tuple(moved)


def _close(a, b, rtol):
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def _numba_reason(message):
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).strip() for line in message.splitlines()]
    for line in lines:
        if line and not line.startswith(("Numba could not", "Failed in", "During:", "File ")) and \
                any(cause in line for cause in ("rror", "nsupported", "ntyped", "annot", "not defined")):
            return line[:200]
    return next((line for line in reversed(lines) if line), "")[:200]


def check(program, seed, directory):
    """Differentiate ``program`` (a :class:`random_aliasing_programs.Program`) at the inputs of ``seed``."""
    import srcad

    args, direction = program.inputs(seed)
    try:
        module = load(program.text, directory)
        primal = reference(module)
        expected = primal(*_copies(args))
        if not isinstance(expected, float) or not math.isfinite(expected):
            return Outcome(INVALID, f"primal value {expected!r}")
    except Exception as error:  # noqa: BLE001 - the generator's fault, reported as such
        return Outcome(INVALID, f"primal: {type(error).__name__}: {error}")
    run_args, forward_args = _copies(args), _copies(args)
    try:
        value, grads = srcad.value_and_grad(module.f, wrt=program.wrt)(*run_args)
        forward_value, directional = srcad.jvp(module.f, wrt=program.wrt)(*forward_args, *direction)
    except srcad.UnsupportedError as error:
        return Outcome(REFUSED, str(error).splitlines()[0])
    except Exception as error:  # noqa: BLE001 - every other exception is a failure
        message = str(error)
        if "Numba could not compile" in message or type(error).__module__.startswith("numba"):
            return Outcome(CRASH, f"{type(error).__name__}: numba: {_numba_reason(message)}")
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Outcome(CRASH, f"{type(error).__name__}: {message.splitlines()[0][:160] if message else ''} "
                              f"(in {pathlib.Path(frame.filename).name}:{frame.lineno})")
    for before, after in zip(args * 2, run_args + forward_args):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after):
            return Outcome(WRONG, "argument modified: an argument array was written into")
    if not _close(float(value), expected, VALUE_RTOL) or not _close(float(forward_value), expected, VALUE_RTOL):
        return Outcome(WRONG, f"value: primal {float(expected)!r}, reverse {float(value)!r}, forward {float(forward_value)!r}")
    if not isinstance(grads, tuple):
        grads = (grads,)
    projected = sum(float(np.sum(np.asarray(g) * d)) for g, d in zip(grads, direction))
    if not math.isfinite(projected) or not _close(projected, float(directional), MODES_RTOL):
        return Outcome(WRONG, f"reverse vs forward: <g, v> = {projected!r} but J v = {float(directional)!r}")
    differences = [(primal(*_moved(program, args, direction, h)) - primal(*_moved(program, args, direction, -h)))
                   / (2 * h) for h in FD_STEPS]
    if not _close(differences[0], differences[1], FD_RTOL):
        return Outcome(OK, "finite differences ill-conditioned: not compared")
    if not _close(projected, differences[1], 10 * FD_RTOL):
        return Outcome(WRONG, f"gradient vs finite differences: <g, v> = {projected!r}, J v = "
                              f"{float(directional)!r}, differences {float(differences[1])!r}")
    return Outcome(OK)


def failure_class(outcome):
    """A short key grouping outcomes of one cause: file names, line numbers, temporaries and numbers dropped."""
    detail = outcome.detail
    detail = re.sub(r"\S*\.py:\d+: ", "", detail)
    detail = re.sub(r"\S*(aliasing|srcad)_[0-9a-f]+\.py", "generated code", detail)
    detail = re.sub(r"\b[a-zA-Z]+\d+\b", "<name>", detail)
    detail = re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", detail)
    if outcome.category == WRONG:
        detail = detail.split(":")[0]
    return f"{outcome.category}: {detail[:120]}"


# workers and the campaign ---------------------------------------------------------------------

def run_seeds(seeds, directory, statements=6, stream=None, kinds=gen.KINDS):
    """Check the programs of ``seeds`` in this process; a list of result dicts (also written to ``stream``)."""
    results = []
    for seed in seeds:
        program = gen.random_program(seed, statements, kinds)
        try:
            outcome = check(program, seed, directory)
        except Exception as error:  # noqa: BLE001 - the checker itself must not stop the campaign
            outcome = Outcome(CRASH, f"checker: {type(error).__name__}: {error}")
        result = {"seed": seed, "category": outcome.category, "detail": outcome.detail,
                  "class": failure_class(outcome)}
        results.append(result)
        if stream is not None:
            stream.write(json.dumps(result) + "\n")
            stream.flush()
    return results


def run_in_subprocess(seeds, compiled, statements=6, timeout=None, kinds=gen.KINDS):
    """Check ``seeds`` in a fresh process, plain (``NUMBA_DISABLE_JIT=1``) or compiled; a list of result dicts."""
    env = dict(os.environ)
    env.pop("NUMBA_DISABLE_JIT", None)
    if not compiled:
        env["NUMBA_DISABLE_JIT"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), str(HERE), env.get("PYTHONPATH", "")])
    env.setdefault("SRCAD_CACHE_DIR", os.path.join(tempfile.gettempdir(), "srcad-aliasing-cache"))
    command = [sys.executable, str(HERE / "aliasing_check.py"), "--worker", ",".join(map(str, seeds)),
               "--statements", str(statements), "--kinds", ",".join(kinds)]
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    results = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            results[result["seed"]] = result
    missing = [seed for seed in seeds if seed not in results]
    for seed in missing:   # the worker died: report the rest as crashes, with its last words
        tail = (out.stderr.strip().splitlines() or ["(no output)"])[-1][:200]
        results[seed] = {"seed": seed, "category": CRASH, "detail": f"worker died: {tail}",
                         "class": f"{CRASH}: worker died (rc {out.returncode})"}
    return [results[seed] for seed in seeds]


def refusal_prefix(detail):
    """The message of a refusal, without its place, names of temporaries and numbers."""
    return failure_class(Outcome(REFUSED, detail))[len(REFUSED) + 2:]


def write_failures(results, out, compiled, statements, kinds):
    """Write the source of each failing program to ``out``, its seed, inputs and failure in a comment."""
    for r in results:
        if r["category"] in FAILED:
            program = gen.random_program(r["seed"], statements, kinds)
            stem = "" if tuple(kinds) == gen.KINDS else "_".join(kinds)[:60] + "_"
            name = f"{stem}{'compiled' if compiled else 'plain'}_{r['category']}_{r['seed']}.py"
            kind_names = "all" if tuple(kinds) == gen.KINDS else ",".join(kinds)
            (out / name).write_text(f"# seed {r['seed']}: params {program.params}, n = {program.n}, "
                                    f"kinds {kind_names}\n# {r['category']}: {r['detail']}\n{program.text}")


def summarize(label, results, out, compiled, statements=6, kinds=gen.KINDS):
    counts = collections.Counter(r["category"] for r in results)
    print(f"== {label}: {len(results)} programs: ok {counts[OK]}, refused {counts[REFUSED]}, "
          f"failed {sum(counts[c] for c in FAILED)}")
    refusals = collections.defaultdict(list)
    failures = collections.defaultdict(list)
    for r in results:
        if r["category"] == REFUSED:
            refusals[refusal_prefix(r["detail"])].append(r["seed"])
        elif r["category"] in FAILED:
            failures[r["class"]].append(r["seed"])
    write_failures(results, out, compiled, statements, kinds)
    for title, groups in (("refused", refusals), ("failed", failures)):
        if groups:
            print(f"  {title}:")
        for key, seeds in sorted(groups.items(), key=lambda item: -len(item[1])):
            print(f"    {len(seeds):5d}  {key}   seeds {seeds[:6]}")
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300, help="programs run as plain Python")
    parser.add_argument("--compiled", type=int, default=10, help="programs compiled by Numba")
    parser.add_argument("--seed", type=int, default=0, help="the first program's seed")
    parser.add_argument("--statements", type=int, default=6, help="most statements of a program")
    parser.add_argument("--out", default=str(pathlib.Path(tempfile.gettempdir()) / "srcad-aliasing-failures"))
    parser.add_argument("--show", type=int, metavar="SEED", help="print one program and its outcome")
    parser.add_argument("--compiled-mode", action="store_true", help="with --show: compiled, not plain")
    parser.add_argument("--kinds", default=",".join(gen.KINDS),
                        help="comma-separated statement kinds the programs may use (default: all): "
                             + ", ".join(gen.KINDS))
    parser.add_argument("--by-kind", action="store_true",
                        help="run --count plain programs of each statement kind alone, one summary line each")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    kinds = tuple(k for k in options.kinds.split(",") if k)
    unknown = set(kinds) - set(gen.KINDS)
    if unknown:
        parser.error(f"unknown kinds {sorted(unknown)}; known: {', '.join(gen.KINDS)}")
    if options.worker is not None:
        seeds = [int(s) for s in options.worker.split(",") if s]
        run_seeds(seeds, tempfile.mkdtemp(prefix="srcad-aliasing-"), options.statements, sys.stdout, kinds)
        return 0
    if options.show is not None:
        program = gen.random_program(options.show, options.statements, kinds)
        print(f"# params {program.params}, n = {program.n}\n{program.text}")
        print(run_in_subprocess([options.show], options.compiled_mode, options.statements, kinds=kinds)[0])
        return 0
    out = pathlib.Path(options.out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(range(options.seed, options.seed + options.count))
    if options.by_kind:
        for kind in kinds:
            results = run_in_subprocess(seeds, False, options.statements, kinds=(kind,))
            write_failures(results, out, False, options.statements, (kind,))
            counts = collections.Counter(r["category"] for r in results)
            classes = collections.Counter(r["class"] for r in results if r["category"] in FAILED)
            print(f"{kind:16s} ok {counts[OK]:4d}  refused {counts[REFUSED]:4d}  "
                  f"failed {sum(counts[c] for c in FAILED):4d}  " + "; ".join(f"{n} {key}" for key, n in
                                                                          classes.most_common()))
        return 0
    failed = 0
    for label, total, compiled in (("plain Python (NUMBA_DISABLE_JIT=1)", options.count, False),
                                   ("compiled", options.compiled, True)):
        if total:
            seeds = list(range(options.seed, options.seed + total))
            counts = summarize(label, run_in_subprocess(seeds, compiled, options.statements, kinds=kinds), out,
                               compiled, options.statements, kinds)
            failed += sum(counts[c] for c in FAILED)
    print(f"failing programs written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
