"""Reading a user function: its source, syntax tree and the names it can see."""

import ast
import builtins
import copy
import dataclasses
import inspect
import textwrap
from dataclasses import dataclass, field

from ..errors import SrcadError, UnsupportedError


@dataclass
class FunctionInfo:
    """A parsed user function together with what is needed to resolve its names."""

    func: object
    name: str
    filename: str
    firstlineno: int
    source: str
    tree: ast.FunctionDef
    params: list
    namespace: dict = field(repr=False)
    # tuple parameters taken as their elements (see with_tuples_as_elements): name -> element parameters
    packed: dict = field(default_factory=dict, repr=False)

    def line_text(self, lineno):
        """The original text of file line ``lineno``, stripped, or '' if unknown."""
        index = lineno - self.firstlineno
        lines = self.source.splitlines()
        if 0 <= index < len(lines):
            return lines[index].strip()
        return ""

    def where(self, node):
        return dict(filename=self.filename, lineno=getattr(node, "lineno", self.firstlineno))


def unwrap(func):
    """The plain Python function behind a Numba dispatcher.

    A callable made by srcad (``srcad.grad(f)`` ...) is returned as it is: it
    computes a derivative, and reading it as its primal ``f`` would
    differentiate the wrong function.
    """
    seen = 0
    while seen < 10 and hasattr(func, "py_func"):
        seen += 1
        func = func.py_func
    return func


def derivative_refusal(func):
    """Why ``func``, a callable made by srcad, cannot be read as a function to differentiate; None otherwise."""
    transformation = getattr(func, "__srcad__", None)
    if transformation is None:
        return None
    return (f"{func.__name__} is the {transformation.kind} of {transformation.info.name}() made by srcad, which has "
            "no source of its own to read; hand it to a transform (srcad.jvp(srcad.grad(f))), or call it inside "
            "the function being differentiated")


def readable_implementation(func):
    """A function with readable source that computes what ``func`` (whose source cannot be read) does: the
    function it wraps (``__wrapped__``), or what Numba compiles for it through an ``@overload`` (generated
    public functions of libraries such as numba-stats); None if there is none.

    An overload may choose its implementation by the types of the arguments: the one for an array first
    argument and scalars after it (a density evaluated on data) is tried first, then all scalars.
    """
    wrapped = inspect.unwrap(func)
    if wrapped is not func and _has_source(unwrap(wrapped)):
        return unwrap(wrapped)
    generator = _overload_generator(func)
    if generator is None:
        return None
    from numba import types

    count = len(inspect.signature(func).parameters)
    for probe in ([types.Array(types.float64, 1, "C")] + [types.float64] * (count - 1),
                  [types.float64] * count):
        try:
            implementation = generator(*probe[:count])
        except Exception:   # the overload refuses these types: try the next
            continue
        implementation = unwrap(implementation) if implementation is not None else None
        if implementation is not None and _has_source(implementation):
            return implementation
    return None


def _has_source(func):
    try:
        inspect.getsourcelines(func)
    except (OSError, TypeError):
        return False
    return inspect.isfunction(func)


def _overload_generator(func):
    """The function that ``@numba.extending.overload(func)`` registered, or None."""
    import sys

    if "numba" not in sys.modules:
        return None
    from numba.core.typing import templates

    for value, typ in templates.builtin_registry.globals:
        if value is func:
            for template in getattr(typ, "templates", ()):
                generator = getattr(template, "_overload_func", None)
                if generator is not None:
                    return generator
    return None


