"""The ``npc-classify`` command line: its arguments, parsed here, then run by
:mod:`npc_classify._subcommands`.

This module imports nothing slow (no scikit-learn, SciPy or joblib), so that
``--help`` and a mistyped option answer at once; the commands' imports come
after the arguments are parsed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__, datasets
from ._command import ending_on_signals, signal_behind
from ._constants import BUILT_IN_COMPRESSORS, DEFAULT_MAX_SIZE, ORDERS, SERIAL_PAIRS
from ._output import STDOUT, check_destination, check_writable
from ._voting import PAPER_TOP_K, TIE_BREAKS, WEIGHTS

#: Exit status when the reader of the output went away: 128 + SIGPIPE, as a shell reports
#: a command that SIGPIPE ended.
BROKEN_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``npc-classify``; returns the exit status.

    SIGINT (Ctrl-C) and SIGTERM end a run cleanly: the run unwinds, so a
    checkpoint holds every finished record and joblib's workers are stopped,
    and one line says what happened (exit status 130 and 143). The command
    itself starts in :func:`npc_classify._command.main`, which handles them
    from before this module's imports.

    Parameters
    ----------
    argv : sequence of str, default=None
        The arguments, without the program's name; None: ``sys.argv[1:]``.
    """
    return ending_on_signals(lambda: _run(argv))


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command and its options, as :func:`main` reads them from ``argv``.

    Parameters
    ----------
    argv : sequence of str, default=None
        The arguments, without the program's name; None: ``sys.argv[1:]``.

    Returns
    -------
    args : argparse.Namespace
        The options, ``args.command`` naming the command.

    Raises
    ------
    SystemExit
        Status 2, with argparse's message on standard error, if the arguments
        are not a command's; status 0 after printing the help (``--help``) or
        the version (``--version``).
    """
    parser, commands = _build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse fills predict's optional INPUT before the options that follow MODEL
        # and leaves an INPUT after them over; the command's arguments read intermixed
        # place it. Anything still left over is refused with the command's usage.
        given = list(sys.argv[1:] if argv is None else argv)
        start = given.index(args.command)
        before = [argument for argument in given[:start] if argument in unknown]
        if before:  # the program's own options are --help and --version
            parser.error(
                f"unrecognized arguments: {' '.join(before)} (a command's options follow its name)"
            )
        args = commands[args.command].parse_intermixed_args(given[start + 1 :])
    return args


def _run(argv: Sequence[str] | None) -> int:
    args = parse_arguments(argv)
    if sys.stdout is None:  # started with file descriptor 1 closed: print() would drop all
        print(
            "npc-classify: error: standard output is closed; give the command one "
            "(> FILE, or > /dev/null to drop what it prints).",
            file=sys.stderr,
        )
        return 2
    from . import _subcommands

    try:
        return _subcommands.run(args)
    except BrokenPipeError:
        # The reader of the output left (``| head``): stop quietly, as if by SIGPIPE, and
        # keep Python from failing again when it flushes standard output at exit.
        with contextlib.suppress(OSError, ValueError):  # a standard output without a file
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except (
        ValueError,
        TypeError,
        FileNotFoundError,
        ImportError,
        OSError,
        NotImplementedError,  # what a compressor cannot do (explain with hf)
    ) as error:
        if signal_behind(error) is not None:
            raise  # a signal in disguise, reported by ending_on_signals
        print(f"npc-classify: error: {error}", file=sys.stderr)
        return 2


def _seed(text: str) -> int:
    """A seed of NumPy's generators: a whole number from 0 to 2**32 - 1."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to 2**32 - 1, got {text!r}"
        )
    return value


