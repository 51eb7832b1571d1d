import { operation } from "../shared/operation";

/** What every post card shows. */
export const POST_FIELDS = `
  id authorId parentId quotedId contentUri timestamp retracted
  author { id handle metadataUri }
  parent { id author { handle } }
  quoted { id contentUri retracted author { id handle metadataUri } }
  stats { replyCount quoteCount reactionCount }
`;

export interface PostAuthor {
  id: string;
  handle: string;
  metadataUri: string;
}

export interface PostData {
  id: string;
  authorId: string;
  parentId: string | null;
  quotedId: string | null;
  contentUri: string;
  timestamp: string | null;
  retracted: boolean;
  author: PostAuthor;
  parent?: { id: string; author: { handle: string } } | null;
  quoted: { id: string; contentUri: string; retracted: boolean; author: PostAuthor } | null;
  stats: { replyCount: number; quoteCount: number; reactionCount: number };
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export type PostPage = { nodes: PostData[]; pageInfo: PageInfo; hidden?: HiddenProfile[] | null };

/** Rows a viewer's moderation left out of a page, by profile and reason. */
export interface HiddenProfile {
  reason: "BLOCKED" | "BLOCKED_BY" | "MUTED" | "LIST";
  listId: string | null;
  count: number;
  profile: { handle: string };
}

export const HIDDEN_FIELDS = `hidden { reason listId count profile { handle } }`;

export const EverythingFeed = operation<{ posts: PostPage }, { after?: string | null }>(`
  query EverythingFeed($after: String) {
    posts(first: 20, after: $after, where: { retracted: false }) {
      nodes { ${POST_FIELDS} }
      pageInfo { hasNextPage endCursor }
    }
  }`);

/** Everything, as a profile sees it: its blocks, mutes and lists applied, saying what was hidden. */
export const ModeratedFeed = operation<
  { posts: PostPage },
  { viewer: string; after?: string | null }
>(`
  query ModeratedFeed($viewer: BigInt!, $after: String) {
    posts(first: 20, after: $after, where: { retracted: false }, viewer: $viewer) {
      nodes { ${POST_FIELDS} }
      pageInfo { hasNextPage endCursor }
      ${HIDDEN_FIELDS}
    }
  }`);

export const HomeFeed = operation<{ homeFeed: PostPage }, { id: string; after?: string | null }>(`
  query HomeFeed($id: BigInt!, $after: String) {
    homeFeed(id: $id, first: 20, after: $after, where: { retracted: false }, viewer: $id) {
      nodes { ${POST_FIELDS} }
      pageInfo { hasNextPage endCursor }
      ${HIDDEN_FIELDS}
    }
  }`);

export const PostThread = operation<
  {
    post: PostData & {
      parent: PostData | null;
      replies: { nodes: PostData[] };
      quotes: { nodes: PostData[] };
      tips: {
        nodes: { tipper: string; token: string; amount: string; message: string; txHash: string }[];
      };
    };
  },
  { id: string }
>(`
  query PostThread($id: BigInt!) {
    post(id: $id) {
      ${POST_FIELDS}
      parent { ${POST_FIELDS} }
      replies(first: 100, orderDirection: asc, where: { retracted: false }) { nodes { ${POST_FIELDS} } }
      quotes(first: 20, where: { retracted: false }) { nodes { ${POST_FIELDS} } }
      tips(first: 20) { nodes { tipper token amount message txHash } }
    }
  }`);

/** Which of these posts the viewer likes now. */
export const MyReactions = operation<
  { reactions: { nodes: { postId: string; kind: number }[] } },
  { profileId: string; postIds: string[] }
>(`
  query MyReactions($profileId: BigInt!, $postIds: [BigInt!]!) {
    reactions(first: 1000, where: { profileId: $profileId, postId_in: $postIds }) {
      nodes { postId kind }
    }
  }`);

/** Operations a new post makes stale (the live feed invalidates them). */
export const POST_OPERATIONS = [EverythingFeed, ModeratedFeed, HomeFeed, PostThread].map(
  (op) => op.name,
);
