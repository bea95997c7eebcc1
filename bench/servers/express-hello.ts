// Reference: express 5 answering the peers' route and body with no auth at all, the
// framework's own ceiling for this route.
import express from "express";
import { announceReady, describeUser, exitOnSignal, USER_ROUTE } from "./announce.js";

const app = express();
app.disable("x-powered-by");
app.get(USER_ROUTE, (request, response) => {
  response.json(describeUser(String(request.params.id), "1"));
});

const server = app.listen(0, "127.0.0.1", () => announceReady(server.address()));
exitOnSignal(() => new Promise((resolve) => server.close(resolve)));
