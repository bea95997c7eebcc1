// The scenario registry: `npm run bench` runs these in order.
// To add a scenario, export an HttpScenario from a file in this folder and list it here;
// Tessera scenarios belong in ./tessera.ts. In-process verifiers are registered in
// bench/inprocess/verifiers.ts instead.
import type { HttpScenario } from "../lib/types.js";
import { peerScenarios } from "./peers.js";
import { tesseraScenarios } from "./tessera.js";

/** Every HTTP scenario, floor first (ratios need it), then peers, then Tessera. */
export const httpScenarios: HttpScenario[] = [...peerScenarios, ...tesseraScenarios];
