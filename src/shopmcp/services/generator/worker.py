"""The generator's worker process (see `pipeline`): `python -m shopmcp.services.generator.worker`."""

import sys

from shopmcp.services.generator.pipeline import work

if __name__ == "__main__":
    work(sys.stdin.buffer, sys.stdout.buffer)
