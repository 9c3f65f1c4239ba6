"""The ``npc-classify`` command line: evaluate NCD-kNN on AG News or your own files."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from ._compression_classifier import CompressionClassifier
from ._distance import ORDERS
from ._ncd_classifier import NCDClassifier
from ._voting import TIE_BREAKS, WEIGHTS
from .compressors import Compressor, available_compressors, get_compressor
from .datasets import LabeledTexts, load_ag_news, read_labeled_file, sample_per_class
from .evaluation import (
    MODEL_FREE_COMPRESSORS,
    PAPER_TOP_K,
    bits_per_byte,
    mean_confidence_interval,
    neighbor_predictions,
    paper_top_k_predictions,
    resumable_kneighbors,
    score_report,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``npc-classify``; returns the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        with _parallel_backend(args.scheduler):
            return args.handler(args)
    except (ValueError, TypeError, FileNotFoundError, ImportError, OSError) as error:
        print(f"npc-classify: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("npc-classify: interrupted", file=sys.stderr)
        return 130


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="npc-classify",
        description="Text classification with compressors (NCD + k nearest neighbours).",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    evaluate = commands.add_parser(
        "evaluate",
        help="fit on a training split and score a test split",
        description="Fit on a training split, score the test split, for one or several k.",
    )
    _add_data_arguments(evaluate)
    _add_model_arguments(evaluate)
    evaluate.add_argument(
        "--n-train-per-class",
        type=_positive_int,
        metavar="N",
        help="sample N training texts per class (default: all)",
    )
    evaluate.add_argument(
        "--method",
        choices=["knn", "class-conditional"],
        default="knn",
        help="knn: NCD nearest neighbours (default); class-conditional: the class whose "
        "training text compresses the query best (CompressionClassifier)",
    )
    evaluate.add_argument(
        "--n-dictionaries",
        type=_positive_int,
        default=1,
        metavar="N",
        help="class-conditional: split each class text into N dictionaries and average "
        "the cost (default: 1)",
    )
    evaluate.add_argument(
        "--fine-tune-steps",
        type=_positive_int,
        metavar="N",
        help="class-conditional with --compressor lm: train a copy of the model N more "
        "steps on each class's text, and code the query with it (default: the class text "
        "is read as a prefix)",
    )
    evaluate.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="append each chunk's neighbours to FILE as it is done; the same command "
        "run again resumes from it (default with --output: OUTPUT.partial.jsonl, "
        "removed once the results are written)",
    )
    evaluate.set_defaults(handler=_evaluate)

    few_shot = commands.add_parser(
        "few-shot",
        help="accuracy with N training texts per class, over several seeds",
        description=(
            "The paper's few-shot protocol: for each N, sample N training texts per "
            "class with each seed, score the test split, report the mean and a 95%% "
            "Student-t interval."
        ),
    )
    _add_data_arguments(few_shot)
    _add_model_arguments(few_shot)
    few_shot.add_argument(
        "--shots",
        type=_positive_int,
        nargs="+",
        default=[5, 10, 50, 100],
        metavar="N",
        help="training texts per class (default: 5 10 50 100)",
    )
    few_shot.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[0, 1, 2, 3, 4],
        metavar="S",
        help="one sample per seed (default: 0 1 2 3 4)",
    )
    few_shot.set_defaults(handler=_few_shot)

    train_lm = commands.add_parser(
        "train-lm",
        help="train the byte-level language model for the lm compressor",
        description="Train a byte-level GRU on unlabeled text; resumable from its checkpoint.",
    )
    train_lm.add_argument(
        "--corpus",
        required=True,
        help="a text file, or ag_news (its training texts, without labels; with --data-dir)",
    )
    train_lm.add_argument("--data-dir", type=Path, metavar="DIR")
    train_lm.add_argument("--out", type=Path, required=True, metavar="FILE")
    train_lm.add_argument("--steps", type=_positive_int, default=2000)
    train_lm.add_argument("--seq-len", type=_positive_int, default=256)
    train_lm.add_argument("--batch-size", type=_positive_int, default=32)
    train_lm.add_argument("--learning-rate", type=float, default=3e-3)
    train_lm.add_argument("--hidden-size", type=_positive_int, default=256)
    train_lm.add_argument("--checkpoint-every", type=_positive_int, default=100)
    train_lm.add_argument("--seed", type=int, default=0)
    train_lm.add_argument("--no-progress", action="store_true")
    train_lm.set_defaults(handler=_train_lm, scheduler=None)

    for name, handler, verb in [
        ("compress", _compress, "Compress"),
        ("decompress", _decompress, "Decompress"),
    ]:
        command = commands.add_parser(
            name, help=f"{verb.lower()} a file", description=f"{verb} a file."
        )
        command.add_argument("input", type=Path, metavar="FILE")
        command.add_argument("--output", "-o", type=Path, metavar="FILE", required=True)
        _add_compressor_arguments(command)
        command.set_defaults(handler=handler, scheduler=None)

    bpb = commands.add_parser(
        "bpb",
        help="bits per byte of every compressor on a text set",
        description="Bits per byte of gzip, zstd, bz2, lzma, PPM (and LMs: --model, "
        "--hf-model) on the test texts: per document, as NCD compresses them, and as one file.",
    )
    _add_data_arguments(bpb)
    bpb.add_argument("--model", type=Path, metavar="FILE", help="also the LM from train-lm")
    bpb.add_argument(
        "--hf-model", metavar="MODEL", help="also a Hugging Face causal LM (name or folder)"
    )
    bpb.add_argument("--n-docs", type=_positive_int, default=200, metavar="N")
    bpb.add_argument("--output", type=Path, metavar="FILE", help="write the table as JSON")
    bpb.set_defaults(handler=_bpb, scheduler=None)
    return parser


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=["ag_news", "csv", "tsv"],
        default="ag_news",
        help="ag_news (Hugging Face fancyzhx/ag_news, or --data-dir), or your own "
        "csv/tsv files with a header row (default: ag_news)",
    )
    data.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="folder with train.csv and test.csv (train.tsv/test.tsv for tsv); for "
        "ag_news the canonical CSVs: label 1-4, title, description",
    )
    data.add_argument("--train", type=Path, metavar="FILE", help="training file (csv/tsv)")
    data.add_argument("--test", type=Path, metavar="FILE", help="test file (csv/tsv)")
    data.add_argument(
        "--text-column",
        action="append",
        metavar="COL",
        help="csv/tsv column holding text; repeat to join several (default: text)",
    )
    data.add_argument(
        "--label-column", default="label", metavar="COL", help="csv/tsv label column"
    )
    data.add_argument(
        "--n-test", type=_positive_int, metavar="N", help="score a random N test texts"
    )
    data.add_argument("--seed", type=int, default=0, help="sampling seed (default: 0)")


def _add_compressor_arguments(group: Any) -> None:
    group.add_argument(
        "--compressor",
        choices=available_compressors(),
        default="gzip",
        help="compressor (default: gzip)",
    )
    group.add_argument("--level", type=int, help="compression level (default: the compressor's)")
    group.add_argument(
        "--ppm-order",
        type=int,
        metavar="N",
        help="for --compressor ppm: the longest context in bytes (default: 3)",
    )
    group.add_argument(
        "--cache-order",
        type=int,
        metavar="N",
        help="for --compressor lm: an adaptive cache of byte contexts up to N bytes long "
        "blended over the network (4 for NCD; default: -1, none)",
    )
    group.add_argument(
        "--cache-escape",
        type=float,
        metavar="E",
        help="for --compressor lm with a cache: how much each context defers to the one "
        "below it, times PPM method C's weight (default: 0.25)",
    )
    group.add_argument(
        "--model",
        metavar="MODEL",
        help="for --compressor lm: a model file from train-lm; for --compressor hf: a "
        "Hugging Face causal LM (Hub name or save_pretrained folder)",
    )


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    model = parser.add_argument_group("model")
    _add_compressor_arguments(model)
    model.add_argument(
        "--k",
        type=_positive_int,
        nargs="+",
        default=[5],
        help="neighbours that vote; several values are scored from one search (default: 5)",
    )
    model.add_argument(
        "--tie",
        choices=[*TIE_BREAKS, PAPER_TOP_K],
        default="nearest",
        help="tie rule (default: nearest). paper-top-k also reports the paper's "
        "optimistic score, which counts a tie as correct when the true class is among "
        "the tied: an upper bound, beside the fair nearest-rule score",
    )
    model.add_argument(
        "--candidates",
        type=_positive_int,
        metavar="M",
        help="approximate search: compress each query only with the M training texts a "
        "cheap 4-gram estimate ranks nearest (default: every pair, exact)",
    )
    model.add_argument("--weights", choices=WEIGHTS, default="uniform")
    model.add_argument("--order", choices=ORDERS, default="query-first")
    model.add_argument(
        "--n-jobs", type=int, default=-1, help="parallel workers (default: -1, all)"
    )
    model.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run the pairwise work on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 "
        '(pip install "npc-classify[dask]")',
    )
    output = parser.add_argument_group("output")
    output.add_argument("--output", type=Path, metavar="FILE", help="write the results as JSON")
    output.add_argument("--no-progress", action="store_true", help="hide the progress bar")


@contextlib.contextmanager
def _parallel_backend(scheduler: str | None) -> Iterator[None]:
    """joblib's Dask backend on the cluster at ``scheduler``, or nothing to change."""
    if scheduler is None:
        yield
        return
    try:
        from distributed import Client
    except ImportError:
        raise ImportError(
            '--scheduler needs Dask\'s distributed package: pip install "npc-classify[dask]".'
        ) from None
    with Client(scheduler, timeout="10s"), joblib.parallel_config(backend="dask"):
        yield


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _load(args: argparse.Namespace) -> tuple[LabeledTexts, LabeledTexts]:
    if args.dataset == "ag_news":
        if args.train or args.test:
            raise ValueError("--train/--test are for csv/tsv; for ag_news use --data-dir.")
        return load_ag_news("train", args.data_dir), load_ag_news("test", args.data_dir)
    suffix = "." + args.dataset
    if args.data_dir is not None:
        train_path = args.train or args.data_dir / f"train{suffix}"
        test_path = args.test or args.data_dir / f"test{suffix}"
    elif args.train and args.test:
        train_path, test_path = args.train, args.test
    else:
        raise ValueError(f"--dataset {args.dataset} needs --train and --test, or --data-dir.")
    options = {
        "delimiter": "\t" if args.dataset == "tsv" else ",",
        "text_columns": tuple(args.text_column or ["text"]),
        "label_column": args.label_column,
    }
    for path in (train_path, test_path):
        if not Path(path).is_file():
            raise FileNotFoundError(f"No such {args.dataset} file: {path}")
    return read_labeled_file(train_path, **options), read_labeled_file(test_path, **options)


