"""Core: the error hierarchy, Vietnamese text and formats, the settings, the clock.
Imports nothing of sonket_gsync; every other package may import it.

- ``errors``: ``SonketError`` and its kinds; each says what, where and how to fix it, and its
  category decides retry, exit code and HTTP status.
- ``text``: ``clean`` (NFC) on every way in; 1.234,5 numbers, dd/mm/yyyy, Asia/Ho_Chi_Minh.
- ``settings``: ``Settings``, read from SONKET_* and CLI options here and nowhere else.
- ``clock``: ``Clock`` (``SYSTEM``; ``ManualClock`` for tests): time as a dependency.
"""

import lazy_loader

# The public surface, loaded on first use: importing the package costs nothing more.
__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "errors": ["SonketError", "ConfigError"],
        "text": ["clean", "now", "format_number", "format_date", "format_datetime"],
        "settings": ["Settings"],
        "clock": ["Clock", "SYSTEM", "ManualClock"],
    },
)
