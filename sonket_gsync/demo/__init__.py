"""The demo: realistic synthetic answers (``synthetic``, ``writing``) and a whole campaign
cycle on a fresh folder (``run``); ``command`` adds ``sonket-gsync demo`` to the CLI."""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "run": ["run_demo"],
        "synthetic": ["answers_for"],
    },
)
