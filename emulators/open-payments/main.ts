import { runDemo } from '../run-demo';
import { startDemo } from './demo';

// Manual use: `tsx emulators/open-payments/main.ts` prints the demo connection
// (REVOCATION_CONNECTIONS's `open-payments` section) and examples; the private key, request files
// and demo.env are in a temporary directory. Ctrl-C stops it. OPEN_PAYMENTS_EMULATOR_MODE=rafiki
// switches to Rafiki's answers for revoked tokens.
runDemo('open-payments', startDemo);
