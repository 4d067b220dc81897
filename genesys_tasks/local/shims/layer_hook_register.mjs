// Loaded with `node --import`: installs layer_hook.mjs before the handler is imported.
import { register } from "node:module";

register("./layer_hook.mjs", import.meta.url);
