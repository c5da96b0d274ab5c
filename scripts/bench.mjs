#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ against dist/kuma and prints one JSON object.
import { benchFoundation } from '../bench/foundation.mjs';

const results = { ...(await benchFoundation()) };
console.log(JSON.stringify(results, null, 2));
