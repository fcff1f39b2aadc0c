#!/usr/bin/env python3
"""Minimal hand fixes that make a peer generator's Rust output compile (scripts/bench-peers.sh).

Usage: fixup.py openapi-generator CRATE_DIR
       fixup.py progenitor CRATE_DIR

Each fix is a general rule (not a line number), so it applies to any spec that trips the same
generator bug, and it is idempotent: run twice, the second run changes nothing. Every change is
printed as one line `fix: <file>: <what>` (a summary line per rule when it applies many times),
so the benchmark report can list exactly what was edited. Standard library only (Python 3.11).

openapi-generator 7.26.0, `-g rust --library reqwest`:
  O1. A oneOf member whose `title` has spaces ("List of Stream Configurations") becomes an enum
      variant with spaces in its name (`List of Stream Configurations(Vec<..>)`, and
      `Self::List of Stream Configurations(..)` in `impl Default`): a syntax error, and the
      enum then lacks Deserialize, so the API function returning it fails too. Fix: join the
      words in UpperCamelCase (`ListOfStreamConfigurations`).
  O2. A discriminator `mapping` with two values for one schema (`hotp` and `token:hotp` both
      -> CustomHotpUserFactor, in spec/okta.yaml) names the second variant after the schema and
      the raw value: `CustomHotpUserFactorToken:hotp { .. }`, a syntax error. Fix: drop the
      characters an identifier cannot hold and capitalise what follows each
      (`CustomHotpUserFactorTokenHotp`); the `#[serde(rename = "token:hotp")]` above it keeps
      the wire value.
  Both are found the same way: an enum variant (a line at 4-space indent in a `pub enum` body)
  whose name is not a Rust identifier.

progenitor 0.15.1 (typify):
  P1. A component schema that is an `allOf` of a `$ref` and an inline object
      (`AccessPolicyRuleActions: allOf: [$ref PolicyRuleActions, {properties: ...}]`) is emitted
      twice, byte for byte, in `mod types` (E0428 "defined multiple times", and E0119 for each
      derive). Fix: delete the second, identical copy (its doc comment, attributes and body).
      A duplicate whose copies differ is left alone and reported, since deleting it would
      change meaning.
"""

from __future__ import annotations

import pathlib
import re
import sys

fixes: list[str] = []


def report(path: pathlib.Path, root: pathlib.Path, what: str) -> None:
    fixes.append(f"fix: {path.relative_to(root)}: {what}")


# ---------------------------------------------------------------------------------------------
# openapi-generator

# The body of an enum: `pub enum Name {` up to the `}` that closes it at the start of a line.
ENUM_BODY = re.compile(r"^pub enum (\w+) \{\n(.*?)^\}", re.M | re.S)
# A variant declaration: the name, up to `(` (tuple), ` {` (struct), `,` or the line's end.
VARIANT = re.compile(r"^    ([A-Za-z][^(){},\n]*?) *(?=[({,]|$)", re.M)
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9_]+", name) if w)


def fix_openapi_generator(root: pathlib.Path) -> None:
    models = root / "src" / "models"
    if not models.is_dir():
        sys.exit(f"fixup: {models} is missing: is {root} openapi-generator output?")
    for path in sorted(models.glob("*.rs")):
        text = path.read_text()
        new = text
        for enum in ENUM_BODY.finditer(text):
            for name in VARIANT.findall(enum.group(2)):
                if IDENT.fullmatch(name):
                    continue
                fixed = camel(name)
                rule = "O1" if re.fullmatch(r"[A-Za-z0-9_ ]+", name) else "O2"
                # The declaration, and every use as `Self::..` or `Enum::..` in the file.
                new = re.sub(rf"^(    ){re.escape(name)}(?= *[({{,]|$)", rf"\g<1>{fixed}", new, flags=re.M)
                new = re.sub(rf"\b(Self|{enum.group(1)})::{re.escape(name)}(?= *[({{,;)]|$)", rf"\g<1>::{fixed}", new, flags=re.M)
                report(path, root, f"[{rule}] enum {enum.group(1)}: variant `{name}` renamed `{fixed}`")
        if new != text:
            path.write_text(new)


# ---------------------------------------------------------------------------------------------
# progenitor

ITEM = re.compile(r"^    pub (?:struct|enum) (\w+)\b")


def item_span(lines: list[str], head: int) -> tuple[int, int]:
    """Lines [start, end) of the item whose `pub struct|enum` line is `head`: the doc comment
    and attributes above it, and the body up to the closing `    }` at the same indent."""
    start = head
    while start > 0 and (lines[start - 1].startswith("    ///") or lines[start - 1].startswith("    #[")):
        start -= 1
    end = head
    if not lines[head].rstrip().endswith(";"):
        while lines[end] != "    }":
            end += 1
    return start, end + 1


def fix_progenitor(root: pathlib.Path) -> None:
    path = root / "src" / "lib.rs"
    if not path.is_file():
        sys.exit(f"fixup: {path} is missing: is {root} progenitor output?")
    lines = path.read_text().split("\n")
    heads: dict[str, list[int]] = {}
    for n, line in enumerate(lines):
        m = ITEM.match(line)
        if m:
            heads.setdefault(m.group(1), []).append(n)
    drop: list[tuple[int, int, str]] = []
    for name, at in heads.items():
        if len(at) < 2:
            continue
        spans = [item_span(lines, h) for h in at]
        first = "\n".join(lines[spans[0][0] : spans[0][1]])
        for s, e in spans[1:]:
            if "\n".join(lines[s:e]) == first:
                drop.append((s, e, name))
            else:
                print(f"fixup: warning: {name} is defined twice with different bodies; left alone", file=sys.stderr)
    if not drop:
        return
    for s, e, _ in sorted(drop, reverse=True):
        # Take the blank line that separated the copy from the item before it, if any.
        if s > 0 and lines[s - 1] == "":
            s -= 1
        del lines[s:e]
    path.write_text("\n".join(lines))
    names = sorted(name for _, _, name in drop)
    report(path, root, f"[P1] removed the second, identical copy of {len(names)} types: {', '.join(names)}")


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("openapi-generator", "progenitor"):
        sys.exit(__doc__.split("\n\n")[1])
    root = pathlib.Path(sys.argv[2]).resolve()
    {"openapi-generator": fix_openapi_generator, "progenitor": fix_progenitor}[sys.argv[1]](root)
    for line in fixes:
        print(line)
    if not fixes:
        print("fix: none needed")


if __name__ == "__main__":
    main()
