# Thin aliases for the names people know; each calls one nox session.
# nox itself is installed on first use into .paws/tools (no root, no global pip).
TOOLS := .paws/tools
NOX := $(TOOLS)/bin/nox
PYTHON ?= python3

.PHONY: local-dev local-setup local-start local-stop local-health local-status local-logs local-endpoints local-test local-config-diff local-simulate-patroni-leader-failure local-simulate-redis-master-failure local-simulate-etcd-member-failure local-simulate-network-partition local-recover local-backup local-restore

# A tools venv whose interpreter is gone (a pyenv version removed, Homebrew's python upgraded,
# or a local-CI job container that shares this checkout but not the host's pyenv) is made
# again in place over the old one, with the interpreter at hand.
ifneq ($(shell $(NOX) --version >/dev/null 2>&1 && echo ok),ok)
$(NOX): .paws-tools-broken
endif
.PHONY: .paws-tools-broken
.paws-tools-broken:

$(NOX):
	@find $(TOOLS)/bin -maxdepth 1 -name 'python*' -type l -delete 2>/dev/null || true
	@$(PYTHON) -m venv $(TOOLS) || { echo "error: '$(PYTHON) -m venv' failed; fix: install python3-venv (apt-get install python3-venv)" >&2; exit 2; }
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check 'nox[uv]>=2024.10'
	@echo 'note: nox is installed in $(TOOLS)/bin; for the README'"'"'s `nox -s ...` commands: export PATH="$$PWD/$(TOOLS)/bin:$$PATH"' >&2

local-setup: $(NOX)
	$(NOX) -s setup -- $(ARGS)

local-start: $(NOX)
	$(NOX) -s up -- $(ARGS)

# The apps in dev mode until Ctrl-C (docs/dev-loop.md)
local-dev: $(NOX)
	$(NOX) -s dev -- $(ARGS)

local-stop: $(NOX)
	$(NOX) -s down -- $(ARGS)

local-health: $(NOX)
	$(NOX) -s health -- $(ARGS)

local-status: $(NOX)
	$(NOX) -s status -- $(ARGS)

local-logs: $(NOX)
	$(NOX) -s logs -- $(ARGS)

local-endpoints: $(NOX)
	$(NOX) -s endpoints -- $(ARGS)

# make local-backup [ARGS=--list]; make local-restore ARGS="<backup> [--yes]" (docs/backup.md)
local-backup: $(NOX)
	$(NOX) -s backup -- $(ARGS)

local-restore: $(NOX)
	$(NOX) -s restore -- $(ARGS)

local-test: $(NOX)
	$(NOX) -s tests -- $(ARGS)

# make local-config-diff TARGET=staging (default) | TARGET=path/to/snapshot.yaml
local-config-diff: $(NOX)
	$(NOX) -s config-diff -- --target=$(or $(TARGET),staging) $(ARGS)

# make local-ci [ARGS="-j lint"]: the GitHub Actions workflows, locally with act (docs/local-ci.md)
local-ci: $(NOX)
	$(NOX) -s ci -- $(ARGS)

# Chaos experiments (paws_chaos): each breaks the stack, measures, restores and verifies.
local-simulate-patroni-leader-failure: $(NOX)
	$(NOX) -s simulate -- patroni-leader-failure $(ARGS)

local-simulate-redis-master-failure: $(NOX)
	$(NOX) -s simulate -- redis-master-failure $(ARGS)

local-simulate-etcd-member-failure: $(NOX)
	$(NOX) -s simulate -- etcd-member-failure $(ARGS)

local-simulate-network-partition: $(NOX)
	$(NOX) -s simulate -- leader-partition $(ARGS)

# After an interrupted experiment (closed terminal, kill -9): undo every fault it left behind.
local-recover: $(NOX)
	$(NOX) -s simulate -- --recover $(ARGS)
