#!/usr/bin/env bash
# Drives the reproduction window (issue 20) with WebKit's default renderer, with the DMA-BUF
# renderer off and with compositing off, and prints one line per step:
#   idle       a WebDriver screenshot of the page as loaded, nothing changing on it
#   dialog     the same after each way of opening a box (a modal <dialog> built like Hallway's,
#              kept in the page, no focus restore, unstyled, not modal, a plain fixed box) was
#              opened and closed, with what the page said after each click
#   user       what a user sees: a real click (xdotool) on "Change text", the screen grabbed
#              from the X server before and after (no WebDriver): did the window repaint?
#   ticking    a WebDriver screenshot while the page changes every 100 ms
# A screenshot that does not come within 8 s prints "none".
# Usage, under a display: run.sh [path/to/webkit-dialog-repro]. Needs tauri-driver, xdotool,
# curl and ImageMagick (import, compare).
set -uo pipefail
app=${1:-$(cd "$(dirname "$0")/../../.." && pwd)/target/debug/webkit-dialog-repro}
port=${REPRO_PORT:-4455}
wd="http://127.0.0.1:$port"
tmp=$(mktemp -d)
driver=
trap '[[ -n $driver ]] && kill $driver 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT

post() { curl -s --max-time "${3:-15}" -H 'Content-Type: application/json' -d "$2" "$wd$1"; }
script() { post "/session/$sid/execute/sync" "{\"script\":\"$1\",\"args\":[]}"; }
element() {
  post "/session/$sid/element" "{\"using\":\"css selector\",\"value\":\"$1\"}" |
    sed -n 's/.*"element-6066-11e4-a52e-4f735466cecf":"\([^"]*\)".*/\1/p'
}
click() {
  local id
  id=$(element "$1")
  if [[ -z $id ]]; then
    echo "no element $1" >&2
    return 1
  fi
  post "/session/$sid/element/$id/click" '{}' >/dev/null
}
status() { script "return document.getElementById('status').textContent;" | sed -n 's/.*"value":"\([^"]*\)".*/\1/p'; }
screenshot() { # the milliseconds a WebDriver screenshot took, or "none" after 8 s
  local t0 t1
  t0=$(date +%s%N)
  if curl -s --max-time 8 "$wd/session/$sid/screenshot" | grep -q '"value":"iVBOR'; then
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000000)) ms"
  else
    echo none
  fi
}

for renderer in default dmabuf-off compositing-off; do
  # The app inherits WebKitWebDriver's environment, which is tauri-driver's: one per renderer.
  [[ -n $driver ]] && { kill $driver; wait $driver 2>/dev/null; }
  unset WEBKIT_DISABLE_DMABUF_RENDERER WEBKIT_DISABLE_COMPOSITING_MODE
  case $renderer in
    dmabuf-off) export WEBKIT_DISABLE_DMABUF_RENDERER=1 ;;
    compositing-off) export WEBKIT_DISABLE_COMPOSITING_MODE=1 ;;
  esac
  tauri-driver --port "$port" --native-port $((port + 1)) >/dev/null 2>&1 &
  driver=$!
  for _ in $(seq 50); do curl -s "$wd/status" >/dev/null && break; sleep 0.2; done
  sid=$(post /session "{\"capabilities\":{\"alwaysMatch\":{\"tauri:options\":{\"application\":\"$app\"}}}}" 60 |
    sed -n 's/.*"sessionId":"\([^"]*\)".*/\1/p')
  [[ -n $sid ]] || { echo "$renderer: no WebDriver session"; continue; }
  sleep 1
  echo "$renderer, idle: screenshot $(screenshot)"
  for opener in modal modal-keep modal-nofocus modal-plain modeless box; do
    click "#$opener"
    opened=$(status)
    # The open box's own Close (a kept dialog still holds one, hidden).
    click "dialog[open] #close, .box #close"
    echo "$renderer, $opener: page said '$opened' then '$(status)'; screenshot $(screenshot)"
  done
  # The window sits at the screen's origin (Xvfb has no window manager): page = screen pixels.
  read -r x y < <(script "const r = document.getElementById('change').getBoundingClientRect(); return Math.round(r.x + r.width / 2) + ' ' + Math.round(r.y + r.height / 2);" |
    sed -n 's/.*"value":"\([0-9]*\) \([0-9]*\)".*/\1 \2/p')
  import -window root "$tmp/before.png"
  xdotool mousemove "$x" "$y" click 1
  sleep 1
  import -window root "$tmp/after.png"
  changed=$(compare -metric AE "$tmp/before.png" "$tmp/after.png" /dev/null 2>&1 || true)
  echo "$renderer, user: a real click on Change text → page says '$(status)', $changed pixels changed on screen"
  script "const s = document.getElementById('status'); setInterval(() => { s.textContent = 'tick ' + Date.now(); }, 100); return 1;" >/dev/null
  echo "$renderer, ticking: screenshot $(screenshot)"
  curl -s -X DELETE --max-time 15 "$wd/session/$sid" >/dev/null
  sleep 1
done
