import { randomBytes } from 'node:crypto';

// Yandex Cloud resource ids are 20 lower-case characters: a 3-character service prefix ('aje' for IAM)
// followed by 17 characters from a base32-like alphabet.
const ID_ALPHABET = 'abcdefghijklmnopqrstuv0123456789';

export function yandexResourceId(prefix = 'aje'): string {
  const bytes = randomBytes(17);
  let id = prefix;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

// The real refresh token format is not documented; the prefix only makes emulator secrets easy to spot.
export function refreshTokenValue(): string {
  return `emu.rt1.${randomBytes(48).toString('base64url')}`;
}

export function clientInstanceInfo(): string {
  return `emulator-instance-${randomBytes(4).toString('hex')}`;
}
