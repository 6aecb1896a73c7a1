"""Derivatives as functions to differentiate again, and the drivers of second derivatives.

A public derivative (``grad(f)``, ``vjp(f)``, ``jvp(f)``) is presented to an
outer transform as a core function with the derivative's own signature and
result: the adjoint or tangent of ``f`` in core form (tape operations still
markers), its extra arguments renamed to the public ones, and one return of a
name or a flat tuple of names.  The outer transform reads it like any function
(:func:`srcad.transform.program.build_program` with ``core=``), so a Hessian
is the tangent of an adjoint and never a second mechanism.

The drivers are small generated functions that call a compiled derivative
once per basis direction: a gradient with respect to scalars computed by
forward mode, and the second derivative of a function of one scalar.
"""

import ast
import copy

from ..errors import UnsupportedError
from ..frontend.names import NameSource, user_names
from ..transform import tape
from ..transform.common import assign, name


def _where(program):
    return program.source_map.where(program.tree.body[-1])


def _flat_return(fn, program, value):
    """Make ``value`` (a name or a tuple of names) ``fn``'s one return, refusing a nested tuple."""
    if isinstance(value, ast.Tuple) and any(not isinstance(e, ast.Name) for e in value.elts):
        raise UnsupportedError(
            f"{program.info.name}() gives a tuple inside its result ({ast.unparse(value)}); a derivative of it "
            "is not supported: differentiate with respect to one argument at a time",
            construct="nested tuple result", **_where(program))
    ret = ast.Return(value)
    ret.lineno = None
    fn.body[-1] = ret
    return fn


def _prepend(fn, stmts):
    for stmt in stmts:
        stmt.lineno = None
    fn.body[:0] = stmts


def presented_gradient(core, program, value, seed_param=None):
    """The adjoint ``core`` (``f_rev(params, _seed) -> (value, grads)``) as a public reverse derivative.

    With ``seed_param`` the cotangent is that parameter (vjp); without it the seed is
    1.0 (grad).  ``value`` says what it returns: ``"grads"``, or ``"both"`` for
    ``(value, grads)`` (value_and_grad, vjp).
    """
    fn = copy.deepcopy(core)
    # ``_seed`` is the parameter an outer adjoint takes: the inner one becomes a variable of another name
    seed = NameSource(user_names(fn)).exact("_cotangent")
    for node in ast.walk(fn):
        if isinstance(node, ast.Name) and node.id == "_seed":
            node.id = seed
    returned = fn.body[-1].value
    params = [a.arg for a in fn.args.args if a.arg != "_seed"]
    if seed_param is None:
        _prepend(fn, [assign(seed, ast.Constant(1.0), None)])
    else:
        params.append(seed_param)
        _prepend(fn, [assign(seed, name(seed_param), None)])
    fn.args.args = [ast.arg(p) for p in params]
    value_node, grads = returned.elts
    result = grads if value == "grads" else ast.Tuple([value_node, grads], ast.Load())
    if not tape.has_tape_operations(fn):
        fn.body = [s for s in fn.body if not tape.is_forward_end(s)]
    return _flat_return(fn, program, result)


def presented_tangent(core, program, tangent_params):
    """The tangent ``core`` (``f_jvp(params, dots) -> (value, tangent)``) with the public tangent names."""
    fn = copy.deepcopy(core)
    n = len(fn.args.args) - len(tangent_params)
    dots = [a.arg for a in fn.args.args[n:]]
    fn.args.args = fn.args.args[:n] + [ast.arg(p) for p in tangent_params]
    _prepend(fn, [assign(dot, name(param), None) for dot, param in zip(dots, tangent_params)])
    return _flat_return(fn, program, fn.body[-1].value)


def refuse_reverse_over_tape(program, outer):
    """An adjoint over a function with tape operations is not built: say what to use instead."""
    if getattr(program.info.func, "__srcad__", None) is None:
        # the function is the user's own: its tape operations come from a derivative it calls
        raise UnsupportedError(
            f"{outer} of {program.info.name}(): it calls a reverse-mode derivative that records values on a tape "
            "(its function has loops, array expressions among them), and reverse mode over such a derivative is "
            "not supported (reverse over reverse with a tape); take this derivative in forward mode, srcad.jvp or "
            "srcad.jacfwd (srcad.grad works too when every wrt argument is a scalar), or call the jvp of the inner "
            "function instead",
            construct="reverse over reverse", **_where(program))
    raise UnsupportedError(
        f"{outer} of {program.info.name}(): reverse mode over a reverse-mode derivative (one that records "
        "values on a tape) is not supported; use srcad.hessian(f) or srcad.hvp(f), or forward over reverse, "
        "srcad.jvp(srcad.grad(f)) (srcad.grad of it works too when every wrt argument is a scalar)",
        construct="reverse over reverse", **_where(program))


def _function(text):
    fn = ast.parse(text).body[0]
    for node in ast.walk(fn):
        if hasattr(node, "lineno"):
            node.lineno = None
    return fn


def forward_gradient_driver(fname, jvp_name, params, wrt_names, single_wrt):
    """``fname(params, _seed) -> (value, gradients)`` from one tangent sweep per scalar wrt argument.

    The tangent of a scalar-valued function along the unit vector of argument ``k`` is
    the gradient's component ``k``; ``_seed`` scales it as the cotangent of the value.
    """
    lines = [f"def {fname}({', '.join(params + ['_seed'])}):"]
    parts = []
    for k, _ in enumerate(wrt_names):
        units = ", ".join("1.0" if j == k else "0.0" for j in range(len(wrt_names)))
        lines.append(f"    _value, _d{k + 1} = {jvp_name}({', '.join(params)}, {units})")
        parts.append(f"_seed * _d{k + 1}")
    grads = parts[0] if single_wrt else f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"
    lines.append(f"    return (_value, {grads})")
    return _function("\n".join(lines) + "\n")


def hessian_driver(fname, jvp_name, params, grown, target):
    """``fname(params) -> (gradient, Hessian)`` of a function of one scalar: one forward-over-reverse sweep.

    The tangent of the derivative along 1.0 is the second derivative.  A sweep that records
    on tapes is run through ``grown``, ``target``'s helper that grows its tapes (None when
    the sweep has none).  (The Hessian with respect to an array is the forward Jacobian of
    the gradient, see :mod:`.jacobians`.)
    """
    call = ", ".join(params)
    if grown is None:
        lines = [f"_gradient, _column = {jvp_name}({call}, 1.0)"]
    else:
        lines = [f"_gradient, _column, _ftape, _itape = {grown}({call}, 1.0, {target.start_tapes_source()})"]
    lines.append("return (_gradient, _column)")
    return _function(f"def {fname}({call}):\n" + "".join(f"    {line}\n" for line in lines))
