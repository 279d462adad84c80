import { runDemo } from '../run-demo';
import { startDemo } from './demo';

// Manual use: `tsx emulators/google-identity-platform/main.ts` prints the demo connection
// (REVOCATION_CONNECTIONS's `google-identity-platform` section) and an example; the API key, request
// and env files they name are in a temporary directory. Ctrl-C stops it. The demo rather than a bare
// emulator, because the demo tokens exist only inside the emulator's process.
runDemo('google-identity-platform', startDemo);
