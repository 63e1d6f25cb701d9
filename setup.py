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
# (folder, file patterns) copied into crmlib/_bundled/<folder>/
BUNDLED = {"notebooks": ("*.ipynb",), "data": ("*.csv", "*.txt", "*.md")}


class BuildPyWithBundled(build_py):
    """build_py, then copy notebooks/*.ipynb and data/* into the built package."""

    def run(self):
        super().run()
        for folder, patterns in BUNDLED.items():
            source = ROOT / folder
            if not source.is_dir():  # building from an sdist made without them would ship no reports
                raise SystemExit(f"setup.py: {source} is missing; build from a checkout or a complete sdist")
            target = Path(self.build_lib) / "crmlib" / "_bundled" / folder
            target.mkdir(parents=True, exist_ok=True)
            for pattern in patterns:
                for path in sorted(source.glob(pattern)):
                    shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": BuildPyWithBundled})
