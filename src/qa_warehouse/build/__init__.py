"""Step 2 of the flow: seeds written and the dbt project built over raw into a staging schema."""
