"""Models of the caseplans app."""
