"""Pure computations: networks, structure tests, roles, panel models, VAR. No I/O, no UI, no database."""
