"""The ``npc-classify`` command line: parses arguments, runs :mod:`npc_classify.evaluation`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._compression_classifier import CompressionClassifier
from ._distance import ORDERS
from ._ncd_classifier import NCDClassifier
from ._parallel import dask_backend
from ._text import encode_texts
from ._voting import TIE_BREAKS, WEIGHTS
from .compressors import (
    Compressor,
    available_compressors,
    compressor_from_settings,
    get_compressor,
)
from .datasets import LabeledTexts, load_ag_news, load_splits, sample_per_class
from .evaluation import (
    MODEL_FREE_COMPRESSORS,
    PAPER_TOP_K,
    bits_per_byte,
    evaluate_class_conditional,
    evaluate_neighbors,
    few_shot,
)
from .reports import (
    format_bits_per_byte,
    format_class_conditional,
    format_few_shot,
    format_neighbor_evaluation,
)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``npc-classify``; returns the exit status."""
    args = _build_parser().parse_args(argv)
    try:
        with dask_backend(args.scheduler):
            return int(args.handler(args))
    except (ValueError, TypeError, FileNotFoundError, ImportError, OSError) as error:
        print(f"npc-classify: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("npc-classify: interrupted", file=sys.stderr)
        return 130


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


#: The options of ``train-lm``, passed on to ``train_byte_lm``: name, type, default.
_TRAIN_LM_OPTIONS: list[tuple[str, Callable[[str], Any], Any]] = [
    ("steps", _positive_int, 2000),
    ("seq_len", _positive_int, 256),
    ("batch_size", _positive_int, 32),
    ("learning_rate", float, 3e-3),
    ("hidden_size", _positive_int, 256),
    ("checkpoint_every", _positive_int, 100),
    ("seed", int, 0),
]

#: Compressor settings that only class-conditional compression reads.
_CLASS_CONDITIONAL_SETTINGS = frozenset({"fine_tune_steps"})


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="npc-classify",
        description="Text classification with compressors (NCD + k nearest neighbours).",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    evaluate = _command(
        commands, "evaluate", _evaluate, "fit on a training split, score a test split"
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
        help="NCD nearest neighbours (default), or the class whose training text "
        "compresses the query best (CompressionClassifier)",
    )
    evaluate.add_argument(
        "--n-dictionaries",
        type=_positive_int,
        default=1,
        metavar="N",
        help="class-conditional: average the cost over N dictionaries per class",
    )
    evaluate.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="save the search to FILE as it goes; the same command resumes from it "
        "(default with --output: OUTPUT.partial.jsonl, removed when done)",
    )

    shots = _command(
        commands,
        "few-shot",
        _few_shot,
        "the paper's few-shot protocol: N training texts per class drawn with each seed, "
        "the mean accuracy and its 95%% Student-t interval",
    )
    _add_data_arguments(shots)
    _add_model_arguments(shots)
    shots.add_argument(
        "--shots",
        type=_positive_int,
        nargs="+",
        default=[5, 10, 50, 100],
        metavar="N",
        help="training texts per class (default: 5 10 50 100)",
    )
    shots.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[0, 1, 2, 3, 4],
        metavar="S",
        help="one sample per seed (default: 0 1 2 3 4)",
    )

    train_lm = _command(commands, "train-lm", _train_lm, "train the lm compressor's byte GRU")
    train_lm.add_argument(
        "--corpus", required=True, help="a text file, or ag_news (its texts; with --data-dir)"
    )
    train_lm.add_argument("--data-dir", type=Path, metavar="DIR")
    train_lm.add_argument("--out", type=Path, required=True, metavar="FILE")
    for name, kind, default in _TRAIN_LM_OPTIONS:
        train_lm.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default)
    train_lm.add_argument("--no-progress", action="store_true")

    for name, handler in [("compress", _compress), ("decompress", _decompress)]:
        command = _command(commands, name, handler, f"{name} a file")
        command.add_argument("input", type=Path, metavar="FILE")
        command.add_argument("--output", "-o", type=Path, metavar="FILE", required=True)
        _add_compressor_arguments(command)

    bpb = _command(
        commands,
        "bpb",
        _bpb,
        "bits per byte of each compressor on the test texts, per document and as one file",
    )
    _add_data_arguments(bpb)
    bpb.add_argument("--model", type=Path, metavar="FILE", help="also the LM from train-lm")
    bpb.add_argument("--hf-model", metavar="MODEL", help="also a Hugging Face causal LM")
    bpb.add_argument("--n-docs", type=_positive_int, default=200, metavar="N")
    bpb.add_argument("--output", type=Path, metavar="FILE", help="write the table as JSON")
    return parser


