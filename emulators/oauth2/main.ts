import { runDemo } from '../run-demo';
import { startDemo } from './demo';

// Manual use: `tsx emulators/oauth2/main.ts` prints the demo connections (REVOCATION_CONNECTIONS's
// `oauth2` section) and the token files; Ctrl-C stops it.
runDemo('oauth2', startDemo);
