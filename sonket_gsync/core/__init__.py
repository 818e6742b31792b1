"""Core: the error hierarchy, Vietnamese text and formats, the settings, the clock. Imports nothing of sonket_gsync."""
