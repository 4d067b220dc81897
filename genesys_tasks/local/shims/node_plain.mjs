// A plain Node runtime loop: import the handler (CommonJS or ES module), then call it for each
// invocation. Run when aws-lambda-ric cannot be installed; it speaks the same Runtime API and
// gives errors Lambda's shape (a callback handler is refused from Node.js 24 on, as Lambda refuses
// it), sets _X_AMZN_TRACE_ID for each invocation, without the client's log formatting or streaming responses.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const base = "/2018-06-01/runtime";

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: base + route, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.setNoDelay(true);
    req.on("error", reject);
    req.end(body);
  });
}

const errorOf = (type, message, stack = []) => ({ errorType: type, errorMessage: message, trace: stack });
const post = (route, data, type) =>
  call("POST", route, JSON.stringify(data), type ? { "Lambda-Runtime-Function-Error-Type": type } : {});

async function load(handlerName) {
  const root = process.env.LAMBDA_TASK_ROOT;
  const dot = handlerName.lastIndexOf(".");
  if (dot < 0) throw errorOf("Runtime.MalformedHandlerName", `Bad handler ${handlerName}`);
  const modname = handlerName.slice(0, dot);
  const fn = handlerName.slice(dot + 1);
  const file = [".js", ".mjs", ".cjs"].map((ext) => path.join(root, modname + ext)).find((f) => fs.existsSync(f));
  if (!file) throw errorOf("Runtime.ImportModuleError", `Error: Cannot find module '${modname}'`);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {  // as the runtime client sorts them: a syntax error, a missing module, else the error itself
    const stack = String(err?.stack || "").split("\n");
    if (err instanceof SyntaxError) throw errorOf("Runtime.UserCodeSyntaxError", String(err), stack);
    // an ES module's missing package (ERR_MODULE_NOT_FOUND) is one too: "Cannot find package 'x' imported from"
    if (["MODULE_NOT_FOUND", "ERR_MODULE_NOT_FOUND"].includes(err?.code)) {
      throw errorOf("Runtime.ImportModuleError", String(err), stack);
    }
    throw err instanceof Error ? errorOf(err.name, err.message, stack) : errorOf(typeof err, String(err));
  }
  const handler = mod[fn] ?? mod.default?.[fn];
  if (typeof handler !== "function") throw errorOf("Runtime.HandlerNotFound", `${modname}.${fn} is undefined or not exported`);
  if (handler.length >= 3 && callbacksRemoved()) {
    throw errorOf("Runtime.CallbackHandlerDeprecated", "ERROR: AWS Lambda has removed support for callback-based "
      + "function handlers starting with Node.js 24. You need to modify this function to use a supported handler "
      + "signature to use Node.js 24 or later. For more information see "
      + "https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.");
  }
  return handler;
}

// Lambda's Node.js 24 and later runtimes refuse a handler that takes a callback (a third parameter)
function callbacksRemoved() {
  const version = /^AWS_Lambda_nodejs(\d+)/.exec(process.env.AWS_EXECUTION_ENV || "");
  return version !== null && Number(version[1]) >= 24;
}

function invoke(handler, event, context) {
  return new Promise((resolve, reject) => {
    const done = (err, value) => (err ? reject(err) : resolve(value));
    try {
      const out = handler(event, context, done);
      if (out && typeof out.then === "function") out.then(resolve, reject);
      else if (handler.length < 3) resolve(out);
    } catch (err) {
      reject(err);
    }
  });
}

let handler;
try {
  handler = await load(process.env._HANDLER || process.argv[2]);
} catch (failed) {
  const error = failed.errorType ? failed : errorOf("Runtime.Unknown", String(failed));
  console.error(`ERROR ${error.errorType}: ${error.errorMessage}`);
  await post("/init/error", error, error.errorType);
  process.exit(1);
}
for (;;) {
  const next = await call("GET", "/invocation/next");
  const id = next.headers["lambda-runtime-aws-request-id"];
  const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
  const trace = next.headers["lambda-runtime-trace-id"];  // as the runtime client moves it into the environment
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
  const context = {
    awsRequestId: id, functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME, logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0), callbackWaitsForEmptyEventLoop: true,
  };
  try {
    const result = await invoke(handler, JSON.parse(next.body || "null"), context);
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (err) {
      await post(`/invocation/${id}/error`, errorOf("Runtime.MarshalError", err.message), "Runtime.MarshalError");
      continue;
    }
    await call("POST", `/invocation/${id}/response`, body);
  } catch (err) {
    const error = errorOf(err?.name || "Error", err?.message ?? String(err), String(err?.stack || "").split("\n"));
    console.error(`ERROR Invoke Error ${JSON.stringify(error)}`);
    await post(`/invocation/${id}/error`, error, "Unhandled");
  }
}
