#!/usr/bin/env node
'use strict';
// The engine ships as TypeScript; tsx (a runtime dependency) compiles it on load.
require('tsx/cjs');
require('../cli/main.ts').main();
