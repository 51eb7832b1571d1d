import { operation } from "../shared/operation";
import { POST_FIELDS, type PostData, type PostPage } from "../feed/queries";

export interface ProfileSummary {
  id: string;
  handle: string;
  owner: string;
  metadataUri: string;
}

export const PROFILE_FIELDS = `id handle owner metadataUri`;

export const ProfilePage = operation<
  {
    profile: ProfileSummary & {
      recovery: string | null;
      stats: { postCount: number; followerCount: number; followingCount: number };
      coin: {
        address: string;
        symbol: string;
        price: string;
        marketCap: string;
        holders: number;
      } | null;
    };
  },
  { handle: string }
>(`
  query ProfilePage($handle: String!) {
    profile(handle: $handle) {
      ${PROFILE_FIELDS} recovery
      stats { postCount followerCount followingCount }
      coin { address symbol price marketCap holders }
    }
  }`);

export const ProfilePosts = operation<
  { profile: { posts: PostPage } },
  { handle: string; after?: string | null }
>(`
  query ProfilePosts($handle: String!, $after: String) {
    profile(handle: $handle) {
      posts(first: 20, after: $after, where: { retracted: false }) {
        nodes { ${POST_FIELDS} }
        pageInfo { hasNextPage endCursor }
      }
    }
  }`);

export const ProfileFollows = operation<
  {
    profile: {
      followers: { nodes: { follower: ProfileSummary }[] };
      following: { nodes: { followed: ProfileSummary }[] };
    };
  },
  { handle: string }
>(`
  query ProfileFollows($handle: String!) {
    profile(handle: $handle) {
      followers(first: 100) { nodes { follower { ${PROFILE_FIELDS} } } }
      following(first: 100) { nodes { followed { ${PROFILE_FIELDS} } } }
    }
  }`);

/** The profile an address owns, or an error PROFILE_NOT_FOUND. */
export const ProfileOfAddress = operation<{ profile: ProfileSummary }, { address: string }>(`
  query ProfileOfAddress($address: Address!) {
    profile(address: $address) { ${PROFILE_FIELDS} }
  }`);

export const IsFollowing = operation<
  { follows: { nodes: { followedId: string }[] } },
  { followerId: string; followedId: string }
>(`
  query IsFollowing($followerId: BigInt!, $followedId: BigInt!) {
    follows(first: 1, where: { followerId: $followerId, followedId: $followedId }) {
      nodes { followedId }
    }
  }`);

/** Profiles by handle or display name (prefix first, then similar), and posts by their text. */
export const Search = operation<
  {
    findProfiles: { matchedField: string; profile: ProfileSummary }[];
    searchPosts: { post: PostData }[];
  },
  { query: string }
>(`
  query Search($query: String!) {
    findProfiles(query: $query, first: 20) { matchedField profile { ${PROFILE_FIELDS} } }
    searchPosts(query: $query, first: 20) { post { ${POST_FIELDS} } }
  }`);

export const HandleTaken = operation<
  { profiles: { nodes: { id: string }[] } },
  { handle: string }
>(`
  query HandleTaken($handle: String!) {
    profiles(first: 1, where: { handle: $handle }) { nodes { id } }
  }`);

/**
 * Who may claim a handle now: the profile holding it, or the one that gave it up and alone may
 * take it back until `freeAt`.
 */
export const HandleStatusQuery = operation<
  {
    handleStatus: {
      holder: { id: string } | null;
      reservedFor: { id: string; handle: string } | null;
      freeAt: string | null;
    };
  },
  { handle: string }
>(`
  query HandleStatus($handle: String!) {
    handleStatus(handle: $handle) { holder { id } reservedFor { id handle } freeAt }
  }`);

/** The profile's latest handle changes: the handles it gave up, and until when they stay its own. */
export const HandleHistory = operation<
  { profile: { handleHistory: { nodes: { oldHandle: string; oldHandleFreeAt: string }[] } } },
  { id: string }
>(`
  query HandleHistory($id: BigInt!) {
    profile(id: $id) { handleHistory(first: 10) { nodes { oldHandle oldHandleFreeAt } } }
  }`);

export const PROFILE_OPERATIONS = [ProfilePage, ProfilePosts, ProfileFollows, IsFollowing].map(
  (op) => op.name,
);
