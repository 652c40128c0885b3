"""Building generated rows chunk by chunk, for big loads in a second process while this one writes them.

Building a product (pure Python) and writing it (the database's work) take
about as long as each other, so a big load runs them side by side: a worker
process (`python -m shopmcp.services.generator.worker`) builds chunks and
streams them, pickled, through a pipe, and the caller writes each as it
arrives. The pipe's small buffer keeps the worker at most about one chunk
ahead. A plain subprocess rather than `multiprocessing`: it copies nothing
of the parent (connections, threads) and needs no `__main__` guard in
whatever script called the generator.
"""

import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from shopmcp.services.generator.loader import RowConverter
from shopmcp.services.generator.products import NextIds, ProductMaker, Rows

CHUNK_PRODUCTS = 2_000
"""Products built and written together; bounds memory, not the transaction."""
PARALLEL_FROM = 50_000
"""Loads of at least this many products are built in a worker process."""
_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class MakerSettings:
    """Everything a `ProductMaker` needs, in a form that can be sent to a worker process."""

    seed: int
    anchor: datetime
    currency: str
    category_ids: Sequence[int]
    brand_ids: Mapping[str, int]
    seller_ids: Sequence[int]
    next_ids: NextIds
    dialect: str
    """The database's dialect name: rows come converted for its driver (`loader.RowConverter`)."""

    def maker(self) -> ProductMaker:
        return ProductMaker(
            seed=self.seed,
            anchor=self.anchor,
            currency=self.currency,
            category_ids=self.category_ids,
            brand_ids=self.brand_ids,
            seller_ids=self.seller_ids,
            ids=NextIds(**vars(self.next_ids)),
        )


@dataclass(frozen=True)
class Chunk:
    """Products `first_id` to `last_id` (inclusive) and all their rows, converted for the driver."""

    first_id: int
    last_id: int
    rows: Rows


def build_chunks(settings: MakerSettings, first_id: int, count: int) -> Iterator[Chunk]:
    """The rows of products `first_id` .. `first_id + count - 1`, in order, chunk by chunk."""
    if count < PARALLEL_FROM:
        yield from _chunks(settings, first_id, count)
    else:
        yield from _chunks_from_worker(settings, first_id, count)


def _chunks(settings: MakerSettings, first_id: int, count: int) -> Iterator[Chunk]:
    maker = settings.maker()
    converter = RowConverter(settings.dialect)
    end = first_id + count
    for start in range(first_id, end, CHUNK_PRODUCTS):
        stop = min(start + CHUNK_PRODUCTS, end)
        rows = Rows()
        for product_id in range(start, stop):
            maker.make(product_id, rows)
        yield Chunk(start, stop - 1, converter.convert(rows))


@dataclass(frozen=True)
class _Done:
    pass


def _chunks_from_worker(settings: MakerSettings, first_id: int, count: int) -> Iterator[Chunk]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "shopmcp.services.generator.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
    )
    assert worker.stdin is not None
    assert worker.stdout is not None
    try:
        pickle.dump((settings, first_id, count), worker.stdin)
        worker.stdin.close()
        while True:
            try:
                item = pickle.load(worker.stdout)  # noqa: S301  (written by our own worker)
            except EOFError:
                raise RuntimeError(f"the generator process failed: {_reason(worker)}") from None
            if isinstance(item, _Done):
                return
            yield item
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=_WAIT_SECONDS)
        for stream in (worker.stdout, worker.stderr):
            if stream is not None:
                stream.close()


def _reason(worker: "subprocess.Popen[bytes]") -> str:
    worker.wait(timeout=_WAIT_SECONDS)
    error = worker.stderr.read().decode(errors="replace").strip() if worker.stderr else ""
    last = error.splitlines()[-1] if error else "no message"
    return f"exit code {worker.returncode}: {last}"


def work(source: BinaryIO, sink: BinaryIO) -> None:
    """The worker process: read what to build from `source`, stream the chunks to `sink`."""
    settings, first_id, count = pickle.load(source)  # noqa: S301  (sent by our own parent)
    for chunk in _chunks(settings, first_id, count):
        pickle.dump(chunk, sink, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump(_Done(), sink)
    sink.flush()
