# banksync front door. `make test` and `make local` work on a fresh machine:
# they create the virtual environments they need and install pinned packages.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Python 3.13 (the Lambda runtime). First working one of: $PYTHON313, python3.13
# on PATH, a pyenv install.
PYTHON313 ?= $(shell for p in python3.13 $$HOME/.pyenv/versions/3.13*/bin/python3.13 /usr/local/bin/python3.13; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13); print(sys.executable)' 2>/dev/null && break; done)
ifeq ($(PYTHON313),)
$(error Python 3.13 is required: install it (python.org, pyenv or your package manager) or set PYTHON313=/path/to/python3.13)
endif

VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .tools/sam
SAM := $(SAM_VENV)/bin/sam
# The IaC scanners pin boto3 far below the app: a venv of their own too.
IAC_VENV := .tools/iac
# The AWS CLI the docs' examples are tested with pins its own SDK: a venv of its own.
AWSCLI_VENV := .tools/awscli
# sam build needs the runtime's interpreter on PATH; SAM's telemetry stays off.
export PATH := $(dir $(PYTHON313)):$(PATH)
export SAM_CLI_TELEMETRY := 0
# Material's notice about its successor, printed on every build: noise in CI's log.
export NO_MKDOCS_2_WARNING := 1

.PHONY: help venv sam-cli aws-cli lint typecheck unit validate build test bench bench-scale bench-live provider-check local lock clean \
	invoke docs docs-build docs-gen

help:
	@echo "make local     the whole system offline (ARGS=--no-demo to start empty; ARGS=--help)"
	@echo "make test      lint, type-check, tests, sam validate --lint, sam build, IaC scan"
	@echo "make iac       checkov and cfn-lint serverless rules on template.yaml, against .iac-baseline.yaml"
	@echo "make bench     cold starts of every function; layer and function sizes; transitions for batches of 1 and 50; cost model; provider calls and freshness; on-demand and woken work under a sweep; domain events"
	@echo "make bench-scale  the sweep over 10,000 accounts against the provider's limit (long)"
	@echo "make bench-live   make local in real time against the sandbox, measured from outside (about 30 min; ARGS=--help)"
	@echo "make provider-check PROVIDER=mono  the adapter's contract checks against the real API with your keys (MONO_SECRET_KEY, MONO_ACCOUNT_ID or MONO_CODE)"
	@echo "make fuzz     the fuzz suite and schemathesis at length: many examples, fresh randomness (make test runs a fixed slice)"
	@echo "make fuzz-api  schemathesis alone at length over every operation of openapi/banksync.json"
	@echo "make lock      re-freeze requirements-dev.txt from requirements-dev.in"
	@echo "make openapi   regenerate openapi/banksync.json from the API routes (a test fails when it drifts)"
	@echo "make docs      serve the documentation site (docs/) on http://127.0.0.1:8000"
	@echo "make docs-gen  rewrite the docs' generated pages from their sources (a test fails when they drift)"
	@echo "make invoke FUNCTION=… EVENT=events/….json   one function's handler with an event, against make local"

$(VENV)/.installed: requirements-dev.txt layers/banksync/requirements.txt
	test -x $(PY) || $(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON313) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

venv: $(VENV)/.installed
sam-cli: $(SAM_VENV)/.installed

