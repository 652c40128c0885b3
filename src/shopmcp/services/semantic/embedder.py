"""The query and product embedder: a static (model2vec-style) model, with numpy, tokenizers and safetensors only.

A static model keeps one vector per token of all-MiniLM-L6-v2's vocabulary, distilled offline from
the transformer (`scripts/distil_model.py`) and reduced to `DIMENSIONS` by PCA. A text's vector is the
(token-weighted) mean of its tokens' vectors, normalised to unit length, so a cosine similarity is a
dot product. No network, no GPU, no torch at run time: the files ship in the package
(`semantic/model/`); docs/search.md says why this model and what it costs.
"""

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).parent / "model"
"""Where the committed model lives: model.safetensors, tokenizer.json, config.json."""

MAX_TOKENS = 256
"""Tokens of a text that count; a product's text is cut here (title, brand and category come first)."""

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Embedder:
    """Embeds texts into unit vectors of `dimensions` float32."""

    tokenizer: Tokenizer
    table: Vectors
    """One row per token id."""
    weights: npt.NDArray[np.float32] | None
    unknown_id: int | None
    name: str

    @property
    def dimensions(self) -> int:
        return int(self.table.shape[1])

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors for `texts`, one row each; a text without known tokens gets a zero row."""
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch_fast(list(texts), add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            ids = [i for i in encoding.ids[:MAX_TOKENS] if i != self.unknown_id]
            if not ids:
                continue
            vectors = self.table[ids]
            if self.weights is not None:
                vectors = vectors * self.weights[ids][:, None]
            out[row] = vectors.mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def known_share(self, text: str) -> float:
        """The share of `text`'s words (with a letter) that the vocabulary holds whole.

        A made-up word, a code or a typo falls apart into sub-word pieces, whose mean vector lands
        among other pieces, not near its meaning; a query mostly of such words has no meaning to go by.
        """
        words = [word.lower() for word, _ in self.tokenizer.pre_tokenizer.pre_tokenize_str(text)]
        words = [word for word in words if any(char.isalpha() for char in word)]
        if not words:
            return 0.0
        known = sum(1 for word in words if self.tokenizer.token_to_id(word) not in (None, self.unknown_id))
        return known / len(words)

    def embed_one(self, text: str) -> Vectors:
        vectors: Vectors = self.embed([text])[0]
        return vectors


_lock = threading.Lock()


@cache
def _load(directory: Path) -> Embedder:
    tensors = load_file(str(directory / "model.safetensors"))
    table = tensors["embeddings"].astype(np.float32)
    weights = tensors["weights"].astype(np.float32) if "weights" in tensors else None
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    # The model's vocabulary has no padding or truncation of its own to apply here.
    tokenizer.no_padding()
    tokenizer.no_truncation()
    config = json.loads((directory / "config.json").read_text())
    unknown = tokenizer.token_to_id(config.get("unk_token", "[UNK]"))
    return Embedder(tokenizer, table, weights, unknown, str(config.get("name", directory.name)))


def embedder(directory: Path = MODEL_DIR) -> Embedder:
    """The model, loaded once per process (about 50 ms)."""
    with _lock:
        return _load(directory)
