"""The campaign as data: the typed Campaign, loading and checking a campaign folder, finding a unit as a person types it."""
