"""cultnet: a graph-database backed explorer for regional industry networks."""

__version__ = "0.1.0"
