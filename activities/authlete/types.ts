/** The wire shapes live in the contract (api/authlete-types.ts), so the client library shares them. */
export type * from '../../api/authlete-types';
