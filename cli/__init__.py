"""The ``credgraph`` command line (Typer + rich): one module per command group.

``cli.main`` holds the Typer app and the entity commands; each feature module
(``punish``, ``shells``, ``rings``, ``detect``, ``brands``, ``demo``, ``serve``) adds its
commands through ``register(app)``. Commands reach the store through the port only.
"""
