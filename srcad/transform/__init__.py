"""Transformations of core-form functions into tangent and adjoint functions."""

from .program import Program, adjoint_entry, adjoint_function, build_program, tangent_function

__all__ = ["Program", "adjoint_entry", "adjoint_function", "build_program", "tangent_function"]
