import { useAgoraWrite } from "../shared/contracts";
import { useApi } from "../shared/queries";
import { Link } from "../shared/router";
import { ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { ModerationBetween } from "./queries";

const PUBLIC_NOTE =
  "It is a public event on chain (like a follow), nothing is deleted, and you can undo it. Cost: gas only, no fee.";

/** Block or mute a profile, message it: the viewer's own filters (docs/moderation.md). */
export function ModerationButtons({ profileId, handle }: { profileId: string; handle: string }) {
  const { profile } = useViewer();
  const write = useAgoraWrite("Moderation");
  const { data } = useApi(
    ModerationBetween,
    { profileId: profile?.id ?? "0", targetId: profileId },
    { enabled: !!profile },
  );
  if (!profile || profile.id === profileId) return null;
  const blocked = (data?.blocks.nodes.length ?? 0) > 0;
  const muted = (data?.mutes.nodes.length ?? 0) > 0;
  const args = [BigInt(profile.id), BigInt(profileId)] as const;
  return (
    <div className="moderation-buttons">
      <div className="row start">
        <Link to={`/messages/${handle}`} className="button-link">
          Message @{handle}
        </Link>
        <ConfirmButton
          label={blocked ? `Unblock @${handle}` : `Block @${handle}`}
          className="secondary"
          disabled={write.busy || !data}
          summary={
            <p>
              {blocked
                ? `Unblocks @${handle}: their posts, replies and conversations show again for you.`
                : `Blocks @${handle}: their posts, replies, quotes and conversations are left out of what you see, and yours of what they see, wherever an app asks the API with you as the viewer.`}{" "}
              {PUBLIC_NOTE}
            </p>
          }
          onConfirm={() =>
            void write.send({
              functionName: blocked ? "unblockProfile" : "blockProfile",
              args: [...args],
            })
          }
        />
        <ConfirmButton
          label={muted ? `Unmute @${handle}` : `Mute @${handle}`}
          className="secondary"
          disabled={write.busy || !data}
          summary={
            <p>
              {muted
                ? `Unmutes @${handle}: their posts show in your feeds again.`
                : `Mutes @${handle}: their posts and replies are left out of what you see; they are not told and still see yours.`}{" "}
              {PUBLIC_NOTE}
            </p>
          }
          onConfirm={() =>
            void write.send({
              functionName: muted ? "unmuteProfile" : "muteProfile",
              args: [...args],
            })
          }
        />
      </div>
      {(blocked || muted) && (
        <p className="muted small" data-moderation={blocked ? "blocked" : "muted"}>
          You {blocked ? "block" : "mute"} @{handle}: their posts are hidden from your feeds.
        </p>
      )}
      <TxStatus state={write.state} />
    </div>
  );
}