def _command(
    commands: Any, name: str, handler: Callable[[argparse.Namespace], int], summary: str
) -> argparse.ArgumentParser:
    command: argparse.ArgumentParser = commands.add_parser(name, help=summary, description=summary)
    command.set_defaults(handler=handler, scheduler=None)
    return command


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=["ag_news", "csv", "tsv"],
        default="ag_news",
        help="AG News (from the Hub, or --data-dir), or your files with a header row",
    )
    data.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="AG News's canonical CSVs; for csv/tsv, train.csv and test.csv (.tsv)",
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
        "--label-column", default="label", metavar="COL", help="csv/tsv (default: label)"
    )
    data.add_argument("--n-test", type=_positive_int, metavar="N", help="sample N test texts")
    data.add_argument("--seed", type=int, default=0, help="sampling seed (default: 0)")


def _add_compressor_arguments(group: Any) -> None:
    group.add_argument("--compressor", choices=available_compressors(), default="gzip")
    group.add_argument(
        "--param",
        dest="params",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter of the compressor, read as the type of its default; repeatable: "
        "level=19, order=4 (ppm), cache_order=4 (lm), fine_tune_steps=400 (lm)...",
    )
    group.add_argument(
        "--model",
        help="lm: a model file from train-lm; hf: a Hugging Face causal LM (Hub name or "
        "save_pretrained folder)",
    )


def _add_model_arguments(parser: argparse.ArgumentParser) -> None:
    model = parser.add_argument_group("model")
    _add_compressor_arguments(model)
    model.add_argument(
        "--k",
        type=_positive_int,
        nargs="+",
        default=[5],
        help="neighbours that vote; several are scored from one search (default: 5)",
    )
    model.add_argument(
        "--tie",
        choices=[*TIE_BREAKS, PAPER_TOP_K],
        default="nearest",
        help="tie rule (default: nearest); paper-top-k adds the paper's optimistic score "
        "(a tie is correct when the true class is tied: an upper bound) beside nearest",
    )
    model.add_argument(
        "--candidates",
        type=_positive_int,
        metavar="M",
        help="compress each query only with the M training texts a 4-gram estimate ranks "
        "nearest (default: all of them, exact)",
    )
    model.add_argument("--weights", choices=WEIGHTS, default="uniform")
    model.add_argument("--order", choices=ORDERS, default="query-first")
    model.add_argument(
        "--n-jobs", type=int, default=-1, help="parallel workers (default: -1, all)"
    )
    model.add_argument(
        "--scheduler", metavar="ADDRESS", help="run on this Dask cluster (tcp://host:8786)"
    )
    output = parser.add_argument_group("output")
    output.add_argument("--output", type=Path, metavar="FILE", help="write the results as JSON")
    output.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _load(args: argparse.Namespace) -> tuple[LabeledTexts, LabeledTexts]:
    """The training and test splits of the data options, the test split sampled."""
    columns = tuple(args.text_column or ["text"])
    train, test = load_splits(
        args.dataset,
        data_dir=args.data_dir,
        train=args.train,
        test=args.test,
        text_columns=columns,
        label_column=args.label_column,
    )
    if args.n_test is not None:
        test = test.sample(args.n_test, np.random.RandomState(args.seed))
    return train, test


def _compressor(args: argparse.Namespace) -> Compressor:
    """``--compressor`` with its ``--param`` settings and ``--model``, validated."""
    return compressor_from_settings(args.compressor, args.params, model=args.model)


def _classifier(args: argparse.Namespace) -> NCDClassifier:
    refused = _CLASS_CONDITIONAL_SETTINGS & {param.partition("=")[0] for param in args.params}
    if refused:
        raise ValueError(
            f"--param {min(refused)} is for --method class-conditional, not NCD neighbours."
        )
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


