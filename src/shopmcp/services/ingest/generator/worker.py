"""The generator's worker process (see `pipeline`): `python -m shopmcp.services.ingest.generator.worker`."""

import sys

from shopmcp.services.ingest.generator.pipeline import work

if __name__ == "__main__":
    work(sys.stdin.buffer, sys.stdout.buffer)
