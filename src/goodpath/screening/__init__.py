"""Screening: matching names against sanctions lists."""
