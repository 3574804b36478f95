"""Numerical engines over frames (forecasting, policies, optimisation). Arrives with issue 3."""