#: Compressors built from a model: the parameter --model fills, and what it expects.
MODEL_COMPRESSORS = {
    "lm": ("model_path", "a model file from npc-classify train-lm"),
    "hf": ("model", "a Hugging Face causal LM, by Hub name or save_pretrained folder"),
}


#: Command-line options that set a compressor parameter: option (as in args) -> parameter.
SETTING_OPTIONS = {
    "level": "level",
    "ppm_order": "order",
    "cache_order": "cache_order",
    "cache_escape": "cache_escape",
}


def _sample_test(test: LabeledTexts, args: argparse.Namespace) -> LabeledTexts:
    if args.n_test is None or args.n_test >= len(test):
        return test
    rng = np.random.RandomState(args.seed)
    return test.subset(np.sort(rng.choice(len(test), args.n_test, replace=False)))


def _compressor(args: argparse.Namespace) -> Compressor:
    """The compressor named by --compressor, with its settings (--level...) and --model."""
    params = {
        parameter: getattr(args, option)
        for option, parameter in SETTING_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if args.compressor in MODEL_COMPRESSORS:
        parameter, expected = MODEL_COMPRESSORS[args.compressor]
        if args.model is None:
            raise ValueError(f"--compressor {args.compressor} needs --model: {expected}.")
        params[parameter] = str(args.model)
    elif args.model is not None:
        raise ValueError(f"--model is for --compressor lm or hf, not {args.compressor}.")
    accepted = get_compressor(args.compressor).get_params()
    for option, parameter in SETTING_OPTIONS.items():
        if parameter in params and parameter not in accepted:
            raise ValueError(
                f"--{option.replace('_', '-')} is not a setting of --compressor "
                f"{args.compressor}; its settings are {', '.join(sorted(accepted))}."
            )
    return get_compressor(args.compressor, **params)


def _classifier(args: argparse.Namespace) -> NCDClassifier:
    return NCDClassifier(
        _compressor(args),
        k=max(args.k),
        weights=args.weights,
        tie_break="nearest" if args.tie == PAPER_TOP_K else args.tie,
        order=args.order,
        candidates=args.candidates,
        n_jobs=args.n_jobs,
        progress=not args.no_progress,
        random_state=args.seed,
    )


def _score(
    clf: NCDClassifier,
    train: LabeledTexts,
    test: LabeledTexts,
    args: argparse.Namespace,
    checkpoint: Path | None = None,
) -> dict[str, Any]:
    """Fit, search the neighbours once (resumably with a checkpoint), score every k."""
    started = time.perf_counter()
    clf.fit(train.texts, train.labels)
    if checkpoint is None:
        neigh_dist, neigh_ind = clf.kneighbors(test.texts, n_neighbors=max(args.k))
        resumed = 0
    else:
        print(f"checkpoint: {checkpoint} (rerun the same command to resume)", file=sys.stderr)
        neigh_dist, neigh_ind, resumed = resumable_kneighbors(
            clf, test.texts, max(args.k), checkpoint
        )
        if resumed:
            print(f"resumed {resumed} of {len(test)} queries from {checkpoint}", file=sys.stderr)
    seconds = time.perf_counter() - started
    pairs = clf.n_candidates_ * (
        len(test) - resumed
    )  # the pairs this run compressed for its queries
    results = []
    for k in args.k:
        fair = neighbor_predictions(clf, neigh_dist, neigh_ind, k)
        entry = {"k": k, clf.tie_break: score_report(test.labels, fair, train.class_names)}
        if args.tie == PAPER_TOP_K:
            optimistic = paper_top_k_predictions(clf, neigh_dist, neigh_ind, k, test.labels)
            entry[PAPER_TOP_K] = score_report(test.labels, optimistic, train.class_names)
        results.append(entry)
    return {
        "n_train": len(train),
        "n_test": len(test),
        "resumed_queries": resumed,
        "pairs": pairs,
        "wall_time_s": seconds,
        "pairs_per_second": pairs / max(seconds, 1e-9),
        "results": results,
    }


def _config(args: argparse.Namespace, clf: NCDClassifier) -> dict[str, Any]:
    config = {
        key: (str(value) if isinstance(value, Path) else value)
        for key, value in vars(args).items()
        if key != "handler"
    }
    config["compressor"] = repr(clf.compressor)
    return config


def _evaluate(args: argparse.Namespace) -> int:
    train, test = _load(args)
    if args.n_train_per_class is not None:
        rng = np.random.RandomState(args.seed)
        train = train.subset(sample_per_class(train.labels, args.n_train_per_class, rng))
    test = _sample_test(test, args)
    if args.fine_tune_steps is not None and (
        args.method != "class-conditional" or args.compressor != "lm"
    ):
        raise ValueError(
            "--fine-tune-steps is for --method class-conditional with --compressor lm, not "
            f"--method {args.method} with --compressor {args.compressor}."
        )
    if args.method == "class-conditional":
        return _evaluate_class_conditional(args, train, test)
    clf = _classifier(args)
    checkpoint = args.checkpoint
    if checkpoint is None and args.output is not None:
        checkpoint = args.output.with_name(args.output.name + ".partial.jsonl")
    outcome = {
        "command": "evaluate",
        "config": _config(args, clf),
        **_score(clf, train, test, args, checkpoint),
    }
    _print_evaluation(outcome, clf.tie_break)
    _write(outcome, args.output)
    if args.checkpoint is None and checkpoint is not None:
        checkpoint.unlink()
    return 0


def _evaluate_class_conditional(
    args: argparse.Namespace, train: LabeledTexts, test: LabeledTexts
) -> int:
    """Fit a CompressionClassifier, predict the test split, report and time it."""
    compressor = _compressor(args)
    if args.fine_tune_steps is not None:
        compressor.set_params(fine_tune_steps=args.fine_tune_steps)
    clf = CompressionClassifier(compressor, n_dictionaries=args.n_dictionaries)
    started = time.perf_counter()
    clf.fit(train.texts, train.labels)
    fitted = time.perf_counter()
    predicted = clf.predict(test.texts)
    seconds = time.perf_counter() - fitted
    report = score_report(test.labels, predicted, train.class_names)
    outcome = {
        "command": "evaluate",
        "method": "class-conditional",
        "config": _config(args, clf),
        "n_train": len(train),
        "n_test": len(test),
        "fit_time_s": fitted - started,
        "predict_time_s": seconds,
        "ms_per_document": 1000 * seconds / max(len(test), 1),
        "report": report,
    }
    print(
        f"class-conditional {clf.compressor_!r}: {len(test)} test texts against "
        f"{len(clf.classes_)} class texts ({len(train)} training texts), "
        f"{outcome['ms_per_document']:.3f} ms per document"
    )
    print(f"accuracy {report['accuracy']:.4f}  macro-F1 {report['macro_f1']:.4f}")
    _print_report("class-conditional", report)
    _write(outcome, args.output)
    return 0


def _few_shot(args: argparse.Namespace) -> int:
    train_pool, test = _load(args)
    test = _sample_test(test, args)
    clf = _classifier(args)
    rules = [clf.tie_break] + ([PAPER_TOP_K] if args.tie == PAPER_TOP_K else [])
    rows = []
    for shots in args.shots:
        runs = []
        for seed in args.seeds:
            rng = np.random.RandomState(seed)
            train = train_pool.subset(sample_per_class(train_pool.labels, shots, rng))
            runs.append(_score(clf, train, test, args))
        for index, k in enumerate(args.k):
            row: dict[str, Any] = {"shots": shots, "k": k}
            for rule in rules:
                accuracies = [run["results"][index][rule]["accuracy"] for run in runs]
                mean, low, high = mean_confidence_interval(accuracies)
                row[rule] = {"accuracies": accuracies, "mean": mean, "ci95": [low, high]}
            rows.append(row)
    outcome = {
        "command": "few-shot",
        "config": _config(args, clf),
        "n_test": len(test),
        "rows": rows,
    }
    print(f"few-shot on {len(test)} test texts, seeds {args.seeds}, {clf.compressor!r}")
    header = "".join(f"  {rule + ' mean [95% CI]':>34}" for rule in rules)
    print(f"{'shots':>6} {'k':>3}{header}")
    for row in rows:
        cells = "".join(
            f"  {row[r]['mean']:>10.4f} [{row[r]['ci95'][0]:.4f}, {row[r]['ci95'][1]:.4f}]"
            for r in rules
        )
        print(f"{row['shots']:>6} {row['k']:>3}{cells}")
    _write(outcome, args.output)
    return 0


def _train_lm(args: argparse.Namespace) -> int:
    from .coding.training import train_byte_lm

    if args.corpus == "ag_news":
        corpus = "\n".join(load_ag_news("train", args.data_dir).texts).encode()
    else:
        corpus = Path(args.corpus).read_bytes()
    _, resumed_from = train_byte_lm(
        corpus,
        args.out,
        steps=args.steps,
        seq_len=args.seq_len,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        hidden_size=args.hidden_size,
        seed=args.seed,
        checkpoint_every=args.checkpoint_every,
        progress=not args.no_progress,
    )
    if resumed_from:
        print(f"resumed from step {resumed_from}")
    print(f"model written to {args.out}")
    return 0


def _compress(args: argparse.Namespace) -> int:
    args.output.write_bytes(_compressor(args).compress(args.input.read_bytes()))
    return 0


def _decompress(args: argparse.Namespace) -> int:
    args.output.write_bytes(_compressor(args).decompress(args.input.read_bytes()))
    return 0


def _bpb(args: argparse.Namespace) -> int:
    _, test = _load(args)
    documents = [text.encode("utf-8", "surrogatepass") for text in test.texts[: args.n_docs]]
    compressors = {name: get_compressor(name) for name in MODEL_FREE_COMPRESSORS}
    if args.model is not None:
        compressors["lm"] = get_compressor("lm", model_path=str(args.model))
    if args.hf_model is not None:
        compressors["hf"] = get_compressor("hf", model=args.hf_model)
    rows = {name: bits_per_byte(c, documents) for name, c in compressors.items()}
    print(f"{len(documents)} texts, {sum(map(len, documents)):,} bytes")
    print(f"{'compressor':<11} {'per document':>12} {'whole file':>10}  (bits per byte)")
    for name, (per_document, whole_file) in rows.items():
        print(f"{name:<11} {per_document:>12.3f} {whole_file:>10.3f}")
    outcome = {
        "command": "bpb",
        "n_documents": len(documents),
        "bits_per_byte": {
            name: {"per_document": per_document, "whole_file": whole_file}
            for name, (per_document, whole_file) in rows.items()
        },
    }
    _write(outcome, args.output)
    return 0


def _print_evaluation(outcome: dict[str, Any], tie: str) -> None:
    resumed = outcome["resumed_queries"]
    print(
        f"{outcome['n_test']} test x {outcome['n_train']} training texts"
        + (f" ({resumed} queries resumed from the checkpoint)" if resumed else "")
        + f": {outcome['pairs']:,} pairs compressed in {outcome['wall_time_s']:.1f} s "
        f"({outcome['pairs_per_second']:,.0f} pairs/s)"
    )
    rules = [rule for rule in (tie, PAPER_TOP_K) if rule in outcome["results"][0]]
    print(f"{'k':>4}" + "".join(f"  {rule + ' acc':>18}  {'macro-F1':>8}" for rule in rules))
    for entry in outcome["results"]:
        cells = "".join(
            f"  {entry[r]['accuracy']:>18.4f}  {entry[r]['macro_f1']:>8.4f}" for r in rules
        )
        print(f"{entry['k']:>4}{cells}")
    if PAPER_TOP_K in rules:
        print(
            f"({PAPER_TOP_K}: a tie counts as correct when the true class is among the "
            "tied classes; an optimistic upper bound, not a classifier's accuracy.)"
        )
    first = outcome["results"][0]
    for rule in rules:
        _print_report(f"k={first['k']}, {rule}", first[rule])


def _print_report(title: str, report: dict[str, Any]) -> None:
    """Per-class scores and the confusion matrix of one score_report."""
    print(f"\n{title}: per class")
    print(f"{'class':>14} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>7}")
    for name, cls in report["per_class"].items():
        print(
            f"{name:>14} {cls['precision']:>9.4f} {cls['recall']:>7.4f} "
            f"{cls['f1']:>7.4f} {cls['support']:>7}"
        )
    print("confusion matrix (rows: true, columns: assigned)")
    width = max(len(name) for name in report["classes"]) + 1
    print(" " * width + "".join(f"{name:>{width}}" for name in report["classes"]))
    for name, counts in zip(report["classes"], report["confusion_matrix"], strict=True):
        print(f"{name:>{width}}" + "".join(f"{c:>{width}}" for c in counts))


def _write(outcome: dict[str, Any], path: Path | None) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(outcome, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
    print(f"\nresults written to {path}")


if __name__ == "__main__":
    sys.exit(main())
