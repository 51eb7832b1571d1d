import { operation } from "./operation";

export const IndexerStatusQuery = operation<{
  indexerStatus: {
    lastIndexedBlock: string | null;
    headLag: string | null;
    chainId: number;
  } | null;
}>(`query IndexerStatus { indexerStatus { lastIndexedBlock headLag chainId } }`);

export const PostCreated = operation<{ postCreated: { id: string; authorId: string } }>(
  `subscription PostCreated { postCreated { id authorId } }`,
);

export const TradeCreated = operation<{ tradeCreated: { coinAddress: string; trader: string } }>(
  `subscription TradeCreated { tradeCreated { coinAddress trader } }`,
);

export const TipCreated = operation<{ tipCreated: { profileId: string; postId: string | null } }>(
  `subscription TipCreated { tipCreated { profileId postId } }`,
);
