#!/usr/bin/env python3
"""Fails when a file in src/ includes a header of a layer it must not depend on.

The layers (docs/architecture.md), each a folder of src/ and a CMake target, may include only
themselves and the layers listed for them. Prints every offending include and exits 1.
"""
import pathlib
import re
import sys

ALLOWED = {
    "base": set(),
    "fhir": {"base"},
    "cdshooks": {"base", "fhir"},
    "anakinra": {"base", "fhir", "cdshooks"},
    "service": {"base", "fhir", "cdshooks", "anakinra"},
    "net": {"base"},
    "fetch": {"base", "fhir", "cdshooks", "anakinra", "service", "net"},
    "auth": {"base", "net"},
    "store": {"base", "fhir", "cdshooks"},
    "http": {"base", "fhir", "cdshooks", "anakinra", "service", "store"},
    "config": {"base", "fhir", "cdshooks", "anakinra", "service", "net", "fetch", "auth", "store",
               "http"},
    "app": {"base", "fhir", "cdshooks", "anakinra", "service", "net", "fetch", "auth", "store",
            "http", "config"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def main(src: pathlib.Path) -> int:
    bad = []
    folders = sorted(p.name for p in src.iterdir() if p.is_dir())
    for folder in folders:
        if folder not in ALLOWED:
            bad.append(f"src/{folder}/: not a known layer (add it to {__file__} and the docs)")
            continue
        for path in sorted((src / folder).glob("*")):
            if path.suffix not in (".h", ".cc"):
                continue
            for target in INCLUDE.findall(path.read_text()):
                if target != folder and target not in ALLOWED[folder]:
                    bad.append(f"{path.relative_to(src.parent)}: includes {target}/, "
                               f"above or beside the {folder} layer")
    for line in bad:
        print(line)
    print(f"{len(folders)} layers checked, {len(bad)} include(s) out of place")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "src")))
