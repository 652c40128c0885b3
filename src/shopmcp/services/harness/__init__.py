"""For agent test harnesses, one module each (imported directly, so that none pulls in another):

- `state`: a session's or the store's state as canonical JSON, and its hash;
- `tasks`: shopping tasks and grading a session against one;
- `reset`: the whole store back to the catalog of a seed.

Seeded ids and the logical clock, which make a harness's runs repeatable, are `services.determinism`:
every id of a session, quote and order comes from there, seeded or not.
"""
