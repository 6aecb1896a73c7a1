"""The constructs outside the language srcad accepts, each refused by name.

:func:`check_constructs` walks a function once before it is lowered and
refuses the first construct it finds in :data:`REFUSED` (a generator, a
``try``, a comprehension, a bitwise operator...), naming the file, the line and
the construct; :func:`check_operator` refuses an operator met while lowering.
"""

import ast

REFUSED = {
    ast.Yield: ("yield", "generators cannot be differentiated"),
    ast.YieldFrom: ("yield from", "generators cannot be differentiated"),
    ast.Await: ("await", "coroutines cannot be differentiated"),
    ast.Try: ("try", "exception handling cannot be differentiated"),
    ast.With: ("with", "context managers are not supported"),
    ast.AsyncWith: ("async with", "context managers are not supported"),
    ast.AsyncFor: ("async for", "coroutines cannot be differentiated"),
    ast.Global: ("global", "assigning a global variable is not supported"),
    ast.Nonlocal: ("nonlocal", "assigning an enclosing variable is not supported"),
    ast.Lambda: ("lambda", "functions defined inside the differentiated function are not supported"),
    ast.FunctionDef: ("def", "functions defined inside the differentiated function are not supported"),
    ast.AsyncFunctionDef: ("async def", "coroutines cannot be differentiated"),
    ast.ClassDef: ("class", "classes are not supported"),
    ast.SetComp: ("set comprehension", "comprehensions are not supported"),
    ast.DictComp: ("dict comprehension", "comprehensions are not supported"),
    ast.Starred: ("starred expression", "starred unpacking is not supported"),
    ast.Delete: ("del", "deleting variables is not supported"),
    ast.Import: ("import", "imports inside the differentiated function are not supported"),
    ast.ImportFrom: ("import", "imports inside the differentiated function are not supported"),
    ast.Dict: ("dict", "dicts are not supported"),
    ast.Set: ("set", "sets are not supported"),
    ast.JoinedStr: ("f-string", "strings are not supported"),
    ast.NamedExpr: ("walrus operator", "assignment expressions are not supported"),
    ast.Match: ("match", "match statements are not supported"),
    ast.BitAnd: ("&", "bitwise operators are not supported"),
    ast.BitOr: ("|", "bitwise operators are not supported"),
    ast.BitXor: ("^", "bitwise operators are not supported"),
    ast.LShift: ("<<", "bitwise operators are not supported"),
    ast.RShift: (">>", "bitwise operators are not supported"),
    ast.Invert: ("~", "bitwise operators are not supported"),
}


def check_constructs(lowering, tree):
    """Refuse the constructs of function ``tree`` outside the accepted language, and all but plain parameters."""
    for node in ast.walk(tree):
        entry = REFUSED.get(type(node))
        if entry is not None and node is not tree:
            lowering.refuse(node, *entry)
    args = tree.args
    if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs:
        lowering.refuse(tree, "*args", "only plain positional parameters are supported")


def check_operator(lowering, op, node):
    entry = REFUSED.get(type(op))
    if entry is not None:
        lowering.refuse(node, *entry)
