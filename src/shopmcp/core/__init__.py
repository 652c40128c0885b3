"""The leaf rules everything else builds on; nothing here imports the rest of shopmcp.

- `money`: amounts as integer minor units, formatting, parsing model input.
- `errors`: the business errors a call can end in, with their stable codes.
- `runtime`: how a server generates values and counts stock (seeded ids, logical clock, stock mode).
"""
