"""Generate the course datasets, deterministically.

    python datasets/generate.py            # write into datasets/
    python datasets/generate.py --out DIR  # write into another folder
    python datasets/generate.py --check    # compare with the committed files;
                                           # exit 1 and list those that differ
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generator import render, write  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(HERE), help="output folder (default: datasets/)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; compare with the files in --out and exit 1 on any difference")
    ap.add_argument("--only", nargs="*", help="build only these tables (for development)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    if args.check:
        files = render(args.only)
        bad = [n for n, data in files.items()
               if not (out / n).exists() or (out / n).read_bytes() != data]
        for n in bad:
            print(f"differs: {n}")
        if not args.only:  # data files that the generator no longer makes
            stale = sorted(p.name for p in out.glob("*.csv*") if p.name not in files)
            for n in stale:
                print(f"not generated: {n}")
            bad += stale
        if bad:
            print(f"{len(bad)} of {len(files)} generated files differ from {out}; "
                  "run: python datasets/generate.py")
            return 1
        print(f"all {len(files)} generated files match {out}")
        return 0
    files = write(out, args.only)
    total = sum(len(b) for b in files.values())
    print(f"wrote {len(files)} files to {out} ({total / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
