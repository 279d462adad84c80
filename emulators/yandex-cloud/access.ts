import type { YandexAccessBinding } from './public-types';

export type YandexAction = 'list' | 'revoke';

/**
 * Yandex's primitive roles, as they bear on another subject's refresh tokens: `viewer` may List
 * them, `editor` and `admin` may List and Revoke. Roles the emulator does not know grant nothing.
 */
const ROLE_ACTIONS: Readonly<Record<string, readonly YandexAction[]>> = {
  viewer: ['list'],
  editor: ['list', 'revoke'],
  admin: ['list', 'revoke'],
};

/**
 * Who may act on whose refresh tokens. A subject always may act on its own; on another subject only
 * through an access binding on that subject (its user account) or on `*` (the whole organization).
 */
export class AccessPolicy {
  private readonly bindings: YandexAccessBinding[];

  constructor(bindings: readonly YandexAccessBinding[] = []) {
    this.bindings = bindings.map((b) => ({ ...b }));
  }

  allows(callerSubjectId: string, action: YandexAction, subjectId: string): boolean {
    if (callerSubjectId === subjectId) return true;
    return this.bindings.some(
      (b) =>
        b.subjectId === callerSubjectId &&
        (b.resourceId === subjectId || b.resourceId === '*') &&
        (ROLE_ACTIONS[b.roleId] ?? []).includes(action),
    );
  }

  add(binding: YandexAccessBinding): void {
    this.bindings.push({ ...binding });
  }

  all(): YandexAccessBinding[] {
    return this.bindings.map((b) => ({ ...b }));
  }
}
