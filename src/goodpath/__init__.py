"""goodpath: nonproliferation sanctions-engagement (registry, lists, screening, pathway)."""

__version__ = "0.1.0"
