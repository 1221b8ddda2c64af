PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt | sha1sum | cut -c1-12)
TEST_STAMP := $(VENV)/.test-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)

.PHONY: run test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	rm -f $(VENV)/.run-*; touch $@

$(TEST_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.test-*; touch $@

install: $(RUN_STAMP)

## Serve the app on its embedded defaults at http://127.0.0.1:8000
run: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Open http://127.0.0.1:8000 (Ctrl-C stops the server)"
	$(BIN)/python manage.py runserver 127.0.0.1:8000

## Run the whole suite on a throwaway PostgreSQL and Redis
test: $(TEST_STAMP)
	bash scripts/test.sh $(ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
