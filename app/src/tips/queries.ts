import { operation } from "../shared/operation";

export interface TipData {
  txHash: string;
  logIndex: number;
  timestamp: string;
  tipper: string;
  token: string;
  amount: string;
  message: string;
  profile: { id: string; handle: string };
  post: { id: string } | null;
}

const TIP_FIELDS = `txHash logIndex timestamp tipper token amount message profile { id handle } post { id }`;

export const TipLeaderboard = operation<{
  topTippedProfiles: {
    nodes: {
      amount: string;
      count: number;
      tippers: number;
      profile: { id: string; handle: string; metadataUri: string };
    }[];
  };
  tips: { nodes: TipData[] };
}>(`
  query TipLeaderboard {
    topTippedProfiles(first: 10) { nodes { amount count tippers profile { id handle metadataUri } } }
    tips(first: 20) { nodes { ${TIP_FIELDS} } }
  }`);

export const MyTips = operation<
  { sent: { nodes: TipData[] }; received: { nodes: TipData[] } },
  { address: string; profileId: string }
>(`
  query MyTips($address: Address!, $profileId: BigInt!) {
    sent: tips(first: 50, where: { tipper: $address }) { nodes { ${TIP_FIELDS} } }
    received: tips(first: 50, where: { profileId: $profileId }) { nodes { ${TIP_FIELDS} } }
  }`);

export const TIP_OPERATIONS = [TipLeaderboard, MyTips].map((op) => op.name);

/** Profiles by exact handle, for a batch of tips. */
export const ProfilesByHandle = operation<
  { profiles: { nodes: { id: string; handle: string }[] } },
  { handles: string[] }
>(`
  query ProfilesByHandle($handles: [String!]!) {
    profiles(first: 50, where: { handle_in: $handles }) { nodes { id handle } }
  }`);
