#!/usr/bin/env python3
"""Builds the fuzz corpus of one or all targets from the crate's own test inputs, the repository's
`samples/` and, when they are next to the workspace, the shared samples.

Usage, from formats/fuzz: `./seed.py [TARGET...] [--samples DIR]...` (default: every target;
samples from `../../samples` and, when that folder exists, `../../../shared/samples`). Seeds go
to `corpus/<target>/`, which is git-ignored: the shared samples are never committed. Every seed is written once per
selector byte listed below, since the first input byte selects the options (see each target).
"""

import argparse
import hashlib
import pathlib
import re

HERE = pathlib.Path(__file__).resolve().parent
SRC = HERE.parent / "src"

# target: (test sources to take string literals from, sample folders, sample suffixes, selector bytes)
TARGETS = {
    "x12": (["x12/tests.rs"], ["x12"], (".edi", ".x12", ".txt"), [0x00, 0x01, 0x02, 0x06]),
    "edifact": (["edifact/tests.rs"], ["edifact"], (".edi", ".edifact", ".txt"), [0x00, 0x01, 0x04]),
    "csv": (["csv/tests.rs"], ["csv"], (".csv", ".txt"), [0x00, 0x01, 0x02, 0x03, 0x04, 0x08, 0x30, 0xC0]),
    "json": (["json.rs"], ["gs1", "json"], (".json", ".jsonld"), [0x00, 0x01, 0x04]),
    "xml": (["xml/tests.rs"], ["ubl", "cxml", "gs1", "iso20022"], (".xml",), [0x00, 0x01, 0x08, 0x20]),
}

ESCAPE = re.compile(rb'\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]+)\}|\n\s*|(.))', re.S)
SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"0": b"\0", b"\\": b"\\", b'"': b'"', b"'": b"'"}


def unescape(body, is_bytes):
    """The value of a non-raw literal's body."""

    def one(m):
        if m.group(1):
            value = int(m.group(1), 16)
            return bytes([value]) if is_bytes else chr(value).encode()
        if m.group(2):
            return chr(int(m.group(2), 16)).encode()
        if m.group(3) is None:
            return b""  # a line continuation
        return SIMPLE.get(m.group(3), b"\\" + m.group(3))

    return ESCAPE.sub(one, body.encode())


def literals(path):
    """Every string literal of at least 4 bytes in a Rust source file, as bytes.

    A small scanner rather than a regular expression, so that comments, char literals (`'"'`)
    and lifetimes do not pair up the wrong quotes.
    """
    text = path.read_text(encoding="utf-8")
    found = []
    i = 0
    while i < len(text):
        if text.startswith("//", i):
            i = text.find("\n", i) % (len(text) + 1) + 1
            continue
        if text.startswith("/*", i):
            i = text.find("*/", i) % (len(text) + 1) + 2
            continue
        starts_word = i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
        raw = re.compile(r'b?r(#*)"').match(text, i) if starts_word else None
        if raw:
            close = '"' + raw.group(1)
            end = text.index(close, raw.end())
            found.append(text[raw.end() : end].encode())
            i = end + len(close)
            continue
        quote = re.compile(r'b?"').match(text, i) if starts_word else None
        if quote:
            m = re.compile(r'((?:\\.|[^"\\])*)"', re.S).match(text, quote.end())
            found.append(unescape(m.group(1), quote.group(0) == 'b"'))
            i = m.end()
            continue
        char = re.compile(r"b?'(\\[^']+|[^\\'])'").match(text, i) if starts_word else None
        i = char.end() if char else i + 1
    return [f for f in found if len(f) >= 4]


def write(folder, data, selectors):
    for selector in selectors:
        seed = bytes([selector]) + data
        name = hashlib.sha1(seed).hexdigest()
        (folder / name).write_bytes(seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(TARGETS))
    parser.add_argument("--samples", type=pathlib.Path, action="append", help="a samples folder (repeatable)")
    args = parser.parse_args()
    sample_roots = args.samples or [HERE / "../../samples", HERE / "../../../shared/samples"]
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}; known: {', '.join(TARGETS)}")
    for target in args.targets or TARGETS:
        sources, sample_dirs, suffixes, selectors = TARGETS[target]
        folder = HERE / "corpus" / target
        folder.mkdir(parents=True, exist_ok=True)
        seeds = [lit for source in sources for lit in literals(SRC / source)]
        for root in sample_roots:
            for sample_dir in sample_dirs:
                folder_in = root / sample_dir
                if folder_in.is_dir():
                    seeds += [p.read_bytes() for p in sorted(folder_in.rglob("*")) if p.suffix in suffixes]
        for seed in seeds:
            write(folder, seed, selectors)
        print(f"{target}: {len(seeds)} seeds, {len(list(folder.iterdir()))} corpus files in {folder.relative_to(HERE)}")


if __name__ == "__main__":
    main()
