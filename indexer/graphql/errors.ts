import { GraphQLError } from "graphql";

/**
 * `extensions.code` of every error a client can cause and fix. Anything else that goes wrong
 * reaches the client masked, as "Unexpected error.", and is logged in full.
 */
export const ErrorCode = {
  /** An argument is malformed: not a number, not an address, a negative count. */
  BadUserInput: "BAD_USER_INPUT",
  /** `after` is not a cursor this API issued for the same ordering. */
  BadCursor: "BAD_CURSOR",
  /** `first` is above the maximum page size. */
  TooManyItems: "TOO_MANY_ITEMS",
  /** No profile matches the handle, id or address asked for. */
  ProfileNotFound: "PROFILE_NOT_FOUND",
  /** No post has the id asked for. */
  PostNotFound: "POST_NOT_FOUND",
  /** No coin has the address or handle asked for. */
  CoinNotFound: "COIN_NOT_FOUND",
  /** No proposal has the id asked for. */
  ProposalNotFound: "PROPOSAL_NOT_FOUND",
  /** The query nests fields deeper than allowed. */
  QueryTooDeep: "QUERY_TOO_DEEP",
  /** The query uses more aliases than allowed. */
  TooManyAliases: "TOO_MANY_ALIASES",
  /** The estimated number of items the query may return is above the allowed cost. */
  QueryTooCostly: "QUERY_TOO_COSTLY",
  /** The document is not valid GraphQL syntax. */
  ParseFailed: "GRAPHQL_PARSE_FAILED",
  /** The document breaks a rule of GraphQL validation (an unknown field, a wrong argument type). */
  ValidationFailed: "GRAPHQL_VALIDATION_FAILED",
  /** A selection set spreads more fragments than allowed. */
  TooManyFragments: "TOO_MANY_FRAGMENTS",
  /** The document holds more tokens than allowed. */
  QueryTooLarge: "QUERY_TOO_LARGE",
  /** The request's body is not a JSON object. */
  BadRequest: "BAD_REQUEST",
  /** A POST body of another media type than JSON or GraphQL (HTTP 415). */
  UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  /** The request's body is larger than allowed (HTTP 413). */
  BodyTooLarge: "BODY_TOO_LARGE",
  /** The client has more requests running and waiting than allowed (HTTP 429). */
  TooManyRequests: "TOO_MANY_REQUESTS",
  /** The query ran longer than the per-request time limit. */
  Timeout: "TIMEOUT",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error the client caused: its message says what to change, `extensions.code` says which kind. */
export function userError(code: ErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}
