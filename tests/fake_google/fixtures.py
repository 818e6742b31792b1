"""pytest fixtures for the fake Google server (filled in by the fake Google work)."""
