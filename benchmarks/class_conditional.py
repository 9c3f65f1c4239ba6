"""Class-conditional compression against NCD-kNN and TF-IDF + logistic regression, one run.

Usage::

    python benchmarks/class_conditional.py --data-dir ../shared/data/ag_news

Every method fits on the whole local training split and predicts the whole
test split on this machine; times are per test document (NCD-kNN with all
cores, the others on one). ``--lm FILE`` (a model from ``npc-classify
train-lm``, trained on the training texts without labels) adds the byte LM
class-conditionally, both ways: reading the class text as a prefix, and
fine-tuned on each class's text (``--lm-fine-tune-steps``; the tuning happens
at the first prediction, so its time is in "predict", as is PPM's counting of
each class text). NCD-kNN with the LM (with its adaptive cache of order
``--lm-cache-order``, the setting the README recommends for NCD) cannot score
all 9.6 million pairs on a CPU (milliseconds per pair: hours), so it computes
exact NCD only for the ``--lm-candidates`` training texts the 4-gram estimate
ranks nearest each query (``NCDClassifier(candidates=M)``), with gzip on as
many candidates beside it; each calibrates the estimate on its own distances.
``--k`` is the NCD-kNN rows' k: 7 by default, the k that stratified 3-fold
cross-validation on the training split chose for gzip, and for zstd-prefix at
its default level 4 (``benchmarks/one_table.py``). ``--only TEXT`` runs only the rows whose name
contains TEXT.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from npc_classify import CompressionClassifier, NCDClassifier, get_compressor
from npc_classify.compressors import LMCompressor
from npc_classify.datasets import load_ag_news


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="AG News's CSVs (default: the Hugging Face Hub)")
    parser.add_argument("--lm", metavar="FILE", help="also the byte LM from train-lm")
    parser.add_argument("--lm-fine-tune-steps", type=int, default=400)
    parser.add_argument("--lm-candidates", type=int, default=50)
    parser.add_argument("--lm-cache-order", type=int, default=4, help="for NCD-kNN with the LM")
    parser.add_argument("--k", type=int, default=7, help="neighbours of the NCD-kNN rows")
    parser.add_argument("--only", metavar="TEXT", help="run only the rows whose name has TEXT")
    args = parser.parse_args()
    train, test = load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    k, m = args.k, args.lm_candidates
    models = {
        f"NCD-kNN gzip-9, k={k}": NCDClassifier("gzip", k=k, n_jobs=-1),
        f"NCD-kNN zstd-prefix-2, k={k}": NCDClassifier(
            get_compressor("zstd-prefix", level=2), k=k, n_jobs=-1
        ),
        f"NCD-kNN gzip-9, k={k}, exact on {m} 4-gram candidates": NCDClassifier(
            "gzip", k=k, candidates=m, n_jobs=-1
        ),
        "class-conditional gzip-9 (last 32 KiB)": CompressionClassifier("gzip"),
        "class-conditional zstd-3": CompressionClassifier(get_compressor("zstd", level=3)),
        "class-conditional zstd-19": CompressionClassifier(get_compressor("zstd", level=19)),
        "class-conditional zstd-19, 8 dictionaries per class": CompressionClassifier(
            get_compressor("zstd", level=19), n_dictionaries=8
        ),
        "class-conditional zstd-19, 16 dictionaries per class": CompressionClassifier(
            get_compressor("zstd", level=19), n_dictionaries=16
        ),
        "class-conditional PPM, order 3": CompressionClassifier("ppm"),
        "TF-IDF word 1-2-grams + logistic regression": make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            LogisticRegression(max_iter=2000),
        ),
    }
    if args.lm:
        steps, cache = args.lm_fine_tune_steps, args.lm_cache_order
        models[f"NCD-kNN LM (GRU, cache order {cache}), k={k}, exact on {m} 4-gram candidates"] = (
            NCDClassifier(LMCompressor(args.lm, cache_order=cache), k=k, candidates=m, n_jobs=-1)
        )
        models["class-conditional LM (GRU), class text read as a prefix"] = CompressionClassifier(
            LMCompressor(args.lm)
        )
        models[f"class-conditional LM (GRU), fine-tuned {steps} steps per class"] = (
            CompressionClassifier(LMCompressor(args.lm, fine_tune_steps=steps))
        )
    if args.only:
        models = {name: model for name, model in models.items() if args.only in name}
    print(f"\n{len(test)} test x {len(train)} training texts of AG News\n")
    print("| method | accuracy | fit (s) | predict, ms per document |")
    print("|---|---|---|---|")
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(train.texts, train.labels)
        fitted = time.perf_counter()
        accuracy = float(np.mean(model.predict(test.texts) == test.labels))
        per_doc = 1000 * (time.perf_counter() - fitted) / len(test)
        print(f"| {name} | {accuracy:.4f} | {fitted - start:.1f} | {per_doc:.3f} |")


if __name__ == "__main__":
    main()
