// Peer: express 5 + passport + passport-jwt, the combination most Express JWT tutorials use.
import express from "express";
import passport from "passport";
import { ExtractJwt, Strategy as JwtStrategy } from "passport-jwt";
import { announceReady, describeUser, exitOnSignal, readPeerSecret, USER_ROUTE } from "./announce.js";

passport.use(
  new JwtStrategy(
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: readPeerSecret(),
      algorithms: ["HS256"],
    },
    (payload: { sub?: unknown }, done: (error: unknown, user?: unknown) => void) => {
      done(null, payload);
    },
  ),
);

const app = express();
app.disable("x-powered-by");
app.use(passport.initialize());
app.get(USER_ROUTE, passport.authenticate("jwt", { session: false }), (request, response) => {
  response.json(describeUser(String(request.params.id), (request.user as { sub?: unknown }).sub));
});

const server = app.listen(0, "127.0.0.1", () => announceReady(server.address()));
exitOnSignal(() => new Promise((resolve) => server.close(resolve)));
