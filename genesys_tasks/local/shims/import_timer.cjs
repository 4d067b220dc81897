// Preloaded by `genesys profile` (NODE_OPTIONS=--require): times each CommonJS module's first load
// through Module._load and writes Python's `-X importtime` line for it to stderr (self and
// cumulative microseconds, two spaces of indent a nesting level, the file's path), so one reader
// serves both languages. Cached loads and Node's own modules are not written; ES modules are not
// timed (only the CommonJS modules they load are).
"use strict";
const Module = require("module");
const fs = require("fs");

const load = Module._load;
const open = [];

Module._load = function timedLoad(request, parent, isMain) {
  let filename;
  try {
    filename = Module._resolveFilename(request, parent, isMain);
  } catch (_) {
    return load.apply(this, arguments);
  }
  if (Module._cache[filename] || !filename.includes("/")) return load.apply(this, arguments);
  const frame = { inner: 0n };
  open.push(frame);
  const started = process.hrtime.bigint();
  try {
    return load.apply(this, arguments);
  } finally {
    open.pop();
    const total = (process.hrtime.bigint() - started) / 1000n;
    if (open.length) open[open.length - 1].inner += total;
    const own = total - frame.inner;
    fs.writeSync(2, `import time: ${String(own).padStart(9)} | ${String(total).padStart(11)} | ` +
      `${"  ".repeat(open.length)}${filename}\n`);
  }
};
