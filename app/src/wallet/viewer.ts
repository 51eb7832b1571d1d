import { useAccount } from "wagmi";
import { ApiError, request } from "../shared/graphql";
import { useQuery } from "@tanstack/react-query";
import { ProfileOfAddress, type ProfileSummary } from "../profile/queries";
import { queryKey } from "../shared/queries";

/** The connected account and the profile it owns (null: none yet). */
export function useViewer(): {
  address: `0x${string}` | undefined;
  profile: ProfileSummary | null;
  loading: boolean;
} {
  const { address } = useAccount();
  const variables = { address: address?.toLowerCase() ?? "" };
  const query = useQuery({
    queryKey: queryKey(ProfileOfAddress, variables),
    enabled: !!address,
    queryFn: async ({ signal }) => {
      try {
        return (await request(ProfileOfAddress, variables, signal)).profile;
      } catch (error) {
        if (error instanceof ApiError && error.code === "PROFILE_NOT_FOUND") return null;
        throw error;
      }
    },
  });
  return { address, profile: query.data ?? null, loading: !!address && query.isLoading };
}