def _checkpoint(text: str) -> Path:
    """A checkpoint file, refused before any work when it is standard output or a folder."""
    if text == STDOUT or Path(text).is_dir():
        what = "standard output" if text == STDOUT else "a directory"
        raise argparse.ArgumentTypeError(
            f"{text} is {what}; a checkpoint is read back and appended to, so name a file"
        )
    try:
        check_writable(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return Path(text)


def _positive_int(text: str, other: str = "") -> int:
    """A positive integer; the error names ``other``, a word the option also takes."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        expected = f"a positive integer{f' or {other}' if other else ''}"
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def _workers(text: str) -> int:
    """``--n-jobs``: a number of workers, or, negative, counted from the cores (-1: all)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value == 0:
        raise argparse.ArgumentTypeError(
            f"expected a number of workers, or a negative number counted from the cores "
            f"(-1: all of them), got {text!r}"
        )
    return value


def _dictionary_count(text: str) -> int | str:
    """``--n-dictionaries``: a positive integer, or ``auto``."""
    return text if text == "auto" else _positive_int(text, "auto")


def _positive_number(text: str, other: str = "", *, finite: bool = False) -> float:
    """A positive number (finite when ``finite``); the error names ``other``, a word the
    option also takes."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value > 0 and (value < float("inf") or not finite)):
        kind = "positive finite number" if finite and not other else "positive number"
        raise argparse.ArgumentTypeError(
            f"expected a {kind}{f' or {other}' if other else ''}, got {text!r}"
        )
    return value


def _file_or_name(text: str) -> str:
    """A file, or a name (a Hub model, ``ag_news``); not empty, which a path reads as the
    working folder."""
    if not text:
        raise argparse.ArgumentTypeError("expected a file or name, got ''")
    return text


def _positive_finite(text: str) -> float:
    """A positive finite number."""
    return _positive_number(text, finite=True)


def _temperature(text: str) -> float | str:
    """``--temperature``: a positive number of bits, or ``auto``."""
    return text if text == "auto" else _positive_number(text, "auto", finite=True)


def _complement_ratio(text: str) -> float:
    """``--complement``: a positive number, or ``all`` for the whole complement."""
    return float("inf") if text == "all" else _positive_number(text, "all")


def _file(text: str) -> Path:
    """A file to write (a model, an HTML page), refused before any work when it is a folder
    or its folder takes no new file."""
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory; expected the path of a file")
    try:
        check_writable(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return Path(text)


def _destination(text: str) -> Path:
    """A report's ``--output``, refused before any work when it cannot take one."""
    try:
        check_destination(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return Path(text)


class _HelpFormatter(argparse.HelpFormatter):
    """Adds "(default: ...)" to an option's help, unless the help says it or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text, default = action.help or "", action.default
        if "default" in text or default in (None, [], argparse.SUPPRESS) or default is False:
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list) else default
        return f"{text} (default: {shown})"


#: The options of ``train-lm``, passed on to ``train_byte_lm``: name, type, default, help.
TRAIN_LM_OPTIONS: list[tuple[str, Callable[[str], Any], Any, str]] = [
    ("steps", _positive_int, 2000, "optimiser steps"),
    ("seq_len", _positive_int, 256, "bytes in each training window"),
    ("batch_size", _positive_int, 32, "windows in each step"),
    ("learning_rate", _positive_finite, 3e-3, "Adam's learning rate"),
    ("hidden_size", _positive_int, 256, "units of the GRU's hidden state"),
    ("checkpoint_every", _positive_int, 100, "save a checkpoint (OUT.ckpt) every N steps"),
    ("seed", _seed, 0, "seed of the weights and of the windows drawn"),
]
#: The ``predict`` input that means standard input.
STDIN = "-"


def _build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """The command's parser, and each subcommand's by name."""
    parser = argparse.ArgumentParser(
        prog="npc-classify",
        description=(
            "Text classification with compressors: NCD + k nearest neighbours, or one "
            "compression per class."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    summary = "fit on a training split, score a test split"
    evaluate = _command(commands, "evaluate", summary)
    _add_data_arguments(evaluate, splits=("train", "test"))
    _add_training_arguments(evaluate)
    _add_model_arguments(evaluate, scoring=True)
    output = _add_output_arguments(evaluate, progress=True)
    text = "save the search as it goes, to resume from (default: OUTPUT.partial.jsonl)"
    output.add_argument("--checkpoint", type=_checkpoint, metavar="FILE", help=text)

    summary = "the paper's few-shot protocol: mean accuracy over seeds, 95%% interval"
    shots = _command(commands, "few-shot", summary)
    _add_data_arguments(shots, splits=("train", "test"), per_class=False)
    _add_training_arguments(shots, per_class=False)
    _add_model_arguments(shots, scoring=True)
    add = shots.add_argument
    text = "training texts per class"
    add("--shots", type=_positive_int, nargs="+", default=[5, 10, 50, 100], metavar="N", help=text)
    text = "one sample of training texts per seed"
    add("--seeds", type=_seed, nargs="+", default=[0, 1, 2, 3, 4], metavar="S", help=text)
    _add_output_arguments(shots, progress=True)

    fit = _command(commands, "fit", "fit a classifier on a training split and save it")
    _add_data_arguments(fit, splits=("train",))
    _add_training_arguments(fit, probabilities=True)
    _add_model_arguments(fit, scoring=False)
    fit.add_argument("--out", type=_file, required=True, metavar="FILE", help="model (required)")
    text = (
        "parallel workers for fit's cross-validation and calibration, saved in the model "
        "for predict (default: none saved, predict chooses)"
    )
    fit.add_argument("--n-jobs", type=_workers, metavar="N", help=text)
    _add_progress_argument(fit)

    predict = _command(commands, "predict", "classify texts with a saved model")
    add = predict.add_argument
    add("model_file", type=Path, metavar="MODEL", help="a model file from fit or save_model")
    text = "a file of texts, one per line (or csv/tsv); - is standard input"
    add("input", nargs="?", default=STDIN, metavar="INPUT", help=text)
    formats = datasets.TEXT_FORMATS
    add("--input-format", choices=formats, default="lines", help="how INPUT holds texts")
    _add_table_arguments(predict.add_argument_group("csv and tsv input"))
    add("--proba", action="store_true", help="print class probabilities (default: labels)")
    text = 'text: a label (or with --proba, probabilities) per line; jsonl: {"label", "proba"}'
    add("--format", choices=["text", "jsonl"], default="text", help=text)
    _add_workers_argument(predict, class_conditional="the model's own")
    _add_progress_argument(predict)

    explain = _command(commands, "explain", "why a saved classifier gives a text its class")
    add = explain.add_argument
    add("model_file", type=Path, metavar="MODEL", help="a classifier file from fit or save_model")
    add("text", metavar="TEXT", help="the text to explain")
    add("--spans", type=_positive_int, default=5, metavar="N", help="spans to list (default: 5)")
    text = f"also write it as HTML to FILE; {STDOUT}: standard output, the text to stderr"
    add("--html", type=_file, metavar="FILE", help=f"{text} (default: no)")
    _add_progress_argument(explain)

    train_lm = _command(commands, "train-lm", "train the lm compressor's byte GRU")
    add = train_lm.add_argument
    add(
        "--corpus",
        type=_file_or_name,
        required=True,
        metavar="FILE",
        help="text, or ag_news: its texts (required)",
    )
    add("--data-dir", type=Path, metavar="DIR", help="AG News's CSVs (default: the Hub)")
    add("--out", type=_file, required=True, metavar="FILE", help="model (required)")
    for name, kind, default, text in TRAIN_LM_OPTIONS:
        metavar = "LR" if kind is _positive_finite else "S" if kind is _seed else "N"
        add(f"--{name.replace('_', '-')}", type=kind, default=default, metavar=metavar, help=text)
    _add_progress_argument(train_lm)

    for name in ["compress", "decompress"]:
        command = _command(commands, name, f"{name} a file")
        command.set_defaults(direction=name)
        text = f"the file to {name}; {STDIN}: standard input"
        command.add_argument("input", type=Path, metavar="FILE", help=text)
        command.add_argument(
            "--output",
            "-o",
            type=_destination,
            required=True,
            metavar="FILE",
            help=f"the output file; {STDOUT}: standard output (required)",
        )
        _add_compressor_arguments(command)
    decompress = commands.choices["decompress"]
    decompress.add_argument(
        "--max-size",
        type=int,
        default=DEFAULT_MAX_SIZE,
        metavar="BYTES",
        help=f"refuse output past BYTES (default: {DEFAULT_MAX_SIZE}, 1 GiB)",
    )

    summary = "bits per byte of each compressor on the test texts, alone and as one file"
    bpb = _command(commands, "bpb", summary)
    _add_data_arguments(bpb, splits=("test",), ties=False, per_class=False, labels=False)
    add = bpb.add_argument
    text = "also this train-lm model (default: none)"
    add("--model", type=_file_or_name, metavar="FILE", help=text)
    add("--hf-model", metavar="MODEL", help="also this Hugging Face LM (default: none)")
    add("--n-docs", type=_positive_int, default=200, metavar="N", help="the first N test texts")
    _add_output_arguments(bpb, progress=False)
    return parser, commands.choices


def _command(commands: Any, name: str, summary: str) -> argparse.ArgumentParser:
    description = summary.replace("%%", "%")  # help= is %-formatted, description= is not
    command: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description, formatter_class=_HelpFormatter
    )
    defaults = {"scheduler": None, "n_jobs": None, "n_jobs_chosen_for_pairs": None}
    command.set_defaults(command=name, **defaults)
    return command


def _add_data_arguments(
    parser: argparse.ArgumentParser,
    *,
    splits: tuple[str, ...],
    ties: bool = True,
    per_class: bool = True,
    labels: bool = True,
) -> None:
    """The options that say where the data are, for the splits the command reads, and the
    seed of what it draws: random ties (``ties``), and the samples ``--n-test`` and
    (``per_class``) ``--n-train-per-class`` take; ``--label-column`` where the command
    reads ``labels``."""
    add = parser.add_argument_group("data").add_argument
    text = "AG News, TREC (6 coarse or 50 fine classes), or your csv/tsv files"
    add("--dataset", choices=datasets.DATASETS, default="ag_news", help=text)
    text = "the files' folder (default: the Hub, for AG News)"
    add("--data-dir", type=Path, metavar="DIR", help=text)
    for split in splits:
        text = f"csv/tsv (default: DIR/{split}.csv, or DIR/{split}.tsv for tsv)"
        add(f"--{split}", type=Path, metavar="FILE", help=text)
    table = parser.add_argument_group("csv and tsv files")
    _add_table_arguments(table)
    if labels:
        text = "the class column (default: label, or 1 with --no-header)"
        table.add_argument("--label-column", metavar="COL", help=text)
    if "test" in splits:
        add("--n-test", type=_positive_int, metavar="N", help="sample N test texts (default: all)")
    samplers = ["--n-test"] * ("test" in splits) + ["--n-train-per-class"] * per_class
    sampled = f"the texts {' and '.join(samplers)} sample{'s' * (len(samplers) == 1)}"
    text = f"seed of {'random ties and of ' * ties}{sampled}"
    add("--seed", type=_seed, default=0, metavar="S", help=text)


def _add_table_arguments(group: Any) -> None:
    add = group.add_argument
    text = "a column of text, repeatable (default: text, or 2 with --no-header)"
    add("--text-column", action="append", metavar="COL", help=text)
    add("--no-header", action="store_true", help="columns by number, 1 the first (default: name)")
    text = "whether quotes enclose fields (default: csv, or none for tsv)"
    add("--quoting", choices=datasets.QUOTINGS, help=text)


def _add_training_arguments(
    parser: argparse.ArgumentParser, *, per_class: bool = True, probabilities: bool = False
) -> None:
    """The method and its class-conditional options; ``per_class``: ``--n-train-per-class``;
    ``probabilities``: ``--temperature``, for a model saved to give them."""
    add = parser.add_argument_group("training").add_argument
    if per_class:
        text = "sample N training texts per class (default: all)"
        add("--n-train-per-class", type=_positive_int, metavar="N", help=text)
    text = "NCD neighbours or one compression per class (CompressionClassifier)"
    add("--method", choices=["knn", "class-conditional"], default="knn", help=text)
    text = (
        "class-conditional: dictionaries per class, or auto (cross-validated in fit) (default: 1)"
    )
    add("--n-dictionaries", type=_dictionary_count, metavar="N|auto", help=text)
    text = (
        "class-conditional: score each class against the other classes' most recent texts, "
        "up to R times its own length (default: its own text alone)"
    )
    add("--complement", type=_complement_ratio, metavar="R|all", help=text)
    text = (
        "class-conditional: subtract from each class's bits an offset fitted on held-out "
        'training texts, cross-validated in fit (class_offsets="auto") (default: no offsets)'
    )
    add("--class-offsets", action="store_const", const="auto", help=text)
    if probabilities:
        text = (
            "class-conditional: softness of predict --proba in bits, or auto (the least "
            "log loss on held-out training texts, cross-validated in fit) (default: 1)"
        )
        add("--temperature", type=_temperature, metavar="T|auto", help=text)


def _add_compressor_arguments(group: Any) -> None:
    add = group.add_argument
    add("--compressor", choices=_compressor_names(), default="gzip", help="the compressor")
    text = "a setting of the compressor, repeatable: level=19... (default: none)"
    add("--param", dest="params", action="append", default=[], metavar="NAME=VALUE", help=text)
    text = "lm: a train-lm file; hf: a Hugging Face LM (default: none)"
    add("--model", type=_file_or_name, metavar="MODEL", help=text)


def _compressor_names() -> Sequence[str]:
    """The registry's names once :mod:`npc_classify.compressors` is imported (a compressor
    registered in this process is among them), else the built-in ones, without importing it."""
    compressors = sys.modules.get(f"{__package__}.compressors")
    return BUILT_IN_COMPRESSORS if compressors is None else compressors.available_compressors()


def _add_model_arguments(parser: argparse.ArgumentParser, *, scoring: bool) -> None:
    """The classifier's options; ``scoring`` commands take several k and the paper's rule."""
    model = parser.add_argument_group("model")
    _add_compressor_arguments(model)
    add = model.add_argument
    text = "neighbours that vote" + ("; several, scored from one search" if scoring else "")
    add("--k", type=_positive_int, nargs="+" if scoring else 1, help=f"{text} (default: 5)")
    rules = [*TIE_BREAKS, PAPER_TOP_K] if scoring else TIE_BREAKS
    paper = "; paper-top-k adds the paper's bound, k >= 2" if scoring else ""
    add("--tie", choices=rules, help=f"how a tie is settled{paper} (default: nearest)")
    text = "compare with the M texts a 4-gram estimate ranks nearest (default: all, exact)"
    add("--candidates", type=_positive_int, metavar="M", help=text)
    add("--weights", choices=WEIGHTS, help="votes per neighbour (default: uniform)")
    text = "which text of a pair comes first (default: query-first)"
    add("--order", choices=ORDERS, help=text)
    if scoring:
        _add_workers_argument(model)
        add("--scheduler", metavar="ADDRESS", help="a Dask cluster (default: this machine)")


def _add_workers_argument(group: Any, *, class_conditional: str = "1") -> None:
    text = (
        f"parallel workers (default: 1 below {SERIAL_PAIRS:,} NCD pairs, else all cores; "
        f"class-conditional: {class_conditional})"
    )
    group.add_argument("--n-jobs", type=_workers, metavar="N", help=text)


def _add_progress_argument(group: Any) -> None:
    text = "show progress bars (default: when standard error is a terminal)"
    group.add_argument("--progress", action=argparse.BooleanOptionalAction, help=text)


def _add_output_arguments(parser: argparse.ArgumentParser, *, progress: bool) -> Any:
    output = parser.add_argument_group("output")
    text = f"write the results as JSON; {STDOUT}: to standard output (default: none)"
    output.add_argument("--output", type=_destination, metavar="FILE", help=text)
    if progress:
        _add_progress_argument(output)
    return output


if __name__ == "__main__":
    sys.exit(main())
