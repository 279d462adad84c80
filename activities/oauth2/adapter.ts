/** STUB(oauth2): replaced by the OAuth 2.0 (RFC 7009) implementation. */
export class OAuth2Adapter {}
