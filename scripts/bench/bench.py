#!/usr/bin/env python3
"""Helpers for scripts/bench-peers.sh (Python 3.11, standard library only).

  bench.py count DIR              print "<files> <lines>" of the .rs files under DIR
  bench.py crate-name CARGO_TOML  print the package name
  bench.py refusal LOG            print the first meaningful lines of a refusal (an error log)
  bench.py report RESULTS_DIR     print the markdown report built from RESULTS_DIR/results.tsv

results.tsv has one record per line, fields separated by tabs:
  fact    KEY VALUE                      machine and tool facts, in order
  input   ID LABEL                       a measured input, in order
  gen     INPUT TOOL SECONDS KIB         one generation run (GNU time %e %M)
  size    INPUT TOOL FILES LINES         the generated output (.rs files)
  genfail INPUT TOOL FILE                generation refused; FILE holds the message
  refusal TOOL INPUT WHAT FILE           a refusal probe (e.g. without a flag); FILE holds it
  check   INPUT TOOL SECONDS KIB         one `cargo check` of the generated crate alone
  build   INPUT TOOL SECONDS KIB         one `cargo build` of the generated crate alone
  crate   INPUT TOOL NAME FILES LINES    the crate as compiled (after fix-ups)
  buildfail INPUT TOOL STEP FILE         the crate does not compile; FILE holds the errors
  fix     INPUT TOOL LINE                one fix-up applied before compiling
  note    TEXT                           a line for the notes section
"""

from __future__ import annotations

import collections
import pathlib
import re
import statistics
import sys
import tomllib

TOOLS = {
    "ours": "okta-codegen (ours)",
    "ours-users": "okta-codegen (ours), `users` alone",
    "openapi-generator": "openapi-generator",
    "progenitor": "progenitor",
}


def count(directory: str) -> None:
    files = lines = 0
    for path in pathlib.Path(directory).rglob("*.rs"):
        if "target" in path.relative_to(directory).parts:
            continue
        files += 1
        with path.open("rb") as f:
            lines += sum(1 for _ in f)
    print(files, lines)


def crate_name(cargo_toml: str) -> None:
    with open(cargo_toml, "rb") as f:
        print(tomllib.load(f)["package"]["name"])


def refusal(log: str) -> None:
    """The lines a user would read first: Java stack frames, progenitor's backtrace, and
    openapi-generator's repeated `Undefined array inner type` noise are skipped."""
    text = pathlib.Path(log).read_text(errors="replace").splitlines()
    out: list[str] = []
    for n, line in enumerate(text):
        if re.match(r"\s+at |\s+\.\.\. \d+ (common )?frames omitted|Stack backtrace:", line):
            continue
        if "Undefined array inner type" in line or line.startswith("Command exited with"):
            continue
        # progenitor / anyhow: `Error: ...`; Java: an exception line; openapi-generator's
        # validation: the exception, its `| Error count` line and the list of errors.
        if line.startswith("Error:") or re.search(r"(Exception|Error)(: | in thread)", line):
            out.append(line.strip())
            for follow in text[n + 1 :]:
                if follow.startswith((" |", "Errors:", "\t-")) and not out[-1].startswith("Warnings"):
                    out.append(follow.rstrip())
                else:
                    break
            # Java: the exception that ended the run, when it is another one.
            last = [l for l in text[n + 1 :] if l.startswith("Exception in thread")]
            if last and last[-1].strip() not in out:
                out += ["…", last[-1].strip()]
            break
    if not out:  # nothing recognisable: the last non-empty lines
        out = [l for l in text if l.strip()][-3:]
    print("\n".join(out))


# ---------------------------------------------------------------------------------------------


def fmt_s(values: list[float]) -> str:
    return f"{statistics.median(values):.2f}"


def fmt_mib(values: list[float]) -> str:
    return f"{statistics.median(values) / 1024:.0f}"


