"""Drivers: generated and Python code that calls derivatives rather than transforming them.

``jacobians`` writes the block drivers of Jacobians (forward, reverse, auto,
with their sweep-cost estimates), ``higher`` the Hessian driver and the
presentation of a derivative for an outer transform, ``forward_gradient`` the
estimator of forward gradients.
"""
