// An Express app served by Lambda: the app listens on a local port once per runtime,
// and each function URL (payload 2.0) event is passed to it as an HTTP request.
const http = require("http");
const express = require("express");

const app = express();
app.get("/", (req, res) => res.json({ message: `hello, ${req.query.name || "world"}` }));

let port;
const listening = new Promise((resolve) => {
  const server = app.listen(0, "127.0.0.1", () => { port = server.address().port; resolve(); });
});

exports.handler = async (event) => {
  await listening;
  const ctx = (event.requestContext && event.requestContext.http) || {};
  const path = (ctx.path || "/") + (event.rawQueryString ? `?${event.rawQueryString}` : "");
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: ctx.method || "GET", headers: event.headers || {} },
      (res) => {
        let body = "";
        res.on("data", (chunk) => { body += chunk; });
        res.on("end", () => resolve({ statusCode: res.statusCode, headers: res.headers, body }));
      });
    req.on("error", reject);
    req.end(event.body || "");
  });
};
