"""Building generated rows chunk by chunk, in worker processes for big loads while this one writes them.

Building a product (pure Python) costs more than writing it, so a big load
builds in `WORKERS` worker processes (`python -m
shopmcp.services.ingest.generator.worker`), which take turns at the chunks (worker
w builds chunks w, w + WORKERS, ...) and stream them, pickled, through a
pipe each; the caller reads them back in order and writes each as it
arrives. A pipe's small buffer keeps each worker at most about one chunk
ahead. A worker cannot know how many variants, offers and price points the
chunks before its own hold, so it numbers its rows from 1 and the caller
moves them past the ids already used (`_renumber`): the rows, ids included,
are exactly what one process building every chunk in turn makes. A plain
subprocess rather than `multiprocessing`: it copies nothing of the parent
(connections, threads) and needs no `__main__` guard in whatever script
called the generator.
"""

import itertools
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from shopmcp.services.ingest.generator.loader import RowConverter
from shopmcp.services.ingest.generator.products import NextIds, ProductMaker, Rows

CHUNK_PRODUCTS = 2_000
"""Products built and written together; bounds memory, not the transaction."""
PARALLEL_FROM = 50_000
"""Loads of at least this many products are built in worker processes."""
WORKERS = 2
"""Worker processes of a big load: the machine's cores are shared with the writer and the database."""
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
        yield from _chunks_from_workers(settings, first_id, count)


def _chunks(settings: MakerSettings, first_id: int, count: int, *, turn: int = 0, turns: int = 1) -> Iterator[Chunk]:
    """Chunk number `turn`, `turn + turns`, ... of the load; with `turns` > 1 each chunk's ids start at 1."""
    maker = settings.maker()
    converter = RowConverter(settings.dialect)
    end = first_id + count
    starts = range(first_id, end, CHUNK_PRODUCTS)
    for start in starts[turn::turns]:
        if turns > 1:
            maker.restart_ids()
        stop = min(start + CHUNK_PRODUCTS, end)
        rows = Rows()
        for product_id in range(start, stop):
            maker.make(product_id, rows)
        yield Chunk(start, stop - 1, converter.convert(rows))


@dataclass(frozen=True)
class _Done:
    pass


def _chunks_from_workers(settings: MakerSettings, first_id: int, count: int) -> Iterator[Chunk]:
    turns = max(1, min(WORKERS, -(-count // CHUNK_PRODUCTS)))
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in sys.path if path)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "shopmcp.services.ingest.generator.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
        )
        for _ in range(turns)
    ]
    try:
        for turn, worker in enumerate(workers):
            assert worker.stdin is not None
            pickle.dump((settings, first_id, count, turn, turns), worker.stdin)
            worker.stdin.close()
        next_ids = NextIds(**vars(settings.next_ids))
        for index in itertools.count():
            chunk = _receive(workers[index % turns])
            if chunk is None:
                return
            yield _renumber(chunk, next_ids) if turns > 1 else chunk
    finally:
        for worker in workers:
            _stop(worker)


def _receive(worker: "subprocess.Popen[bytes]") -> Chunk | None:
    """The worker's next chunk, or None when it has built all of its own."""
    assert worker.stdout is not None
    try:
        item = pickle.load(worker.stdout)  # noqa: S301  (written by our own worker)
    except EOFError:
        raise RuntimeError(f"the generator process failed: {_reason(worker)}") from None
    return None if isinstance(item, _Done) else item


def _renumber(chunk: Chunk, next_ids: NextIds) -> Chunk:
    """A worker's chunk (ids from 1) with its ids moved past `next_ids`, which then moves past the chunk's."""
    rows = chunk.rows
    variant, offer, point = next_ids.variant - 1, next_ids.offer - 1, next_ids.price_history - 1
    next_ids.variant += len(rows.variants)
    next_ids.offer += len(rows.offers)
    next_ids.price_history += len(rows.price_history)
    if not (variant or offer or point):
        return chunk
    moved = Rows(
        products=rows.products,
        variants=[(row[0] + variant, *row[1:]) for row in rows.variants],
        variant_options=[(row[0] + variant, *row[1:]) for row in rows.variant_options],
        offers=[(row[0] + offer, row[1] + variant, *row[2:]) for row in rows.offers],
        price_history=[(row[0] + point, row[1] + offer, *row[2:]) for row in rows.price_history],
    )
    return Chunk(chunk.first_id, chunk.last_id, moved)


def _stop(worker: "subprocess.Popen[bytes]") -> None:
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
    settings, first_id, count, turn, turns = pickle.load(source)  # noqa: S301  (sent by our own parent)
    for chunk in _chunks(settings, first_id, count, turn=turn, turns=turns):
        pickle.dump(chunk, sink, protocol=pickle.HIGHEST_PROTOCOL)
    pickle.dump(_Done(), sink)
    sink.flush()
