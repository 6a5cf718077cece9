# The book's two contracts: `make book` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ASSETS := _vendor/VERSIONS.json
# No MPLBACKEND here: kernels inherit the environment, and under Agg they display no figure.
export PYTHONHASHSEED := 0

.PHONY: book test notebooks bench clean lint

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

$(ASSETS): $(STAMP) tools/fetch_assets.py
	$(PY) tools/fetch_assets.py

book: $(STAMP) $(ASSETS)
	rm -rf _build/html
	$(VENV)/bin/jupyter-book build . --warningiserror --keep-going
	@echo "Open file://$(CURDIR)/_build/html/index.html"

test: $(STAMP) $(ASSETS)
	$(PY) -m pytest  # testpaths and options: pyproject.toml

notebooks: $(STAMP)
	$(PY) tools/run_notebooks.py $(NB)

bench: $(STAMP)
	$(PY) tools/bench.py $(NB)

lint: $(STAMP)
	$(VENV)/bin/ruff check code tools tests

clean:
	rm -rf _build .cache _vendor
