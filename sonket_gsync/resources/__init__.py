"""Data shipped with the package: the example campaign and the report template."""
