// The scenario registry: `npm run bench` starts these in order and measures them interleaved.
// To add a scenario, export an HttpScenario from a file in this folder and list it here;
// Tessera reference-server scenarios belong in ./tessera.ts, Tessera adapters on the peers'
// route in ./guards.ts. In-process verifiers are registered in bench/inprocess/verifiers.ts.
import type { HttpScenario } from "../lib/types.js";
import { expressGuardScenarios, fastifyGuardScenarios, honoGuardScenarios } from "./guards.js";
import {
  expressHelloScenario,
  expressPeerScenario,
  fastifyPeerScenario,
  floorScenarios,
  honoHelloScenario,
  honoPeerScenario,
} from "./peers.js";
import { tesseraScenarios } from "./tessera.js";

/** Every HTTP scenario: the floor first (ratios need it), each peer beside its Tessera guard, then the reference server. */
export const httpScenarios: HttpScenario[] = [
  ...floorScenarios,
  fastifyPeerScenario,
  ...fastifyGuardScenarios,
  honoHelloScenario,
  honoPeerScenario,
  ...honoGuardScenarios,
  expressHelloScenario,
  expressPeerScenario,
  ...expressGuardScenarios,
  ...tesseraScenarios,
];
