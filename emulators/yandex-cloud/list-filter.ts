import { refreshToken } from '@yandex-cloud/nodejs-sdk/iam-v1';
import type { YandexRefreshToken } from './public-types';
import { invalidArgument } from './rpc-error';

export type TokenPredicate = (t: YandexRefreshToken) => boolean;

const FILTER_FIELDS = ['client_instance_info', 'client_id', 'protection_level'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];

const PROTECTION_LEVELS: Record<string, number> = {
  PROTECTION_LEVEL_UNSPECIFIED: refreshToken.RefreshToken_ProtectionLevel.PROTECTION_LEVEL_UNSPECIFIED,
  NO_PROTECTION: refreshToken.RefreshToken_ProtectionLevel.NO_PROTECTION,
  INSECURE_KEY_DPOP: refreshToken.RefreshToken_ProtectionLevel.INSECURE_KEY_DPOP,
  SECURE_KEY_DPOP: refreshToken.RefreshToken_ProtectionLevel.SECURE_KEY_DPOP,
};

function isFilterField(name: string): name is FilterField {
  return (FILTER_FIELDS as readonly string[]).includes(name);
}

/**
 * Parses the documented subset of the Yandex filter language:
 * `field="value"` terms joined by AND, plus `protection_level IN ("A","B")`.
 * Anything else is rejected rather than ignored, so an adapter cannot silently over-match.
 */
export function parseListFilter(filter: string): TokenPredicate {
  if (filter.trim() === '') return () => true;
  const terms = new FilterParser(filter).parseTerms();
  return (t) => terms.every((term) => term(t));
}

class FilterParser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parseTerms(): TokenPredicate[] {
    const terms: TokenPredicate[] = [];
    for (;;) {
      terms.push(this.parseTerm());
      const hadSpace = this.skipSpaces();
      if (this.pos >= this.src.length) return terms;
      if (!hadSpace || !this.consumeKeyword('AND')) throw this.error('expected AND');
      if (!this.skipSpaces()) throw this.error('expected a space after AND');
    }
  }

  private parseTerm(): TokenPredicate {
    this.skipSpaces();
    const fieldStart = this.pos;
    const field = this.readIdentifier();
    if (field === '') throw this.error('expected a field name');
    if (!isFilterField(field)) {
      throw invalidArgument(
        `invalid filter: unknown field "${field}" at position ${fieldStart}; ` +
          `supported fields: ${FILTER_FIELDS.join(', ')}`,
      );
    }
    this.skipSpaces();
    if (this.src.startsWith('=', this.pos)) {
      this.pos += 1;
      this.skipSpaces();
      return this.matcher(field, [this.readQuoted()]);
    }
    const operatorStart = this.pos;
    if (this.consumeKeyword('IN')) {
      if (field !== 'protection_level') {
        throw invalidArgument(
          `invalid filter: operator IN at position ${operatorStart} is supported only for protection_level, not ${field}`,
        );
      }
      return this.matcher(field, this.readList());
    }
    throw this.error(`expected = or IN after ${field}`);
  }

  private matcher(field: FilterField, values: string[]): TokenPredicate {
    switch (field) {
      case 'client_id':
        return (t) => values.includes(t.clientId);
      case 'client_instance_info':
        return (t) => values.includes(t.clientInstanceInfo);
      case 'protection_level': {
        const levels = values.map((name) => {
          const level = PROTECTION_LEVELS[name];
          if (level === undefined) {
            throw invalidArgument(
              `invalid filter: unknown protection_level "${name}"; ` +
                `expected one of ${Object.keys(PROTECTION_LEVELS).join(', ')}`,
            );
          }
          return level;
        });
        return (t) => levels.includes(t.protectionLevel);
      }
    }
  }

  private readList(): string[] {
    this.skipSpaces();
    if (!this.src.startsWith('(', this.pos)) throw this.error('expected ( after IN');
    this.pos += 1;
    const values: string[] = [];
    for (;;) {
      this.skipSpaces();
      values.push(this.readQuoted());
      this.skipSpaces();
      const c = this.src[this.pos];
      this.pos += 1;
      if (c === ')') return values;
      if (c !== ',') {
        this.pos -= 1;
        throw this.error('expected , or ) in IN list');
      }
    }
  }

  private readQuoted(): string {
    if (this.src[this.pos] !== '"') throw this.error('expected a double-quoted value');
    let value = '';
    for (let i = this.pos + 1; i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '"') {
        this.pos = i + 1;
        return value;
      }
      if (c === '\\' && i + 1 < this.src.length) {
        i += 1;
        value += this.src[i];
      } else {
        value += c;
      }
    }
    throw this.error('unterminated quoted value');
  }

  private readIdentifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(this.src.slice(this.pos));
    const ident = match?.[0] ?? '';
    this.pos += ident.length;
    return ident;
  }

  private consumeKeyword(word: string): boolean {
    const after = this.src[this.pos + word.length];
    if (this.src.startsWith(word, this.pos) && (after === undefined || !/[A-Za-z0-9_]/.test(after))) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  private skipSpaces(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos += 1;
    return this.pos > start;
  }

  private error(expectation: string) {
    const rest = this.src.slice(this.pos, this.pos + 30);
    const near = rest === '' ? 'end of filter' : `"${rest}"`;
    return invalidArgument(`invalid filter: ${expectation} at position ${this.pos}, near ${near}`);
  }
}
