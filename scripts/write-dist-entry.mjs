// tsc keeps the source tree's shape (dist/src/server.js) because migrations/ and seeds/ sit beside
// src/; the documented production entry is dist/server.js, so it gets a one-line forwarder.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/server.js', import.meta.url), "import './src/server.js';\n");
