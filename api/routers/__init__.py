"""HTTP routers, one module per feature; each exposes ``router`` (listed in ``api.app.ROUTERS``)."""