def _config(args: argparse.Namespace, clf: Any) -> dict[str, Any]:
    """The arguments, JSON-ready, and the compressor that ``clf`` was built with."""
    config = {key: value for key, value in vars(args).items() if key != "handler"}
    config = {key: str(v) if isinstance(v, Path) else v for key, v in config.items()}
    return {**config, "compressor": repr(clf.compressor)}


def _evaluate(args: argparse.Namespace) -> int:
    if args.method == "class-conditional":
        return _evaluate_class_conditional(args)
    clf = _classifier(args)
    train, test = _training_sample(args)
    checkpoint = args.checkpoint
    if checkpoint is None and args.output is not None:
        checkpoint = args.output.with_name(args.output.name + ".partial.jsonl")
    if checkpoint is not None:
        print(f"checkpoint: {checkpoint} (rerun the same command to resume)", file=sys.stderr)
    outcome = {
        "command": "evaluate",
        "config": _config(args, clf),
        **evaluate_neighbors(
            clf, train, test, args.k, paper_top_k=args.tie == PAPER_TOP_K, checkpoint=checkpoint
        ),
    }
    if outcome["resumed_queries"]:
        print(f"resumed {outcome['resumed_queries']} of {len(test)} queries", file=sys.stderr)
    print(format_neighbor_evaluation(outcome, clf.tie_break))
    _write(outcome, args.output)
    if args.checkpoint is None and checkpoint is not None:
        checkpoint.unlink()
    return 0


def _evaluate_class_conditional(args: argparse.Namespace) -> int:
    clf = CompressionClassifier(_compressor(args), n_dictionaries=args.n_dictionaries)
    train, test = _training_sample(args)
    outcome = {
        "command": "evaluate",
        "method": "class-conditional",
        "config": _config(args, clf),
        **evaluate_class_conditional(clf, train, test),
    }
    print(format_class_conditional(outcome, f"{clf.compressor_!r}, {len(clf.classes_)} classes"))
    _write(outcome, args.output)
    return 0


def _training_sample(args: argparse.Namespace) -> tuple[LabeledTexts, LabeledTexts]:
    """The splits, with ``--n-train-per-class`` training texts of each class if asked."""
    train, test = _load(args)
    if args.n_train_per_class is not None:
        rng = np.random.RandomState(args.seed)
        train = train.subset(sample_per_class(train.labels, args.n_train_per_class, rng))
    return train, test


def _few_shot(args: argparse.Namespace) -> int:
    clf = _classifier(args)
    train_pool, test = _load(args)
    paper_top_k = args.tie == PAPER_TOP_K
    rows = few_shot(clf, train_pool, test, args.shots, args.seeds, args.k, paper_top_k=paper_top_k)
    rules = [clf.tie_break] + ([PAPER_TOP_K] if paper_top_k else [])
    print(f"few-shot on {len(test)} test texts, seeds {args.seeds}, {clf.compressor!r}")
    print(format_few_shot(rows, rules))
    outcome = {"command": "few-shot", "config": _config(args, clf), "n_test": len(test)}
    _write({**outcome, "rows": rows}, args.output)
    return 0


def _train_lm(args: argparse.Namespace) -> int:
    from .coding.training import train_byte_lm

    if args.corpus == "ag_news":
        corpus = "\n".join(load_ag_news("train", args.data_dir).texts).encode()
    else:
        corpus = Path(args.corpus).read_bytes()
    options = {name: getattr(args, name) for name, _, _ in _TRAIN_LM_OPTIONS}
    _, resumed_from = train_byte_lm(corpus, args.out, progress=not args.no_progress, **options)
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
    documents = encode_texts(test.texts[: args.n_docs])
    compressors = {name: get_compressor(name) for name in MODEL_FREE_COMPRESSORS}
    if args.model is not None:
        compressors["lm"] = get_compressor("lm", model_path=str(args.model))
    if args.hf_model is not None:
        compressors["hf"] = get_compressor("hf", model=args.hf_model)
    rows = {name: bits_per_byte(c, documents) for name, c in compressors.items()}
    print(f"{len(documents)} texts, {sum(map(len, documents)):,} bytes")
    print(format_bits_per_byte(rows))
    table = {
        name: {"per_document": per_document, "whole_file": whole_file}
        for name, (per_document, whole_file) in rows.items()
    }
    _write({"command": "bpb", "n_documents": len(documents), "bits_per_byte": table}, args.output)
    return 0


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
