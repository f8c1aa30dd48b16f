"""Authorization matrix: the engagement consultations routes (see test_authorization_matrix.py)."""

from __future__ import annotations

CHECKS: dict = {}
