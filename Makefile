# crmlib: two commands set everything up on a fresh machine with python3 on the PATH.
#   make reports   render every notebook on the bundled data into reports/*.html (+ reports/index.html)
#   make test      run the test suite
# Other targets: make lab (JupyterLab on notebooks/), make bench-env (reference libraries for benchmarks/).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
JOBS   ?= 2
# JupyterLab refuses to run as root unless told; containers often run as root.
LAB_FLAGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: reports test lab bench-env clean

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

reports: $(VENV)/.installed
	$(BIN)/crmlib report --jobs $(JOBS)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lab: $(VENV)/.installed
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (crmlib)" >/dev/null
	$(BIN)/jupyter lab --notebook-dir=notebooks $(LAB_FLAGS)

# A separate environment with the reference libraries the benchmarks compare against
# (lifetimes 0.11.3 needs setuptools < 81 for pkg_resources). Never a runtime dependency.
bench-env: $(VENV)/.installed
	test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -e ".[test]" -r benchmarks/requirements-reference.txt

clean:
	rm -rf reports/*.html reports/*.json reports/_work reports/_failed
