"""Allocation of arrays by generated code: one door in, one lowering out.

Every array a transform makes (adjoints and tangents, scalarized
temporaries, direction blocks, the zeros of an early return, copies of
written arguments) is built by :func:`array`, as a call of one of the NumPy
constructors in :data:`ALLOCATORS`; the user's own constructors are the
same calls.  Such a call is core form: the transformers differentiate it by
its rule.  The last pass hands every one of them to the target
(:meth:`srcad.backend.target.Target.lower_allocations`), which writes it as
the machine needs: as itself on the CPU, as a slice of a caller-given
workspace on a GPU thread, where a device function may not allocate.
"""

import ast

ALLOCATORS = ("np.empty", "np.zeros", "np.ones", "np.empty_like", "np.zeros_like", "np.ones_like", "np.copy")


def array(allocator, args):
    """The call of ``allocator`` (one of :data:`ALLOCATORS`) on expressions ``args`` that makes an array."""
    if allocator not in ALLOCATORS:
        raise ValueError(f"{allocator} is not an allocator")
    return ast.Call(ast.Name(allocator, ast.Load()), list(args), [])


def is_allocation(node):
    """Is ``node`` a call that makes an array?"""
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ALLOCATORS


def lower(fn, spell):
    """Replace each allocation in function ``fn`` (in place) by ``spell(call)``."""

    class Lowering(ast.NodeTransformer):
        def visit_Call(self, node):
            self.generic_visit(node)
            return spell(node) if is_allocation(node) else node

    Lowering().visit(fn)
    return fn


def numpy_call(call):
    """The CPU's spelling of an allocation: the NumPy call itself."""
    return call
