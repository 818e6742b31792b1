"""Forms: what a unit fills (sheet layouts, the column policy, limits, the unit workbook and narrative document) and the submission it yields."""
