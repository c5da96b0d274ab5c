#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ against dist/kuma and prints one JSON object.
import { benchFoundation } from '../bench/foundation.mjs';
import { benchKds } from '../bench/kds.mjs';

const results = { ...(await benchFoundation()), ...(await benchKds()) };
console.log(JSON.stringify(results, null, 2));
