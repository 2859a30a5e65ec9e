#!/usr/bin/env python3
"""Checks that compiled model libraries need nothing but libc and libm.

    python3 test/check_library_symbols.py [--junit FILE] DIR_OR_SO...

Finds every lib*.so under the given folders that strata compiled (those
exporting `strata_descriptor`) and lists each one's undefined dynamic
symbols (`llvm-nm -D --undefined-only`). A strong undefined symbol must be
exported by the machine's libc.so.6 or libm.so.6; weak ones (the C
runtime's optional hooks such as __gmon_start__) may stay unresolved. A
library that needs, say, __truncsfbf2 (a libgcc helper that Debian 12 does
not have) would fail to load on some machines: that is a failure here.

test/run_all.py runs this as its "symbols" suite over every library that
`make test` built (the pytest temporary folder and the conformance cache);
`make realmodels` runs it over the real-model libraries. The JUnit report
has one test case per folder given, failing with the offending libraries.
A folder without any strata library fails too (the suite would otherwise
pass by checking nothing). Exits 1 on any failure.
"""

import argparse
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SYSTEM_LIBRARIES = ("libc.so.6", "libm.so.6")


def find_tool():
    """llvm-nm of LLVM 22 (the build's toolchain), else any nm."""
    candidates = ["llvm-nm-22"]
    try:
        bindir = subprocess.run(["llvm-config-22", "--bindir"], capture_output=True,
                                text=True, check=True).stdout.strip()
        candidates.insert(0, os.path.join(bindir, "llvm-nm"))
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates += ["llvm-nm", "nm"]
    for candidate in candidates:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.access(path, os.X_OK):
            return path
    raise SystemExit("check_library_symbols: no llvm-nm or nm found")


def dynamic_symbols(nm, path):
    """{name: nm's kind letter} of the dynamic symbol table, versions
    stripped: "U" undefined, "w" / "v" weak undefined, others defined."""
    out = subprocess.run([nm, "-D", path], capture_output=True, text=True,
                         check=True).stdout
    symbols = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        kind, name = parts[-2], parts[-1]
        symbols[name.split("@")[0]] = kind
    return symbols


UNDEFINED_KINDS = ("U", "w", "v")


def system_library_paths():
    """Paths of this machine's libc.so.6 and libm.so.6 (ldconfig's cache)."""
    found = {}
    out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    machine = os.uname().machine.replace("_", "-")  # x86-64, aarch64
    for line in out.splitlines():
        name, _, path = line.strip().partition(" => ")
        soname = name.split()[0] if name else ""
        if soname in SYSTEM_LIBRARIES and soname not in found and \
                (machine in name or machine == "aarch64"):
            found[soname] = path.strip()
    missing = [n for n in SYSTEM_LIBRARIES if n not in found]
    if missing:
        raise SystemExit(f"check_library_symbols: cannot find {', '.join(missing)}")
    return found


def allowed_symbols(nm):
    allowed = set()
    for path in system_library_paths().values():
        allowed.update(name for name, kind in dynamic_symbols(nm, path).items()
                       if kind not in UNDEFINED_KINDS)
    return allowed


def strata_libraries(root):
    """lib*.so files under `root` (or `root` itself) that strata built."""
    if os.path.isfile(root):
        yield root
        return
    for folder, _, files in os.walk(root):
        for name in sorted(files):
            if name.startswith("lib") and name.endswith(".so"):
                yield os.path.join(folder, name)


def check(nm, allowed, path):
    """None if `path` is not a strata library or is clean, else the list of
    symbols it needs from outside libc and libm."""
    try:
        symbols = dynamic_symbols(nm, path)
    except subprocess.CalledProcessError:
        return ["(not a readable ELF shared object)"]
    if symbols.get("strata_descriptor", "U") in UNDEFINED_KINDS:
        return None
    return sorted(name for name, kind in symbols.items()
                  if kind == "U" and name not in allowed)


def write_junit(path, cases):
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name="symbols", tests=str(len(cases)),
                          failures=str(sum(bool(c[2]) for c in cases)))
    for name, count, problems in cases:
        case = ET.SubElement(suite, "testcase", classname="symbols",
                             name=f"{name} ({count} libraries)")
        if problems:
            failure = ET.SubElement(case, "failure",
                                    message=f"{len(problems)} libraries need "
                                            "symbols outside libc / libm")
            failure.text = "\n".join(problems)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("roots", nargs="+", help="folders or .so files")
    parser.add_argument("--junit", help="JUnit XML report to write")
    args = parser.parse_args()
    nm = find_tool()
    allowed = allowed_symbols(nm)
    cases, bad_total = [], 0
    for root in args.roots:
        checked, problems = 0, []
        for path in strata_libraries(root):
            missing = check(nm, allowed, path)
            if missing is None:
                continue
            checked += 1
            if missing:
                problems.append(f"{path}: {', '.join(missing)}")
        if checked == 0:
            problems.append(f"{root}: no strata library found (nothing was "
                            "built there?)")
        cases.append((root, checked, problems))
        bad_total += len(problems)
        print(f"symbols: {root}: {checked} libraries, {len(problems)} need "
              "symbols outside libc / libm")
        for line in problems[:20]:
            print(f"  {line}")
    if args.junit:
        write_junit(args.junit, cases)
    return 1 if bad_total else 0


if __name__ == "__main__":
    sys.exit(main())
