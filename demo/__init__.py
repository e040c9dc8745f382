"""A small demo data set with a simulated history, and a guided tour of it."""
