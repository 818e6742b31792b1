"""Analysis: unit records in, pandas frames out. Never sees the store.

- ``aggregate``: ``aggregate(campaign, records) -> Aggregates``: completeness, and each form by
  its role (``roles/``: one module per form role, the registry every stage iterates).
- ``indicators``: each indicator's province figure per year, by its rule.
- ``synthesis`` / ``splitting``: the units' statements split, grouped and said once.
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "aggregate": ["Aggregates"],
        "roles": ["REGISTRY", "role_for"],
    },
)
