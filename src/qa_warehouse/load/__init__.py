"""Step 1 of the flow: extracts in, checked against their contracts and gates.

Sound rows go into raw; a file that cannot be trusted is kept aside.
"""
