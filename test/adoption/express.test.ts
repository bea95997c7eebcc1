import { startExpressApp } from "./express-app.js";
import { runSqliteAdoptionSuite } from "./sqlite-app-suite.js";

runSqliteAdoptionSuite("Express", startExpressApp, new URL("./express-app.ts", import.meta.url));
