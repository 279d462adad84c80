/** STUB(authlete): replaced by the Authlete implementation. */
export class AuthleteAdapter {}
