#!/usr/bin/env node
// `npm run bench`: runs every benchmark in bench/ against dist/kuma and prints one JSON object.
import { benchCrossZone } from '../bench/crosszone.mjs';
import { benchFoundation } from '../bench/foundation.mjs';
import { benchKds } from '../bench/kds.mjs';
import { benchXds } from '../bench/xds.mjs';

const results = { ...(await benchFoundation()), ...(await benchKds()), ...(await benchXds()), ...(await benchCrossZone()) };
console.log(JSON.stringify(results, null, 2));
