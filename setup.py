"""Build hook: ship the repository's notebooks/ and data/ inside the package (crmlib/_bundled/).

The notebooks are edited in notebooks/ and the data live in data/; a wheel carries copies so that
`crmlib new` and `crmlib report` work away from the repository (crmlib._bundled.bundled_dir finds
them). Everything else about the package is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folders copied into crmlib/_bundled/<folder>/ (data/ with its subfolders, e.g. data/models/*.yml)
BUNDLED = ("notebooks", "data")
IGNORE = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", ".ipynb_checkpoints")


class BuildPyWithBundled(build_py):
    """build_py, then copy notebooks/ and data/ into the built package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout's folders directly
            return
        for folder in BUNDLED:
            source = ROOT / folder
            if not source.is_dir():  # building from an sdist made without them would ship no reports
                raise SystemExit(f"setup.py: {source} is missing; build from a checkout or a complete sdist")
            target = Path(self.build_lib) / "crmlib" / "_bundled" / folder
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=IGNORE)


setup(cmdclass={"build_py": BuildPyWithBundled})
