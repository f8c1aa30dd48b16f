# goodpath: `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: run test lint bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency files change, so a second `make run` is quick.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/goodpath db upgrade
	$(BIN)/goodpath demo load
	$(BIN)/goodpath serve

demo: $(VENV)/.installed
	$(BIN)/goodpath db upgrade
	$(BIN)/goodpath demo load

test: $(VENV)/.installed-test
	bash scripts/ensure-postgres
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

bench: $(VENV)/.installed-test
	$(BIN)/python bench/import.py

clean:
	rm -rf $(VENV) var
