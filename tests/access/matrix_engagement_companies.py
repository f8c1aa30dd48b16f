"""Authorization matrix: the engagement companies routes (see test_authorization_matrix.py)."""

from __future__ import annotations

CHECKS: dict = {}