def ratio(peer: list[float] | None, ours: list[float] | None) -> str:
    if not peer or not ours or statistics.median(ours) == 0:
        return "–"
    r = statistics.median(peer) / statistics.median(ours)
    return f"{r:.1f}×" if r >= 10 else f"{r:.2f}×"


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def report(results_dir: str) -> None:
    root = pathlib.Path(results_dir)
    rows = [l.split("\t") for l in (root / "results.tsv").read_text().splitlines() if l]
    facts: list[tuple[str, str]] = []
    inputs: dict[str, str] = {}
    runs: dict[tuple[str, str, str], list[tuple[float, float]]] = collections.defaultdict(list)
    size: dict[tuple[str, str], tuple[str, str]] = {}
    crate: dict[tuple[str, str], tuple[str, str, str]] = {}
    genfail: dict[tuple[str, str], str] = {}
    buildfail: dict[tuple[str, str], list[tuple[str, str]]] = collections.defaultdict(list)
    refusals: list[tuple[str, str, str, str]] = []
    fixes: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    notes: list[str] = []
    for r in rows:
        kind = r[0]
        if kind == "fact":
            facts.append((r[1], r[2]))
        elif kind == "input":
            inputs[r[1]] = r[2]
        elif kind in ("gen", "check", "build"):
            runs[(kind, r[1], r[2])].append((float(r[3]), float(r[4])))
        elif kind == "size":
            size[(r[1], r[2])] = (r[3], r[4])
        elif kind == "crate":
            crate[(r[1], r[2])] = (r[3], r[4], r[5])
        elif kind == "genfail":
            genfail[(r[1], r[2])] = (root / r[3]).read_text().strip()
        elif kind == "buildfail":
            buildfail[(r[1], r[2])].append((r[3], (root / r[4]).read_text().strip()))
        elif kind == "refusal":
            refusals.append((r[1], r[2], r[3], (root / r[4]).read_text().strip()))
        elif kind == "fix":
            fixes[(r[1], r[2])].append(r[3])
        elif kind == "note":
            notes.append(r[1])
    fact = dict(facts)
    tool_label = {
        "ours": f"okta-codegen {fact.get('okta-codegen', '')} (ours)".replace("  ", " "),
        "ours-users": f"okta-codegen {fact.get('okta-codegen', '')} (ours), `users` feature alone".replace("  ", " "),
        "openapi-generator": f"openapi-generator {fact.get('openapi-generator', '')} (rust, reqwest)",
        "progenitor": f"progenitor {fact.get('progenitor', '')}",
    }

    def secs(kind: str, i: str, t: str) -> list[float]:
        return [s for s, _ in runs.get((kind, i, t), [])]

    def kib(kind: str, i: str, t: str) -> list[float]:
        return [k for _, k in runs.get((kind, i, t), [])]

    out: list[str] = []
    w = out.append
    w("# okta-codegen against openapi-generator and progenitor")
    w("")
    w(f"Runs per figure: {fact.get('runs', '?')} (median shown). Wall time and peak RSS from GNU "
      "`/usr/bin/time -f '%e %M'`; RSS is the largest of the process and the children it waited "
      "for (for cargo: rustc). Ratios are peer ÷ ours: above 1× the peer is slower or bigger.")
    w("")
    w("## Generation: whole spec to files on disk")
    w("")
    for i, label in inputs.items():
        w(f"### {label}")
        w("")
        w("| tool | median s | peak MiB | .rs files | lines | time ratio | RSS ratio |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for t in TOOLS:
            if (i, t) in genfail:
                w(f"| {tool_label[t]} | refused | – | – | – | – | – |")
                continue
            s, k = secs("gen", i, t), kib("gen", i, t)
            if not s:
                continue
            files, lines = size.get((i, t), ("?", "?"))
            w(f"| {tool_label[t]} | {fmt_s(s)} | {fmt_mib(k)} | {int(files):,} | {int(lines):,} | "
              f"{ratio(s, secs('gen', i, 'ours'))} | {ratio(k, kib('gen', i, 'ours'))} |")
        w("")

    if any(k[0] in ("check", "build") for k in runs) or buildfail:
        w("## Build cost of each generated crate alone (dependencies already built)")
        w("")
        w("`cargo clean -p CRATE`, then `CARGO_INCREMENTAL=0 cargo check` (or `cargo build`, dev "
          "profile), each crate in its own target folder. Lines: the .rs files compiled, after "
          "the fix-ups below. Ratios are peer ÷ ours for the same input.")
        w("")
        w("| input | crate | check s | check peak MiB | build s | build peak MiB | lines | check time ratio | check RSS ratio | build time ratio | build RSS ratio |")
        w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for i, label in inputs.items():
            for t in TOOLS:
                if (i, t) not in crate and (i, t) not in buildfail:
                    continue
                name, _files, lines = crate.get((i, t), ("?", "?", "0"))
                c_s, c_k = secs("check", i, t), kib("check", i, t)
                b_s, b_k = secs("build", i, t), kib("build", i, t)
                failed = dict(buildfail.get((i, t), []))
                c_cells = [fmt_s(c_s), fmt_mib(c_k)] if c_s else (["fails", "–"] if "check" in failed else ["–", "–"])
                b_cells = [fmt_s(b_s), fmt_mib(b_k)] if b_s else (["fails", "–"] if "build" in failed else ["–", "–"])
                w(f"| {label.split(' ')[0]} | {tool_label[t]}: `{name}` | {c_cells[0]} | {c_cells[1]} | "
                  f"{b_cells[0]} | {b_cells[1]} | {int(lines):,} | "
                  f"{ratio(c_s, secs('check', i, 'ours'))} | {ratio(c_k, kib('check', i, 'ours'))} | "
                  f"{ratio(b_s, secs('build', i, 'ours'))} | "
                  f"{ratio(b_k, kib('build', i, 'ours'))} |")
        w("")
        for (i, t), fails in buildfail.items():
            for step, text in fails:
                w(f"- {tool_label[t]} on {inputs.get(i, i)}: `cargo {step}` fails after the fix-ups:")
                w("")
                w("  ```text")
                w("\n".join("  " + l for l in text.splitlines()))
                w("  ```")
                w("")

    w("## Refusals")
    w("")
    if not refusals and not genfail:
        w("None.")
    for (i, t), text in genfail.items():
        w(f"- **{tool_label[t]}** refuses {inputs.get(i, i)} (the measured command; no output, so no build figures):")
        w("")
        w("  ```text")
        w("\n".join("  " + l for l in text.splitlines()))
        w("  ```")
        w("")
    for t, i, what, text in refusals:
        w(f"- **{tool_label[t]}** on {inputs.get(i, i)}, {what}:")
        w("")
        w("  ```text")
        w("\n".join("  " + l for l in text.splitlines()))
        w("  ```")
        w("")

    w("## Fix-ups applied before compiling")
    w("")
    w("Made by `scripts/bench/fixup.py` (each rule is documented there); the generated code is "
      "otherwise compiled as written. Our crate gets none.")
    w("")
    if not fixes:
        w("None.")
    for (i, t), lines in fixes.items():
        w(f"- {tool_label[t]} on {inputs.get(i, i)}:")
        for line in lines:
            w(f"  - {cell(line)}")
    w("")
    w("Every crate also gets an empty `[workspace]` table appended to its Cargo.toml, since it "
      "is written under this repository, whose workspace would otherwise claim it.")
    w("")
    if notes:
        w("## Notes")
        w("")
        for n in notes:
            w(f"- {n}")
        w("")
    w("## Machine and tools")
    w("")
    for k, v in facts:
        if k in ("runs", "command"):
            continue
        w(f"- {k}: {v}")
    w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w(fact.get("command", "scripts/bench-peers.sh"))
    w("```")
    print("\n".join(out))


def main() -> None:
    cmds = {"count": count, "crate-name": crate_name, "refusal": refusal, "report": report}
    if len(sys.argv) != 3 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2])


if __name__ == "__main__":
    main()
