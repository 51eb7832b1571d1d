import type { ApiContext, ApiModule } from "./context";
import { column, createRowLoader, type Row } from "./entity";
import { PROFILE } from "./profiles";

/**
 * The profile an address owns, null when it owns none. Every address field of a list goes
 * through one loader per request, so a page of 50 trades costs one query for all their traders'
 * profiles, not 50.
 */
export function profileOfAddress(context: ApiContext, address: unknown): Promise<Row | null> {
  if (typeof address !== "string") return Promise.resolve(null);
  return context
    .loader("profile:address", () => createRowLoader(context.db, PROFILE, column(PROFILE, "owner")))
    .load(address.toLowerCase());
}

/** Each address field that gets a `<field>Profile` next to it, by type. */
const ADDRESS_FIELDS: Record<string, { field: string; what: string }[]> = {
  Coin: [{ field: "launcher", what: "the launcher" }],
  Trade: [
    { field: "trader", what: "the trader" },
    { field: "recipient", what: "the recipient" },
  ],
  Holding: [{ field: "holder", what: "the holder" }],
  Portfolio: [{ field: "holder", what: "the holder" }],
  Tip: [{ field: "tipper", what: "the tipper" }],
  Proposal: [{ field: "proposer", what: "the proposer" }],
  Vote: [{ field: "voter", what: "the voter" }],
  GovernanceAccount: [
    { field: "address", what: "the account" },
    { field: "delegate", what: "the delegate" },
  ],
  VotingPowerChange: [{ field: "delegate", what: "the delegate" }],
  RevenueBucket: [{ field: "account", what: "the bucket recipient" }],
  Notification: [{ field: "actorAddress", what: "the tipper, trader or proposer" }],
};

/**
 * `<field>Profile` beside every address of a person (traders, holders, tippers, voters,
 * delegates, recipients), and `recipientProfiles` beside an allocation's recipients.
 */
export const addressProfilesModule: ApiModule = {
  typeDefs: /* GraphQL */ `
    ${Object.entries(ADDRESS_FIELDS)
      .map(
        ([type, fields]) => `extend type ${type} {
      ${fields
        .map(
          ({ field, what }) =>
            `"Profile owned by ${what} (${field}), null when it owns none."\n      ${field}Profile: Profile`,
        )
        .join("\n      ")}
    }`,
      )
      .join("\n")}

    extend type Allocation {
      "Profile owned by each recipient, in the order of recipients; null where it owns none."
      recipientProfiles: [Profile]!
    }
  `,
  resolvers: {
    ...Object.fromEntries(
      Object.entries(ADDRESS_FIELDS).map(([type, fields]) => [
        type,
        Object.fromEntries(
          fields.map(({ field }) => [
            `${field}Profile`,
            (parent: Row, _: unknown, context: ApiContext) =>
              profileOfAddress(context, parent[field]),
          ]),
        ),
      ]),
    ),
    Allocation: {
      recipientProfiles: (parent: Row, _: unknown, context: ApiContext) =>
        Promise.all(
          ((parent.recipients as string[] | null) ?? []).map((address) =>
            profileOfAddress(context, address),
          ),
        ),
    },
  },
};
