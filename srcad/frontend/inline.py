"""Inlining calls of the user's functions, in Python's order of evaluation.

:func:`inline` lowers the callee with a lowering of its own, renames its
variables under a prefix (:func:`_prefixed`: ``_f1_result``), binds its
parameters to the caller's arguments and hands the statements to the caller,
which places them before the statement that made the call.

:func:`inline_derivative` does the same for a call of a derivative made by
srcad (``grad(g)(x)`` inside a function being differentiated): its callee is
the derivative's own generated core form, for the types of the arguments,
which the caller learns by typing the function and lowering it again.

:class:`InlinedCalls` is the part of the expression visitor
(``resolve.Resolver``) that finds the calls of the user's functions, binds
their arguments (defaults filled in) and keeps Python's order of evaluation:
the statements of a call in the second operand of ``and``/``or`` or in a
branch of a conditional expression run only when Python would run them, and a
call may not write into a variable the same expression read before it.
"""

import ast
import copy
import inspect
import numbers

from ..errors import UnsupportedError
from ..rules import rule_for_object
from .anno import TYPE_OF, is_in_place
from .source import SourceMap, read_function
from .syntax import Rename, assignment, at, contains, element_written, python_number, viewed_name

# the modules whose functions are never the user's
LIBRARIES = ("numpy", "scipy", "numba", "math", "builtins", "cmath")


