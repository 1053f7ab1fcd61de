// Copies a fresh UI build into dist/ touching only files whose bytes changed, and removing files
// the build no longer makes. The shell embeds dist/ and Cargo rebuilds (and re-links the release
// app, minutes) when a file there is newer: rewriting identical files made every `make build` and
// `make demo` on an unchanged tree take minutes (issue 19).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import console from "node:console";
import process from "node:process";

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error("usage: node scripts/sync-dist.mjs <fresh build> <dist>");
  process.exit(2);
}

/** Every file under `dir`, as paths relative to it. */
function files(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

const fresh = new Set(files(from));
let written = 0;
let removed = 0;
for (const f of fresh) {
  const src = join(from, f);
  const dst = join(to, f);
  if (existsSync(dst) && readFileSync(src).equals(readFileSync(dst))) continue;
  mkdirSync(dirname(dst), { recursive: true });
  copyFileSync(src, dst);
  written++;
}
for (const f of files(to)) {
  if (!fresh.has(f)) {
    rmSync(join(to, f));
    removed++;
  }
}
rmSync(from, { recursive: true, force: true });
console.log(
  `dist: ${written} file(s) written, ${removed} removed, ${fresh.size - written} unchanged`,
);
