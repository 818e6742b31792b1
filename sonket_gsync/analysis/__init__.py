"""Analysis: unit records in, pandas frames out (aggregation, indicators, statement synthesis). Never sees the store."""
