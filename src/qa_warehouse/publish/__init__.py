"""Step 3 of the flow: a built and tested schema swapped in as the published one.

Editions of period closes are kept; small counts are suppressed in the public tables.
"""
