// aws-lambda-ric 3 started as Lambda's nodejs22.x (and earlier) images start it: the client's run() on the
// task root and the handler, without the "Executing ..." line the package's own bin/index.mjs prints first.
// node node_ric_run.mjs <the client's dist/index.mjs> <handler>
import { pathToFileURL } from "node:url";

const [client, handler] = process.argv.slice(2);
const { run } = await import(pathToFileURL(client).href);
await run(process.cwd(), handler);
