# goodpath: `make run` sets everything up and serves; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: run test lint bench demo clean vendor

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the dependency files change, so a second `make run` is quick.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) -e .
	touch $@

# The web UI's browser libraries (htmx, Chart.js, Swagger UI for /docs), from the npm registry at the
# versions of package-lock.json, copied into the static files (not in git): no CDN, so the
# Content-Security-Policy allows scripts from the app itself only. Pages work without them.
# axe-core (a devDependency) stays in node_modules: the browser tests' accessibility checks inject it.
VENDOR := src/goodpath/web/static/vendor
$(VENDOR)/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && mkdir -p $(VENDOR) && \
		cp node_modules/htmx.org/dist/htmx.min.js node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/ && \
		cp node_modules/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE && cp node_modules/chart.js/LICENSE.md $(VENDOR)/chart.js.LICENSE.md && \
		cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/ && \
		cp node_modules/swagger-ui-dist/LICENSE $(VENDOR)/swagger-ui.LICENSE && \
		touch $@; \
	else echo "npm is missing: the web UI runs without htmx and charts (apt-get install npm to add them)"; fi

vendor: $(VENDOR)/.installed

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -e ".[test]"
	touch $@

run: $(VENV)/.installed $(VENDOR)/.installed
	bash scripts/ensure-pdf
	$(BIN)/goodpath db upgrade
	$(BIN)/goodpath demo load
	$(BIN)/goodpath serve

demo: $(VENV)/.installed
	$(BIN)/goodpath db upgrade
	$(BIN)/goodpath demo load

test: $(VENV)/.installed-test $(VENDOR)/.installed
	bash scripts/ensure-postgres
	bash scripts/ensure-browser
	bash scripts/ensure-pdf
	$(BIN)/ruff check src tests bench
	# Both cores (pytest-xdist); a test file stays on one worker, so its shared fixtures are built once.
	$(BIN)/pytest -n 2 --dist loadfile --durations=25

bench: $(VENV)/.installed-test
	$(BIN)/python bench/import.py

clean:
	rm -rf $(VENV) var node_modules $(VENDOR)