def inline(lowering, callee, args, node, result_used=True):
    """Statements computing ``callee(*args)`` go to ``lowering.hoisted``.

    Returns the result expression and the caller's arrays the callee writes into.
    """
    stack = lowering.context.inlining
    if callee in stack:
        lowering.refuse(node, callee.__name__, "recursive calls are not supported")
    info = read_function(callee)
    if len(args) != len(info.params):
        lowering.refuse(node, info.name, f"{info.name}() takes {len(info.params)} arguments, got {len(args)}")
    tuple_params = {p: len(a.elts) for p, a in zip(info.params, args) if isinstance(a, ast.Tuple)}
    none_params = {p for p, a in zip(info.params, args) if isinstance(a, ast.Constant) and a.value is None}
    stack.append(callee)
    try:
        # the callee is lowered by a lowering of its own, of the caller's kind
        inner = type(lowering)(info, lowering.context, inlined=True, result_used=result_used,
                               tuple_params=tuple_params, none_params=none_params)
        lowered = inner.lower_function()
    finally:
        stack.pop()
    offset = lowering.context.source_map.add(info)
    # the callee's own lines are shifted below, as those of the functions inlined into it already are
    lowering.parallel_lines |= {line + offset if line < SourceMap.SHIFT else line for line in inner.parallel_lines}
    prefix = lowering.names.fresh(f"_{info.name}")
    stored = {n.id for n in ast.walk(lowered) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    # a parameter changed only by augmented assignments keeps the caller's array if it is one
    rebound = {n.id for s in ast.walk(lowered) if isinstance(s, ast.Assign) and not is_in_place(s)
               for n in ast.walk(s) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    written = element_written(lowered)
    bindings = []     # (callee's variable, caller's expression)
    for param, arg in zip(info.params, args):
        if param in tuple_params:
            bindings.extend(zip(inner.tuples[param], arg.elts))
        elif param not in none_params:   # a None is only tested, never read
            bindings.append((param, arg))
    renames = _prefixed(prefix, stored | {b for b, _ in bindings}, lowering.names)
    before = []
    shared = []
    for param, arg in bindings:
        if param in written and param in rebound:
            lowering.refuse(node, info.name,
                            f"{info.name}() writes into its parameter '{param}' and assigns it a new value; "
                            "give the new value a name of its own")
        if param in written and viewed_name(arg) is not None:
            # a view passed in: the elements written are the caller's (the views pass follows the binding)
            shared.append(viewed_name(arg))
        if isinstance(arg, ast.Name) and param not in stored:
            # the callee reads it or writes its elements: use the caller's variable, as Python does
            renames[param] = arg.id
        else:
            before.append(at(ast.Assign([ast.Name(renames[param], ast.Store())], arg), node))
    body = lowered.body[:-1]
    result = lowered.body[-1].value
    wrapper = ast.Module(body + [ast.Expr(result)], [])
    Rename(renames).visit(wrapper)
    for child in ast.walk(wrapper):
        # a line number below SHIFT is one of the callee's own; larger ones already name a
        # function inlined into the callee (nodes built from them copy their numbers)
        if getattr(child, "lineno", None) is not None and child.lineno < SourceMap.SHIFT:
            child.lineno += offset
            if getattr(child, "end_lineno", None) is not None and child.end_lineno < SourceMap.SHIFT:
                child.end_lineno += offset
    lowering.names.taken |= set(renames.values())
    lowering.locals |= set(renames.values())
    lowering.hoisted.extend(before + body)
    return wrapper.body[-1].value, shared


# the mark on the variable that holds an argument of a call of a derivative: (number of the call, position)
DERIVATIVE_ARGUMENT = "srcad_derivative_argument"


def is_derivative(value):
    """Is ``value`` a derivative made by srcad (``srcad.grad(g)`` and the other transforms)?"""
    return getattr(value, "__srcad__", None) is not None


def inline_derivative(lowering, callee, args, node):
    """Statements computing ``callee(*args)``, where ``callee`` is a derivative made by srcad, go to
    ``lowering.hoisted``; returns the result expression.

    What a transform generates is valid input to every transform, so the derivative's own core form
    (``Transformation.core_program``) is inlined like a helper of the user's, and the outer transform
    differentiates it: the derivative of a function that calls ``grad(g)`` is a derivative of ``g``'s
    adjoint.  That core form depends on the types of the arguments, which are known only once the
    function is typed.  So each argument is bound to a variable marked with the number of the call and
    its position (:func:`derivative_arguments` finds them), and until ``context.derivative_types`` holds
    the call's argument types its result is a stand-in of the right kind; the caller of
    :func:`~.normalize.normalize` types the function and lowers it again with the types.
    """
    transformation = callee.__srcad__
    context = lowering.context
    number = context.derivative_count
    context.derivative_count += 1
    for arg in args:
        if isinstance(arg, ast.Tuple) or isinstance(arg, ast.Constant) and arg.value is None:
            lowering.refuse(node, callee.__name__, f"{callee.__name__} is a derivative made by srcad, and inside a "
                            "function being differentiated it takes scalars and arrays only; pass the elements "
                            "of a tuple as arguments of their own")
    if transformation.has_aux:
        lowering.refuse(node, callee.__name__, f"{callee.__name__} is a derivative made by srcad with has_aux=True, "
                        "which cannot be differentiated inside another function yet; call one made without aux")
    prefix = lowering.names.fresh(f"_{callee.__name__}")
    types = context.derivative_types.get(number)
    if types is None:
        # a stand-in until the types are known: the gradient has the type of its argument, a value is a float
        params = list(inspect.signature(callee).parameters)
        renames = _prefixed(prefix, set(params), lowering.names)
        parts = [ast.Name(renames[params[i]], ast.Load()) if i is not None else ast.Constant(0.0)
                 for i in transformation.form.result_parts(transformation)]
        body, result = [], parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())
    else:
        try:
            core, source_map, constants = transformation.core_program(types)
        except UnsupportedError as error:
            inner = f" ({error.filename}:{error.lineno})" if error.filename else ""
            lowering.refuse(node, callee.__name__, f"{callee.__name__} is called here inside a function being "
                            f"differentiated, and {error.reason}{inner}")
        fn = copy.deepcopy(core)
        params = [a.arg for a in fn.args.args]
        if len(params) != len(args):
            lowering.refuse(node, callee.__name__,
                            f"{callee.__name__}() takes {len(params)} arguments, got {len(args)}")
        stored = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        renames = _prefixed(prefix, stored | set(params), lowering.names)
        for name, value in constants.items():
            renames[name] = context.constants.name_of(name, value)
        _place_lines(fn, source_map, context.source_map, node)
        wrapper = ast.Module(fn.body[:-1] + [ast.Expr(fn.body[-1].value)], [])
        Rename(renames).visit(wrapper)
        body, result = wrapper.body[:-1], wrapper.body[-1].value
    bindings = []
    for position, (param, arg) in enumerate(zip(params, args)):
        bound = assignment(renames[param], arg, node)
        setattr(bound.targets[0], DERIVATIVE_ARGUMENT, (number, position))
        bindings.append(bound)
    local = {renames[p] for p in params} | {n.id for s in body for n in ast.walk(s)
                                             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    lowering.names.taken |= local
    lowering.locals |= local
    lowering.hoisted.extend(bindings + body)
    return result


_MADE = {}   # the derivatives made for srcad.grad(g, ...) written inside a function, by what was written


def made_derivative(lowering, node):
    """The derivative that expression ``node``, such as ``srcad.grad(g, wrt=1)``, makes, or None when it is
    not a call of one of srcad's transforms.  It is made once for what is written (the function, wrt and
    the options, which must be constants), so that every lowering and every build inlines the same one."""
    maker = lowering.global_object(node.func)
    if getattr(maker, "__srcad_transform__", None) is None:
        return None
    try:
        args = tuple(_written_constant(lowering, arg) for arg in node.args)
        keywords = tuple(sorted((k.arg, _written_constant(lowering, k.value)) for k in node.keywords))
        key = (maker, args, keywords)
        hash(key)
    except (ValueError, TypeError):
        lowering.refuse(node, ast.unparse(node), "a derivative made inside a function being differentiated "
                        "takes a global function and constant options; make it outside, as in "
                        "grad_g = srcad.grad(g, wrt=1), and call grad_g inside")
    made = _MADE.get(key)
    if made is None:
        made = _MADE[key] = maker(*args, **dict(keywords))
    return made


def _written_constant(lowering, node):
    """The value of an argument of a transform written in a function: a global (the function) or a literal."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        value = lowering.global_object(node)
        if value is None:
            raise ValueError(ast.unparse(node))
        return value
    return ast.literal_eval(node)


def _place_lines(fn, inner, outer, call):
    """Give the statements of core function ``fn`` line numbers of ``outer`` (the source map of the function
    it is inlined into): each function of ``fn``'s source map ``inner`` is added to it.  Lines that no source
    line made (the seed of a gradient) take the line of ``call``."""
    shifts = [outer.add(info) for info in inner.infos]
    placed = set()
    for child in ast.walk(fn):
        if "lineno" not in child._attributes or id(child) in placed:
            continue   # (a transform may use one node in two places: it is placed once)
        placed.add(id(child))
        if getattr(child, "lineno", None) is None:
            ast.copy_location(child, call)
            continue
        index, line = divmod(child.lineno, SourceMap.SHIFT)
        child.lineno = shifts[index] + line
        end = getattr(child, "end_lineno", None)
        if end is None:
            child.end_lineno = child.lineno
        else:
            index, line = divmod(end, SourceMap.SHIFT)
            child.end_lineno = shifts[index] + line


def derivative_arguments(tree):
    """The variables that hold the arguments of the calls of derivatives inlined into ``tree``:
    number of the call -> position -> (variable, the statement that binds it)."""
    found = {}
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Assign) and hasattr(stmt.targets[0], DERIVATIVE_ARGUMENT):
            number, position = getattr(stmt.targets[0], DERIVATIVE_ARGUMENT)
            found.setdefault(number, {})[position] = (stmt.targets[0].id, stmt)
    return found


class InlinedCalls:
    """The expression visitor's handling of calls of the user's functions.

    Mixed into ``resolve.Resolver``, whose ``lowering``, ``root`` (the user's
    expression), ``originals`` (copy's node id -> the user's node) and
    ``results`` (id of a user's call in ``root`` -> its inlined result) it uses.
    """

    def call(self, node, result_used=True):
        """Inline a call of the user's function ``node``; returns its result expression."""
        if _is_vectorized(self.lowering.global_object(node.func)) and not node.keywords:
            node, arrays = self.vectorized_arguments(node)
            if arrays:
                return self.elementwise_call(node, arrays)
        callee = self.user_function(node.func)
        original = self.originals.get(id(node))
        args = [self.visit(arg) for arg in self.bind(callee, node)]
        if is_derivative(callee):
            result, shared = inline_derivative(self.lowering, callee, args, node), []
        else:
            result, shared = inline(self.lowering, callee, args, node, result_used)
        if original is not None:
            self.results[id(original)] = result
        if original is not None and shared:
            for read in self.reads_left_behind(original):
                if read.id in shared:
                    self.refuse(node, ast.unparse(original),
                                f"this call writes into '{read.id}', which the same expression reads before it; "
                                "make the call a statement of its own")
        return result

    def vectorized_arguments(self, node):
        """The call ``node`` of a ``@numba.vectorize`` helper with its arguments named, and its array arguments
        (name -> ndim).

        An argument is known to be an array when it is an array parameter of the function or a list made
        here, or when the types of an earlier lowering of the function found it one (``array_hints``, by
        the argument's place in the source).  Any other argument that is not a constant is computed into
        a variable of its own, as Python computes it before the call, and its place goes to
        ``unknown_kinds``: the caller of :func:`normalize` looks up that variable's type and lowers again."""
        lowering = self.lowering
        known = {p: n for p, n in lowering.array_ndims.items() if p not in lowering.reassigned}
        known.update({v: 1 for v in lowering.vectors})
        args, arrays = [], {}
        for arg in node.args:
            place = source_place(arg)
            if isinstance(arg, ast.Name) and arg.id in known:
                arrays[arg.id] = known[arg.id]
            elif not isinstance(arg, ast.Constant) and not lowering.inlined:
                if not isinstance(arg, ast.Name) or arg.id in lowering.reassigned:
                    # (a parameter the function reassigns is renamed later: its variable is the value here)
                    value = lowering.names.fresh("_argument")
                    lowering.locals.add(value)
                    lowering.hoisted.extend(lowering.desugar_block([at(ast.Assign([ast.Name(value, ast.Store())],
                                                                                  arg), node)]))
                    arg = at(ast.Name(value, ast.Load()), arg)
                if place in lowering.array_hints:
                    arrays[arg.id] = lowering.array_hints[place]
                else:
                    lowering.unknown_kinds[place] = arg.id
            args.append(arg)
        return at(ast.Call(node.func, args, []), node), arrays

    def elementwise_call(self, node, arrays):
        """``h(a, s)`` of a ``@numba.vectorize`` helper on arrays (``arrays``: name -> ndim): a new array, its
        elements ``h`` of the elements, in a loop nest over the arrays' shape (arrays of one shape, and
        scalars, as the ufunc takes)."""
        lowering = self.lowering
        ndims = set(arrays.values())
        if len(ndims) != 1:
            self.refuse(node, ast.unparse(node.func), "a vectorized function takes arrays of one shape and scalars")
        ndim = ndims.pop()
        first = next(a.id for a in node.args if isinstance(a, ast.Name) and a.id in arrays)
        counters = [lowering.names.fresh("_n") for _ in range(ndim)]
        element, result = lowering.names.fresh("_element"), lowering.names.fresh("_mapped")
        lowering.locals.update(counters + [element, result])
        here = [ast.Name(c, ast.Load()) for c in counters]
        position = ast.Tuple(here, ast.Load()) if ndim > 1 else here[0]
        array_names = set(arrays)
        args, before = [], []
        for arg in node.args:
            if isinstance(arg, ast.Name) and arg.id in array_names:
                arg = ast.Subscript(ast.Name(arg.id, ast.Load()), copy.deepcopy(position), ast.Load())
            elif not isinstance(arg, (ast.Constant, ast.Name)):
                # a scalar argument is computed once, before the loop, as Python computes it before the call
                value = lowering.names.fresh("_argument")
                lowering.locals.add(value)
                before.append(at(ast.Assign([ast.Name(value, ast.Store())], arg), node))
                arg = ast.Name(value, ast.Load())
            args.append(arg)
        store = ast.Subscript(ast.Name(result, ast.Load()), copy.deepcopy(position), ast.Store())
        body = [at(ast.Assign([ast.Name(element, ast.Store())], ast.Call(node.func, args, [])), node),
                at(ast.Assign([store], ast.Name(element, ast.Load())), node)]
        extents = [ast.Subscript(ast.Attribute(ast.Name(first, ast.Load()), "shape", ast.Load()), ast.Constant(d),
                                 ast.Load()) for d in range(ndim)]
        for dim in range(ndim - 1, -1, -1):
            iterate = ast.Call(ast.Name("range", ast.Load()), [copy.deepcopy(extents[dim])], [])
            body = [at(ast.For(ast.Name(counters[dim], ast.Store()), iterate, body, [], None), node)]
        checks = []
        for other in sorted(array_names - {first}):
            for dim in range(ndim):
                extent = ast.Subscript(ast.Attribute(ast.Name(other, ast.Load()), "shape", ast.Load()),
                                       ast.Constant(dim), ast.Load())
                same = ast.Compare(extent, [ast.Eq()], [copy.deepcopy(extents[dim])])
                message = ast.Constant(f"{ast.unparse(node.func)}: arrays of different shapes")
                checks.append(at(ast.Assert(same, message), node))
        shape = ast.Tuple([copy.deepcopy(e) for e in extents], ast.Load())
        dtype = ast.Call(ast.Name(TYPE_OF, ast.Load()), [ast.Name(element, ast.Load())], [])
        allocate = at(ast.Assign([ast.Name(result, ast.Store())], ast.Call(ast.Name("np.empty", ast.Load()),
                                                                           [shape, dtype], [])), node)
        lowering.hoisted.extend(lowering.desugar_block(before) + checks + [allocate] + lowering.desugar_block(body))
        return at(ast.Name(result, ast.Load()), node)

    def reads_left_behind(self, call):
        """Names Python reads before ``call`` that the lowered code would read after the call's statements.

        Reads inside the arguments of an earlier call of the user's, in the
        operands of ``and``/``or`` before the one holding ``call`` and in the
        test of a conditional expression whose branch holds it are computed
        before the call's statements; other reads are left in the expression,
        which runs after them.
        """
        exposed = []
        found = False

        def visit(node):
            nonlocal found
            if found:
                return
            if node is call:
                found = True
                return
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                exposed.append(node)
                return
            mark = len(exposed)
            if isinstance(node, ast.BoolOp):
                for value in node.values:
                    visit(value)
                    if found:
                        return
                    if value is not node.values[-1] and contains(node, call):
                        del exposed[mark:]
                return
            if isinstance(node, ast.IfExp):
                visit(node.test)
                if not found and (contains(node.body, call) or contains(node.orelse, call)):
                    del exposed[mark:]
                visit(node.body)
                visit(node.orelse)
                return
            for child in ast.iter_child_nodes(node):
                visit(child)
            if not found and isinstance(node, ast.Call) and self.user_function(node.func) is not None:
                # its arguments are bound before the calls after it, but a result that reads
                # the caller's variables (an array argument returned as it is) is read after them
                del exposed[mark:]
                result = self.results.get(id(node))
                if result is not None:
                    exposed.extend(_names_seen_through(result, self.lowering.hoisted))
        visit(self.root)
        return exposed

    def bind(self, callee, node):
        """The argument expressions of call ``node`` in ``callee``'s parameter order, defaults filled in."""
        if any(k.arg is None for k in node.keywords):
            self.refuse(node, "**kwargs", "unpacking a dict into a call is not supported")
        try:
            bound = inspect.signature(callee).bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as error:
            self.refuse(node, callee.__name__, f"{callee.__name__}(): {error}")
        bound.apply_defaults()
        return [value if isinstance(value, ast.AST) else self.default(value, callee, name, node)
                for name, value in bound.arguments.items()]

    def default(self, value, callee, name, node):
        """The expression of a default value of a parameter of the user's function."""
        if isinstance(value, tuple):
            return at(ast.Tuple([self.default(v, callee, name, node) for v in value], ast.Load()), node)
        if isinstance(value, bool) or isinstance(value, numbers.Real) and not isinstance(value, type):
            return at(ast.Constant(python_number(value)), node)
        if isinstance(value, str) or value is None:
            return at(ast.Constant(value), node)
        self.refuse(node, f"{callee.__name__}({name}=...)",
                    f"the default value of '{name}' has type {type(value).__name__}; pass it explicitly")

    def user_function(self, func):
        """The Python function a call refers to, if it is one of the user's (not a builtin or a rule)."""
        if isinstance(func, ast.Call):
            return made_derivative(self.lowering, func)   # srcad.grad(g)(x): the derivative it makes
        value = self.lowering.global_object(func)
        if value is None or rule_for_object(value) is not None:
            return None
        if is_derivative(value):
            return value   # a derivative made by srcad: its core form is inlined (inline_derivative)
        plain = getattr(value, "py_func", value)
        if _is_vectorized(value):
            # @numba.vectorize: the scalar function it compiles, inlined; on arrays srcad's operations are
            # elementwise, which is what the ufunc does
            plain = value.__wrapped__
        if inspect.isfunction(plain) and (plain.__module__ or "").split(".")[0] not in LIBRARIES:
            return plain
        return None

    def visit_BoolOp(self, node):
        # Python evaluates an operand only when the ones before it leave the
        # result open: the calls inlined for an operand run under that test.
        decisive = isinstance(node.op, ast.Or)   # the value that ends the evaluation
        operands = []
        for value in node.values:
            stmts, value = self.operand(value)
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                if value.value != decisive:
                    continue           # True in an 'and', False in an 'or': no effect
                operands.append((stmts, value))
                break                  # the operands after it are never evaluated
            operands.append((stmts, value))
        if not operands:
            return at(ast.Constant(not decisive), node)
        if len(operands) == 1:
            self.lowering.hoisted.extend(operands[0][0])
            return operands[0][1]
        first_guarded = next((k for k, (stmts, _) in enumerate(operands) if stmts and k > 0), None)
        if first_guarded is None:
            self.lowering.hoisted.extend(operands[0][0])
            return at(ast.BoolOp(node.op, [value for _, value in operands]), node)
        lowering = self.lowering
        flag = lowering.names.fresh("_cond")
        lowering.locals.add(flag)
        head = [value for _, value in operands[:first_guarded]]
        lowering.hoisted.extend(operands[0][0])
        lowering.hoisted.append(assignment(flag, head[0] if len(head) == 1 else ast.BoolOp(node.op, head), node))
        for stmts, value in operands[first_guarded:]:
            test = ast.Name(flag, ast.Load())
            if isinstance(node.op, ast.Or):
                test = ast.UnaryOp(ast.Not(), test)
            lowering.hoisted.append(at(ast.If(test, stmts + [assignment(flag, value, node)], []), node))
        return at(ast.Name(flag, ast.Load()), node)

    def visit_IfExp(self, node):
        # Only the chosen branch is evaluated, so only its inlined calls may run.
        test_stmts, test = self.operand(node.test)
        if isinstance(test, ast.Constant) and isinstance(test.value, bool):
            self.lowering.hoisted.extend(test_stmts)
            return self.visit(node.body if test.value else node.orelse)
        body_stmts, body = self.operand(node.body)
        else_stmts, orelse = self.operand(node.orelse)
        lowering = self.lowering
        lowering.hoisted.extend(test_stmts)
        if not body_stmts and not else_stmts:
            return at(ast.IfExp(test, body, orelse), node)
        chosen = lowering.names.fresh("_choice")
        lowering.locals.add(chosen)
        lowering.hoisted.append(at(ast.If(test, body_stmts + [assignment(chosen, body, node)],
                                          else_stmts + [assignment(chosen, orelse, node)]), node))
        return at(ast.Name(chosen, ast.Load()), node)

    def operand(self, node):
        """(statements computing the inlined calls of ``node``, the resolved expression)."""
        lowering = self.lowering
        outer, lowering.hoisted = lowering.hoisted, []
        try:
            value = self.visit(node)
            return lowering.hoisted, value
        finally:
            lowering.hoisted = outer


def _prefixed(prefix, names, taken):
    """Callee variable -> ``{prefix}_{name}`` for a function inlined under ``prefix``.

    Leading underscores are dropped for readability; the user's own names are
    served first, so that a local called ``result`` keeps ``_f1_result`` and
    srcad's ``_result`` of the same callee gets a name of its own.
    """
    renames, used = {}, set()
    for name in sorted(names, key=lambda n: (n.startswith("_"), n)):
        wanted = f"{prefix}_{name.lstrip('_')}"
        if wanted in used or wanted in taken.taken:
            wanted = taken.fresh(f"{wanted}_")
        used.add(wanted)
        renames[name] = wanted
    return renames


def _names_seen_through(result, statements):
    """The variables whose current contents expression ``result`` reads when it is evaluated.

    A variable assigned another variable or a subscript of one may be a view of
    it (``return w`` of an array argument, ``return M[0]`` of a row), so the
    variables it is assigned from are followed too.
    """
    seen = []
    pending = [n.id for n in ast.walk(result) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        for stmt in statements:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
                value = stmt.value
                while isinstance(value, ast.Subscript):
                    value = value.value
                if isinstance(value, ast.Name):
                    pending.append(value.id)
    return [ast.Name(name, ast.Load()) for name in seen]


def _is_vectorized(value):
    """Is ``value`` a ufunc made by ``@numba.vectorize`` from a Python function?"""
    from numba.np.ufunc.dufunc import DUFunc

    return isinstance(value, DUFunc) and inspect.isfunction(getattr(value, "__wrapped__", None))


def source_place(node):
    """Where expression ``node`` of the user's source is (line and columns): the same in every lowering."""
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