.PHONY: iac-tools iac
$(IAC_VENV)/.installed: requirements-iac.txt
	test -x $(IAC_VENV)/bin/python || $(PYTHON313) -m venv $(IAC_VENV)
	$(IAC_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(IAC_VENV)/bin/python -m pip install --quiet -r requirements-iac.txt
	touch $@

iac-tools: $(IAC_VENV)/.installed

$(AWSCLI_VENV)/.installed: requirements-awscli.txt
	test -x $(AWSCLI_VENV)/bin/python || $(PYTHON313) -m venv $(AWSCLI_VENV)
	$(AWSCLI_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(AWSCLI_VENV)/bin/python -m pip install --quiet -r requirements-awscli.txt
	touch $@

aws-cli: $(AWSCLI_VENV)/.installed

iac: iac-tools
	$(IAC_VENV)/bin/python scripts/iac_scan.py

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy

# The least-privilege test translates the template with the SAM CLI's own translator.
# Unit, integration and fuzz tests on every core, a test file per worker; the e2e
# tests share one offline stack, so they run apart, after them (the docs' examples
# among them, with the pinned AWS CLI).
unit: venv sam-cli aws-cli
	$(VENV)/bin/pytest -n auto --dist loadfile --ignore=tests/e2e
	$(VENV)/bin/pytest tests/e2e

# The example consumer stack (examples/stream-consumer) is validated and built too.
EXAMPLE := examples/stream-consumer

validate: sam-cli
	$(SAM) validate --lint
	$(SAM) validate --lint -t $(EXAMPLE)/template.yaml

build: sam-cli
	$(SAM) build
	$(SAM) build -t $(EXAMPLE)/template.yaml --build-dir $(EXAMPLE)/.aws-sam/build

test: lint typecheck unit docs-build validate build iac

# The documentation site: built strictly (a broken link, anchor or page fails), offline.
docs-build: venv
	$(VENV)/bin/mkdocs build --strict --quiet

docs: venv
	$(VENV)/bin/mkdocs serve

docs-gen: venv
	PYTHONPATH=layers/banksync:. $(PY) -m docsite.generate

# Prints as it goes and keeps the output in bench/results.txt, from which the
# docs' performance page is written (docs/performance/index.md).
BENCH_RESULTS := bench/results.txt
bench: venv
	@set -o pipefail; { \
	  echo "== run $$(date -u +%Y-%m-%dT%H:%MZ) commit $$(git rev-parse --short HEAD) cores $$(nproc) load $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	  echo "== bench.cold_start"; PYTHONPATH=. $(PY) -m bench.cold_start; \
	  echo "== bench.sizes"; PYTHONPATH=. $(PY) -m bench.sizes; \
	  echo "== bench.transitions"; PYTHONPATH=layers/banksync:. $(PY) -m bench.transitions; \
	  echo "== bench.cost_model"; PYTHONPATH=layers/banksync:. $(PY) -m bench.cost_model; \
	  echo "== bench.provider_calls"; PYTHONPATH=layers/banksync:. $(PY) -m bench.provider_calls; \
	  echo "== bench.mono_calls"; PYTHONPATH=layers/banksync:. $(PY) -m bench.mono_calls; \
	  echo "== bench.contention"; PYTHONPATH=layers/banksync:. $(PY) -m bench.contention; \
	  echo "== bench.consumer_events"; PYTHONPATH=layers/banksync:. $(PY) -m bench.consumer_events; \
	  echo "== bench.consumer_reads"; PYTHONPATH=layers/banksync:. $(PY) -m bench.consumer_reads; \
	} 2>&1 | tee $(BENCH_RESULTS).partial
	mv $(BENCH_RESULTS).partial $(BENCH_RESULTS)
	PYTHONPATH=layers/banksync:. $(PY) -m docsite.generate

# The sweep at scale against the provider's limit: long (BENCH_ACCOUNTS=10000 by default).
bench-scale: venv
	PYTHONPATH=layers/banksync:. $(PY) -m bench.scale

# The offline stack in real time against the provider sandbox, measured from outside
# over HTTP and the AWS endpoint (about half an hour; ARGS=--help for the scenario).
# Keeps its output in bench/live-results.txt, from which docs/performance/live.md is written.
LIVE_RESULTS := bench/live-results.txt
bench-live: venv
	@set -o pipefail; { \
	  echo "== run $$(date -u +%Y-%m-%dT%H:%MZ) commit $$(git rev-parse --short HEAD) cores $$(nproc) load $$(cut -d' ' -f1-3 /proc/loadavg)"; \
	  PYTHONPATH=layers/banksync:. $(PY) -m bench.live $(ARGS); \
	} 2>&1 | tee $(LIVE_RESULTS).partial
	mv $(LIVE_RESULTS).partial $(LIVE_RESULTS)
	PYTHONPATH=layers/banksync:. $(PY) -m docsite.generate

# The adapter's contract checks against the real provider, with a deployer's keys from
# the environment (MONO_SECRET_KEY and MONO_ACCOUNT_ID or MONO_CODE); without keys it
# says so and checks nothing. ARGS=--sandbox checks the offline sandbox instead.
PROVIDER ?= mono
provider-check: venv
	PYTHONPATH=layers/banksync:. $(PY) -m devstack.provider_check $(PROVIDER) $(ARGS)

# make test runs tests/fuzz and tests/contract (schemathesis against openapi/banksync.json)
# bounded and repeatable (FUZZ_PROFILE=fuzz-bounded, the default).
.PHONY: fuzz
fuzz: venv
	FUZZ_PROFILE=fuzz-long HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest -p no:cacheprovider \
	  tests/fuzz tests/contract tests/unit/test_bodies.py tests/unit/test_params.py \
	  tests/unit/test_api_patterns.py

# schemathesis alone, at length: every operation of openapi/banksync.json, fresh randomness.
.PHONY: fuzz-api
fuzz-api: venv
	FUZZ_PROFILE=fuzz-long $(VENV)/bin/pytest -p no:cacheprovider -s tests/contract/test_schemathesis.py

local: venv
	PYTHONPATH=layers/banksync:. $(PY) -m devstack.local $(ARGS)

# One function's handler with one event, against the running `make local` (no Docker).
LOCAL_STATE ?= .local/stack.json
invoke: venv
	@test -n "$(FUNCTION)" || { echo "usage: make invoke FUNCTION=WebhookReceiverFunction [EVENT=events/….json]"; exit 2; }
	@PYTHONPATH=layers/banksync:. $(PY) -m devstack.invoke $(FUNCTION) $(EVENT) --state-file $(LOCAL_STATE)

# The HTTP API's OpenAPI document, generated from the Routers' decorators.
.PHONY: openapi
openapi: venv
	PYTHONPATH=layers/banksync:. $(PY) -m banksync.api.openapi

lock: venv
	$(PY) -m pip install --quiet -r requirements-dev.in
	{ echo "# Frozen from requirements-dev.in by \`make lock\`; install with \`make venv\`."; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements-dev.txt

clean:
	rm -rf .aws-sam $(EXAMPLE)/.aws-sam .pytest_cache .mypy_cache .ruff_cache .site
