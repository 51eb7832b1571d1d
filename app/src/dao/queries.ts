import { operation } from "../shared/operation";

export interface ProposalData {
  id: string;
  proposer: string;
  targets: string[];
  values: string[];
  calldatas: string[];
  description: string;
  voteStart: string;
  voteEnd: string;
  forVotes: string;
  againstVotes: string;
  abstainVotes: string;
  quorum: string;
  state: string;
  eta: string | null;
  voteCount: number;
  timestamp: string;
}

const PROPOSAL_FIELDS = `id proposer targets values calldatas description voteStart voteEnd forVotes
  againstVotes abstainVotes quorum state eta voteCount timestamp`;

export interface AllocationData {
  timestamp: string;
  recipients: string[];
  bps: number[];
  creatorShareBps: number;
  txHash: string;
}

export const DaoOverview = operation<{
  proposals: { nodes: ProposalData[] };
  allocation: AllocationData | null;
  allocationHistory: { nodes: AllocationData[] };
  revenueByBucket: {
    nodes: { account: string; token: string; credited: string; withdrawn: string }[];
  };
  revenueByToken: {
    nodes: { token: string; deposited: string; creatorCredited: string; distributed: string }[];
  };
  delegates: { nodes: { address: string; votes: string; delegators: number }[] };
}>(`
  query DaoOverview {
    proposals(first: 50) { nodes { ${PROPOSAL_FIELDS} } }
    allocation { timestamp recipients bps creatorShareBps txHash }
    allocationHistory(first: 20) { nodes { timestamp recipients bps creatorShareBps txHash } }
    revenueByBucket(first: 20) { nodes { account token credited withdrawn } }
    revenueByToken(first: 20) { nodes { token deposited creatorCredited distributed } }
    delegates(first: 10) { nodes { address votes delegators } }
  }`);

export const ProposalQuery = operation<
  {
    proposal: ProposalData & {
      votes: { nodes: { voter: string; support: number; weight: string; reason: string }[] };
    };
  },
  { id: string }
>(`
  query Proposal($id: BigInt!) {
    proposal(id: $id) {
      ${PROPOSAL_FIELDS}
      votes(first: 100, orderBy: weight) { nodes { voter support weight reason } }
    }
  }`);

export const ProfileOfHandle = operation<{ profile: { owner: string } }, { handle: string }>(`
  query ProfileOfHandle($handle: String!) { profile(handle: $handle) { owner } }`);
