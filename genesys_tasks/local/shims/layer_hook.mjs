// Resolve hook for ES modules: a bare import not found beside the importing file is looked
// up in the folders of NODE_PATH (the layer's nodejs/node_modules), as CommonJS does by itself.
import { pathToFileURL } from "node:url";
import path from "node:path";

const folders = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
const bare = (specifier) => !/^(\.|\/|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    if (err?.code !== "ERR_MODULE_NOT_FOUND" || !bare(specifier)) throw err;
    for (const folder of folders) {
      try {
        return await nextResolve(specifier, { ...context, parentURL: pathToFileURL(path.join(folder, "x.mjs")).href });
      } catch {
        // not in this folder: try the next one
      }
    }
    throw err;
  }
}
