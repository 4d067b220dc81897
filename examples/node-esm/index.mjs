// An ES module handler: returns a slug of the "title" field.
import slugify from "@sindresorhus/slugify";

export const handler = async (event) => {
  const title = (event && event.title) || "Hello from genesys";
  return { statusCode: 200, body: JSON.stringify({ slug: slugify(title) }) };
};