def read_function(func):
    """Parse ``func`` (a Python function or Numba dispatcher) into a :class:`FunctionInfo`.

    A derivative made by srcad is refused with :class:`UnsupportedError`.
    """
    func = unwrap(func)
    refusal = derivative_refusal(func)
    if refusal is not None:
        code = getattr(getattr(func, "__srcad__", None), "primal", None)
        where = dict(filename=inspect.getsourcefile(code), lineno=code.__code__.co_firstlineno) if code else {}
        raise UnsupportedError(refusal, construct="derivative of a derivative", **where)
    if not inspect.isfunction(func):
        raise SrcadError(f"srcad differentiates Python functions, got {type(func).__name__}")
    try:
        lines, firstlineno = inspect.getsourcelines(func)
    except (OSError, TypeError) as exc:
        readable = readable_implementation(func)
        if readable is None:
            raise SrcadError(
                f"cannot read the source of {func.__qualname__!r} ({exc}), nor of a function it wraps or that "
                f"Numba compiles for it; define it in a .py file, or give srcad its derivative with "
                f"srcad.register_rule({func.__qualname__}, partials=...)"
            ) from None
        return read_function(readable)
    source = textwrap.dedent("".join(lines))
    module = ast.parse(source)
    ast.increment_lineno(module, firstlineno - 1)
    tree = module.body[0]
    if not isinstance(tree, ast.FunctionDef):
        raise SrcadError(f"{func.__qualname__!r} is not defined by a 'def' statement")
    tree.decorator_list = []
    namespace = dict(vars(builtins))
    namespace.update(func.__globals__)
    if func.__closure__:
        for name, cell in zip(func.__code__.co_freevars, func.__closure__):
            try:
                namespace[name] = cell.cell_contents
            except ValueError:
                pass
    params = [a.arg for a in tree.args.args]
    return FunctionInfo(
        func=func,
        name=func.__name__,
        filename=inspect.getsourcefile(func) or func.__code__.co_filename,
        firstlineno=firstlineno,
        source=source,
        tree=tree,
        params=params,
        namespace=namespace,
    )


def with_tuples_as_elements(info, arities):
    """``info`` with each tuple parameter named in ``arities`` (index -> length) replaced by one
    parameter per element, in place: ``def f(p, x)`` with ``p`` a pair becomes ``def f(p_0, p_1, x)``.

    The body is left as written; normalize reads ``p`` as the tuple of its element parameters
    (``packed``), as it reads a tuple parameter through variables of its elements.  What a
    derivative with respect to a tuple is built from (see :mod:`srcad.api.packing`).
    """
    from .names import NameSource, user_names

    names = NameSource(user_names(info.tree))
    tree = copy.deepcopy(info.tree)
    args, params, packed = [], [], dict(info.packed)
    for index, (arg, param) in enumerate(zip(tree.args.args, info.params)):
        if index not in arities:
            args.append(arg)
            params.append(param)
            continue
        elements = [names.exact(f"{param}_{k}") for k in range(arities[index])]
        packed[param] = elements
        args += [ast.arg(e, lineno=arg.lineno, col_offset=arg.col_offset) for e in elements]
        params += elements
    tree.args.args = args
    tree.args.defaults = []   # the caller passes every element; a tuple's default would not line up
    return dataclasses.replace(info, tree=tree, params=params, packed=packed)


class SourceMap:
    """Line numbers of a function and of the functions inlined into it.

    Inlined code keeps its own line numbers shifted by a multiple of
    ``SHIFT``, so every generated statement can still name its origin.
    """

    SHIFT = 1_000_000

    def __init__(self, info):
        self.infos = [info]
        self.parallel_lines = set()   # the lines of loops over ``prange`` (shifted as all lines are)

    def add(self, info):
        """Register an inlined function; returns the shift to add to its line numbers."""
        self.infos.append(info)
        return (len(self.infos) - 1) * self.SHIFT

    def locate(self, lineno):
        index, line = divmod(lineno, self.SHIFT)
        return self.infos[index], line

    def where(self, node):
        info, line = self.locate(getattr(node, "lineno", None) or self.infos[0].firstlineno)
        return dict(filename=info.filename, lineno=line)

    def line_text(self, lineno):
        """``line 12: s = s + x`` (with the function's name for inlined code), or '' if unknown."""
        info, line = self.locate(lineno)
        text = info.line_text(line)
        if not text:
            return ""
        where = f"line {line}" if info is self.infos[0] else f"{info.name}() line {line}"
        return f"{where}: {text}"
