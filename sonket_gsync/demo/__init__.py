"""The demo: realistic synthetic answers and a whole campaign cycle on a fresh folder."""
