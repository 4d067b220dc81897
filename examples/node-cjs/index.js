// A CommonJS handler: formats a duration given in milliseconds.
const ms = require("ms");

exports.handler = async (event) => {
  const value = Number((event && event.ms) || 90000);
  return { statusCode: 200, body: JSON.stringify({ ms: value, human: ms(value, { long: true }) }) };
};
