# crmlib: two commands set everything up on a fresh machine with python3 on the PATH.
#   make reports   render every notebook on the bundled data into reports/*.html (+ reports/index.html)
#   make test      ruff and mypy (make lint), then the test suite (installs the browser of the browser check when run as root)
# Other targets: make lab (JupyterLab on notebooks/), make bench-env (reference libraries for benchmarks/).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JOBS   ?= 2
# JupyterLab refuses to run as root unless told; containers often run as root.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: reports lint test browser fonts wheel lab bench-env clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=23.2"

# Reinstall when the package metadata changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[sem]"
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

reports: $(VENV)/.installed fonts
	$(BIN)/crmlib report --jobs $(JOBS)

# Formatter, linter and type checker (configured in pyproject.toml); make test runs them before pytest.
lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check crmlib tests benchmarks
	$(BIN)/ruff check crmlib tests benchmarks
	$(BIN)/mypy crmlib

test: lint browser fonts
	$(BIN)/python -m pytest

# The browser check (tests/test_browser.py) drives Debian's chromium and chromium-driver. Installed here when
# missing and run as root (as .ci/run does); otherwise the browser tests report one skip with the command.
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null) \
	  || echo "make: could not install chromium chromium-driver; the browser tests will be skipped"; \
	else echo "make: chromium/chromedriver missing (not root): the browser tests will be skipped;" \
	  "install them with: sudo apt-get install chromium chromium-driver"; fi

# Chinese and Korean text in figures needs a CJK font (crmlib.style.use falls back to it). Debian's fonts-noto-cjk is
# installed here when no CJK font is present and run as root; otherwise one line says how, and such text shows as boxes.
fonts:
	@if command -v fc-list >/dev/null 2>&1 && [ -n "$$(fc-list :lang=zh family 2>/dev/null)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	    fonts-noto-cjk fontconfig >/dev/null) || echo "make: could not install fonts-noto-cjk; Chinese and Korean text will show as boxes"; \
	else echo "make: no CJK font (not root): Chinese and Korean text in figures will show as boxes;" \
	  "install one with: sudo apt-get install fonts-noto-cjk"; fi

# A wheel with the notebooks and the bundled data inside (setup.py copies notebooks/ and data/ into it).
wheel: $(VENV)/.installed
	$(BIN)/python -m pip wheel --quiet --no-deps -w dist .

lab: $(VENV)/.installed
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (crmlib)" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_FLAGS)

# A separate environment with the reference libraries the benchmarks compare against
# (lifetimes 0.11.3 needs setuptools < 81 for pkg_resources). Never a runtime dependency.
bench-env: $(VENV)/.installed
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -e ".[test]" -r benchmarks/requirements-reference.txt

clean:
	rm -rf reports/*.html reports/*.json reports/_work reports/_failed build dist crmlib/_bundled
