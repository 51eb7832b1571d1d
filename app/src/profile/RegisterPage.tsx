import { useState } from "react";
import { HANDLE_MAX_LENGTH, HANDLE_MIN_LENGTH, isValidHandle } from "../../../sdk/handles";
import { metadataUri } from "../shared/content";
import { useAgoraWrite } from "../shared/contracts";
import { useApi } from "../shared/queries";
import { navigate } from "../shared/router";
import { AddressText, Card, ConfirmButton, TxStatus } from "../shared/ui";
import { useViewer } from "../wallet/viewer";
import { AcceptTransfer } from "./OwnerActions";
import { HandleTaken } from "./queries";

/** Why a handle cannot be registered, as the person types; null when it can. */
export function handleProblem(handle: string): string | null {
  if (handle.length < HANDLE_MIN_LENGTH) return `At least ${HANDLE_MIN_LENGTH} characters.`;
  if (handle.length > HANDLE_MAX_LENGTH) return `At most ${HANDLE_MAX_LENGTH} characters.`;
  if (/[A-Z]/.test(handle))
    return "Lowercase only: handles are not rewritten, so Alice is not alice.";
  if (handle.startsWith("_")) return "A handle cannot start with _.";
  if (!isValidHandle(handle)) return "Only a-z, 0-9 and _.";
  return null;
}

export function RegisterPage() {
  const { address, profile } = useViewer();
  const [handle, setHandle] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [bio, setBio] = useState("");
  const write = useAgoraWrite("ProfileRegistry");
  const problem = handle === "" ? null : handleProblem(handle);
  const taken = useApi(HandleTaken, { handle }, { enabled: handle !== "" && !problem });
  const isTaken = (taken.data?.profiles.nodes.length ?? 0) > 0;
  if (!address) return <p className="muted">Connect a wallet to register a handle.</p>;
  if (profile)
    return (
      <p>
        This wallet already owns <a href={`#/u/${profile.handle}`}>@{profile.handle}</a>: one
        profile per address.
      </p>
    );
  return (
    <>
      <Card title="Register a handle">
        <form onSubmit={(event) => event.preventDefault()}>
          <label htmlFor="handle">Handle</label>
          <input
            id="handle"
            value={handle}
            autoComplete="off"
            aria-describedby="handle-help"
            aria-invalid={!!problem || isTaken}
            onChange={(event) => setHandle(event.target.value)}
          />
          <p
            id="handle-help"
            className={problem || isTaken ? "error small" : "muted small"}
            aria-live="polite"
          >
            {problem ??
              (isTaken
                ? `@${handle} is taken.`
                : handle && taken.data
                  ? `@${handle} is available.`
                  : "3-25 characters: a-z, 0-9 and _, not starting with _.")}
          </p>
          <label htmlFor="display-name">Display name</label>
          <input
            id="display-name"
            value={displayName}
            maxLength={80}
            onChange={(e) => setDisplayName(e.target.value)}
          />
          <label htmlFor="bio">Bio</label>
          <textarea
            id="bio"
            value={bio}
            rows={3}
            maxLength={500}
            onChange={(e) => setBio(e.target.value)}
          />
          <ConfirmButton
            label={`Register @${handle || "…"}`}
            disabled={!handle || !!problem || isTaken || !taken.data || write.busy}
            summary={
              <p>
                Registers @{handle} as the profile of this wallet (<AddressText address={address} />
                ), with the display name “{displayName || "(none)"}” and the bio “{bio || "(none)"}
                ”. A wallet owns one profile; the handle, name and bio are public on chain. Cost:
                gas only, no fee, no value sent.
              </p>
            }
            onConfirm={() =>
              void write
                .send({
                  functionName: "register",
                  args: [
                    handle,
                    metadataUri({ displayName: displayName || undefined, bio: bio || undefined }),
                  ],
                })
                .then((receipt) => receipt && navigate(`/u/${handle}`))
            }
          />
          <TxStatus state={write.state} />
        </form>
      </Card>
      <Card title="Take over a profile offered to you">
        <AcceptTransfer />
      </Card>
    </>
  );
}
