"""The function specialized to its arguments.

A parameter given None is known to be None where it is tested: ``p is None``
is decided while lowering (:func:`is_none`), any other read of it is refused
(:func:`check_none_reads`), and one assigned a value later becomes a variable
of its own (:func:`rebind_none_arguments`).  An array argument the function
changes is copied at its top (:func:`copy_changed_arguments`).  The functions
take the lowering (``normalize._Lowering``) whose parameters and names they use.
"""

import ast

from .anno import is_in_place
from .syntax import Rename, assignment, element_written, viewed_name


def is_none(lowering, param):
    """Whether parameter ``param`` (a Name node) holds None where it is tested."""
    name = param.id
    if name not in lowering.none_params:
        return False    # a value that is not None; srcad refuses assigning None later
    if name in lowering.reassigned:
        if lowering.loop_stack or name in lowering.scalar_names:
            lowering.refuse(param, name, f"test '{name} is None' above any assignment to '{name}' "
                            "and outside loops, so that it is known when the function is specialized")
    return True


def check_none_reads(lowering, body):
    """A parameter given None may only be tested against None, or assigned a value first."""
    block = ast.Module(body, [])
    stored = {n.id for n in ast.walk(block) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    for node in ast.walk(block):
        if isinstance(node, ast.Name) and node.id in lowering.none_params and node.id not in stored:
            lowering.refuse(node, node.id, f"'{node.id}' is None here; test it with 'is None' "
                            "or give it a value before using it")


def copy_changed_arguments(lowering, function, array_params):
    """Give every array argument the function changes a copy of its own to change.

    The derivative must see the argument's value at the call and must not
    disturb the caller's array, so writes and reassignments go to a working
    copy made at the top: ``x_work = np.copy(x)``.
    """
    changed = element_written(function) | {
        node.id for node in ast.walk(function) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)}
    # 'a += e' or 'a[0] = e' in a helper changes the array the caller passed (or viewed), to which the
    # helper's parameter is bound
    bound_to = {s.targets[0].id: viewed_name(s.value) for s in ast.walk(function) if isinstance(s, ast.Assign)
                and isinstance(s.targets[0], ast.Name) and viewed_name(s.value) is not None}
    in_place = {s.targets[0].id for s in ast.walk(function) if isinstance(s, ast.Assign) and is_in_place(s)
                and isinstance(s.targets[0], ast.Name)}
    for name in in_place | element_written(function):
        seen = set()
        while name in bound_to and name not in seen:
            seen.add(name)
            name = bound_to[name]
            changed.add(name)
    renames = {}
    for param in lowering.info.params:
        if param in array_params and param in changed:
            renames[param] = lowering.names.exact(f"{param}_work")
    if not renames:
        return function
    body = ast.Module(function.body, [])
    Rename(renames).visit(body)
    copies = [assignment(work, ast.Call(ast.Name("np.copy", ast.Load()), [ast.Name(param, ast.Load())], []),
                         lowering.info.tree) for param, work in renames.items()]
    function.body = copies + body.body
    return function


def rebind_none_arguments(lowering, function):
    """A parameter given None and assigned a value later is a variable of its own: ``w_value``."""
    renames = {p: lowering.names.exact(f"{p}_value") for p in lowering.info.params
               if p in lowering.none_params and p in lowering.reassigned}
    if renames:
        body = ast.Module(function.body, [])
        Rename(renames).visit(body)
        function.body = body.body
    return function
