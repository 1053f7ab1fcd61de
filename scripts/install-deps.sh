#!/usr/bin/env bash
# scripts/install-deps.sh — installs what Hallway needs to build, test and demo, and only what is
# missing: Debian/Ubuntu packages (apt), the UI's npm packages (npm ci) and tauri-driver (cargo).
# Idempotent; takes well under 2 s when everything is already present. Run as root or with sudo.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '[deps] %s\n' "$*"; }
die() { printf '[deps] error: %s\n' "$*" >&2; exit 1; }

# --- Debian packages ------------------------------------------------------------------------------
APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev curl file  # build the app
  xvfb xauth webkit2gtk-driver imagemagick x11-utils dbus-x11 libdbus-1-dev dbus-daemon dunst xdotool # headless run, E2E, repro
  prosody openssl python3 python3-slixmpp                                 # test server, demo office
  ejabberd erlang-p1-mysql mariadb-server-core mariadb-client-core        # second server: MAM text search
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  SUDO=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]} by hand"
    SUDO=(sudo)
  fi
  say "apt: installing ${missing[*]}"
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}"
else
  say "apt: all ${#APT_PACKAGES[@]} packages present"
fi

# --- UI packages ----------------------------------------------------------------------------------
command -v npm >/dev/null || die "npm not found: install Node.js >= 20.19 with npm"
if [[ ! -d ui/node_modules || ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then
  say "npm: ui/node_modules missing or older than ui/package-lock.json, running npm ci"
  (cd ui && npm ci --no-audit --no-fund)
else
  say "npm: ui/node_modules up to date"
fi

# --- tauri-driver (WebDriver bridge for the end-to-end tests) -------------------------------------
if command -v tauri-driver >/dev/null; then
  say "tauri-driver: present ($(command -v tauri-driver))"
else
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup"
  say "tauri-driver: missing, running cargo install tauri-driver --version ^2 --locked"
  cargo install tauri-driver --version '^2' --locked
fi
