// validate.js — exits 0 when each file given is a valid OpenAPI 3 document (schema and
// references checked by @apidevtools/swagger-parser), else prints the problem and exits 1.
"use strict";
const SwaggerParser = require("@apidevtools/swagger-parser");

async function main(files) {
  let bad = 0;
  for (const f of files) {
    try {
      const api = await SwaggerParser.validate(f);
      if (!/^3\./.test(api.openapi || "")) throw new Error("not OpenAPI 3: " + api.openapi);
      console.log(`${f}: valid OpenAPI ${api.openapi}, ${Object.keys(api.paths).length} paths`);
    } catch (e) {
      console.error(`${f}: INVALID: ${e.message}`);
      bad++;
    }
  }
  process.exit(bad ? 1 : 0);
}
main(process.argv.slice(2));
