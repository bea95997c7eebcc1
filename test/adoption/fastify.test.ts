import { startFastifyApp } from "./fastify-app.js";
import { runSqliteAdoptionSuite } from "./sqlite-app-suite.js";

runSqliteAdoptionSuite("Fastify", startFastifyApp, new URL("./fastify-app.ts", import.meta.url));
