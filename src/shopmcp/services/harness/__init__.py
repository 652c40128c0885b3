"""For agent test harnesses, one module each (imported directly, so that none pulls in another):

- `determinism`: every generated value (ids, a session's logical time), random or seeded;
- `state`: a session's or the store's state as canonical JSON, and its hash;
- `tasks`: shopping tasks and grading a session against one;
- `reset`: the whole store back to the catalog of a seed.
"""
