/** STUB(google-identity-platform): replaced by the Google Identity Platform implementation. */
export class GoogleIdentityPlatformAdapter {}
