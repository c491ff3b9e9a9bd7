"""Step 4 of the flow: what readers receive, read only from the published tables.

Performance on a Page and the self-evaluation figures.
"""
