"""Checking derivatives against finite differences of the primal: ``check_grad`` and ``check=True``."""

from .gradients import CheckResult, check_grad

__all__ = ["CheckResult", "check_grad"]
