"""One module per seed-file format, each declaring a `FORMAT` (see `parsing.format.SeedFormat`).

To support a new format: add a module here and one line in `parsing.registry.SEED_FORMATS`.
"""
